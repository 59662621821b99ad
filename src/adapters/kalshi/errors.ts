/**
 * Typed failures of the Kalshi adapters. Messages name the endpoint and carry the exchange's `code` and a
 * length-capped `message`; never a raw body, a header, a signature or a key (see `safeText`).
 */
import type { z } from 'zod';

/** Longest piece of server-provided text an error or log line carries. */
export const MAX_SERVER_TEXT = 200;

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g;
/** `KALSHI-ACCESS-KEY: x`, `"KALSHI-ACCESS-SIGNATURE": "x"`, `authorization=x`, … → the name with `***`. */
const SECRET_PAIR =
  /((?:kalshi[-_]access[-_](?:key|signature|timestamp))|authorization|x-api-key|api[-_]?key|apikey|private[-_]?key|password|secret|token)(\\?["']?\s*[:=]\s*\\?["']?)(?:Bearer\s+)?[^"'\s,;&}\]\\]+/gi;
const BEARER = /\bBearer\s+[^\s"',;}\]]+/gi;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Makes server- or wire-provided text safe to print: every `secrets` value and anything shaped like a
 * credential (auth header pairs, bearer tokens, PEM blocks) masked, control characters removed, whitespace
 * collapsed, capped at `max` characters.
 */
export function safeText(text: unknown, secrets: readonly (string | undefined)[] = [], max = MAX_SERVER_TEXT): string {
  let s = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  // Cap early so a megabyte body never goes through the regexes (a generous margin for masking).
  if (s.length > max * 8) s = s.slice(0, max * 8);
  for (const secret of secrets) if (secret && secret.length >= 4) s = s.split(secret).join('***');
  s = s.replace(PEM_BLOCK, '[pem]').replace(SECRET_PAIR, '$1$2***').replace(BEARER, 'Bearer ***');
  s = s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** An error `code` as a short identifier (the exchange's codes are snake_case words). */
export function safeCode(code: unknown, fallback: string): string {
  const c = safeText(code, [], 64).replace(/[^A-Za-z0-9_.:-]+/g, '_');
  return c || fallback;
}

/** The first zod issue as `at <path>: <message>`, path segments and message capped (paths may hold wire keys). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'schema mismatch';
  const path = issue.path.slice(0, 8).map((p) => safeText(String(p), [], 40)).join('.') || '(root)';
  return `at ${path}: ${safeText(issue.message, [], 120)}`;
}

/** The exchange answered with an error status; `code` is the exchange's own error code. */
export class KalshiApiError extends Error {
  override name = 'KalshiApiError';
  readonly code: string;
  /** The exchange's human-readable message, sanitised and capped. */
  readonly exchangeMessage: string;
  /** The exchange's `details`, sanitised and capped; kept out of `message` (it is free text). */
  readonly details: string | undefined;

  constructor(
    readonly status: number,
    code: string,
    exchangeMessage: string,
    details: string | undefined,
    readonly method: string,
    readonly path: string,
  ) {
    const c = safeCode(code, `http_${status}`);
    const m = safeText(exchangeMessage);
    super(`Kalshi ${method} ${path} → HTTP ${status} ${c}${m ? `: ${m}` : ''}`);
    this.code = c;
    this.exchangeMessage = m;
    this.details = details === undefined ? undefined : safeText(details);
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }

  get isServerError(): boolean {
    return this.status >= 500;
  }

  /** Post-only order that would have crossed (single create: 400 invalid_order; batch: per-item error). */
  get isPostOnlyCross(): boolean {
    return /post[ _]only[ _]cross/i.test(`${this.code} ${this.exchangeMessage} ${this.details ?? ''}`);
  }

  /** client_order_id already used (HTTP 409 / ORDER_ALREADY_EXISTS). */
  get isDuplicateOrder(): boolean {
    return this.status === 409 || /order_already_exists|duplicate/i.test(this.code);
  }
}

/** The request never got an answer (network error or our timeout). The outcome at the exchange is unknown. */
export class KalshiTransportError extends Error {
  override name = 'KalshiTransportError';
  readonly reason: string;
  constructor(
    readonly method: string,
    readonly path: string,
    reason: string,
  ) {
    const r = safeText(reason);
    super(`Kalshi ${method} ${path}: ${r}`);
    this.reason = r;
  }
}

/** The exchange answered 2xx with a body (or a frame) that does not match the documented shape. */
export class KalshiProtocolError extends Error {
  override name = 'KalshiProtocolError';
}
