/**
 * Forecasters for the walk-forward on minute bars (`evaluate --bars`, issue 19), pure. A forecaster sees
 * what a live run would have at the evaluation instant — the day's bars known by then, the value now, and a
 * calibration fitted on the days before — and answers P(S_T ≥ K) for a list of strikes. The walk-forward
 * (walk-forward.ts) never changes with the forecaster: a new model (e.g. one conditioned on the day's
 * realised variance) is one more `BarForecaster`.
 *
 * Built in:
 * - `model`: the pricing model itself, unconditional (SPEC §5.2), built by `buildModelSpec` from the calibration and
 *   `model.*` — the target's own curve, drift, residual, σ floor, κ on tagged days, normal or t — and priced
 *   through the same settlement-tick condition as a market (`probabilityOf`: P(V ≥ K) on the cent grid).
 * - `adaptive`: the same pricing model with the adaptive σ (issue 19, model/conditioning.ts) — σ(m)
 *   conditioned on the day's realised variance from the open to the instant (a fresh state fed the day's
 *   known bars) and the day's scheduled events, with the weights the calibration (fitted on the days before)
 *   carries; without a fitted `conditioning` it is `model`. This is what the engine quotes with by default.
 * - `calibrated_normal`: N(S_now, σ(m)²) with the calibrated σ(m) of the target's curve alone (no drift,
 *   residual, floor or κ): what the calibration says without the model's refinements.
 * - `trailing_normal`: N(S_now, m·RV), RV the mean squared one-minute change of the day so far (the values
 *   at the minute marks from the open to the instant); with fewer than `MIN_TRAILING_CHANGES` (10) changes
 *   it falls back to the calibrated σ(m) (the first minutes of the day). The day's own realised σ, unshrunk.
 */
import type { Bar } from '../calibration/fit.ts';
import { curveFromParams, type CalibrationParams } from '../calibration/params.ts';
import type { IndexSymbol } from '../series.ts';
import { normalSurvival } from '../model/distributions.ts';
import { forecast } from '../model/forecast.ts';
import { probabilityOf } from '../model/ladder-pricing.ts';
import { buildModelSpec, type ModelConfig } from '../model/model-spec.ts';
import { SETTLEMENT_TICK } from '../model/conditions.ts';
import { DayVariance, dayConditioner, upliftTerms, type DayEvent } from '../model/conditioning.ts';
import { etTimeOf } from '../time/et.ts';

export interface ForecastContext {
  symbol: IndexSymbol;
  /** The evaluation instant and the target, epoch ms; `targetEt` is the target's ET time `HH:MM`. */
  nowMs: number;
  targetMs: number;
  targetEt: string;
  /** Minutes from the instant to the target. */
  minutes: number;
  /** The index value at the instant: the last bar known by then. */
  spot: number;
  /**
   * The day's bars known at the instant — their minute ended at or before it (`knownAtMs` ≤ nowMs) —
   * ascending; nothing later is ever handed to a forecaster.
   */
  dayBars: readonly Bar[];
  /** When a bar's value is known: its stamp + `barShiftMs` (60 000 for Massive's start stamps, 0 for end stamps). */
  barShiftMs: number;
  /** The session's open, epoch ms. */
  openMs: number;
  /** Fitted on the days strictly before this one. */
  calibration: CalibrationParams;
  /** The day's event tags (configs/events.yaml). */
  dayTags: readonly string[];
  /** The day's scheduled events with their time of day (the adaptive σ's uplift); none when unknown. */
  dayEvents?: readonly DayEvent[];
}

export interface BarForecaster {
  /** Short name (JSON key, chart legend). */
  readonly name: string;
  /** What it is, in a few words. */
  readonly label: string;
  /** P(S_T ≥ k) for each strike (index points, on the cent grid). */
  probAbove(ctx: ForecastContext, strikes: readonly number[]): number[];
}

/** The cent-grid tick index of a strike: P(V ≥ K) = P(S ≥ K − ½ tick). */
const tickOf = (k: number) => Math.round(k / SETTLEMENT_TICK);

