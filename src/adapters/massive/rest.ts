/**
 * Massive (ex-Polygon) REST for indices (reference polygon_massive.md §2): snapshot, market status and
 * aggregates. The key travels in `Authorization: Bearer …` only (never in URLs, logs or errors). Every body
 * is validated with zod.
 *
 * The request timeout is a deadline on a real socket, so it runs in real time (AbortSignal.timeout): on a
 * virtual clock at `--speed N` a clock-based 5 s timeout would be 5/N real seconds and abort healthy
 * loopback calls. Everything that schedules work (poll cadence, backoff) stays on the injected Clock.
 */
import type { Clock } from '../../ports/clock.ts';
import type { FrameTap, TapSource } from '../../ports/frame-tap.ts';
import { redact, safeDetail } from './log.ts';
import {
  AggsResponseSchema,
  ErrorBodySchema,
  MarketStatusSchema,
  RFC3339_RE,
  SnapshotBareRowSchema,
  SnapshotErrorRowSchema,
  SnapshotResponseSchema,
  SnapshotValueRowSchema,
  type AggBar,
  type MarketStatusBody,
} from './schemas.ts';
import type { z } from 'zod';

export class MassiveHttpError extends Error {
  override name = 'MassiveHttpError';
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached (network error or timeout). */
    readonly status: number,
    /** Server-requested wait (Retry-After), if any. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Worth retrying later: unreachable, 429, 5xx. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface MassiveRestOptions {
  baseUrl: string;
  apiKey: string;
  /** Accepted for symmetry with the other adapters; request deadlines are real time (see above). */
  clock?: Clock;
  /** Real-time deadline per request (default 5000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Told every answer (status and body, or status 0 for none) under `tapSource`, with its receipt time on `clock` (`--record`). */
  tap?: FrameTap;
  tapSource?: TapSource;
}

export interface SnapshotValue {
  ticker: string;
  value: number;
  /** `last_updated` (ns on the wire) normalised to epoch ms; absent when the row has none (use receipt time). */
  lastUpdatedMs?: number;
}

export interface SnapshotRowError {
  ticker: string;
  error: string;
  message?: string;
}

export interface IndexSnapshot {
  values: SnapshotValue[];
  /** Per-ticker errors inside a 200 response (`NOT_FOUND`, `NOT_ENTITLED`). */
  errors: SnapshotRowError[];
  /** Rows that carry only a ticker (valid, nothing to use). */
  empty: number;
  /** Rows matching no documented shape. */
  malformed: number;
}

export interface MarketStatus extends MarketStatusBody {
  /** `serverTime` as epoch ms (clock-drift checks); absent when the server sent none or an unreadable one. */
  serverTimeMs?: number;
}

/** Rows of a validated snapshot body → values, per-ticker errors, bare and malformed counts. Never throws. */
export function classifySnapshotRows(results: readonly unknown[]): IndexSnapshot {
  const out: IndexSnapshot = { values: [], errors: [], empty: 0, malformed: 0 };
  for (const row of results) {
    const err = SnapshotErrorRowSchema.safeParse(row);
    if (err.success) {
      out.errors.push(err.data.message !== undefined ? { ticker: err.data.ticker, error: err.data.error, message: err.data.message } : { ticker: err.data.ticker, error: err.data.error });
      continue;
    }
    const v = SnapshotValueRowSchema.safeParse(row);
    if (v.success) {
      out.values.push(v.data.last_updated !== undefined ? { ticker: v.data.ticker, value: v.data.value, lastUpdatedMs: v.data.last_updated } : { ticker: v.data.ticker, value: v.data.value });
      continue;
    }
    const bare = SnapshotBareRowSchema.safeParse(row);
    // A row with a `value` or `last_updated` we cannot read is malformed, not bare.
    const r = row as { value?: unknown; last_updated?: unknown } | null;
    if (bare.success && (r?.value === undefined || r.value === null) && (r?.last_updated === undefined || r.last_updated === null)) out.empty++;
    else out.malformed++;
  }
  return out;
}

/** A validated market-status body with `serverTime` read when it is RFC 3339 with an offset. */
export function toMarketStatus(body: MarketStatusBody): MarketStatus {
  const ms = body.serverTime !== undefined && RFC3339_RE.test(body.serverTime) ? Date.parse(body.serverTime) : NaN;
  return Number.isFinite(ms) ? { ...body, serverTimeMs: ms } : { ...body };
}

/**
 * One HTTP answer → the validated body, or a MassiveHttpError that names the endpoint and carries only the
 * error body's `status` / `error` / `message` / `request_id` (capped, key masked) — never the raw body.
 * Pure; never throws anything else.
 */
export function decodeMassiveResponse<S extends z.ZodType>(
  label: string,
  status: number,
  text: string,
  schema: S,
  secret: string | undefined,
  retryAfterMs?: number,
): z.infer<S> {
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (status < 200 || status >= 300) {
    const body = isJson ? ErrorBodySchema.safeParse(json) : undefined;
    const parts = body?.success ? [body.data.status, body.data.error ?? body.data.message, body.data.request_id && `request_id=${body.data.request_id}`].filter(Boolean) : [];
    const detail = parts.length ? `: ${safeDetail(parts.join(' '), secret)}` : '';
    throw new MassiveHttpError(`Massive REST ${label} answered HTTP ${status}${detail}`, status, retryAfterMs);
  }
  if (!isJson) throw new MassiveHttpError(`Massive REST ${label}: response is not JSON`, status);
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue ? issue.path.slice(0, 8).map((p) => safeDetail(String(p), secret, 40)).join('.') || '(root)' : '(root)';
    throw new MassiveHttpError(`Massive REST ${label}: unexpected response shape at ${at}: ${safeDetail(issue?.message ?? 'invalid', secret, 120)}`, status);
  }
  return r.data;
}

