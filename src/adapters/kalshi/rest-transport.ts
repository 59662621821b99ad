/**
 * The plumbing of the Kalshi REST client (reference §3): signed requests, client-side token buckets,
 * exponential backoff with jitter on 429 / 5xx / transport errors (bounded, clock-driven), a timeout per
 * attempt, cursor pagination, and the one decoder every answer goes through. The endpoints are
 * rest-client.ts's (`KalshiRestClient` extends this).
 *
 * Every body goes through `decodeKalshiResponse`: a 2xx body that does not match the documented shape is a
 * `KalshiProtocolError` (counted per endpoint in `stats` and logged with the reason); an error status is a
 * `KalshiApiError` with the exchange's `code` and a sanitised, capped `message` — never the raw body.
 */
import type { z } from 'zod';
import type { Clock } from '../../ports/clock.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import type { FrameTap } from '../../ports/frame-tap.ts';
import type { KalshiSigner } from './auth.ts';
import { describeIssue, KalshiApiError, KalshiProtocolError, KalshiTransportError, safeText } from './errors.ts';
import { TOKEN_COST, type BucketName, type KalshiRateLimiter } from './rate-limiter.ts';
import * as S from './schemas.ts';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

export interface KalshiRestOptions {
  /** e.g. `https://external-api.kalshi.com/trade-api/v2` (no trailing slash needed). */
  baseUrl: string;
  clock: Clock;
  /** Needed for portfolio endpoints; market data is signed too when present. */
  signer?: KalshiSigner;
  limiter?: KalshiRateLimiter;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Jitter source in [0,1); injectable for tests. */
  random?: () => number;
  fetchImpl?: typeof fetch;
  /** Called before each retry (metrics, tests); never receives secrets. Every retry is also logged. */
  onRetry?: (info: { method: string; path: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Retries, rejected bodies and failures are logged here (default: silent). */
  logger?: Logger;
  /** Told every answer (status and body, or status 0 for none) with its receipt time (`--record`). */
  tap?: FrameTap;
}

export interface KalshiRestStats {
  requests: number;
  retries: number;
  /** Error statuses received (each attempt). */
  apiErrors: number;
  /** Attempts that got no answer. */
  transportErrors: number;
  /** 2xx bodies that did not match the documented shape. */
  rejectedBodies: number;
  /** The same, per endpoint (`GET /markets/{ticker}`). */
  rejectedByEndpoint: Record<string, number>;
}

export type Query = Record<string, string | number | boolean | string[] | undefined>;

/**
 * `always`: safe to resend (reads, cancels, creates carrying a client_order_id);
 * `rate-limit-only`: resend only on 429, which guarantees the request was not executed (amend, decrease).
 */
export type RetryMode = 'always' | 'rate-limit-only';

export interface RequestSpec<T extends z.ZodType> {
  /** Endpoint template for stats and logs (`/markets/{ticker}`); default: the path. */
  label?: string;
  query?: Query;
  body?: unknown;
  schema: T;
  bucket?: BucketName;
  cost?: number;
  retry?: RetryMode;
  /** Paths needing a key fail fast without one. */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}

export class KalshiRestTransport {
  readonly stats: KalshiRestStats = { requests: 0, retries: 0, apiErrors: 0, transportErrors: 0, rejectedBodies: 0, rejectedByEndpoint: {} };
  private readonly log: Logger;
  private readonly base: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(protected readonly o: KalshiRestOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.random = o.random ?? Math.random;
    this.fetchImpl = o.fetchImpl ?? fetch;
    this.log = o.logger ?? silentLogger;
  }

  /** Every page, following the cursor; a repeated cursor or too many pages is a protocol error. */
  protected async collect<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = 10_000): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(cursor);
      out.push(...page.items);
      if (!page.cursor) return out;
      // A server that hands back a cursor it already gave us would loop forever.
      if (seen.has(page.cursor)) throw new KalshiProtocolError(`pagination cursor repeated: ${safeText(page.cursor, [], 64)}`);
      seen.add(page.cursor);
      cursor = page.cursor;
    }
    throw new KalshiProtocolError(`pagination exceeded ${maxPages} pages`);
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the ceiling, so retries never stampede at zero delay.
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  async request<T extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, spec: RequestSpec<T>): Promise<z.infer<T>> {
    if (spec.auth && !this.o.signer) throw new Error(`Kalshi ${method} ${path}: needs an API key (KALSHI_API_KEY_ID / KALSHI_PRIVATE_KEY_PEM_PATH)`);
    const url = this.base + path + queryString(spec.query);
    const label = spec.label ?? path;
    const bucket = spec.bucket ?? 'read';
    const cost = spec.cost ?? TOKEN_COST.default;
    const mode = spec.retry ?? 'always';
    for (let attempt = 1; ; attempt++) {
      await this.o.limiter?.take(bucket, cost, spec.signal);
      let failure: KalshiApiError | KalshiTransportError;
      try {
        return await this.once(method, path, label, url, spec);
      } catch (e) {
        if (e instanceof KalshiProtocolError) {
          this.stats.rejectedBodies++;
          const key = `${method} ${label}`;
          this.stats.rejectedByEndpoint[key] = (this.stats.rejectedByEndpoint[key] ?? 0) + 1;
          this.log.warn({ method, path: label, reason: e.message, attempt }, 'kalshi response rejected');
          throw e;
        }
        if (!(e instanceof KalshiApiError || e instanceof KalshiTransportError)) throw e;
        failure = e;
        if (e instanceof KalshiApiError) this.stats.apiErrors++;
        else this.stats.transportErrors++;
      }
      const retryable =
        failure instanceof KalshiApiError
          ? failure.isRateLimited || (mode === 'always' && failure.isServerError)
          : mode === 'always';
      const reason = failure instanceof KalshiApiError ? `HTTP ${failure.status} ${failure.code}` : failure.reason;
      if (!retryable || attempt >= this.retry.maxAttempts || spec.signal?.aborted) {
        if (retryable) this.log.warn({ method, path: label, attempt, reason }, 'kalshi request failed; retries exhausted');
        else this.log.debug({ method, path: label, attempt, reason, status: failure instanceof KalshiApiError ? failure.status : undefined }, 'kalshi request failed');
        throw failure;
      }
      const delayMs = this.backoffMs(attempt);
      this.stats.retries++;
      this.log.warn({ method, path: label, attempt, delay_ms: delayMs, reason }, 'kalshi request retry');
      this.o.onRetry?.({ method, path, attempt, delayMs, reason: failure instanceof KalshiApiError ? `HTTP ${failure.status}` : failure.reason });
      await this.o.clock.sleep(delayMs, spec.signal);
    }
  }

  private async once<T extends z.ZodType>(method: string, path: string, label: string, url: string, spec: RequestSpec<T>): Promise<z.infer<T>> {
    this.stats.requests++;
    const headers: Record<string, string> = { accept: 'application/json' };
    const signed = this.o.signer ? this.o.signer.headers(method, url) : {};
    Object.assign(headers, signed);
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const ctrl = new AbortController();
    const onOuterAbort = () => ctrl.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const timer = this.o.clock.setTimeout(() => ctrl.abort(new Error('timeout')), this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(url, { method, headers, body, signal: ctrl.signal });
      status = res.status;
      text = await res.text();
      this.o.tap?.http('kalshi-rest', method, url.slice(this.base.length), status, text, this.o.clock.now());
    } catch (e) {
      this.o.tap?.http('kalshi-rest', method, url.slice(this.base.length), 0, '', this.o.clock.now());
      if (spec.signal?.aborted) throw spec.signal.reason ?? e;
      const reason = ctrl.signal.aborted ? `no answer within ${this.timeoutMs} ms` : `network error (${(e as Error).message})`;
      throw new KalshiTransportError(method, path, reason);
    } finally {
      this.o.clock.clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onOuterAbort);
    }
    const secrets = Object.values(signed);
    const redact = this.o.signer ? (t: string) => this.o.signer!.redact(t) : (t: string) => t;
    return decodeKalshiResponse(spec.schema, status, text, { method, path: label, redact: (t) => safeText(redact(t), secrets) });
  }
}


