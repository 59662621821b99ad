/**
 * Preflight (SPEC §6.2): GO / NO-GO for a window, each NO-GO a stable reason string:
 *   missing_env:<VARS>, kalshi_private_key_missing, kalshi_private_key_permissions, kill_switch_engaged,
 *   calibration_missing:<SERIES>:<horizon>, calibration_stale:<SERIES>:<horizon>:<age>d,
 *   polygon_unreachable, kalshi_unreachable, exchange_inactive, maintenance_window, clock_drift:<ms>.
 * Offline and simulator runs skip what cannot apply and say so (`skipped`). Calibration (issue 23):
 * - real feeds (`online`): a file that is missing, unreadable, or fitted on the simulator's generated
 *   history (`fitted_on.source: sim`, a self-calibration of a simulated run in the same root) is
 *   `calibration_missing:<SERIES>:<horizon>`; one older than `model.calibration_stale_days` is
 *   `calibration_stale:<SERIES>:<horizon>:<age>d`. Both NO-GO.
 * - simulated and offline runs: a simulated run calibrates itself before it starts (app/sim-calibration.ts),
 *   so a missing file is only a note here; a file fitted on the simulator's history is never stale (the
 *   simulated world's law does not change with the date: its age is a note); any other stale file is NO-GO.
 * Clock drift is measured against the outside world's own time (Massive's `serverTime`, the index feed's
 * message timestamps), never the local clock against itself.
 */
import fs from 'node:fs';
import type { Clock } from '../ports/clock.ts';
import type { VenueMarketData } from '../ports/venue.ts';
import { SERIES, type SeriesCode } from '../core/series.ts';
import { calibrationChoice } from '../core/model/calibration-choice.ts';
import { calibrationStatus } from '../adapters/calibration/params-file.ts';
import { assertPrivateKeyFile, KeyFileError } from '../adapters/fs/key-file.ts';
import { probeMassive, type MassiveRestClient } from '../adapters/massive/rest.ts';
import type { DualFeed } from '../adapters/feeds/dual-feed.ts';
import type { AppEnv } from '../config/env.ts';
import type { IndexOpsConfig } from '../config/index-ops.ts';
import type { Paths } from '../config/paths.ts';
import type { DataSource } from './market-adapters.ts';

/** Reasons that may clear by themselves within the window (retried every --preflight-retry-interval). */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set(['polygon_unreachable', 'kalshi_unreachable']);

export interface PreflightInput {
  source: DataSource;
  nowMs: number;
  series: readonly SeriesCode[];
  env: AppEnv;
  paths: Paths;
  config: IndexOpsConfig;
  killSwitchFile: string;
  clock: Clock;
  /** Exchange status (absent: kalshi checks skipped). */
  venue?: VenueMarketData;
  /** Massive REST market status (absent: polygon checks skipped). */
  massiveRest?: MassiveRestClient;
  /** The running dual feed, for the message-timestamp drift (optional). */
  dual?: DualFeed;
  /** Whether a maintenance slot (or its lead time) covers `nowMs`. */
  maintenanceAt?: (nowMs: number) => { startMs: number; endMs: number } | undefined;
}

export interface PreflightResult {
  go: boolean;
  reasons: string[];
  /** True when every reason is transient (worth retrying inside the window). */
  transientOnly: boolean;
  /** Checks that could not apply to this source, with why. */
  skipped: string[];
  /** Informational findings that are not NO-GO here (e.g. calibration missing in the simulator). */
  notes: string[];
}

export async function runPreflight(p: PreflightInput): Promise<PreflightResult> {
  const reasons: string[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  const online = p.source === 'online';

  // Environment and key: only the real services need them.
  let envComplete = true;
  if (online) {
    const missing: string[] = [];
    if (!p.env.KALSHI_API_KEY_ID) missing.push('KALSHI_API_KEY_ID');
    if (!p.env.KALSHI_PRIVATE_KEY_PEM_PATH) missing.push('KALSHI_PRIVATE_KEY_PEM_PATH');
    if (!p.env.POLYGON_API_KEY && !p.env.MASSIVE_API_KEY) missing.push('POLYGON_API_KEY');
    if (missing.length) {
      envComplete = false;
      reasons.push(`missing_env:${missing.join(',')}`);
    }
    if (p.env.KALSHI_PRIVATE_KEY_PEM_PATH) {
      try {
        assertPrivateKeyFile(p.env.KALSHI_PRIVATE_KEY_PEM_PATH);
      } catch (e) {
        if (!(e instanceof KeyFileError)) throw e;
        reasons.push(e.reason);
      }
    }
  } else {
    skipped.push(`missing_env, kalshi_private_key_*: not applicable (${p.source})`);
  }

  if (fs.existsSync(p.killSwitchFile)) reasons.push('kill_switch_engaged');

  // Calibration per series and horizon (one file serves several series of one index).
  for (const s of p.series) {
    const { horizon } = calibrationChoice(s, p.nowMs);
    const st = calibrationStatus(p.paths.calibDir, SERIES[s], horizon, p.nowMs, p.config.model.calibration_stale_days, { realFeed: online });
    if (st.ok) {
      if (st.note) notes.push(st.note);
    } else if (st.absent && !online) notes.push(`${st.reason} (default σ curve in ${p.source})`);
    else reasons.push(st.reason);
  }

  // The outside services: skipped offline, and when the environment cannot reach them.
  const network = p.source !== 'offline' && envComplete;
  if (!network) skipped.push(p.source === 'offline' ? 'polygon_unreachable, kalshi_unreachable, exchange_inactive, clock_drift: offline' : 'network checks: environment incomplete');
  if (network && p.massiveRest) {
    const probe = await probeMassive(p.massiveRest, p.clock);
    if (!probe.ok) reasons.push('polygon_unreachable');
    // (Unknown drift — a status without serverTime — is not a NO-GO; the feed's message time still counts below.)
    else if (probe.driftMs !== undefined && probe.driftMs > p.config.preflight.max_clock_drift_ms) reasons.push(`clock_drift:${probe.driftMs}`);
  } else if (network) skipped.push('polygon_unreachable: no Massive REST client');
  if (network && p.venue) {
    try {
      const st = await p.venue.exchangeStatus();
      if (!st.exchangeActive || !st.tradingActive) reasons.push('exchange_inactive');
    } catch {
      reasons.push('kalshi_unreachable');
    }
  } else if (network) skipped.push('kalshi_unreachable: no venue');
  // Index feed message timestamps vs receipt: the smallest recent lag bounds the clock offset.
  const lag = p.dual?.freshness(p.dual.active === 'massive' ? 'massive' : 'polygon').lagMs();
  if (lag !== null && lag !== undefined && Math.abs(lag) > p.config.preflight.max_clock_drift_ms && !reasons.some((r) => r.startsWith('clock_drift:'))) {
    reasons.push(`clock_drift:${Math.round(lag)}`);
  }

  if (p.maintenanceAt?.(p.nowMs)) reasons.push('maintenance_window');

  const unique = [...new Set(reasons)];
  return {
    go: unique.length === 0,
    reasons: unique,
    transientOnly: unique.length > 0 && unique.every((r) => TRANSIENT_REASONS.has(r)),
    skipped,
    notes,
  };
}
