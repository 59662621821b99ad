/**
 * The simulated market's participants (SPEC §9, issue 11) — sim only: the engine never sees them, only the
 * book and trades they leave on the exchange. One config object holds every knob (`SimParticipantsConfig`,
 * defaults in `DEFAULT_PARTICIPANTS`); `SimExchangeOptions.participants` and the sim environment
 * (`SimEnvOptions.participants`) pass a partial one, merged field by field with `resolveParticipants`.
 *
 * - **Market maker** (`marketMaker`): every `tickMs` it prices each active market with the generating
 *   process's own law (oracle.ts: the path's per-second variance path — U-shape, and in the regime world the
 *   day's regime, clustering and event bursts — and its jumps, conditional on the index) but
 *   - with **update latency**: it reads the index as it was `latencyMs` ago;
 *   - with **estimation noise**: its remaining variance (the diffusion's and the jump size's) is the true one
 *     × exp(2η), η ~ N(0, `volNoise`), one draw per index per `volNoiseRefreshMs` period (a function of
 *     seed, date, index and period: stateless); it knows the jump intensity;
 *   and quotes `levels` levels each side, the best `halfSpreadCents` around its fair value (whole cents, never
 *   crossing a resting user order), sizes uniform in [minContracts, maxContracts]. It requotes when its top
 *   changes, and anyway with chance `refreshProbability` per tick. `horizonMs` limits it to markets closing
 *   within that time (a speed knob for long runs; default: every active market).
 *   `enabled: false` keeps the takers and drops the maker (a takers-only market, for tests).
 * - **Informed takers** (`informed`): per market, looks arrive as a Poisson process of `ratePerMinute`
 *   (drawn per maker tick, at a uniform instant inside it). At a look the taker reads the displayed book and
 *   the oracle; if the best ask (bid) is below (above) the true value by at least `minEdgeCents` after the
 *   taker fee, it sends, `reactionMs` later, an immediate-or-cancel order up to `maxContracts` with a limit
 *   at the last whole-cent price that still clears that edge at the look — whatever rests at or through it
 *   then trades (the maker may have requoted in between). It trades against any resting order on the
 *   displayed book, users' included; a dry (paper) order is not on the book, and meets informed flow through
 *   the tape: an informed trade at or through its price fills it by the paper rules.
 * - **Noise takers** (`noise`): per market per maker tick, with chance `probability`, an uninformed taker
 *   buys or sells (even odds) 1…`maxContracts` contracts at the best opposite price.
 *
 * `tickMs: 0` means a quiet market: no maker, no takers (exchange tests place every order themselves).
 * Randomness: three seeded streams (maker, informed, noise), each from (seed, date), so changing one
 * participant's knobs does not reshuffle the others' draws.
 */
import { gaussian, hashSeed, seededRandom, type IndexPath, type LogLaw } from '../day/index-path.ts';
import { levelBounds, probWithin, probYes, type YesCondition } from './oracle.ts';

export interface MarketMakerConfig {
  /** Requote period, ms; 0 = no participants at all (a quiet market). The takers' clock too. */
  tickMs: number;
  /** false: the maker quotes nothing, the takers still come every tick (a takers-only market). */
  enabled: boolean;
  /** It prices off the index as it was this long ago (ms). */
  latencyMs: number;
  /** Std dev of η, its volatility estimate being the true σ × exp(η). */
  volNoise: number;
  /** How long one estimation error lasts (ms) before the next draw. */
  volNoiseRefreshMs: number;
  /** Best bid/ask this many cents either side of its fair value. */
  halfSpreadCents: number;
  /** Price levels per side, one cent apart. */
  levels: number;
  minContracts: number;
  maxContracts: number;
  /** Chance per tick of a full requote when its top has not changed. */
  refreshProbability: number;
  /** Only markets closing within this many ms are quoted (Infinity: every active market). */
  horizonMs: number;
}

export interface InformedTakerConfig {
  /** Looks per market per minute (Poisson). 0 = no informed flow. */
  ratePerMinute: number;
  /** From the look to its order reaching the exchange (ms). */
  reactionMs: number;
  /** Edge vs the true value after the taker fee it requires, cents per contract. */
  minEdgeCents: number;
  maxContracts: number;
}

export interface NoiseTakerConfig {
  /** Chance per market per maker tick of an uninformed taker trade. */
  probability: number;
  maxContracts: number;
}

export interface SimParticipantsConfig {
  marketMaker: MarketMakerConfig;
  informed: InformedTakerConfig;
  noise: NoiseTakerConfig;
}

export type SimParticipantsOverrides = {
  [K in keyof SimParticipantsConfig]?: Partial<SimParticipantsConfig[K]>;
};

