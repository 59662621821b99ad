/**
 * Operator log lines stamped with the run's clock (virtual time in sim/replay), e.g.
 * `2026-11-23T09:45:00-05:00 INFO fresh WS ok age=12ms strict=false window=hourly-1000 series=INXU`.
 * Fields are printed as key=value; callers never pass secrets.
 */
import type { Clock } from '../ports/clock.ts';
import type { EngineLog } from '../engine/series-window.ts';
import { formatEt } from '../core/time/et.ts';

export function lineLog(clock: () => Clock, write: (line: string) => void, opts: { quiet?: boolean } = {}): EngineLog {
  const fmt = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const kv = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    write(`${formatEt(Math.floor(clock().now()))} ${level} ${msg}${kv ? ' ' + kv : ''}\n`);
  };
  return {
    info: (m, f) => {
      if (!opts.quiet) fmt('INFO', m, f);
    },
    warn: (m, f) => fmt('WARN', m, f),
    error: (m, f) => fmt('ERROR', m, f),
  };
}
