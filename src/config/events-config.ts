/**
 * `configs/events.yaml` (SPEC §5.2): ET dates of scheduled macro events (CPI, FOMC, NFP …) and their tags.
 * On a tagged day the model multiplies variance by κ (calibration `event_tail.kappa`, capped at
 * `model.kappa_cap`); `calibrate` uses the same tags to estimate κ. Missing file → no event days.
 */
import { z } from 'zod';
import { readConfigFile, parseYamlDocument, isoDate } from './index-ops.ts';


const tag = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'tags are short words such as CPI, FOMC, NFP');

const EventsSchema = z
  .object({
    days: z
      .array(z.object({ date: isoDate, tags: z.array(tag).min(1), note: z.string().optional() }).strict())
      .default([]),
  })
  .strict();

export interface EventDays {
  /** Tags of an ET date (empty when the day is not an event day). */
  tagsOn(dateEt: string): readonly string[];
  readonly count: number;
}

const NONE: readonly string[] = Object.freeze([]);

export function eventDaysFrom(entries: readonly { date: string; tags: readonly string[] }[]): EventDays {
  const map = new Map<string, string[]>();
  for (const e of entries) {
    const list = map.get(e.date) ?? [];
    for (const t of e.tags) if (!list.includes(t.toUpperCase())) list.push(t.toUpperCase());
    map.set(e.date, list);
  }
  return { tagsOn: (d) => map.get(d) ?? NONE, count: map.size };
}

export function parseEventDays(text: string, file = 'configs/events.yaml'): EventDays {
  return eventDaysFrom(parseYamlDocument(text, file, EventsSchema).days);
}

export function loadEventDays(file: string, displayName = 'configs/events.yaml'): EventDays {
  const text = readConfigFile(file, displayName);
  return text === undefined ? eventDaysFrom([]) : parseEventDays(text, displayName);
}