/** The defaults (documented in the header and README §Simulator participants). */
export const DEFAULT_PARTICIPANTS: Readonly<SimParticipantsConfig> = Object.freeze({
  marketMaker: Object.freeze({
    tickMs: 2000,
    enabled: true,
    latencyMs: 1000,
    volNoise: 0.15,
    volNoiseRefreshMs: 5 * 60_000,
    halfSpreadCents: 2,
    levels: 3,
    minContracts: 10,
    maxContracts: 300,
    refreshProbability: 0.1,
    horizonMs: Infinity,
  }),
  informed: Object.freeze({
    ratePerMinute: 6,
    reactionMs: 500,
    minEdgeCents: 1,
    maxContracts: 50,
  }),
  noise: Object.freeze({
    probability: 0.02,
    maxContracts: 25,
  }),
});

export class ParticipantsConfigError extends RangeError {
  override name = 'ParticipantsConfigError';
}

/** Merges overrides into the defaults and validates every knob (a bad one names itself). */
export function resolveParticipants(o: SimParticipantsOverrides = {}): SimParticipantsConfig {
  const c: SimParticipantsConfig = {
    marketMaker: { ...DEFAULT_PARTICIPANTS.marketMaker, ...o.marketMaker },
    informed: { ...DEFAULT_PARTICIPANTS.informed, ...o.informed },
    noise: { ...DEFAULT_PARTICIPANTS.noise, ...o.noise },
  };
  const check = (ok: boolean, key: string, v: unknown) => {
    if (!ok) throw new ParticipantsConfigError(`sim participants: ${key}: invalid value ${String(v)}`);
  };
  const nonNeg = (section: keyof SimParticipantsConfig, key: string, integer = false) => {
    const v = (c[section] as unknown as Record<string, number>)[key]!;
    check(typeof v === 'number' && v >= 0 && (integer ? Number.isInteger(v) : !Number.isNaN(v)), `${section}.${key}`, v);
  };
  const mm = c.marketMaker;
  for (const k of ['tickMs', 'latencyMs', 'volNoise', 'halfSpreadCents', 'horizonMs']) nonNeg('marketMaker', k);
  check(typeof mm.enabled === 'boolean', 'marketMaker.enabled', mm.enabled);
  check(mm.volNoiseRefreshMs > 0, 'marketMaker.volNoiseRefreshMs', mm.volNoiseRefreshMs);
  check(Number.isInteger(mm.levels) && mm.levels >= 1, 'marketMaker.levels', mm.levels);
  check(Number.isInteger(mm.halfSpreadCents), 'marketMaker.halfSpreadCents', mm.halfSpreadCents);
  check(Number.isInteger(mm.minContracts) && mm.minContracts >= 1, 'marketMaker.minContracts', mm.minContracts);
  check(Number.isInteger(mm.maxContracts) && mm.maxContracts >= mm.minContracts, 'marketMaker.maxContracts', mm.maxContracts);
  check(mm.refreshProbability >= 0 && mm.refreshProbability <= 1, 'marketMaker.refreshProbability', mm.refreshProbability);
  for (const k of ['ratePerMinute', 'reactionMs', 'minEdgeCents']) nonNeg('informed', k);
  check(Number.isInteger(c.informed.maxContracts) && c.informed.maxContracts >= 1, 'informed.maxContracts', c.informed.maxContracts);
  check(c.noise.probability >= 0 && c.noise.probability <= 1, 'noise.probability', c.noise.probability);
  check(Number.isInteger(c.noise.maxContracts) && c.noise.maxContracts >= 1, 'noise.maxContracts', c.noise.maxContracts);
  return c;
}

/** η of the maker's volatility estimate for one index and period: a pure function of its inputs. */
export function makerVolError(seed: number, dateEt: string, index: string, period: number, volNoise: number): number {
  if (volNoise <= 0) return 0;
  return volNoise * gaussian(seededRandom(hashSeed(seed, 'sim-mm-vol', dateEt, index, period)))();
}

export interface MakerView {
  /** Index value it prices off (as of `nowMs − latencyMs`). */
  spot: number;
  /** The law of the log change to the close it assumes (the true one, its variances scaled by exp(2η)). */
  law: LogLaw;
}

/** What the maker believes at `nowMs`: the delayed index and the noisy remaining variance. */
export function makerView(path: IndexPath, closeMs: number, nowMs: number, latencyMs: number, volError: number): MakerView {
  const spot = path.valueAt(nowMs - latencyMs);
  const truth = path.lawBetween(nowMs, closeMs);
  const scale = Math.exp(2 * volError);
  return { spot, law: { variance: truth.variance * scale, jumpIntensity: truth.jumpIntensity, jumpVar: truth.jumpVar * scale } };
}

/** The maker's fair P(YES). */
export function makerFair(c: YesCondition, view: MakerView): number {
  return probYes(c, view.spot, view.law);
}

/**
 * The maker's fair values of one exchange's markets, as a vector: `makerFair(c, makerView(…))` of market `i`
 * at `nowMs`, number for number, without its per-market work. The markets' level bounds, closes and indices
 * sit in typed arrays (bounds turned from the strikes once, on first use); η is drawn once per index and
 * refresh period, the delayed index read once per index and tick, and the law to the close once per run of
 * markets sharing an index and a close (an event's markets are listed together) — so a tick prices a ladder
 * for the cost of its normal tails. Allocation-free after construction (one mutable law per run).
 */
