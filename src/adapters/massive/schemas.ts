/**
 * zod schemas for everything the Massive (ex-Polygon) indices feed sends us (reference polygon_massive.md
 * §1–§2), held against Massive's official definitions: the websocket spec `.massive/websocket.json` of
 * massive-com/client-python (no field of an indices event is required there) and the REST OpenAPI
 * `src/openapi.json` of massive-com/client-js (a snapshot row requires only `ticker`; nothing in the market
 * status is required). We accept every shape those allow and require only what we cannot work without:
 * a V tick needs `T` and `val`, a bar `sym` and `c`; a missing timestamp means "as of receipt".
 * Unknown fields are ignored.
 */
import { z } from 'zod';

/** Index tickers: `I:` prefix, case-sensitive (`^(I:[a-zA-Z0-9]+)$` in the vendor WS spec). */
export const INDEX_TICKER_RE = /^I:[A-Za-z0-9]+$/;
/** Plain decimal text, for values that a JS SDK types as strings (`val`). */
export const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/**
 * Timestamps are documented as epoch ms, but some vendor pages say seconds and REST uses ns: accept a
 * number in a plausible band of one unit (years ~2001–2286) and convert to ms; anything else is invalid.
 */
export function normalizeEpochMs(x: number): number | undefined {
  if (!Number.isFinite(x) || x <= 0) return undefined;
  if (x >= 1e12 && x < 1e13) return Math.round(x); // ms
  if (x >= 1e9 && x < 1e10) return Math.round(x * 1e3); // s
  if (x >= 1e15 && x < 1e16) return Math.round(x / 1e3); // µs
  if (x >= 1e18 && x < 1e19) return Math.round(x / 1e6); // ns
  return undefined;
}

/** A positive finite number, given as a JSON number or as decimal text. */
export const PositiveNumeric = z
  .union([z.number(), z.string().regex(DECIMAL_RE).transform(Number)])
  .refine((n) => Number.isFinite(n) && n > 0, { message: 'must be a positive finite number' });

/** An epoch timestamp (number or digit text) in a plausible unit band, normalised to ms. */
export const EpochMs = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).transform((x, ctx) => {
  const ms = normalizeEpochMs(x);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `timestamp ${x} is not a plausible epoch (s/ms/µs/ns)` });
    return z.NEVER;
  }
  return ms;
});

export const IndexTicker = z.string().regex(INDEX_TICKER_RE);

/** `{"ev":"status","status":"connected"|"auth_success"|…,"message":"…"}`; both fields optional in the spec. */
export const StatusEventSchema = z.object({
  ev: z.literal('status'),
  status: z.string().optional(),
  message: z.string().optional(),
});

/** Index value tick: `{"ev":"V","val":3988.5,"T":"I:SPX","t":1678220098130}` (`val` may be text; no `t` = receipt time). */
export const ValueEventSchema = z.object({
  ev: z.literal('V'),
  T: IndexTicker,
  val: PositiveNumeric,
  t: EpochMs.optional(),
});

/** Per-second (`A`) / per-minute (`AM`) aggregate; no volume for indices. Only `sym` and `c` are used. */
export const AggregateEventSchema = z.object({
  ev: z.enum(['A', 'AM']),
  sym: IndexTicker,
  op: PositiveNumeric.optional(),
  o: PositiveNumeric.optional(),
  h: PositiveNumeric.optional(),
  l: PositiveNumeric.optional(),
  c: PositiveNumeric,
  s: EpochMs.optional(),
  e: EpochMs.optional(),
});

export const ServerEventSchema = z.discriminatedUnion('ev', [StatusEventSchema, ValueEventSchema, AggregateEventSchema]);

export type StatusEvent = z.infer<typeof StatusEventSchema>;
export type ValueEvent = z.infer<typeof ValueEventSchema>;
export type AggregateEvent = z.infer<typeof AggregateEventSchema>;
export type ServerEvent = z.infer<typeof ServerEventSchema>;

/** Server frames are JSON arrays of events (status and data may share one frame). */
export const FrameSchema = z.array(z.unknown());

/** Status values we act on (reference §1.2): connect, auth, subscribe and disconnect enums. */
export const STATUS = {
  connected: 'connected',
  success: 'success',
  authSuccess: 'auth_success',
  authFailed: 'auth_failed',
  authTimeout: 'auth_timeout',
  authRequired: 'auth_required',
  error: 'error',
  maxConnections: 'max_connections',
  forceDisconnect: 'force_disconnect',
  slowConsumer: 'slow_consumer',
} as const;

// ---------------------------------------------------------------------------------------------------
// REST (reference §2)

/**
 * One row of `GET /v3/snapshot/indices` (only `ticker` is required by the spec): a value (with or without
 * `last_updated`), a per-ticker error inside a 200 response, or a bare ticker. The fields we do not use
 * are not checked.
 */
export const SnapshotValueRowSchema = z.object({
  ticker: z.string().min(1),
  value: PositiveNumeric,
  /** Nanoseconds (normalised to ms by EpochMs' magnitude guard); absent = as of receipt. */
  last_updated: EpochMs.optional(),
});
/** A row that carries neither a value nor an error (valid per the spec, nothing to use). */
export const SnapshotBareRowSchema = z.object({ ticker: z.string().min(1) });

export const SnapshotErrorRowSchema = z.object({
  ticker: z.string().min(1),
  error: z.string().min(1),
  message: z.string().optional(),
});

export const SnapshotResponseSchema = z.object({
  status: z.string(),
  request_id: z.string().nullish(),
  next_url: z.string().nullish(),
  results: z.array(z.unknown()).nullish().transform((r) => r ?? []),
});

/** RFC 3339 with an offset, as Massive prints `serverTime` (`2020-11-10T17:37:37-05:00`). */
export const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A `{name: state}` group (exchanges, currencies, indicesGroups); values we cannot read are dropped. */
const StateGroup = z
  .record(z.string(), z.unknown())
  .transform((r) => Object.fromEntries(Object.entries(r).filter((e): e is [string, string] => typeof e[1] === 'string')));

/**
 * `GET /v1/marketstatus/now`: no field is required by the spec (`indicesGroups` is absent from older
 * responses; `earlyHours`/`afterHours` are Go `*bool`, so they may be null).
 */
export const MarketStatusSchema = z.object({
  market: z.string().optional(),
  serverTime: z.string().optional(),
  earlyHours: z.boolean().nullish(),
  afterHours: z.boolean().nullish(),
  exchanges: StateGroup.optional(),
  currencies: StateGroup.optional(),
  indicesGroups: StateGroup.optional(),
});

export type MarketStatusBody = z.infer<typeof MarketStatusSchema>;

/** `GET /v2/aggs/ticker/{ticker}/range/...` for indices: `{o,h,l,c,t}` bars, `t` = window start ms. */
export const AggBarSchema = z.object({
  o: z.number().finite(),
  h: z.number().finite(),
  l: z.number().finite(),
  c: z.number().finite(),
  t: EpochMs,
});

export const AggsResponseSchema = z.object({
  ticker: z.string().optional(),
  status: z.string(),
  queryCount: z.number().optional(),
  resultsCount: z.number().optional(),
  request_id: z.string().optional(),
  results: z.array(AggBarSchema).nullish().transform((r) => r ?? []),
});

/** An error body: `{status: "ERROR", request_id, error}` or `{status, message}` (we keep these fields only). */
export const ErrorBodySchema = z.object({
  status: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  request_id: z.string().optional(),
});

export type AggBar = z.infer<typeof AggBarSchema>;
