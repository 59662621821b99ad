/** The only way any time-dependent part of the system learns the time or waits (SPEC §9). */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Epoch milliseconds, a whole number (like Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
