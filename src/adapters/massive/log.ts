/**
 * Logging for the feed adapters (the Logger port; pass the app's logger or nothing), plus the
 * redaction every message and error goes through so the API key never leaves the process.
 */
import type { Logger } from '../../ports/logger.ts';

/** The feeds log through the one Logger port. */
export type FeedLogger = Logger;
export { silentLogger } from '../../ports/logger.ts';

/** Replaces every occurrence of the secret (and `apiKey=` query values) with `***`. */
export function redact(text: string, secret: string | undefined): string {
  let out = text.replace(/(apiKey=)[^&\s"']+/gi, '$1***');
  // (A key shorter than 4 characters is not a real key; masking it would garble ordinary words.)
  if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/**
 * Server- or wire-provided text made safe to print: the key (and `apiKey=` values, bearer tokens) masked,
 * control characters removed, whitespace collapsed, capped at `max` characters.
 */
export function safeDetail(text: string, secret: string | undefined, max = 200): string {
  let s = text.length > max * 8 ? text.slice(0, max * 8) : text;
  s = redact(s, secret).replace(/\bBearer\s+[^\s"',;}\]]+/gi, 'Bearer ***');
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A URL safe to print: no credentials, no query string values. */
export function displayUrl(url: string, secret?: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, '***');
    return redact(u.toString(), secret);
  } catch {
    return '(invalid url)';
  }
}
