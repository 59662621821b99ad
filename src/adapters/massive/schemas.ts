/**
 * zod schemas for everything the Massive (ex-Polygon) indices feed sends us (reference polygon_massive.md
 * §1–§2). These are the boundary contract; `decoder.ts` runs a hand-written fast path that enforces exactly
 * the same rules (tested for agreement against these schemas) and falls back to them for error detail.
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

/** `{"ev":"status","status":"connected"|"auth_success"|…,"message":"…"}` */
export const StatusEventSchema = z.object({
  ev: z.literal('status'),
  status: z.string().min(1),
  message: z.string().optional(),
});

/** Index value tick: `{"ev":"V","val":3988.5,"T":"I:SPX","t":1678220098130}` (`val` may be text). */
export const ValueEventSchema = z.object({
  ev: z.literal('V'),
  T: IndexTicker,
  val: PositiveNumeric,
  t: EpochMs,
});

/** Per-second (`A`) / per-minute (`AM`) aggregate; no volume for indices. */
export const AggregateEventSchema = z.object({
  ev: z.enum(['A', 'AM']),
  sym: IndexTicker,
  op: PositiveNumeric.optional(),
  o: PositiveNumeric,
  h: PositiveNumeric,
  l: PositiveNumeric,
  c: PositiveNumeric,
  s: EpochMs,
  e: EpochMs,
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

/** One row of `GET /v3/snapshot/indices`: a value, or a per-ticker error inside a 200 response. */
export const SnapshotValueRowSchema = z.object({
  ticker: z.string().min(1),
  value: PositiveNumeric,
  /** Nanoseconds (normalised to ms by EpochMs' magnitude guard). */
  last_updated: EpochMs,
  name: z.string().optional(),
  type: z.string().optional(),
  market_status: z.string().optional(),
  timeframe: z.string().optional(),
  session: z.record(z.string(), z.unknown()).optional(),
});

export const SnapshotErrorRowSchema = z.object({
  ticker: z.string().min(1),
  error: z.string().min(1),
  message: z.string().optional(),
});

export const SnapshotResponseSchema = z.object({
  status: z.string(),
  request_id: z.string().optional(),
  next_url: z.string().optional(),
  results: z.array(z.unknown()).default([]),
});

/** `GET /v1/marketstatus/now`; `indicesGroups` is absent from older responses. */
export const MarketStatusSchema = z.object({
  market: z.string().min(1),
  serverTime: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'expected RFC 3339 with offset'),
  earlyHours: z.boolean().optional(),
  afterHours: z.boolean().optional(),
  exchanges: z.record(z.string(), z.string()).optional(),
  currencies: z.record(z.string(), z.string()).optional(),
  indicesGroups: z.record(z.string(), z.string()).optional(),
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
  results: z.array(AggBarSchema).default([]),
});

export type AggBar = z.infer<typeof AggBarSchema>;
