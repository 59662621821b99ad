/**
 * `reports/_artifacts/monitors/freshness.json` (SPEC §7.5): feed ages against the gate thresholds, the
 * dual-feed state, and an alert counting consecutive windows that were stale or ran on `massive`
 * (alert when > 2). The count survives restarts: it is carried over from the previous file.
 *
 * - `data_freshness.<feed>.stale`: age over the threshold that applies now (soft, or strict from
 *   `strict_et`); a feed that never delivered is stale. `kalshi_ws` is optional: when its age is not
 *   given, `age_ms` and `stale` are null (not measured).
 * - `required_feeds_ok`: the active index feed is fresh (never while standing down) and, when measured,
 *   the Kalshi websocket too.
 * - A window is flagged once anything during it was stale or the active feed was not `polygon`.
 * - `clock` and `supervisor` (stamp.ts): which clock `generated_at` is on, and whether the supervisor runs.
 *   Written for a supervisor that is not running, nothing is measured (ages and `stale` null, active feed
 *   `none`, no window): a stopped supervisor is not a stand-down.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/atomic-write.ts';
import { formatUtc } from '../../core/time/et.ts';
import { strictApplies, type FreshnessThresholds } from '../../core/feed/freshness.ts';
import type { ActiveFeed } from '../../core/feed/failover.ts';
import type { DualFeed } from '../feeds/dual-feed.ts';
import type { ClockKind } from '../../ports/clock.ts';
import { MonitorStampFields, type MonitorStamp, type SupervisorState } from './stamp.ts';

export const FRESHNESS_FILE = 'freshness.json';
export const ALERT_AFTER_WINDOWS = 2;

export interface FreshnessMonitorInput {
  nowMs: number;
  /** The clock `nowMs` is on. */
  clock: ClockKind;
  /** Default `running`; any other state writes a report that measures nothing. */
  supervisor?: SupervisorState;
  /** The running window (null between windows). */
  window: { id: string; label: string; strictMs?: number } | null;
  thresholds: FreshnessThresholds;
  ages: { polygon: number | null; massive: number | null; kalshi?: number | null | undefined };
  dualFeed: { active: ActiveFeed; lastSwitchAt: number | null; switches: number };
}

export interface FeedFreshnessEntry {
  age_ms: number | null;
  stale: boolean | null;
  threshold_ms: number;
  strict: boolean;
}

export interface FreshnessAlert {
  /** Consecutive windows (the current one included once flagged) that were stale or on massive. */
  consecutive_windows: number;
  alert: boolean;
  /** Whether the current window has been flagged so far. */
  window_flagged: boolean;
  window_id: string | null;
}

export interface FreshnessReport extends MonitorStamp {
  generated_at: string;
  window: string | null;
  required_feeds_ok: boolean;
  data_freshness: { polygon_ws: FeedFreshnessEntry; massive_ws: FeedFreshnessEntry; kalshi_ws: FeedFreshnessEntry };
  /** `none` while no supervisor runs. */
  dual_feed: { active: ActiveFeed | 'none'; last_switch_at: string | null; switches: number };
  alert: FreshnessAlert;
}

// ---- the file's schema: owned here, imported by every reader (the dashboard) ----
// Unknown keys are accepted (and dropped): a reader takes a file a newer writer extended (a monitor is derived,
// never authoritative).

const FeedFreshnessSchema = z.object({ age_ms: z.number().nullable(), stale: z.boolean().nullable(), threshold_ms: z.number(), strict: z.boolean() });
/** `none`: written while no supervisor runs. */
const ActiveFeedSchema = z.enum(['polygon', 'massive', 'stand_down', 'none']);
const AlertSchema = z.object({
  consecutive_windows: z.number().int().nonnegative(),
  alert: z.boolean(),
  window_flagged: z.boolean(),
  window_id: z.string().nullable(),
});

export const FreshnessReportSchema = z.object({
  generated_at: z.string(),
  ...MonitorStampFields,
  window: z.string().nullable(),
  required_feeds_ok: z.boolean(),
  data_freshness: z.object({ polygon_ws: FeedFreshnessSchema, massive_ws: FeedFreshnessSchema, kalshi_ws: FeedFreshnessSchema }),
  dual_feed: z.object({ active: ActiveFeedSchema, last_switch_at: z.string().nullable(), switches: z.number().int().nonnegative() }),
  alert: AlertSchema,
});
export type FreshnessFile = z.infer<typeof FreshnessReportSchema>;
/** Every report this module writes validates (a compile-time check that the schema and the type agree). */
export const freshnessReportValidates = (r: FreshnessReport): z.input<typeof FreshnessReportSchema> => r;

/** Only the streak is carried over, so a file of another shape still passes it on when its alert is readable. */
const PrevAlertSchema = z.object({ alert: AlertSchema.pick({ consecutive_windows: true, window_flagged: true, window_id: true }) });

export type PrevAlert = z.infer<typeof PrevAlertSchema>['alert'];

