/**
 * `configs/calendar.yaml` (SPEC §3): closures and early closes announced at short notice. Validated like
 * every config file: a date outside the calendar's table years, on a weekend or listed twice, or an early
 * close outside cash hours (or one whose windows would not fit `windows.*` of index_ops.yaml) is an error
 * naming the key, never ignored.
 */
import { z } from 'zod';
import type { CalendarOverrides } from '../core/calendar/calendar.ts';
import { inTableRange } from '../core/calendar/calendar.ts';
import { TABLE_FIRST_YEAR, TABLE_LAST_YEAR } from '../core/calendar/nyse-table.ts';
import { weekday } from '../core/time/et.ts';
import { earlyCloseProblem } from './index-ops.ts';
import { defaultIndexOps, hhmm, isoDate, type IndexOpsConfig } from './index-ops-schema.ts';
import { ConfigError, parseYamlConfig, readConfigFile } from './yaml-config.ts';

const reason = z.string().min(1, 'must not be empty');

const CalendarSchema = z
  .object({
    closures: z.array(z.object({ date: isoDate, reason: reason.optional() }).strict()).default([]),
    early_closes: z
      .array(z.object({ date: isoDate, close: hhmm.default('13:00'), reason: reason.optional() }).strict())
      .default([]),
  })
  .strict();

/** An early close lies strictly inside the regular session (after the 09:30 open, before the 16:00 close). */
const OPEN = '09:30';
const CLOSE = '16:00';

export function parseCalendarOverrides(
  text: string,
  file = 'configs/calendar.yaml',
  windows: IndexOpsConfig['windows'] = defaultIndexOps().windows,
): CalendarOverrides {
  const { data, where } = parseYamlConfig(text, file, CalendarSchema);
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${where(key)}: ${key}: ${message}`);
  };
  const seen = new Map<string, string>();
  const checkDate = (date: string, key: string) => {
    if (!inTableRange(date)) {
      fail(key, `${date} is outside the trading calendar's years ${TABLE_FIRST_YEAR}–${TABLE_LAST_YEAR}`);
    }
    if (weekday(date) >= 6) fail(key, `${date} is a ${weekday(date) === 6 ? 'Saturday' : 'Sunday'} (weekends are always closed)`);
    const first = seen.get(date);
    if (first) fail(key, `${date} is already listed as ${first}`);
    seen.set(date, key);
  };
  data.closures.forEach((c, i) => checkDate(c.date, `closures.${i}.date`));
  data.early_closes.forEach((e, i) => {
    checkDate(e.date, `early_closes.${i}.date`);
    if (e.close <= OPEN || e.close >= CLOSE) fail(`early_closes.${i}.close`, `${e.close} is outside cash hours (an early close lies after the ${OPEN} open and before the ${CLOSE} close)`);
    const problem = earlyCloseProblem(windows, e.close);
    if (problem) fail(`early_closes.${i}.close`, problem);
  });
  return {
    closures: data.closures,
    earlyCloses: data.early_closes,
  };
}

/**
 * Overrides from the file, or none when it is absent. `windows` (the validated index_ops section) is what
 * announced early closes are checked against.
 */
export function loadCalendarOverrides(
  file: string,
  displayName = 'configs/calendar.yaml',
  windows?: IndexOpsConfig['windows'],
): CalendarOverrides {
  const text = readConfigFile(file, displayName);
  return text === undefined ? {} : parseCalendarOverrides(text, displayName, windows);
}
