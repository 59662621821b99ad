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
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toZonedDateTimeISO(ET_ZONE).toPlainDate().toString();
}

/** `2026-11-20T10:00:00-05:00` (seconds precision; millis if non-zero). */
export function formatEt(ms: number): string {
  const z = Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toZonedDateTimeISO(ET_ZONE);
  return z.toString({ timeZoneName: 'never', smallestUnit: ms % 1000 === 0 ? 'second' : 'millisecond' });
}

/** `2026-11-20T15:00:00Z`. */
export function formatUtc(ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toString({ smallestUnit: ms % 1000 === 0 ? 'second' : 'millisecond' });
}

/** ET date arithmetic on `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(assertDate(date)).add({ days }).toString();
}

/** ISO weekday of an ET date: 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  return Temporal.PlainDate.from(assertDate(date)).dayOfWeek;
}

/** ET wall-clock `HH:MM` of an instant. */
export function etTimeOf(ms: number): string {
  const z = Temporal.Instant.fromEpochMilliseconds(Math.floor(ms)).toZonedDateTimeISO(ET_ZONE);
  return `${String(z.hour).padStart(2, '0')}:${String(z.minute).padStart(2, '0')}`;
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