/** Carries the streak across writes and windows (pure). */
export function nextAlert(prev: PrevAlert | null, windowId: string | null, flaggedNow: boolean): FreshnessAlert {
  let count: number;
  let flagged: boolean;
  if (windowId === null) {
    // Between windows: the last window has ended, so the streak is settled (kept if it was flagged).
    count = !prev ? 0 : prev.window_id === null || prev.window_flagged ? prev.consecutive_windows : 0;
    flagged = false;
  } else if (prev && prev.window_id === windowId) {
    flagged = prev.window_flagged || flaggedNow;
    const completed = prev.consecutive_windows - (prev.window_flagged ? 1 : 0);
    count = completed + (flagged ? 1 : 0);
  } else {
    // A new window: the streak continues only if the previous window was flagged.
    const completed = prev && (prev.window_flagged || prev.window_id === null) ? prev.consecutive_windows : 0;
    flagged = flaggedNow;
    count = completed + (flagged ? 1 : 0);
  }
  return { consecutive_windows: count, alert: count > ALERT_AFTER_WINDOWS, window_flagged: flagged, window_id: windowId };
}

function entry(age: number | null | undefined, thresholdMs: number, strict: boolean, measured: boolean): FeedFreshnessEntry {
  if (!measured) return { age_ms: null, stale: null, threshold_ms: thresholdMs, strict };
  const a = age ?? null;
  return { age_ms: a === null ? null : Math.round(a), stale: a === null || a > thresholdMs, threshold_ms: thresholdMs, strict };
}

/** The report for one instant, given the previous file's alert state (pure). */
export function buildFreshnessReport(input: FreshnessMonitorInput, prev: PrevAlert | null): FreshnessReport {
  const supervisor = input.supervisor ?? 'running';
  const stamp: MonitorStamp = { clock: input.clock, supervisor };
  const strict = strictApplies(input.nowMs, input.window?.strictMs);
  const threshold = strict ? input.thresholds.strictMs : input.thresholds.softMs;
  if (supervisor !== 'running') {
    // Nothing runs, so nothing is measured or stale; the streak is settled as between windows.
    const none = entry(null, threshold, false, false);
    return {
      generated_at: formatUtc(input.nowMs),
      ...stamp,
      window: null,
      required_feeds_ok: false,
      data_freshness: { polygon_ws: none, massive_ws: none, kalshi_ws: none },
      dual_feed: { active: 'none', last_switch_at: input.dualFeed.lastSwitchAt === null ? null : formatUtc(input.dualFeed.lastSwitchAt), switches: input.dualFeed.switches },
      alert: nextAlert(prev, null, false),
    };
  }
  const polygon = entry(input.ages.polygon, threshold, strict, true);
  const massive = entry(input.ages.massive, threshold, strict, true);
  const kalshiMeasured = input.ages.kalshi !== undefined;
  const kalshi = entry(input.ages.kalshi, threshold, strict, kalshiMeasured);
  const active = input.dualFeed.active;
  const activeOk = active === 'polygon' ? polygon.stale === false : active === 'massive' ? massive.stale === false : false;
  const requiredOk = activeOk && (!kalshiMeasured || kalshi.stale === false);
  const flagged = !requiredOk || active !== 'polygon';
  return {
    generated_at: formatUtc(input.nowMs),
    ...stamp,
    window: input.window?.label ?? null,
    required_feeds_ok: requiredOk,
    data_freshness: { polygon_ws: polygon, massive_ws: massive, kalshi_ws: kalshi },
    dual_feed: {
      active,
      last_switch_at: input.dualFeed.lastSwitchAt === null ? null : formatUtc(input.dualFeed.lastSwitchAt),
      switches: input.dualFeed.switches,
    },
    alert: nextAlert(prev, input.window?.id ?? null, input.window ? flagged : false),
  };
}

/** Alert state of an existing file; null when absent or unreadable (a monitor is derived, never authoritative). */
export function readPrevAlert(file: string): PrevAlert | null {
  try {
    const r = PrevAlertSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return r.success ? r.data.alert : null;
  } catch {
    return null;
  }
}

/** Builds and atomically writes `<monitorsDir>/freshness.json`; returns what it wrote. */
export function writeFreshnessMonitor(monitorsDir: string, input: FreshnessMonitorInput): FreshnessReport {
  const file = path.join(monitorsDir, FRESHNESS_FILE);
  const report = buildFreshnessReport(input, readPrevAlert(file));
  writeJsonAtomic(file, report);
  return report;
}

/** Monitor input straight from a running DualFeed at an instant. */
export function freshnessInputFromDual(
  dual: DualFeed,
  nowMs: number,
  clock: ClockKind,
  window: FreshnessMonitorInput['window'],
  thresholds: FreshnessThresholds,
  kalshiAgeMs?: number | null,
): FreshnessMonitorInput {
  const ages = dual.ages(nowMs);
  return {
    nowMs,
    clock,
    window,
    thresholds,
    ages: { polygon: ages.polygon, massive: ages.massive, ...(kalshiAgeMs !== undefined ? { kalshi: kalshiAgeMs } : {}) },
    dualFeed: { active: dual.active, lastSwitchAt: dual.lastSwitchAt, switches: dual.switches },
  };
}
