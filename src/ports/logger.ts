/**
 * The one logging interface every layer writes to (pino's call shape, so a pino logger satisfies it).
 * `obj` carries structured fields; `msg` is the human text. Operator lines that scripts grep for (SPEC §6.3
 * `fresh WS ok …`) are the `msg` verbatim, so they read the same in text and JSON output.
 * Implementations mask every configured secret (see adapters/log), so callers may log errors as they are,
 * but never pass a secret on purpose.
 */
export type LogFields = Record<string, unknown>;

export interface LogFn {
  (obj: LogFields, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose every line also carries `bindings` (e.g. `{ component: 'kalshi-ws' }`). */
  child(bindings: LogFields): Logger;
}

const noop: LogFn = () => {};

/** Discards everything (tests, library defaults). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };
