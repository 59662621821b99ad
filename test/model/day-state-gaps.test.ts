/**
 * The adaptive σ's day state in a session that lives all day (the supervisor opens one per day) but prices
 * only inside windows: the minutes between two windows come from the spot source's day so far, so the state
 * at a window's first cycle is the one a session opened right then would build (app/pricing-sources.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { heteroBars } from './hetero-bars.ts';
import { fitCalibration } from '../../src/core/calibration/fit.ts';
import { calendarSessions } from '../../src/core/calibration/sessions.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import type { LadderEvent } from '../../src/core/market.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { calibrationPath, writeCalibration } from '../../src/adapters/calibration/params-file.ts';
import { ModelSource } from '../../src/app/pricing-sources.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { tempDir } from '../helpers/tmp.ts';

const DAY = '2026-11-20';
const { session } = calendarSessions(createCalendar());
const gen = heteroBars({ from: '2025-01-06', days: 60, seed: 7, sigma: 1.2 });
const { params } = fitCalibration({ symbol: 'I:SPX', horizon: 'hourly', bars: gen.bars, barStamp: 'start', session, dayEvents: () => [], dayTags: () => [], kappaCap: 1.8, generatedAtMs: 0 });
const calibDir = tempDir('ka-daystate-');
const file = calibrationPath(calibDir, 'I:SPX', 'hourly');
fs.mkdirSync(path.dirname(file), { recursive: true });
writeCalibration(file, params);

const open = etToMs(DAY, '09:30');
/** A day hotter than the calendar: a zig-zag of ±3 points a minute (a value at every instant). */
const value = (t: number) => 6800 + (Math.floor((t - open) / 60_000) % 2 ? 3 : -3) + ((t - open) % 60_000) / 60_000;
const history = (_s: string, fromMs: number, toMs: number) => {
  const out: { tMs: number; value: number }[] = [];
  for (let t = Math.ceil(fromMs / 60_000) * 60_000; t <= toMs; t += 60_000) out.push({ tMs: t, value: value(t) });
  return out;
};
const source = (withHistory: boolean) =>
  new ModelSource({ calibDir, eventsConfig: path.join(calibDir, 'no-events.yaml'), model: defaultIndexOps().model, log: silentLogger, nowMs: () => open, ...(withHistory ? { history } : {}) });
const hourly = (hhmm: string) => ({ series: 'INXU', eventTicker: `KXINXU-26NOV20H${hhmm.replace(':', '')}`, closeTimeMs: etToMs(DAY, hhmm) }) as unknown as LadderEvent;
const changesAt = (s: ModelSource, ev: LadderEvent, t: number) => s.forEvent(ev, value(t), t).regime!.at(15);

test('a window an hour after the last one sees the minutes between them, as a session opened then would', () => {
  assert.ok(params.conditioning, 'the fit conditions');
  const allDay = source(true);
  for (let t = etToMs(DAY, '09:45'); t <= etToMs(DAY, '10:00'); t += 1000) allDay.forEvent(hourly('10:00'), value(t), t);
  const next = etToMs(DAY, '10:45');
  const got = changesAt(allDay, hourly('11:00'), next);
  const fresh = changesAt(source(true), hourly('11:00'), next);
  assert.equal(fresh.changes, 75, 'a fresh session: every minute from the open');
  assert.equal(got.changes, fresh.changes, 'the all-day session: the same minutes');
  assert.ok(Math.abs(got.factor - fresh.factor) < 1e-12, `${got.factor} vs ${fresh.factor}`);
  // Without the day so far the gap stays unobserved (the morning too): the state knows only the window's minutes.
  const blind = source(false);
  for (let t = etToMs(DAY, '09:45'); t <= etToMs(DAY, '10:00'); t += 1000) blind.forEvent(hourly('10:00'), value(t), t);
  const blindChanges = changesAt(blind, hourly('11:00'), next).changes;
  assert.ok(blindChanges < 30, `${blindChanges} changes`);
});
