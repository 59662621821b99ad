/** The only way any time-dependent part of the system learns the time or waits (SPEC §9). */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Which time a stamp is on: `real` (the wall clock, one timeline shared by every process) or `virtual` (a
 * simulated or replayed run's own timeline, which may run days ahead of or behind the wall clock and
 * starts wherever its run's `--now` says). Stamps of different kinds are never compared.
 */
export const CLOCK_KINDS = ['real', 'virtual'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

export interface Clock {
  /** Epoch milliseconds, a whole number (like Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
