/** `configs/calendar.yaml` (SPEC §3): closures and early closes announced at short notice. */
import fs from 'node:fs';
import { z } from 'zod';
import type { CalendarOverrides } from '../core/calendar/calendar.ts';
import { parseYamlDocument, isoDate, hhmm } from './index-ops.ts';


const CalendarSchema = z
  .object({
    closures: z.array(z.object({ date: isoDate, reason: z.string().optional() }).strict()).default([]),
    early_closes: z
      .array(z.object({ date: isoDate, close: hhmm.default('13:00'), reason: z.string().optional() }).strict())
      .default([]),
  })
  .strict();

export function parseCalendarOverrides(text: string, file = 'configs/calendar.yaml'): CalendarOverrides {
  const data = parseYamlDocument(text, file, CalendarSchema);
  return {
    closures: data.closures,
    earlyCloses: data.early_closes,
  };
}

export function loadCalendarOverrides(file: string, displayName = 'configs/calendar.yaml'): CalendarOverrides {
  if (!fs.existsSync(file)) return {};
  return parseCalendarOverrides(fs.readFileSync(file, 'utf8'), displayName);
}
