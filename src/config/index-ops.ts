/**
 * `configs/index_ops.yaml` (SPEC §3): optional; every key has a built-in default. Unknown keys and bad
 * values are errors that name the key (`quotes.min_ev_usd: …`), never silent defaults.
 * Each section belongs to one part of the system; add keys to your own section only.
 */
import { Composer, isMap, isScalar, isSeq, LineCounter, Parser, type CST, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { assertDate, TimeParseError } from '../core/time/et.ts';
import { DEFAULT_RESIDUAL_STD_BP } from '../core/calibration/fit.ts';
import { readOptionalUserFile, UserFileError } from './user-file.ts';

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

/** A bad config file. The message is always one printable line, whatever bytes the file held. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string) {
    super(printable(message));
  }
}

/** Control characters, line breaks and lone surrogates escaped as `\uXXXX`: a message stays one line. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A key as written in a message: plain when it is a plain word, else quoted (and cut when very long). */
export function keyText(segment: PropertyKey): string {
  const s = String(typeof segment === 'symbol' ? segment.description : segment);
  if (/^[A-Za-z0-9_$@:+-]+$/.test(s) && s.length <= 60) return s;
  return JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s);
}

/**
 * Formats the first zod issue as `<file>: <dotted.key>: <message>` — `<file>:<line>:<column>: …` when `where`
 * can place the key in the file (a YAML document: see parseYamlConfig).
 */
