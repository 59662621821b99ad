/**
 * Logging for the feed adapters: a pino-compatible subset (pass a pino logger or nothing), plus the
 * redaction every message and error goes through so the API key never leaves the process.
 */
export interface FeedLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: FeedLogger = { debug() {}, info() {}, warn() {}, error() {} };

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