export type AggTimespan = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

export class MassiveRestClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly o: MassiveRestOptions) {
    if (!o.apiKey) throw new Error('MassiveRestClient: an API key is required (POLYGON_API_KEY or MASSIVE_API_KEY)');
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.fetchFn = o.fetch ?? fetch;
    this.timeoutMs = o.timeoutMs ?? 5000;
  }

  /** `GET /v3/snapshot/indices?ticker.any_of=…` */
  async getIndexSnapshot(tickers: readonly string[]): Promise<IndexSnapshot> {
    const q = new URLSearchParams({ 'ticker.any_of': tickers.join(','), limit: String(Math.min(250, Math.max(10, tickers.length))) });
    const body = await this.getJson(`/v3/snapshot/indices?${q}`, SnapshotResponseSchema);
    return classifySnapshotRows(body.results);
  }

  /** `GET /v1/marketstatus/now` (preflight: reachability and clock drift from `serverTime`). */
  async getMarketStatus(): Promise<MarketStatus> {
    return toMarketStatus(await this.getJson('/v1/marketstatus/now', MarketStatusSchema));
  }

  /** `GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}`; `from`/`to` are dates or ms. */
  async getIndexAggregates(
    ticker: string,
    multiplier: number,
    timespan: AggTimespan,
    from: string | number,
    to: string | number,
    opts: { limit?: number; sort?: 'asc' | 'desc' } = {},
  ): Promise<AggBar[]> {
    const q = new URLSearchParams({ sort: opts.sort ?? 'asc', limit: String(opts.limit ?? 50_000) });
    const path = `/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/${multiplier}/${timespan}/${from}/${to}?${q}`;
    const body = await this.getJson(path, AggsResponseSchema);
    return body.results;
  }

  private async getJson<S extends z.ZodType>(pathAndQuery: string, schema: S): Promise<z.infer<S>> {
    const label = pathAndQuery.split('?')[0]!;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.base + pathAndQuery, {
        headers: { authorization: `Bearer ${this.o.apiKey}`, accept: 'application/json' },
        signal,
      });
      text = await res.text();
      if (this.o.tap && this.o.clock) this.o.tap.http(this.o.tapSource ?? 'massive-rest', 'GET', pathAndQuery, res.status, text, this.o.clock.now());
    } catch (e) {
      if (this.o.tap && this.o.clock) this.o.tap.http(this.o.tapSource ?? 'massive-rest', 'GET', pathAndQuery, 0, '', this.o.clock.now());
      const why = signal.aborted ? `timed out after ${this.timeoutMs} ms` : safeDetail(redact(errorText(e), this.o.apiKey), this.o.apiKey);
      throw new MassiveHttpError(`Massive REST ${label} unreachable: ${why}`, 0);
    }
    const retryAfter = res.ok ? undefined : parseRetryAfter(res.headers.get('retry-after'));
    return decodeMassiveResponse(label, res.status, text, schema, this.o.apiKey, retryAfter);
  }
}

function errorText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ');
}

/** Retry-After as seconds (the usual form) or an HTTP date is not supported: we only honour seconds. */
function parseRetryAfter(v: string | null): number | undefined {
  if (v === null || !/^\d+(\.\d+)?$/.test(v.trim())) return undefined;
  return Math.round(Number(v) * 1000);
}

export type MassiveProbe =
  | {
      ok: true;
      status: MarketStatus;
      /**
       * Smallest |local − server| consistent with the reading: `serverTime` usually has whole seconds, so the
       * server's true time lies in [serverTime, serverTime + resolution); 0 when the local clock is inside.
       */
      driftMs: number;
      /** local midpoint of the request − serverTime, signed, without the resolution allowance. */
      rawDriftMs: number;
      resolutionMs: number;
    }
  | {
      ok: true;
      status: MarketStatus;
      /** The server sent no readable `serverTime`: reachable, drift unknown. */
      driftMs: undefined;
      rawDriftMs: undefined;
      resolutionMs: undefined;
    }
  | { ok: false; reason: 'polygon_unreachable'; detail: string };

/** Preflight helper (SPEC §6.2): market status reachability plus clock drift against `serverTime`. */
export async function probeMassive(client: MassiveRestClient, clock: Clock): Promise<MassiveProbe> {
  const t0 = clock.now();
  let status: MarketStatus;
  try {
    status = await client.getMarketStatus();
  } catch (e) {
    return { ok: false, reason: 'polygon_unreachable', detail: (e as Error).message };
  }
  const local = Math.round((t0 + clock.now()) / 2);
  if (status.serverTimeMs === undefined || status.serverTime === undefined) return { ok: true, status, driftMs: undefined, rawDriftMs: undefined, resolutionMs: undefined };
  const resolutionMs = /\.\d+/.test(status.serverTime) ? 1 : 1000;
  const lo = status.serverTimeMs;
  const hi = status.serverTimeMs + resolutionMs - 1;
  const driftMs = local < lo ? lo - local : local > hi ? local - hi : 0;
  return { ok: true, status, driftMs, rawDriftMs: local - status.serverTimeMs, resolutionMs };
}