export class MakerFairs {
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly closeMs: Float64Array;
  /** 0 = spx, 1 = ndx. */
  private readonly index: Uint8Array;
  private readonly etaPeriod = [NaN, NaN];
  private readonly scale = [1, 1];
  private readonly spot = [NaN, NaN];
  private tickMs = NaN;
  private runIndex = -1;
  private runCloseMs = NaN;
  private readonly law: LogLaw = { variance: 0, jumpIntensity: 0, jumpVar: 0 };

  constructor(
    private readonly conditions: readonly (YesCondition & { closeMs: number; series: string })[],
    private readonly paths: { spx: IndexPath; ndx: IndexPath },
    private readonly o: { seed: number; dateEt: string; openMs: number; latencyMs: number; volNoise: number; volNoiseRefreshMs: number },
  ) {
    const n = conditions.length;
    this.lo = new Float64Array(n).fill(NaN);
    this.hi = new Float64Array(n).fill(NaN);
    this.closeMs = new Float64Array(n);
    this.index = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = conditions[i]!;
      this.closeMs[i] = c.closeMs;
      this.index[i] = c.series === 'INX' || c.series === 'INXU' ? 0 : 1;
    }
  }

  get length(): number {
    return this.conditions.length;
  }

  /** The maker's fair P(YES) of market `i` at `nowMs`. */
  fair(i: number, nowMs: number): number {
    if (nowMs !== this.tickMs) {
      this.tickMs = nowMs;
      this.spot[0] = NaN;
      this.spot[1] = NaN;
      this.runIndex = -1;
    }
    const k = this.index[i]!;
    const path = k === 0 ? this.paths.spx : this.paths.ndx;
    let lo = this.lo[i]!;
    if (Number.isNaN(lo)) {
      const b = levelBounds(this.conditions[i]!);
      lo = this.lo[i] = b.lo;
      this.hi[i] = b.hi;
    }
    let spot = this.spot[k]!;
    if (Number.isNaN(spot)) spot = this.spot[k] = path.valueAt(nowMs - this.o.latencyMs);
    const close = this.closeMs[i]!;
    if (k !== this.runIndex || close !== this.runCloseMs) {
      this.runIndex = k;
      this.runCloseMs = close;
      const period = Math.floor((nowMs - this.o.openMs) / this.o.volNoiseRefreshMs);
      if (period !== this.etaPeriod[k]) {
        this.etaPeriod[k] = period;
        this.scale[k] = Math.exp(2 * makerVolError(this.o.seed, this.o.dateEt, k === 0 ? 'spx' : 'ndx', period, this.o.volNoise));
      }
      const truth = path.lawBetween(nowMs, close);
      const scale = this.scale[k]!;
      this.law.variance = truth.variance * scale;
      this.law.jumpIntensity = truth.jumpIntensity;
      this.law.jumpVar = truth.jumpVar * scale;
    }
    return probWithin(lo, this.hi[i]!, spot, this.law);
  }
}

/** The maker's best bid and ask in whole cents (each may fall off the 1–99 range: then that side is empty). */
export function makerTop(fair: number, halfSpreadCents: number): { bid: number; ask: number } {
  const c = Math.round(fair * 100);
  return { bid: Math.min(98, c - halfSpreadCents), ask: Math.max(2, c + halfSpreadCents) };
}

/** Taker fee per contract in dollars at YES price `x` dollars (0.07 × M × x(1 − x), before per-order rounding). */
export const takerFeePerContract = (x: number, multiplier: number): number => 0.07 * multiplier * x * (1 - x);

/**
 * The informed taker's limit, in whole cents, for a buy (the highest price x with p − x − fee(x) ≥ edge) or
 * a sell (the lowest x with x − p − fee(x) ≥ edge); undefined when no price in 1…99 clears it.
 */
export function informedLimitCents(side: 'buy' | 'sell', p: number, minEdgeCents: number, feeMultiplier: number): number | undefined {
  const edge = minEdgeCents / 100;
  if (side === 'buy') {
    for (let x = 99; x >= 1; x--) {
      const d = x / 100;
      if (p - d - takerFeePerContract(d, feeMultiplier) >= edge - 1e-12) return x;
    }
    return undefined;
  }
  for (let x = 1; x <= 99; x++) {
    const d = x / 100;
    if (d - p - takerFeePerContract(d, feeMultiplier) >= edge - 1e-12) return x;
  }
  return undefined;
}

/** P(at least one look in `ms`) for a Poisson rate per minute. */
export const lookProbability = (ratePerMinute: number, ms: number): number => (ratePerMinute > 0 ? 1 - Math.exp((-ratePerMinute * ms) / 60_000) : 0);
