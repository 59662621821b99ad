/**
 * A market's YES condition (SPEC §5.1) as a half-open interval of **settlement ticks**.
 *
 * Why ticks: the settlement value V of SPX/NDX is published to two decimals, so V lives on a 0.01 grid.
 * Every condition maps exactly onto that grid — `≥ 6700`, `> 6699.9999`, `≤ 6699.9999` and `< 6700` all cut
 * the grid at the same point k = 670000 — so a range ladder ("6675 to 6699.9999", "6700 to 6724.9999", tails
 * "6474.9999 or below" / "7175 or above") partitions the grid exactly: adjacent markets share the same
 * integer cut, whatever strike spelling (x.9999, x.99, integer) the exchange used. (A bin [floor, cap] is
 * the same as [floor, cap + tick gap) — here the gap is closed on the grid rather than by adding 0.0001.)
 *
 * YES ⇔ lo ≤ V/tick < hi (null = unbounded). The continuous model evaluates a cut k at (k − ½)·tick: V is S
 * rounded to the grid, so P(V ≥ k·tick) = P(S ≥ (k − ½)·tick) (continuity correction; immaterial in size but
 * keeps the discrete and continuous pictures consistent).
 */
import type { Market } from '../market.ts';

/** Settlement grid of the index value, in index points. */
export const SETTLEMENT_TICK = 0.01;

export interface YesRegion {
  /** First settlement tick that is YES (inclusive); null = −∞. */
  lo: number | null;
  /** First settlement tick above the YES region (exclusive); null = +∞. */
  hi: number | null;
}

export type ConditionResult = { ok: true; region: YesRegion } | { ok: false; reason: string };

/** Strike in 1e-4 units (exact for the exchange's ≤ 4-decimal strikes). */
const toUnits4 = (x: number): number => Math.round(x * 10_000);

/** `6699.9999` stays as written; float noise trimmed. */
export function formatStrike(x: number): string {
  return String(Number(x.toFixed(4)));
}

const finite = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
const TICK_UNITS = toUnits4(SETTLEMENT_TICK);

type StrikeFields = Pick<Market, 'strikeType' | 'floorStrike' | 'capStrike'>;

/**
 * The YES region of a market, or why it cannot be priced (functional/custom/structured, missing strike).
 * Hot path (every market on every reprice): no strings, no closures.
 */
export function yesRegion(market: StrikeFields, tick = SETTLEMENT_TICK): ConditionResult {
  const step = tick === SETTLEMENT_TICK ? TICK_UNITS : toUnits4(tick);
  const f = market.floorStrike;
  const c = market.capStrike;
  switch (market.strikeType) {
    case 'greater':
      if (!finite(f)) return { ok: false, reason: 'missing_floor_strike' };
      return { ok: true, region: { lo: Math.floor(toUnits4(f) / step) + 1, hi: null } };
    case 'greater_or_equal':
      if (!finite(f)) return { ok: false, reason: 'missing_floor_strike' };
      return { ok: true, region: { lo: Math.ceil(toUnits4(f) / step), hi: null } };
    case 'less':
      if (!finite(c)) return { ok: false, reason: 'missing_cap_strike' };
      return { ok: true, region: { lo: null, hi: Math.ceil(toUnits4(c) / step) } };
    case 'less_or_equal':
      if (!finite(c)) return { ok: false, reason: 'missing_cap_strike' };
      return { ok: true, region: { lo: null, hi: Math.floor(toUnits4(c) / step) + 1 } };
    case 'between': {
      if (!finite(f) || !finite(c)) return { ok: false, reason: 'missing_floor_or_cap_strike' };
      const lo = Math.ceil(toUnits4(f) / step);
      const hi = Math.floor(toUnits4(c) / step) + 1;
      if (hi <= lo) return { ok: false, reason: 'empty_range' };
      return { ok: true, region: { lo, hi } };
    }
    default:
      return { ok: false, reason: `strike_type_unsupported:${market.strikeType}` };
  }
}

/** Human form of a market's condition as the exchange states it: `≥ 6800`, `6775–6799.9999`, `< 6675`. */
export function conditionLabel(market: StrikeFields): string {
  const f = market.floorStrike;
  const c = market.capStrike;
  switch (market.strikeType) {
    case 'greater':
      return finite(f) ? `> ${formatStrike(f)}` : '>';
    case 'greater_or_equal':
      return finite(f) ? `≥ ${formatStrike(f)}` : '≥';
    case 'less':
      return finite(c) ? `< ${formatStrike(c)}` : '<';
    case 'less_or_equal':
      return finite(c) ? `≤ ${formatStrike(c)}` : '≤';
    case 'between':
      return finite(f) && finite(c) ? `${formatStrike(f)}–${formatStrike(c)}` : 'between';
    default:
      return market.strikeType;
  }
}
