/**
 * America/New_York wall time ↔ epoch ms, host-timezone independent (Temporal polyfill, explicit
 * disambiguation). Internal instants are always epoch ms; ET is only for calendar/session logic and display.
 */
import { Temporal } from 'temporal-polyfill';

export const ET_ZONE = 'America/New_York';

export type Disambiguation = 'compatible' | 'earlier' | 'later' | 'reject';

export class TimeParseError extends Error {
  override name = 'TimeParseError';
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

// Memos of the pure conversions below (Temporal is slow, and the same days, times and seconds come back
// all day long: ledger records, log lines, maintenance and window checks). Bounded; errors are never cached.
const MEMO_LIMIT = 4096;
const etToMsMemo = new Map<string, number>();
const addDaysMemo = new Map<string, string>();
const weekdayMemo = new Map<string, number>();
const dayMemo: { date: string; startMs: number; endMs: number; offset?: string }[] = [];
const formatMemo = { sec: Number.NaN, text: '' };
const timeOfMemo = { minute: Number.NaN, text: '' };
function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

/** User text in an error message: JSON-quoted (control characters and line breaks escaped), cut when long. */
const quoted = (text: string): string => JSON.stringify(text.length > 64 ? text.slice(0, 61) + '...' : text);

/** Validates a `YYYY-MM-DD` calendar date (a real date, not just the shape). */
export function assertDate(date: string): string {
  if (!DATE_RE.test(date)) throw new TimeParseError(`invalid date ${quoted(date)} (expected YYYY-MM-DD)`);
  try {
    Temporal.PlainDate.from(date, { overflow: 'reject' });
  } catch {
    throw new TimeParseError(`invalid date ${quoted(date)}`);
  }
  return date;
}

/**
 * Epoch ms of an ET wall-clock time on an ET date. `time` is `HH:MM` or `HH:MM:SS[.sss]`.
 * With `reject` (default) a time in the spring-forward gap or the fall-back overlap is an error that says which.
 */
export function etToMs(date: string, time: string, disambiguation: Disambiguation = 'reject'): number {
  const key = `${date}T${time}|${disambiguation}`;
  const hit = etToMsMemo.get(key);
  if (hit !== undefined) return hit;
  const ms = etToMsUncached(date, time, disambiguation);
  remember(etToMsMemo, key, ms);
  return ms;
}

function etToMsUncached(date: string, time: string, disambiguation: Disambiguation): number {
  let pdt: Temporal.PlainDateTime;
  try {
    pdt = Temporal.PlainDateTime.from(`${assertDate(date)}T${time}`, { overflow: 'reject' });
  } catch (e) {
    if (e instanceof TimeParseError) throw e;
    throw new TimeParseError(`invalid time ${quoted(`${date} ${time}`)}`);
  }
  if (disambiguation !== 'reject') return pdt.toZonedDateTime(ET_ZONE, { disambiguation }).epochMilliseconds;
  const earlier = pdt.toZonedDateTime(ET_ZONE, { disambiguation: 'earlier' });
  const later = pdt.toZonedDateTime(ET_ZONE, { disambiguation: 'later' });
  if (earlier.epochMilliseconds === later.epochMilliseconds) return earlier.epochMilliseconds;
  const offsets = `${earlier.offset} or ${later.offset}`;
  if (Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), pdt) === 0) {
    throw new TimeParseError(
      `${date} ${time} is ambiguous in New York (clocks fall back; it happens twice): add an offset (${offsets})`,
    );
  }
  throw new TimeParseError(
    `${date} ${time} does not exist in New York (clocks spring forward over it): give a real time or an explicit offset`,
  );
}

/** The ET calendar date (`YYYY-MM-DD`) of an instant. */
export function etDateOf(ms: number): string {
  const t = Math.floor(ms);
  for (const d of dayMemo) if (t >= d.startMs && t < d.endMs) return d.date;
  const date = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(ET_ZONE).toPlainDate().toString();
  // Remember the whole ET day (midnight always exists in New York: DST moves 02:00).
  if (DATE_RE.test(date)) {
    const pd = Temporal.PlainDate.from(date);
    const startMs = pd.toZonedDateTime({ timeZone: ET_ZONE }).epochMilliseconds;
    const endMs = pd.add({ days: 1 }).toZonedDateTime({ timeZone: ET_ZONE }).epochMilliseconds;
    dayMemo.unshift({ date, startMs, endMs });
    if (dayMemo.length > 4) dayMemo.pop();
  }
  return date;
}

