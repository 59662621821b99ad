/**
 * The schema of `configs/index_ops.yaml` (SPEC §3): every section and key with its built-in default. Unknown
 * keys and bad values are errors that name the key (`quotes.min_ev_usd: …`), never silent defaults. Each
 * section belongs to one part of the system; add keys to your own section only. Its own file: this is what
 * the operator may write; reading the file and the checks across keys are index-ops.ts.
 */
import { z } from 'zod';
import { assertDate, TimeParseError } from '../core/time/et.ts';
import { DEFAULT_RESIDUAL_STD_BP } from '../core/calibration/fit-residual.ts';

/** `HH:MM` (24h) ET wall time in config files. */
export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');

/** A real calendar date `YYYY-MM-DD` in config files. */
export const isoDate = z.string().refine((d) => {
  try {
    assertDate(d);
    return true;
  } catch (e) {
    if (e instanceof TimeParseError) return false;
    throw e;
  }
}, 'expected a real date YYYY-MM-DD');
const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();

const WindowsSchema = z
  .object({
    /** Hourly targets on a regular day (ET). */
    hourly_targets: z.array(hhmm).min(1).default(['10:00', '11:00', '12:00', '13:00', '14:00', '15:00']),
    /** Last hourly target on an early-close day. */
    early_close_last_hourly: hhmm.default('12:00'),
    hourly_start_offset_minutes: posInt.default(15),
    close_start_offset_minutes: posInt.default(10),
    strict_offset_seconds: posInt.default(60),
    /** Cancel buffer: no order may rest past target − this. */
    freeze_offset_seconds: posInt.default(2),
  })
  .strict();

const FreshnessSchema = z
  .object({
    soft_ms: posInt.default(1500),
    strict_ms: posInt.default(800),
  })
  .strict();

const FeedSourceSchema = z
  .object({
    kind: z.enum(['ws', 'rest']),
    /** ws: websocket URL; rest: REST base URL. Defaults come from MASSIVE_WS_URL / MASSIVE_REST_BASE. */
    url: z.url().optional(),
    channel: z.enum(['V', 'A', 'AM']).default('V'),
    poll_interval_ms: posInt.default(1000),
  })
  .strict();

const FeedsSchema = z
  .object({
    polygon: FeedSourceSchema.default({ kind: 'ws', channel: 'V', poll_interval_ms: 1000 }),
    massive: FeedSourceSchema.default({ kind: 'rest', channel: 'V', poll_interval_ms: 1000 }),
    failover_slo_ms: posInt.default(1200),
    return_after_ms: posInt.default(5000),
    max_connections_cooldown_ms: posInt.default(60_000),
    reconnect_base_ms: posInt.default(500),
    reconnect_max_ms: posInt.default(30_000),
    idle_timeout_ms: posInt.default(30_000),
    /** Client ping cadence on the websocket (a pong or any frame proves the socket alive). */
    ping_interval_ms: posInt.default(10_000),
    /** Socket open → auth_success must finish within this, else reconnect. */
    handshake_timeout_ms: posInt.default(10_000),
    /** REST request timeout (snapshot poller, market status). */
    rest_timeout_ms: posInt.default(5_000),
    /**
     * A websocket feed that still answers pings but delivers no tick for this long (counted in market
     * hours, with subscriptions active) is recycled: closed, reconnected with backoff, re-authenticated and
     * re-subscribed, while the failover serves the other feed. 0 disables. On the `AM` channel (one bar a
     * minute) at least 130 000 applies.
     */
    silence_recycle_ms: nonNegInt.default(10_000),
  })
  .strict()
  .refine((f) => f.ping_interval_ms < f.idle_timeout_ms, { message: 'must be less than feeds.idle_timeout_ms', path: ['ping_interval_ms'] })
  .refine((f) => f.reconnect_base_ms <= f.reconnect_max_ms, { message: 'must not exceed feeds.reconnect_max_ms', path: ['reconnect_base_ms'] });

