/**
 * Scheduled macro events (SPEC §5.2, issue 19): one type for every consumer — `configs/events.yaml` (the
 * operator's real schedule), the simulator's own macro calendar (sim/day/macro-calendar.ts, used when the
 * file has no entries) and the simulated world's variance bursts. A day maps to its events, each a tag and
 * an ET time of day (`null`: the day is tagged but no time is known). Pure data.
 */

export interface ScheduledEvent {
  /** Upper-case tag (FOMC, CPI, NFP, …). */
  tag: string;
  /** ET wall time `HH:MM` of the release, or null when unknown. */
  timeEt: string | null;
}

export interface EventSchedule {
  /** The events of an ET date, earliest first (untimed last); empty when the day has none. */
  on(dateEt: string): readonly ScheduledEvent[];
  /** Tags of an ET date, as listed (empty when the day is not an event day). */
  tagsOn(dateEt: string): readonly string[];
  /** Number of dates with at least one event (Infinity for a rule-based schedule, which covers every year). */
  readonly count: number;
}

/**
 * Release times of well-known tags (ET), used when an entry gives none: FOMC statements at 14:00; CPI, PPI,
 * NFP (employment report), retail sales, GDP, PCE and jobless claims at 08:30 (before the open); ISM and
 * JOLTS at 10:00.
 */
export const DEFAULT_EVENT_TIMES: Readonly<Record<string, string>> = Object.freeze({
  FOMC: '14:00',
  CPI: '08:30',
  PPI: '08:30',
  NFP: '08:30',
  RETAIL: '08:30',
  GDP: '08:30',
  PCE: '08:30',
  CLAIMS: '08:30',
  ISM: '10:00',
  JOLTS: '10:00',
});

const NONE: readonly ScheduledEvent[] = Object.freeze([]);
const NO_TAGS: readonly string[] = Object.freeze([]);

/** ET `HH:MM` → minutes after midnight. */
export const minutesOfDay = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function byTime(a: ScheduledEvent, b: ScheduledEvent): number {
  if (a.timeEt === b.timeEt) return 0;
  if (a.timeEt === null) return 1;
  if (b.timeEt === null) return -1;
  return a.timeEt < b.timeEt ? -1 : 1;
}

/**
 * A listed schedule: entries of (date, tags, optional time for all the entry's tags). A tag's time is the
 * entry's, else `tagTimes[tag]`, else `DEFAULT_EVENT_TIMES[tag]`, else null. A tag listed twice on a day
 * counts once (the first time wins).
 */
export function eventScheduleFrom(
  entries: readonly { date: string; tags: readonly string[]; time?: string | null }[],
  tagTimes: Readonly<Record<string, string>> = {},
): EventSchedule {
  const times = new Map<string, string>();
  for (const [k, v] of Object.entries(DEFAULT_EVENT_TIMES)) times.set(k, v);
  for (const [k, v] of Object.entries(tagTimes)) times.set(k.toUpperCase(), v);
  const map = new Map<string, ScheduledEvent[]>();
  for (const e of entries) {
    const list = map.get(e.date) ?? [];
    for (const t of e.tags) {
      const tag = t.toUpperCase();
      if (list.some((x) => x.tag === tag)) continue;
      list.push({ tag, timeEt: e.time ?? times.get(tag) ?? null });
    }
    map.set(e.date, list);
  }
  const tags = new Map<string, readonly string[]>();
  for (const [d, list] of map) {
    tags.set(d, Object.freeze(list.map((x) => x.tag))); // as written
    Object.freeze(list.sort(byTime));
  }
  return { on: (d) => map.get(d) ?? NONE, tagsOn: (d) => tags.get(d) ?? NO_TAGS, count: map.size };
}

/** A rule-based schedule (a function of the date alone), memoised per date. */
export function ruleSchedule(rule: (dateEt: string) => ScheduledEvent[]): EventSchedule {
  const memo = new Map<string, readonly ScheduledEvent[]>();
  const on = (d: string): readonly ScheduledEvent[] => {
    let hit = memo.get(d);
    if (!hit) {
      const list = rule(d).sort(byTime);
      hit = list.length ? Object.freeze(list) : NONE;
      if (memo.size >= 4096) memo.clear();
      memo.set(d, hit);
    }
    return hit;
  };
  return { on, tagsOn: (d) => on(d).map((e) => e.tag), count: Infinity };
}
