/**
 * The discrete-event clock of a replay (SPEC §9): time stands still while work happens and jumps from one
 * instant to the next, as fast as the process can go. `drive(p)` runs the timers until `p` settles.
 *
 * Timers fire in batches: every timer due at the earliest (instant, priority) — created before the batch
 * began — fires in one go, in creation order; then one event-loop turn lets every promise continuation
 * run at that instant before time moves on. So async code observes the instant its timer fired at, exactly
 * as on a live clock, and nothing ever sees time move inside a callback. The recording clock of a live run
 * (adapters/recording/stepped-clock.ts) fires its timers the same way, which is what lets a recorded
 * session replay exactly.
 *
 * Priorities order batches of one instant (lower first): a recording's dispatcher puts a recorded message
 * before (0) or after (2) the product's timers (1) of the same millisecond, as it was received. Everything
 * else uses the default. Deterministic whatever the machine: the order is (time, priority, creation).
 *
 * A batch made only of `syncView()` timers — plain synchronous work (the simulated market, the index feeds,
 * the failover machine) that settles no promise — needs no event-loop turn after it: the next batch follows
 * at once (same ledger bytes either way; most of a replayed day's timers are of this kind).
 *
 * A preset over the shared clock core (clock-core.ts: the timer queue, its batches, the advance and drive
 * loops). What is its own: no flow (time only jumps), the same-instant priority, `syncView()` and
 * `waitFor()`.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { advanceThrough, DEFAULT_PRIORITY, driveUntil, nextTurn, TimerQueue, type CoreTimer } from './clock-core.ts';
import { abortableSleep } from './sleep.ts';

export { DEFAULT_PRIORITY } from './clock-core.ts';

export class EventClock implements Clock {
  private t: number;
  private readonly timers = new TimerQueue();
  private gate: Promise<unknown> | undefined;

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new RangeError('EventClock: start must be a finite epoch ms');
    this.t = Math.floor(startMs);
  }

  now(): number {
    return this.t;
  }

  /** Timers fired so far (the replay's event count). */
  get fired(): number {
    return this.timers.fired;
  }

  get pendingTimers(): number {
    return this.timers.pending;
  }

  /** Instant of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.nextAt();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.at(this.t + Math.max(0, Math.floor(ms) || 0), fn, DEFAULT_PRIORITY);
  }

  /**
   * The same clock for callers whose timer callbacks are synchronous through and through (they resolve no
   * promise): their timers fire without the event-loop turn that lets promise chains settle.
   */
  syncView(): Clock {
    return {
      now: () => this.t,
      setTimeout: (fn, ms) => this.at(this.t + Math.max(0, Math.floor(ms) || 0), fn, DEFAULT_PRIORITY, true),
      clearTimeout: (h) => this.clearTimeout(h),
      sleep: (ms, signal) => abortableSleep(this, ms, signal),
    };
  }

  /**
   * Holds time until `p` settles: no timer fires meanwhile (a recording's reader is behind the clock and
   * must not be overtaken). Only `drive()` honours it.
   */
  waitFor(p: Promise<unknown>): void {
    const g = p.then(
      () => undefined,
      () => undefined,
    );
    this.gate = g;
    void g.then(() => {
      if (this.gate === g) this.gate = undefined;
    });
  }

  /** A timer at an absolute instant (never in the past) with an explicit same-instant priority. */
  at(atMs: number, fn: () => void, prio = DEFAULT_PRIORITY, sync = false): TimerHandle {
    return this.timers.add(Math.max(this.t, Math.floor(atMs)), fn, prio, sync);
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.cancel(handle as CoreTimer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }

  /**
   * Fires the next batch: every pending timer due at the earliest (instant, priority) that existed when the
   * batch began (moving time to it). 'none' when nothing is pending, 'sync' when the batch held only
   * `syncView()` timers, else 'async'. Synchronous itself: the caller takes the turn.
   */
  step(): 'none' | 'sync' | 'async' {
    const first = this.timers.peek();
    if (!first) return 'none';
    if (first.at > this.t) this.t = first.at;
    return this.timers.fireBatch() ? 'sync' : 'async';
  }

  /**
   * Runs batches in order until `p` settles, one event-loop turn after each so promise chains complete at
   * the instant they belong to. With no timer pending it waits a turn (for I/O) without moving time.
   */
  drive<T>(p: Promise<T>): Promise<T> {
    return driveUntil(
      p,
      () => {
        if (this.gate) return this.gate;
        // A synchronous batch settles no promise: the next batch may follow at once.
        return this.step() !== 'sync' ? nextTurn() : undefined;
      },
      true,
    );
  }

  /** Moves time forward to `target` firing every timer due by then (tests). */
  async advanceTo(target: number): Promise<void> {
    await advanceThrough(target, () => this.timers.nextAt(), () => this.step());
    if (target > this.t) this.t = Math.floor(target);
  }
}
