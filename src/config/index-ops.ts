/**
 * `configs/index_ops.yaml` (SPEC §3): optional; every key has a built-in default. Unknown keys and bad
 * values are errors that name the key (`quotes.min_ev_usd: …`), never silent defaults.
 * Each section belongs to one part of the system; add keys to your own section only.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { assertDate, TimeParseError } from '../core/time/et.ts';

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
    sigma_floor_points: z.number().nonnegative().default(0.5),
    kappa_cap: z.number().min(1).max(1.8).default(1.8),
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

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Formats the first zod issue as `<file>: <dotted.key>: <message>`. */
export function describeZodIssue(file: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const key = issue.path.length ? issue.path.join('.') : '(root)';
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    return `${file}: ${key === '(root)' ? '' : key + '.'}${issue.keys.join(', ')}: unknown key`;
  }
  return `${file}: ${key}: ${message}`;
}

export const defaultIndexOps = (): IndexOpsConfig => IndexOpsSchema.parse({});

/**
 * Parses a YAML config document and validates it against `schema`; every failure is a ConfigError that
 * names the file and the key. The YAML core schema keeps bare dates (2026-12-28) as strings.
 */
export function parseYamlDocument<T extends z.ZodType>(text: string, file: string, schema: T): z.infer<T> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: 'core' });
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = schema.safeParse(doc ?? {});
  if (!r.success) throw new ConfigError(describeZodIssue(file, r.error));
  return r.data;
}

export function parseIndexOps(text: string, file = 'configs/index_ops.yaml'): IndexOpsConfig {
  const cfg = parseYamlDocument(text, file, IndexOpsSchema);
  validateCrossFields(cfg, file);
  return cfg;
}

function validateCrossFields(c: IndexOpsConfig, file: string): void {
  if (c.freshness.strict_ms > c.freshness.soft_ms) {
    throw new ConfigError(`${file}: freshness.strict_ms: must not exceed freshness.soft_ms (${c.freshness.soft_ms})`);
  }
  if (c.windows.freeze_offset_seconds >= c.windows.strict_offset_seconds) {
    throw new ConfigError(`${file}: windows.freeze_offset_seconds: must be less than windows.strict_offset_seconds`);
  }
  if (c.windows.strict_offset_seconds >= c.windows.hourly_start_offset_minutes * 60) {
    throw new ConfigError(`${file}: windows.strict_offset_seconds: must be inside the window (start offset)`);
  }
}

/** Reads the file if present, else built-in defaults. */
export function loadIndexOps(file: string, displayName = 'configs/index_ops.yaml'): IndexOpsConfig {
  if (!fs.existsSync(file)) return defaultIndexOps();
  return parseIndexOps(fs.readFileSync(file, 'utf8'), displayName);
}
