/** Shared helpers for the Massive integration tests (not a test file itself). */
import type { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import type { FeedLogger } from '../../src/adapters/massive/log.ts';

/** Waits (real time, for loopback I/O) until `cond()` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending loopback I/O settle (a few real event-loop turns) without asserting anything. */
export async function settleIo(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 1));
}

/** Advances virtual time in steps, letting loopback I/O settle after each step. */
export async function pump(clock: VirtualClock, ms: number, stepMs = 1000): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await clock.advanceTo(Math.min(end, clock.now() + stepMs));
    await settleIo(5);
  }
}

/** A logger that keeps every line as text, to assert on (e.g. that a secret never appears). */
export function captureLogger(): FeedLogger & { lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (obj: object | string, msg?: string) =>
    lines.push(typeof obj === 'string' ? `${level} ${obj}` : `${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  const logger: FeedLogger & { lines: string[] } = {
    lines,
    debug: put('debug'),
    info: put('info'),
    warn: put('warn'),
    error: put('error'),
    child: () => logger,
  };
  return logger;
}
