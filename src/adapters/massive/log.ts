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
  if (secret && secret.length > 0) out = out.split(secret).join('***');
  return out;
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
