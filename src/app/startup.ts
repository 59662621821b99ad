/**
 * Start-up that fails fast and listens (issue: an unreachable service must not hang the process): every
 * connection step runs under a deadline on the run's clock and the abort signal (SIGINT/SIGTERM), and
 * ends in a clear error naming the step.
 */
import type { Clock } from '../ports/clock.ts';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Resolves with `p`, or rejects when `ms` of the clock pass first (calling `onGiveUp`) or the signal aborts. */
export function withDeadline<T>(what: string, p: Promise<T>, o: { clock: Clock; ms: number; signal?: AbortSignal; onGiveUp?: () => void }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      o.clock.clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      finish(() => {
        o.onGiveUp?.();
        reject(o.signal?.reason ?? new Error('aborted'));
      });
    const timer = o.clock.setTimeout(
      () =>
        finish(() => {
          o.onGiveUp?.();
          reject(new StartupError(`${what}: no answer within ${Math.round(o.ms / 1000)} s; giving up`));
        }),
      o.ms,
    );
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}
