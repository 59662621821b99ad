/**
 * `reports/_artifacts/monitors/ev_gap.json` (SPEC §7.5): ΔEV parity between the two index feeds — each
 * quoted market priced off each feed's latest value at the moment we quoted it; the gap in EV (cents per
 * contract) per market and over the window. A large gap means the feeds disagree enough to matter.
 */
import path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/atomic-write.ts';
import { formatUtc } from '../../core/time/et.ts';
import type { ActiveFeed } from '../../core/feed/failover.ts';
import { MonitorStampFields, type MonitorStamp } from './stamp.ts';

export const EV_GAP_FILE = 'ev_gap.json';

export interface MarketGap {
  maxCents: number;
  meanCents: number;
  n: number;
}

/** `clock` and `supervisor`: see stamp.ts. */
export interface EvGapReport extends MonitorStamp {
  generated_at: string;
  window: string | null;
  required_feeds_ok: boolean;
  dual_feed: { active: ActiveFeed | null };
  markets: Record<string, { max_abs_gap_cents: number; mean_abs_gap_cents: number; samples: number }>;
  window_gap: { max_abs_gap_cents: number; mean_abs_gap_cents: number; samples: number; markets: number };
}

// ---- the file's schema: owned here, imported by every reader (the dashboard); unknown keys accepted ----

const GapSchema = z.object({ max_abs_gap_cents: z.number(), mean_abs_gap_cents: z.number(), samples: z.number().int().nonnegative() });
export const EvGapReportSchema = z.object({
  generated_at: z.string(),
  ...MonitorStampFields,
  window: z.string().nullable(),
  required_feeds_ok: z.boolean(),
  dual_feed: z.object({ active: z.enum(['polygon', 'massive', 'stand_down']).nullable() }),
  markets: z.record(z.string(), GapSchema),
  window_gap: GapSchema.extend({ markets: z.number().int().nonnegative() }),
});
export type EvGapFile = z.infer<typeof EvGapReportSchema>;
/** Every report this module writes validates (a compile-time check that the schema and the type agree). */
export const evGapReportValidates = (r: EvGapReport): z.input<typeof EvGapReportSchema> => r;

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** `gaps`: the last window's per-market gaps (a stopped supervisor's last window keeps them). */
export function buildEvGapReport(nowMs: number, stamp: MonitorStamp, window: string | null, requiredOk: boolean, active: ActiveFeed | null, gaps: Record<string, MarketGap>): EvGapReport {
  const markets: EvGapReport['markets'] = {};
  let max = 0;
  let sum = 0;
  let n = 0;
  for (const [t, g] of Object.entries(gaps).sort(([a], [b]) => a.localeCompare(b))) {
    markets[t] = { max_abs_gap_cents: r4(g.maxCents), mean_abs_gap_cents: r4(g.meanCents), samples: g.n };
    max = Math.max(max, g.maxCents);
    sum += g.meanCents * g.n;
    n += g.n;
  }
  return {
    generated_at: formatUtc(nowMs),
    ...stamp,
    window,
    required_feeds_ok: requiredOk,
    dual_feed: { active },
    markets,
    window_gap: { max_abs_gap_cents: r4(max), mean_abs_gap_cents: r4(n ? sum / n : 0), samples: n, markets: Object.keys(markets).length },
  };
}

export function writeEvGapMonitor(monitorsDir: string, report: EvGapReport): EvGapReport {
  writeJsonAtomic(path.join(monitorsDir, EV_GAP_FILE), report);
  return report;
}
