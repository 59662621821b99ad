/**
 * Calibration fit (SPEC §5.3), pure: minute bars → σ(m), drift(m), residual_std, κ.
 *
 * - Value at an instant X: the last bar value observed in (X − max_stale, X] inside the regular session
 *   [09:30, close]. With Massive's convention (bar `t` = window **start**) a bar's close is the value at
 *   t + 1 min; `barStamp: 'end'` for files stamped at the window end. Gaps are normal for index bars, so a
 *   value is carried forward up to `maxStaleMinutes` (default 5); beyond that the point is missing.
 * - Targets per sample day: `hourly` → every HH:00 from 10:00 to 16:00 that is ≤ the session close;
 *   `close` → the session close (16:00, or 13:00 on early-close days). A target counts as a sample when its
 *   own value exists.
 * - For each m = 1…maxMinutes (60 hourly, 390 close) with T − m inside the session: Δ = S_T − S_{T−m};
 *   drift(m) = mean Δ, σ(m) = sample std of Δ. Only pre-open values are excluded (a pre-market print is
 *   stale, and would bias σ down).
 * - Baseline (σ, drift, residual) uses **untagged** days when there are any, so event days do not inflate
 *   the ordinary-day curve. κ = mean over tagged-day samples of ((Δ − drift(m)) / σ(m))², i.e. the ratio of
 *   event-day to ordinary-day variance, clamped to [1, kappaCap]; 1 when no sample day is tagged.
 * - residual_std: std of every 1-minute change in the baseline sessions — the noise floor the model never
 *   goes below near the target.
 */
import { addDays, etDateOf, etToMs } from '../time/et.ts';
import type { IndexSymbol } from '../series.ts';
import type { CalibrationParams, Horizon } from './params.ts';

export interface Bar {
  /** Epoch ms stamp of the bar. */
  t: number;
  /** Close value of the bar. */
  c: number;
}

export interface SessionHours {
  openEt: string;
  closeEt: string;
}

export interface FitInput {
  symbol: IndexSymbol;
  horizon: Horizon;
  /** Ascending by `t`, one bar per stamp. */
  bars: readonly Bar[];
  barStamp?: 'start' | 'end';
  /** Session of an ET date, or null when the market was closed. */
  session: (dateEt: string) => SessionHours | null;
  dayTags?: (dateEt: string) => readonly string[];
  maxMinutes?: number;
  maxStaleMinutes?: number;
  kappaCap: number;
  generatedAtMs: number;
}

export interface FitDiagnostics {
  daysWithBars: number;
  sessionDays: number;
  taggedDays: number;
  minutesFitted: number;
  /** Samples behind each fitted minute's σ (baseline). */
  samplesPerMinute: Record<string, number>;
}

export class CalibrationFitError extends Error {
  override name = 'CalibrationFitError';
}

const MINUTE = 60_000;

interface Acc {
  n: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}
const newAcc = (len: number): Acc => ({ n: new Float64Array(len), sum: new Float64Array(len), sumSq: new Float64Array(len) });