const QuotesSchema = z
  .object({
    min_ev_usd: z.number().nonnegative().default(0.05),
    max_bins_per_series: posInt.default(2),
    contracts: posInt.default(1),
    /** A resting quote is kept while its EV ≥ min_ev_usd − this, and moved only for an EV change ≥ this. */
    ev_hysteresis_usd: z.number().nonnegative().default(0.005),
    // ---- adverse-selection margin (core/quotes/margin.ts): the EV bar is min_ev_usd + margin ----
    /** Margin at 1 minute to the target, scaling as √(1/m) (m in minutes, floored at 1 s): +0.3¢ at 10 min, +2¢ at 15 s. */
    margin_1m_usd: z.number().nonnegative().default(0.005),
    /** Cap on the whole margin (0 = no cap). */
    margin_max_usd: z.number().nonnegative().default(0.05),
    /** The book's age (now − its last update) counts beyond this… */
    margin_book_age_grace_ms: nonNegInt.default(15_000),
    /** …at this many dollars per second. */
    margin_book_age_usd_per_s: z.number().nonnegative().default(0.001),
    /** A resting quote's age (now − its placement) counts beyond this… */
    margin_quote_age_grace_ms: nonNegInt.default(60_000),
    /** …at this many dollars per minute (0: the simulator showed no extra adverse selection of older quotes). */
    margin_quote_age_usd_per_min: z.number().nonnegative().default(0),
    /** No new quote this close to the target (s) unless the index feed is strict-fresh (0 = off). */
    final_no_new_quote_seconds: z.number().nonnegative().default(5),
    /** "Strict-fresh" for that rule: feed age at most this (ms). */
    final_max_feed_age_ms: posInt.default(800),
    // ---- churn (core/quotes/select.ts) ----
    /** A resting quote is kept while its EV ≥ its bar − this (default: ev_hysteresis_usd); moves still need ev_hysteresis_usd. */
    keep_hysteresis_usd: z.number().nonnegative().optional(),
    /** A resting quote younger than this is not moved to another price, only cancelled when it must go (0 = off). */
    min_quote_life_ms: nonNegInt.default(3_000),
    /** A resting quote tied at the best price with nothing ahead of it is not moved one tick better. */
    keep_front_of_queue: z.boolean().default(true),
    /** Bin hysteresis: a market already quoted keeps its bin unless another's candidate is better by this much EV. */
    bin_keep_usd: z.number().nonnegative().default(0.01),
    /**
     * Horizon of the fill-probability estimate (`fill_prob` in the ledger), seconds, capped by the time to the freeze:
     * about one quote life (the simulator's median is 3 s with the defaults above); longer horizons over-predict.
     */
    fill_prob_horizon_s: z.number().positive().default(5),
    /** Trades of the last this many seconds give a market's trade rate for `fill_prob`. */
    trade_rate_window_s: posInt.default(300),
  })
  .strict();

const RiskSchema = z
  .object({
    max_contracts_per_market: posInt.default(5),
    max_contracts_per_window: posInt.default(20),
    daily_loss_cap_usd: z.number().positive().default(50),
  })
  .strict();

const ModelSchema = z
  .object({
    dist: z.enum(['normal', 't']).default('normal'),
    t_dof: z.number().gt(2).default(5),
    /** Annualised volatility for the default σ curve when no calibration exists. */
    default_annual_vol: z.number().positive().default(0.18),
    /**
     * Floor on the **1-minute** σ in index points, applied as floor·√m (it shrinks to the target with σ,
     * so it never freezes the final seconds); guards against a degenerate calibration (stale bars → σ ≈ 0).
     */
    sigma_floor_1m_points: z.number().nonnegative().default(0.5),
    /**
     * Settlement-print noise (SPEC §5.2) in basis points of the index level: the conservative default
     * `residual_std` that `calibrate` writes when its bars carry too few official closes to fit it (× the
     * median target value; `--residual-std` overrides) and the one the default curve uses (× spot).
     * 1 bp ≈ 0.68 points on SPX 6800, 2.5 on NDX 25000 (real SPX sessions: ≈ 0.5 points rms).
     */
    residual_std_bp: z.number().nonnegative().max(10).default(DEFAULT_RESIDUAL_STD_BP),
    kappa_cap: z.number().min(1).max(1.8).default(1.8),
    /**
     * The adaptive σ (issue 19): condition σ(m) on the day's realised variance so far and the scheduled
     * events' fitted uplift, when the calibration carries a fitted `conditioning`. false = the calendar curve.
     */
    conditioning: z.boolean().default(true),
    calibration_stale_days: posInt.default(14),
  })
  .strict();

const KalshiSchema = z
  .object({
    read_tokens_per_s: posInt.default(200),
    write_tokens_per_s: posInt.default(100),
    write_bucket_seconds: z.number().positive().default(1),
    read_bucket_seconds: z.number().positive().default(2),
    /** REST: attempts per request (429 / 5xx / timeouts), backoff base and cap, per-request timeout. */
    rest_max_attempts: posInt.default(5),
    rest_backoff_base_ms: posInt.default(250),
    rest_backoff_max_ms: posInt.default(8000),
    rest_timeout_ms: posInt.default(10_000),
    /** WS: no ping or frame for this long = dead socket (the exchange pings every 10 s). */
    ws_idle_timeout_ms: posInt.default(25_000),
    ws_reconnect_base_ms: posInt.default(500),
    ws_reconnect_max_ms: posInt.default(30_000),
  })
  .strict();

export const IndexOpsSchema = z
  .object({
    windows: WindowsSchema.default(WindowsSchema.parse({})),
    freshness: FreshnessSchema.default(FreshnessSchema.parse({})),
    feeds: FeedsSchema.default(FeedsSchema.parse({})),
    quotes: QuotesSchema.default(QuotesSchema.parse({})),
    risk: RiskSchema.default(RiskSchema.parse({})),
    model: ModelSchema.default(ModelSchema.parse({})),
    kalshi: KalshiSchema.default(KalshiSchema.parse({})),
    preflight: z
      .object({ max_clock_drift_ms: posInt.default(1000), retry_interval_s: posInt.default(60) })
      .strict()
      .default({ max_clock_drift_ms: 1000, retry_interval_s: 60 }),
    housekeeping: z.object({ keep_days: nonNegInt.default(30) }).strict().default({ keep_days: 30 }),
  })
  .strict();

export type IndexOpsConfig = z.infer<typeof IndexOpsSchema>;

export const defaultIndexOps = (): IndexOpsConfig => IndexOpsSchema.parse({});
