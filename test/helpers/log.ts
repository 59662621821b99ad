/** The real logger (text lines) writing into an array, for tests that assert on log lines. */
import type { Clock } from '../../src/ports/clock.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';

export function captureLog(clock: Clock | (() => Clock)): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ clock, format: 'text', level: 'debug', write: (s) => lines.push(s.trimEnd()) });
  return { log, lines };
}