interface DayPath {
  date: string;
  tagged: boolean;
  /** Value at open + i minutes, NaN when missing. */
  vals: Float64Array;
  targets: number[];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function fitCalibration(input: FitInput): { params: CalibrationParams; diagnostics: FitDiagnostics } {
  const maxMinutes = input.maxMinutes ?? (input.horizon === 'hourly' ? 60 : 390);
  const staleMs = (input.maxStaleMinutes ?? 5) * MINUTE;
  const shift = (input.barStamp ?? 'start') === 'start' ? MINUTE : 0;
  const bars = input.bars;
  for (let i = 1; i < bars.length; i++) {
    if (!(bars[i]!.t > bars[i - 1]!.t)) throw new CalibrationFitError('bars must be strictly ascending by timestamp');
  }

  // Split bars into ET days (bounds computed once per day, not per bar).
  const days: DayPath[] = [];
  let daysWithBars = 0;
  let i = 0;
  while (i < bars.length) {
    const date = etDateOf(bars[i]!.t + shift);
    const dayEnd = etToMs(addDays(date, 1), '00:00', 'compatible');
    let j = i;
    while (j < bars.length && bars[j]!.t + shift < dayEnd) j++;
    daysWithBars++;
    const s = input.session(date);
    if (s) days.push(buildDay(date, s, bars, i, j, shift, staleMs, input));
    i = j;
  }

  const anyUntagged = days.some((d) => !d.tagged);
  const isBaseline = (d: DayPath) => !anyUntagged || !d.tagged;
  const base = newAcc(maxMinutes + 1);
  let sampleCount = 0;
  const sampleDays = new Set<string>();
  let r1n = 0;
  let r1sum = 0;
  let r1sq = 0;

  for (const d of days) {
    const v = d.vals;
    if (isBaseline(d)) {
      for (let k = 1; k < v.length; k++) {
        const x = v[k]! - v[k - 1]!;
        if (Number.isNaN(x)) continue;
        r1n++;
        r1sum += x;
        r1sq += x * x;
      }
    }
    for (const k of d.targets) {
      const sT = v[k]!;
      if (Number.isNaN(sT)) continue;
      sampleCount++;
      sampleDays.add(d.date);
      if (!isBaseline(d)) continue;
      const top = Math.min(maxMinutes, k);
      for (let m = 1; m <= top; m++) {
        const x = sT - v[k - m]!;
        if (Number.isNaN(x)) continue;
        base.n[m]!++;
        base.sum[m]! += x;
        base.sumSq[m]! += x * x;
      }
    }
  }

  const sigma = new Float64Array(maxMinutes + 1);
  const drift = new Float64Array(maxMinutes + 1);
  const minutes: CalibrationParams['minutes_to_target'] = {};
  const samplesPerMinute: Record<string, number> = {};
  for (let m = 1; m <= maxMinutes; m++) {
    const n = base.n[m]!;
    if (n < 2) continue;
    const mean = base.sum[m]! / n;
    const variance = Math.max(0, (base.sumSq[m]! - n * mean * mean) / (n - 1));
    sigma[m] = Math.sqrt(variance);
    drift[m] = mean;
    minutes[String(m)] = { sigma: round6(sigma[m]!), drift: round6(mean) };
    samplesPerMinute[String(m)] = n;
  }
  if (Object.keys(minutes).length === 0) {
    throw new CalibrationFitError(
      `no usable samples for ${input.symbol} ${input.horizon}: ${daysWithBars} day(s) with bars, ${days.length} trading session(s), ${sampleCount} target(s) with a value`,
    );
  }

  // κ from tagged days against the baseline curve.
  const taggedDays = days.filter((d) => d.tagged);
  let kappa = 1;
  const tags = new Set<string>();
  if (anyUntagged && taggedDays.length > 0) {
    let zn = 0;
    let zsum = 0;
    for (const d of taggedDays) {
      for (const t of input.dayTags?.(d.date) ?? []) tags.add(t);
      for (const k of d.targets) {
        const sT = d.vals[k]!;
        if (Number.isNaN(sT)) continue;
        const top = Math.min(maxMinutes, k);
        for (let m = 1; m <= top; m++) {
          const x = sT - d.vals[k - m]!;
          if (Number.isNaN(x) || !(sigma[m]! > 0)) continue;
          const z = (x - drift[m]!) / sigma[m]!;
          zn++;
          zsum += z * z;
        }
      }
    }
    if (zn > 0) kappa = Math.min(input.kappaCap, Math.max(1, zsum / zn));
  }

  const r1mean = r1n > 0 ? r1sum / r1n : 0;
  const residual = r1n > 1 ? Math.sqrt(Math.max(0, (r1sq - r1n * r1mean * r1mean) / (r1n - 1))) : 0;

  const params: CalibrationParams = {
    symbol: input.symbol,
    horizon: input.horizon,
    generated_at: new Date(input.generatedAtMs).toISOString(),
    sample_count: sampleCount,
    days: sampleDays.size,
    minutes_to_target: minutes,
    residual_std: round6(residual),
    event_tail: { tags: [...tags].sort(), kappa: round6(kappa) },
  };
  return {
    params,
    diagnostics: {
      daysWithBars,
      sessionDays: days.length,
      taggedDays: taggedDays.length,
      minutesFitted: Object.keys(minutes).length,
      samplesPerMinute,
    },
  };
}

function buildDay(
  date: string,
  s: SessionHours,
  bars: readonly Bar[],
  from: number,
  to: number,
  shift: number,
  staleMs: number,
  input: FitInput,
): DayPath {
  const open = etToMs(date, s.openEt, 'compatible');
  const close = etToMs(date, s.closeEt, 'compatible');
  const len = Math.round((close - open) / MINUTE) + 1;
  const vals = new Float64Array(len).fill(NaN);
  let b = from;
  let last = NaN;
  let lastAt = -Infinity;
  for (let k = 0; k < len; k++) {
    const at = open + k * MINUTE;
    while (b < to && bars[b]!.t + shift <= at) {
      const instant = bars[b]!.t + shift;
      if (instant >= open) {
        last = bars[b]!.c;
        lastAt = instant;
      }
      b++;
    }
    if (at - lastAt < staleMs || at === lastAt) vals[k] = last;
  }
  const targets: number[] = [];
  if (input.horizon === 'close') targets.push(len - 1);
  else {
    for (let hh = 10; hh <= 16; hh++) {
      const at = etToMs(date, `${String(hh).padStart(2, '0')}:00`, 'compatible');
      if (at > close) break;
      targets.push(Math.round((at - open) / MINUTE));
    }
  }
  return { date, tagged: (input.dayTags?.(date).length ?? 0) > 0, vals, targets };
}
