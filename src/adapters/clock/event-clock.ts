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
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { abortableSleep } from './sleep.ts';
import { TimerHeap } from './timer-heap.ts';

interface EventTimer extends TimerHandle {
  at: number;
  prio: number;
  seq: number;
  fn: (() => void) | undefined;
  /** Its callback settles no promise: no event-loop turn is needed after it. */
  sync: boolean;
}

/** Priority of ordinary timers; lower fires first among timers due at the same instant. */
export const DEFAULT_PRIORITY = 1;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const before = (a: EventTimer, b: EventTimer) => a.at < b.at || (a.at === b.at && (a.prio < b.prio || (a.prio === b.prio && a.seq < b.seq)));

export class EventClock implements Clock {
  private t: number;
  private readonly heap = new TimerHeap<EventTimer>(before);
  private seq = 0;
  private live = 0;
  private gate: Promise<unknown> | undefined;
  /** Timers fired so far (the replay's event count). */
  fired = 0;

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new RangeError('EventClock: start must be a finite epoch ms');
    this.t = Math.floor(startMs);
  }

  now(): number {
    return this.t;
  }

  get pendingTimers(): number {
    return this.live;
  }

  /** Instant of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.heap.peek()?.at;
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
    const timer: EventTimer = { id: ++this.seq, seq: this.seq, at: Math.max(this.t, Math.floor(atMs)), prio, fn, sync };
    this.heap.push(timer);
    this.live++;
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as EventTimer;
    if (timer.fn === undefined) return;
    timer.fn = undefined; // removed lazily when it reaches the top
    this.live--;
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
    const first = this.heap.peek();
    if (!first) return 'none';
    const { at, prio } = first;
    const last = this.seq;
    if (at > this.t) this.t = at;
    let sync = true;
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.at !== at || next.prio !== prio || next.seq > last) break;
      this.heap.pop();
      const fn = next.fn;
      if (fn === undefined) continue; // cancelled
      next.fn = undefined;
      this.live--;
      this.fired++;
      if (!next.sync) sync = false;
      fn();
    }
    return sync ? 'sync' : 'async';
  }

  /**
   * Runs batches in order until `p` settles, one event-loop turn after each so promise chains complete at
   * the instant they belong to. With no timer pending it waits a turn (for I/O) without moving time.
   */
  async drive<T>(p: Promise<T>): Promise<T> {
    let done = false;
    const tracked = p.finally(() => {
      done = true;
    });
    await turn();
    while (!done) {
      if (this.gate) {
        await this.gate;
        continue;
      }
      // A synchronous batch settles no promise: the next batch may follow at once.
      if (this.step() !== 'sync') await turn();
    }
    return tracked;
  }

  /** Moves time forward to `target` firing every timer due by then (tests). */
  async advanceTo(target: number): Promise<void> {
    await turn();
    for (;;) {
      const next = this.nextTimerAt();
      if (next === undefined || next > target) break;
      this.step();
      await turn();
    }
    if (target > this.t) this.t = Math.floor(target);
  }
}
