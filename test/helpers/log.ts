/** The real logger writing into an array, for tests that assert on log lines (text lines; `json` for ms stamps). */
import type { Clock } from '../../src/ports/clock.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { createLogger, type LogFormat } from '../../src/adapters/log/logger.ts';

export function captureLog(clock: Clock | (() => Clock), format: LogFormat = 'text'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ clock, format, level: 'debug', write: (s) => lines.push(s.trimEnd()) });
  return { log, lines };
}