export interface DecodeContext {
  method: string;
  /** Endpoint path or template, for the error text. */
  path: string;
  /** Masks secrets in server-provided text (default: the generic `safeText`). */
  redact?: (text: string) => string;
}

/**
 * One HTTP answer → the validated body, or a typed error: `KalshiApiError` for an error status (the
 * exchange's code and capped, sanitised message; never the raw body), `KalshiProtocolError` for a 2xx body
 * that is not JSON or not the documented shape. Pure; never throws anything else.
 */
export function decodeKalshiResponse<T extends z.ZodType>(schema: T, status: number, text: string, ctx: DecodeContext): z.infer<T> {
  let json: unknown;
  let isJson = true;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    isJson = false;
  }
  if (status < 200 || status >= 300) throw toApiError(status, isJson ? json : undefined, ctx);
  if (!isJson) throw new KalshiProtocolError(`Kalshi ${ctx.method} ${ctx.path}: response is not JSON`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new KalshiProtocolError(`Kalshi ${ctx.method} ${ctx.path}: unexpected response shape ${describeIssue(parsed.error)}`);
  return parsed.data;
}

function toApiError(status: number, json: unknown, ctx: DecodeContext): KalshiApiError {
  const { method, path } = ctx;
  const clean = (t: string | undefined) => (t === undefined ? undefined : ctx.redact ? ctx.redact(t) : safeText(t));
  const parsed = S.ErrorResponseSchema.safeParse(json);
  if (parsed.success) {
    const err = parsed.data.error;
    if (typeof err === 'string') return new KalshiApiError(status, status === 429 ? 'too_many_requests' : 'error', clean(err) ?? '', undefined, method, path);
    return new KalshiApiError(status, clean(err.code) ?? `http_${status}`, clean(err.message) ?? '', clean(err.details), method, path);
  }
  // The OpenAPI ErrorResponse is the flat form `{code, message, details}`.
  const flat = S.ErrorBodySchema.safeParse(json);
  if (flat.success && (flat.data.code !== undefined || flat.data.message !== undefined)) {
    return new KalshiApiError(status, clean(flat.data.code) ?? `http_${status}`, clean(flat.data.message) ?? '', clean(flat.data.details), method, path);
  }
  // 500/503/504 may carry an ExchangeStatus body instead of an error object.
  const exch = S.ExchangeStatusSchema.safeParse(json);
  if (exch.success) {
    return new KalshiApiError(status, 'exchange_unavailable', `exchange_active=${exch.data.exchange_active} trading_active=${exch.data.trading_active}`, undefined, method, path);
  }
  return new KalshiApiError(status, `http_${status}`, '', undefined, method, path);
}


/** Arrays are sent form-exploded (`tickers=A&tickers=B`), the way the official client does. */
function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, item);
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