export function describeZodIssue(file: string, error: z.ZodError, where?: YamlWhere): string {
  const issue = error.issues[0]!;
  const key = issue.path.length ? issue.path.map(keyText).join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const shown = issue.keys.slice(0, 3).map(keyText).join(', ') + (issue.keys.length > 3 ? ` (and ${issue.keys.length - 3} more)` : '');
    const at = where ? where([...issue.path, issue.keys[0]!], { atKey: true }) : file;
    return `${at}: ${key === '(root)' ? '' : key + '.'}${shown}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
  }
  return `${where ? where(issue.path) : file}: ${key}: ${issue.message}`;
}

export const defaultIndexOps = (): IndexOpsConfig => IndexOpsSchema.parse({});

/**
 * Where a key sits in a YAML config: `<file>:<line>:<column>` of its value (of the key itself for an unknown
 * key; of the nearest enclosing entry when the key is missing), or `<file>` alone when it cannot be placed.
 * Keys are a zod issue path or a dotted key (`windows.hourly_targets`, `closures.0.date`).
 */
export type YamlWhere = (key: readonly PropertyKey[] | string, o?: { atKey?: boolean }) => string;

/**
 * Parses a YAML config document and validates it against `schema`; every failure is a ConfigError that
 * names the file, the line and column, and the key (`configs/index_ops.yaml:3:15: quotes.min_ev_usd: …`).
 * The YAML core schema keeps bare dates (2026-12-28) as strings; tags of other schemas (`!!binary`, `!!set`,
 * `!!timestamp`) are not resolved, so a document only ever holds JSON values. A YAML warning (such as that
 * unknown tag, or an unknown directive) is an error too: the yaml library would otherwise print it to stderr
 * and go on with a guess. `where` places the keys of the document for checks made after parsing.
 */
export function parseYamlConfig<T extends z.ZodType>(text: string, file: string, schema: T): { data: z.infer<T>; where: YamlWhere } {
  const lines = new LineCounter();
  let doc: unknown;
  let where: YamlWhere = () => file;
  try {
    // parseDocument(), in its two phases, with a depth check in between: the lexer/parser is iterative,
    // but composing recurses once per nesting level, and a few KB of `[[[[…` exhaust the stack — where V8
    // may then abort the whole process (a regexp compiled near the stack limit fails as "out of memory")
    // instead of throwing. Config files are a few levels deep; anything past MAX_YAML_DEPTH is refused.
    const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
    if (cstDepth(tokens) > MAX_YAML_DEPTH) throw new Error(`nested deeper than ${MAX_YAML_DEPTH} levels`);
    const docs = Array.from(new Composer({ schema: 'core', resolveKnownTags: false, logLevel: 'error', uniqueKeys: true }).compose(tokens, true, text.length));
    if (docs.length > 1) throw Object.assign(new Error('more than one YAML document (---)'), { pos: docs[1]!.range });
    const d = docs[0]!;
    const problem = d.errors[0] ?? d.warnings[0];
    if (problem) throw problem;
    where = (key, o) => {
      const offset = offsetOf(d, typeof key === 'string' ? key.split('.') : key, o?.atKey ?? false);
      return offset === undefined ? file : `${file}:${position(lines, offset)}`;
    };
    doc = d.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const pos = (e as { pos?: unknown }).pos;
    const at = Array.isArray(pos) && typeof pos[0] === 'number' ? `${file}:${position(lines, pos[0])}` : file;
    throw new ConfigError(`${at}: not valid YAML: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
  const r = schema.safeParse(doc ?? {});
  if (!r.success) throw new ConfigError(describeZodIssue(file, r.error, where));
  return { data: r.data, where };
}

/** `parseYamlConfig` for callers that need only the validated value. */
export function parseYamlDocument<T extends z.ZodType>(text: string, file: string, schema: T): z.infer<T> {
  return parseYamlConfig(text, file, schema).data;
}

/** `line:column` (both from 1) of a character offset. */
function position(lines: LineCounter, offset: number): string {
  const p = lines.linePos(offset);
  return `${p.line}:${p.col}`;
}

/**
 * Offset of the value at `path` (of its key with `atKey`, or for an entry without a value), else of the
 * deepest entry found on the way.
 */
function offsetOf(doc: Document, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let at = (node as YamlNode | null)?.range?.[0];
  for (const [i, seg] of path.entries()) {
    let next: unknown;
    let keyAt: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      keyAt = (pair.key as YamlNode | null)?.range?.[0];
      next = pair.value;
    } else if (isSeq(node)) {
      next = node.items[Number(seg)];
    } else break;
    const nextAt = (next as YamlNode | null)?.range?.[0];
    at = (atKey && i === path.length - 1 ? keyAt : undefined) ?? nextAt ?? keyAt ?? at;
    node = next;
    if (nextAt === undefined) break;
  }
  return at;
}

const MAX_YAML_DEPTH = 64;

/** Deepest collection nesting of a YAML CST, walked with an explicit stack (never recursion). */
function cstDepth(tokens: readonly CST.Token[]): number {
  let max = 0;
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [t, d] = stack.pop()!;
    if (t.type === 'document') {
      if (t.value) stack.push([t.value, d]);
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      const depth = d + 1;
      if (depth > max) max = depth;
      if (max > MAX_YAML_DEPTH) return max;
      for (const it of t.items) {
        if (it.key) stack.push([it.key, depth]);
        if (it.value) stack.push([it.value, depth]);
      }
    }
  }
  return max;
}

/** The first line of a message, without trailing punctuation noise. */
const oneLine = (message: string): string => message.split(/\r?\n/, 1)[0]!.trim();

export function parseIndexOps(text: string, file = 'configs/index_ops.yaml'): IndexOpsConfig {
  const { data: cfg, where } = parseYamlConfig(text, file, IndexOpsSchema);
  validateCrossFields(cfg, where);
  return cfg;
}

/**
 * The same schema and cross-field checks for a value that is not a file (`replay --set`, a recording's
 * configuration): errors name `label` and the key, with no line or column to give.
 */
export function indexOpsFromValue(value: unknown, label: string): IndexOpsConfig {
  const r = IndexOpsSchema.safeParse(value ?? {});
  if (!r.success) throw new ConfigError(describeZodIssue(label, r.error));
  validateCrossFields(r.data, () => label);
  return r.data;
}

function validateCrossFields(c: IndexOpsConfig, where: YamlWhere): void {
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${where(key)}: ${key}: ${message}`);
  };
  if (c.freshness.strict_ms > c.freshness.soft_ms) {
    fail('freshness.strict_ms', `must not exceed freshness.soft_ms (${c.freshness.soft_ms})`);
  }
  const w = windowsProblem(c.windows);
  if (w) fail(w.key, w.message);
  if (c.quotes.ev_hysteresis_usd > c.quotes.min_ev_usd) {
    // A resting quote is kept down to min_ev − hysteresis: past zero it would keep a losing quote.
    fail('quotes.ev_hysteresis_usd', `must not exceed quotes.min_ev_usd (${c.quotes.min_ev_usd})`);
  }
  if (c.quotes.keep_hysteresis_usd !== undefined && c.quotes.keep_hysteresis_usd > c.quotes.min_ev_usd) {
    // The keep floor is min_ev + margin − this: past min_ev it could keep a quote whose EV went negative.
    fail('quotes.keep_hysteresis_usd', `must not exceed quotes.min_ev_usd (${c.quotes.min_ev_usd})`);
  }
  if (c.kalshi.rest_backoff_base_ms > c.kalshi.rest_backoff_max_ms) {
    fail('kalshi.rest_backoff_base_ms', `must not exceed kalshi.rest_backoff_max_ms (${c.kalshi.rest_backoff_max_ms})`);
  }
  if (c.kalshi.ws_reconnect_base_ms > c.kalshi.ws_reconnect_max_ms) {
    fail('kalshi.ws_reconnect_base_ms', `must not exceed kalshi.ws_reconnect_max_ms (${c.kalshi.ws_reconnect_max_ms})`);
  }
}

// ---- windows section: the day's windows must fit cash hours and never overlap (SPEC §4) ----

/** Cash session of the index (ET, minutes after midnight). */
const OPEN_MIN = 9 * 60 + 30;
const REGULAR_CLOSE_MIN = 16 * 60;
/** NYSE early closes are at 13:00; `configs/calendar.yaml` may announce others (checked there). */
const EARLY_CLOSE_MIN = 13 * 60;
/** Kalshi's hourly events settle on the hour, H1000 … H1500 (H1600 belongs to the close window). */
const FIRST_HOURLY_MIN = 10 * 60;
const LAST_HOURLY_MIN = 15 * 60;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clock = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
/** `at 09:15` for a start on the same day, else `before midnight`. */
const at = (min: number): string => (min >= 0 ? `at ${clock(min)}` : 'before midnight');

export interface WindowsProblem {
  /** Dotted key in configs/index_ops.yaml. */
  key: string;
  message: string;
}

type WindowsSection = IndexOpsConfig['windows'];

/**
 * What is wrong with a `windows` section, or undefined. Hourly targets: distinct, on the hour, within
 * 10:00…15:00, each window starting strictly after the 09:30 open; windows of one day (the close window
 * included) must not overlap, on a regular day and on a 13:00 early close; the strict time lies strictly
 * inside every window (after its start).
 */
export function windowsProblem(w: WindowsSection): WindowsProblem | undefined {
  const seen = new Set<string>();
  for (const t of w.hourly_targets) {
    if (seen.has(t)) return { key: 'windows.hourly_targets', message: `${t} is listed twice` };
    seen.add(t);
    const m = minutesOf(t);
    if (m < FIRST_HOURLY_MIN || m > LAST_HOURLY_MIN) {
      return {
        key: 'windows.hourly_targets',
        message: `${t} is outside cash hours: hourly targets lie in 10:00…15:00 (after the 09:30 open plus the start offset, before the 16:00 close)`,
      };
    }
    if (m % 60 !== 0) return { key: 'windows.hourly_targets', message: `${t} is not on the hour (hourly events settle at HH:00)` };
  }
  const lastEarly = minutesOf(w.early_close_last_hourly);
  if (lastEarly < FIRST_HOURLY_MIN || lastEarly >= EARLY_CLOSE_MIN) {
    return {
      key: 'windows.early_close_last_hourly',
      message: `${w.early_close_last_hourly} is outside 10:00…12:59 (the last hourly target of an early-close day comes before its 13:00 close)`,
    };
  }
  if (w.freeze_offset_seconds >= w.strict_offset_seconds) {
    return { key: 'windows.freeze_offset_seconds', message: 'must be less than windows.strict_offset_seconds' };
  }
  if (w.strict_offset_seconds >= w.hourly_start_offset_minutes * 60) {
    return {
      key: 'windows.strict_offset_seconds',
      message: `${w.strict_offset_seconds} s must be inside the window: less than windows.hourly_start_offset_minutes (${w.hourly_start_offset_minutes} min)`,
    };
  }
  if (w.close_start_offset_minutes * 60 <= w.strict_offset_seconds) {
    return {
      key: 'windows.close_start_offset_minutes',
      message: `${w.close_start_offset_minutes} min must be longer than windows.strict_offset_seconds (${w.strict_offset_seconds} s): the close window would start at or after its strict time`,
    };
  }
  return windowsLayoutProblem(w, REGULAR_CLOSE_MIN, null) ?? windowsLayoutProblem(w, EARLY_CLOSE_MIN, lastEarly);
}

/**
 * The day's windows (as `windowsForDay` lays them out) for a session closing at `closeEt`: every window
 * starts strictly after the open and at or after the previous window's target. `lastHourly` is the
 * early-close cut-off (`windows.early_close_last_hourly`), null on a regular day.
 */
export function windowsLayoutProblem(w: WindowsSection, closeMin: number, lastHourlyMin: number | null): WindowsProblem | undefined {
  const targets = w.hourly_targets
    .map(minutesOf)
    .filter((t) => t < closeMin && (lastHourlyMin === null || t <= lastHourlyMin))
    .sort((a, b) => a - b);
  const ho = w.hourly_start_offset_minutes;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const start = t - ho;
    if (start <= OPEN_MIN) {
      return {
        key: 'windows.hourly_start_offset_minutes',
        message: `${ho} would start the ${clock(t)} window ${at(start)}, not after the 09:30 open`,
      };
    }
    const prev = targets[i - 1];
    if (prev !== undefined && start < prev) {
      return {
        key: 'windows.hourly_start_offset_minutes',
        message: `${ho} is longer than the ${t - prev}-minute gap between the ${clock(prev)} and ${clock(t)} targets (windows of one day must not overlap)`,
      };
    }
  }
  const co = w.close_start_offset_minutes;
  const start = closeMin - co;
  const label = `close-${clock(closeMin).replace(':', '')}`;
  const early = lastHourlyMin !== null ? ' on an early-close day' : '';
  if (start <= OPEN_MIN) {
    return { key: 'windows.close_start_offset_minutes', message: `${co} would start the ${label} window${early} ${at(start)}, not after the 09:30 open` };
  }
  const last = targets[targets.length - 1];
  if (last !== undefined && start < last) {
    return {
      key: 'windows.close_start_offset_minutes',
      message: `${co} would start the ${label} window${early} at ${clock(start)}, before the ${clock(last)} hourly target (windows of one day must not overlap)`,
    };
  }
  return undefined;
}

/**
 * Checks an announced early close (`configs/calendar.yaml`) against the windows section: its windows must
 * fit and not overlap either. Returns the problem in words, or undefined.
 */
export function earlyCloseProblem(w: WindowsSection, closeEt: string): string | undefined {
  const p = windowsLayoutProblem(w, minutesOf(closeEt), minutesOf(w.early_close_last_hourly));
  return p ? `an early close at ${closeEt} does not fit configs/index_ops.yaml ${p.key}: ${p.message}` : undefined;
}

/** The text of an optional config file (undefined when absent); a directory or unreadable file is a ConfigError. */
export function readConfigFile(file: string, displayName: string): string | undefined {
  try {
    return readOptionalUserFile(file, displayName);
  } catch (e) {
    if (e instanceof UserFileError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Reads the file if present, else built-in defaults. */
export function loadIndexOps(file: string, displayName = 'configs/index_ops.yaml'): IndexOpsConfig {
  const text = readConfigFile(file, displayName);
  return text === undefined ? defaultIndexOps() : parseIndexOps(text, displayName);
}
