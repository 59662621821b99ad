/**
 * The simulated world's own macro calendar (issue 19): a deterministic rule per release, so a generated run
 * has event days even though `configs/events.yaml` ships empty. Not seeded — like the real one, the schedule
 * is known in advance and the same for every seed:
 * - FOMC statement, 14:00 ET, eight a year: the last Wednesday of January, July and October, the third of
 *   March, June and September, the first of May and the second of December (~6–7 weeks apart);
 * - NFP (employment report), 08:30 ET: the first Friday of every month;
 * - CPI, 08:30 ET: the first Wednesday on or after the 10th (the Tuesday before it when that is an FOMC day);
 * - ISM manufacturing, 10:00 ET: the first trading day of the month.
 *
 * `simEventSchedule(configured)` is the one answer to "which events does a simulated world have": the
 * operator's `configs/events.yaml` when it lists any, else this calendar. The model side of a run reads
 * `configs/events.yaml` alone today (app/pricing-sources.ts), so with the file empty the model is not told
 * of this calendar's releases (issue 19 part 2: conditioning on event times).
 */
import { createCalendar, inTableRange } from '../../core/calendar/calendar.ts';
import { ruleSchedule, type EventSchedule, type ScheduledEvent } from '../../core/event-schedule.ts';
import { addDays, weekday } from '../../core/time/et.ts';

const calendar = createCalendar();

/** Which Wednesday of the month (1-based; -1 = the last) holds the FOMC statement, by month. */
const FOMC_WEDNESDAY: Readonly<Record<number, number>> = { 1: -1, 3: 3, 5: 1, 6: 3, 7: -1, 9: 3, 10: -1, 12: 2 };

const pad = (n: number) => String(n).padStart(2, '0');

/** The `n`-th (1-based; -1 = last) ISO weekday `dow` of a month. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  const first = `${year}-${pad(month)}-01`;
  const firstDow = weekday(first);
  const firstHit = addDays(first, (dow - firstDow + 7) % 7);
  if (n > 0) return addDays(firstHit, 7 * (n - 1));
  let d = firstHit;
  while (addDays(d, 7).slice(5, 7) === pad(month)) d = addDays(d, 7);
  return d;
}

function isTradingDay(d: string): boolean {
  if (inTableRange(d)) return calendar.isTradingDay(d);
  return weekday(d) <= 5 && !d.endsWith('-01-01');
}

function fomcDate(year: number, month: number): string | undefined {
  const n = FOMC_WEDNESDAY[month];
  return n === undefined ? undefined : nthWeekday(year, month, 3, n);
}

function cpiDate(year: number, month: number): string {
  const tenth = `${year}-${pad(month)}-10`;
  const wed = addDays(tenth, (3 - weekday(tenth) + 7) % 7);
  return wed === fomcDate(year, month) ? addDays(wed, -1) : wed;
}

function firstTradingDay(year: number, month: number): string {
  let d = `${year}-${pad(month)}-01`;
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

function eventsOn(dateEt: string): ScheduledEvent[] {
  const year = Number(dateEt.slice(0, 4));
  const month = Number(dateEt.slice(5, 7));
  const out: ScheduledEvent[] = [];
  if (fomcDate(year, month) === dateEt) out.push({ tag: 'FOMC', timeEt: '14:00' });
  if (nthWeekday(year, month, 5, 1) === dateEt) out.push({ tag: 'NFP', timeEt: '08:30' });
  if (cpiDate(year, month) === dateEt) out.push({ tag: 'CPI', timeEt: '08:30' });
  if (firstTradingDay(year, month) === dateEt) out.push({ tag: 'ISM', timeEt: '10:00' });
  return out;
}

/** The simulator's macro calendar (a rule for every date; memoised). */
export const SIM_MACRO_CALENDAR: EventSchedule = ruleSchedule(eventsOn);

/** The events of a simulated run: the configured schedule when it lists any date, else the simulator's calendar. */
export function simEventSchedule(configured?: EventSchedule): EventSchedule {
  return configured && configured.count > 0 ? configured : SIM_MACRO_CALENDAR;
}
