/**
 * `configs/events.yaml` (SPEC §5.2): ET dates of scheduled macro events (CPI, FOMC, NFP …), their tags and,
 * optionally, their ET time of day. On a tagged day the model multiplies variance by κ (calibration
 * `event_tail.kappa`, capped at `model.kappa_cap`); `calibrate` uses the same tags to estimate κ; the
 * simulated world bursts its variance after each event's time (sim/day/regime.ts). Missing file → no event
 * days.
 *
 * A tag's time is the entry's `time`, else `tag_times[tag]`, else the built-in default of a well-known tag
 * (FOMC 14:00; CPI, PPI, NFP … 08:30; ISM, JOLTS 10:00: core/event-schedule.ts), else unknown (null).
 */
import { z } from 'zod';
import { eventScheduleFrom, type EventSchedule } from '../core/event-schedule.ts';
import { hhmm, isoDate } from './index-ops-schema.ts';
import { parseYamlDocument, readConfigFile } from './yaml-config.ts';

const tag = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'tags are short words such as CPI, FOMC, NFP');

const EventsSchema = z
  .object({
    /** Default release time per tag (overrides the built-in ones). */
    tag_times: z.record(tag, hhmm).default({}),
    days: z
      .array(z.object({ date: isoDate, tags: z.array(tag).min(1), time: hhmm.optional(), note: z.string().optional() }).strict())
      .default([]),
  })
  .strict();

/** The schedule of `configs/events.yaml` (one type with the simulator's calendar: core/event-schedule.ts). */
export type EventDays = EventSchedule;

export function eventDaysFrom(entries: readonly { date: string; tags: readonly string[]; time?: string }[], tagTimes: Readonly<Record<string, string>> = {}): EventDays {
  return eventScheduleFrom(entries, tagTimes);
}

export function parseEventDays(text: string, file = 'configs/events.yaml'): EventDays {
  const doc = parseYamlDocument(text, file, EventsSchema);
  return eventDaysFrom(doc.days, doc.tag_times);
}

export function loadEventDays(file: string, displayName = 'configs/events.yaml'): EventDays {
  const text = readConfigFile(file, displayName);
  return text === undefined ? eventDaysFrom([]) : parseEventDays(text, displayName);
}