/** `2026-11-20T10:00:00-05:00` (seconds precision; millis if non-zero). */
export function formatEt(ms: number): string {
  // Ledger records and log lines format many instants of the same second: the second's text is cached and
  // the milliseconds spliced in (`…T10:00:00.250-05:00`), exactly as Temporal would print them.
  if (Number.isInteger(ms) && ms >= 0) {
    const sec = Math.floor(ms / 1000);
    if (sec !== formatMemo.sec) {
      formatMemo.sec = sec;
      formatMemo.text = secondText(sec * 1000);
    }
    const milli = ms - sec * 1000;
    if (milli === 0) return formatMemo.text;
    return `${formatMemo.text.slice(0, 19)}.${String(milli).padStart(3, '0')}${formatMemo.text.slice(19)}`;
  }
  return formatEtUncached(ms);
}

/**
 * `…T10:00:00-05:00` of a whole second. On a day of constant offset (every day but the two DST changes) the
 * wall time is plain arithmetic from the day's midnight, whose text Temporal gives once per day.
 */
function secondText(ms: number): string {
  etDateOf(ms);
  const d = dayMemo.find((x) => ms >= x.startMs && ms < x.endMs);
  if (!d || d.endMs - d.startMs !== 86_400_000) return formatEtUncached(ms);
  d.offset ??= formatEtUncached(d.startMs).slice(19);
  const s = Math.floor((ms - d.startMs) / 1000);
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  return `${d.date}T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}${d.offset}`;
}

function formatEtUncached(ms: number): string {
  const z = Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toZonedDateTimeISO(ET_ZONE);
  return z.toString({ timeZoneName: 'never', smallestUnit: ms % 1000 === 0 ? 'second' : 'millisecond' });
}

/** `2026-11-20T15:00:00Z`. */
export function formatUtc(ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toString({ smallestUnit: ms % 1000 === 0 ? 'second' : 'millisecond' });
}

/** ET date arithmetic on `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const key = `${date}|${days}`;
  const hit = addDaysMemo.get(key);
  if (hit !== undefined) return hit;
  const out = Temporal.PlainDate.from(assertDate(date)).add({ days }).toString();
  remember(addDaysMemo, key, out);
  return out;
}

/** ISO weekday of an ET date: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const hit = weekdayMemo.get(date);
  if (hit !== undefined) return hit;
  const out = Temporal.PlainDate.from(assertDate(date)).dayOfWeek;
  remember(weekdayMemo, date, out);
  return out;
}

/** ET wall-clock `HH:MM` of an instant. */
export function etTimeOf(ms: number): string {
  // New York's offset is whole hours: every instant of one UTC minute has the same ET `HH:MM`.
  const minute = Math.floor(ms / 60_000);
  if (minute === timeOfMemo.minute) return timeOfMemo.text;
  const z = Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toZonedDateTimeISO(ET_ZONE);
  timeOfMemo.minute = minute;
  timeOfMemo.text = `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`;
  return timeOfMemo.text;
}

/**
 * Parses an instant given on a command line. An explicit offset or `Z` is exact. A bare local time
 * (`2026-11-20T10:00`) is New York time and must exist and be unambiguous (DST gaps/overlaps are rejected).
 */
export function parseInstant(text: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) throw new TimeParseError(`${quoted(text)} looks like a number; give an ISO time such as 2026-11-20T10:00-05:00`);
  let ms: number;
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && s.includes('T')) {
    try {
      ms = Temporal.Instant.from(s).epochMilliseconds;
    } catch {
      throw new TimeParseError(`invalid time ${quoted(text)}`);
    }
  } else {
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)$/.exec(s);
    if (!m) throw new TimeParseError(`invalid time ${quoted(text)} (expected ISO 8601, e.g. 2026-11-20T10:00:00-05:00)`);
    ms = etToMs(m[1]!, m[2]!, 'reject');
  }
  // Every date downstream is YYYY-MM-DD: an instant whose New York date has no 4-digit year
  // (`-271821-…`, `+010000-…`, `0000-01-01T00:00Z`) is rejected here, not by a confusing date error later.
  if (!DATE_RE.test(etDateOf(ms))) throw new TimeParseError(`${quoted(text)} is outside the years 0000–9999 in New York time`);
  return ms;
}