export function modelForecaster(config: ModelConfig): BarForecaster {
  return {
    name: 'model',
    label: 'the pricing model, unconditional (calibrated curve, drift, residual, floor, κ)',
    probAbove(ctx, strikes) {
      const spec = buildModelSpec({ calibration: ctx.calibration, config, spot: ctx.spot, targetEt: ctx.targetEt, dayTags: ctx.dayTags });
      const f = forecast(ctx.spot, ctx.minutes, spec);
      return strikes.map((k) => probabilityOf({ lo: tickOf(k), hi: null }, f));
    },
  };
}

/** The realised-variance state of the day at the instant, from the day's known bars alone. */
export function dayStateAt(ctx: ForecastContext): DayVariance | undefined {
  const c = ctx.calibration.conditioning;
  if (!c) return undefined;
  const st = new DayVariance(ctx.openMs, c, upliftTerms(c, ctx.dayEvents ?? [], etTimeOf(ctx.openMs)));
  for (const b of ctx.dayBars) st.observe(b.t + ctx.barShiftMs, b.c);
  return st;
}

export function adaptiveForecaster(config: ModelConfig): BarForecaster {
  return {
    name: 'adaptive',
    label: "the pricing model with the adaptive σ (the day's realised variance so far, event uplift)",
    probAbove(ctx, strikes) {
      const st = config.conditioning === false ? undefined : dayStateAt(ctx);
      const regime = st ? dayConditioner(ctx.calibration.conditioning!, st, st.terms, ctx.targetMs) : undefined;
      const spec = buildModelSpec({ calibration: ctx.calibration, config, spot: ctx.spot, targetEt: ctx.targetEt, dayTags: ctx.dayTags, ...(regime ? { regime } : {}) });
      const f = forecast(ctx.spot, ctx.minutes, spec);
      return strikes.map((k) => probabilityOf({ lo: tickOf(k), hi: null }, f));
    },
  };
}

function normalAbove(spot: number, sd: number, strikes: readonly number[]): number[] {
  return strikes.map((k) => {
    const x = (tickOf(k) - 0.5) * SETTLEMENT_TICK;
    if (!(sd > 0)) return spot >= x ? 1 : 0;
    return normalSurvival((x - spot) / sd);
  });
}

export const calibratedNormal: BarForecaster = {
  name: 'calibrated_normal',
  label: 'normal with the calibrated σ(m)',
  probAbove(ctx, strikes) {
    return normalAbove(ctx.spot, curveFromParams(ctx.calibration, ctx.targetEt).sigmaAt(ctx.minutes), strikes);
  },
};

export const MIN_TRAILING_CHANGES = 10;
const MINUTE = 60_000;

/** Mean squared one-minute change of the day so far (values at the minute marks open … now), and how many. */
export function trailingRealisedVariance(ctx: Pick<ForecastContext, 'dayBars' | 'barShiftMs' | 'openMs' | 'nowMs'>): { perMinute: number; changes: number } {
  let b = 0;
  let last = NaN;
  let prev = NaN;
  let sum = 0;
  let n = 0;
  const bars = ctx.dayBars;
  for (let at = ctx.openMs; at <= ctx.nowMs; at += MINUTE) {
    while (b < bars.length && bars[b]!.t + ctx.barShiftMs <= at) {
      if (bars[b]!.t + ctx.barShiftMs >= ctx.openMs) last = bars[b]!.c;
      b++;
    }
    if (!Number.isNaN(prev) && !Number.isNaN(last)) {
      sum += (last - prev) ** 2;
      n++;
    }
    prev = last;
  }
  return { perMinute: n > 0 ? sum / n : NaN, changes: n };
}

export const trailingNormal: BarForecaster = {
  name: 'trailing_normal',
  label: "normal with the day's own trailing realised σ",
  probAbove(ctx, strikes) {
    const rv = trailingRealisedVariance(ctx);
    const sd = rv.changes >= MIN_TRAILING_CHANGES ? Math.sqrt(ctx.minutes * rv.perMinute) : curveFromParams(ctx.calibration, ctx.targetEt).sigmaAt(ctx.minutes);
    return normalAbove(ctx.spot, sd, strikes);
  },
};
