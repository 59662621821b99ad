/**
 * The process's last resort (issue: no frame, no bug may kill the process silently with orders resting):
 * whoever holds orders registers how to cancel them; the entry point's `uncaughtException` /
 * `unhandledRejection` handler runs every registered cancel (bounded in time) before exiting non-zero.
 */
type Emergency = (reason: string) => Promise<unknown>;

const registered = new Set<Emergency>();

/** Registers a cancel-all to run if the process dies; returns the unregister function. */
export function onEmergency(fn: Emergency): () => void {
  registered.add(fn);
  return () => registered.delete(fn);
}

/** Runs every registered cancel-all, concurrently, giving up after `timeoutMs` of real time. */
export async function runEmergency(reason: string, timeoutMs: number): Promise<'done' | 'timeout'> {
  const all = Promise.allSettled([...registered].map((fn) => fn(reason)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const out = await Promise.race([all.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  return out;
}

/**
 * `hot-restart capture` from another shell asks the running supervisor for a snapshot now (SIGUSR2 at the
 * process entry): whoever can write one registers here.
 */
const captureHandlers = new Set<() => void>();

export function onCaptureRequest(fn: () => void): () => void {
  captureHandlers.add(fn);
  return () => captureHandlers.delete(fn);
}

export function runCaptureRequests(): number {
  for (const fn of captureHandlers) fn();
  return captureHandlers.size;
}
