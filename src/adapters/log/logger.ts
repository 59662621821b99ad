/**
 * The process logger (pino): every layer writes through the Logger port to this one instance.
 * - Time comes from the run's clock (virtual in sim/replay), never the wall clock directly.
 * - `text`: `2026-11-20T09:45:00-05:00 INFO fresh WS ok age=12ms strict=false window=hourly-1000 series=INXU`
 *   `json`: one object per line (`level`, `time` ET ISO, `ts_ms`, `msg`, fields) — journald / CloudWatch.
 *   The message text is identical in both, so grep-able lines (SPEC §6.3) read the same.
 * - Every line passes the Redactor before it is written.
 */
import { pino } from 'pino';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { formatEt } from '../../core/time/et.ts';
import { Redactor } from './redact.ts';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface LoggerOptions {
  /** The clock whose time stamps the lines (a getter when the run's clock is created later). */
  clock: Clock | (() => Clock);
  format?: LogFormat;
  level?: LogLevel;
  write: (line: string) => void;
  redactor?: Redactor;
}

const RESERVED = new Set(['level', 'time', 'ts_ms', 'msg']);

export function createLogger(o: LoggerOptions): Logger {
  const clockOf = typeof o.clock === 'function' ? o.clock : () => o.clock as Clock;
  const redactor = o.redactor ?? new Redactor();
  const format = o.format ?? 'text';
  const stream = {
    write(line: string) {
      o.write(redactor.mask(format === 'json' ? line : toText(line)));
    },
  };
  const logger = pino(
    {
      level: o.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: () => {
        const ms = Math.floor(clockOf().now());
        return `,"time":"${formatEt(ms)}","ts_ms":${ms}`;
      },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errSerializer },
    },
    stream,
  );
  return logger as unknown as Logger;
}

function errSerializer(e: unknown): unknown {
  if (e instanceof Error) return { type: e.name, message: e.message };
  return e;
}

/** Renders pino's JSON line as the operator's text line. */
function toText(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const fields = Object.entries(o)
    .filter(([k, v]) => !RESERVED.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const level = String(o.level ?? 'info').toUpperCase();
  return `${String(o.time ?? '')} ${level} ${String(o.msg ?? '')}${fields ? ' ' + fields : ''}\n`;
}
