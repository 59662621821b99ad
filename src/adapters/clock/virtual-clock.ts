/**
 * A clock whose time is ours to drive: tests, replay and `--speed N` runs use it.
 *
 * - speed 0 (default): time stands still until `advance()` / `advanceTo()` / `drive()` moves it, firing
 *   every due timer in order at its own instant and letting promise chains settle between timers.
 * - speed N > 0: time flows N× faster than wall time; timers fire through real timers scaled by 1/N.
 *   **Real stalls are not virtual outages** (SPEC §9): virtual time advances in real steps of at most
 *   `maxStepRealMs` (a heartbeat every `heartbeatRealMs` keeps the steps small while the process is
 *   healthy). When the event loop is blocked or the process is descheduled for longer, the excess real
 *   time is dropped: a 500 ms stall at speed 20 costs the run 500 ms of wall time, not 10 s of virtual
 *   feed silence. A loaded machine therefore runs the simulation slower, never less healthy.
 *   Manual `advance()` still works in speed mode (it jumps ahead).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { abortableSleep } from './sleep.ts';

interface VirtualTimer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

export interface VirtualClockOptions {
  speed?: number;
  /** Most real time one step of a flowing clock may count (default 10 ms). */
  maxStepRealMs?: number;
  /**
   * Most virtual time one step may advance (default unbounded). A simulation whose freshness limits are a
   * few hundred virtual ms sets this below them, so no single stall can age a feed past its limit.
   */
  maxStepVirtualMs?: number;
  /** Real period of the heartbeat that keeps steps small (default 4 ms). */
  heartbeatRealMs?: number;
  /**
   * Stand still until the first `sleep()` — the first moment anything waits for time to pass — and only
   * then flow at `speed`. A simulated session starts with it: start-up, connections, recovery and the
   * first preflight cost no virtual time (timers may be armed meanwhile; they fire once time flows).
   */
  holdUntilFirstSleep?: boolean;
}

const realNow = () => performance.now();
const settle = () => new Promise<void>((r) => setImmediate(r));

export class VirtualClock implements Clock {
  private baseVirtual: number;
  private baseReal = realNow();
  private speed: number;
  private maxStepRealMs: number;
  private readonly maxStepRealOption: number;
  private readonly maxStepVirtualMs: number;
  private readonly heartbeatRealMs: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;
  private last: number;
  private disposed = false;
  private heldSpeed: number | undefined;
  /** Real milliseconds dropped because a step exceeded `maxStepRealMs` (stalls). */
  droppedRealMs = 0;

  constructor(startMs: number, options: VirtualClockOptions = {}) {
    if (!Number.isFinite(startMs)) throw new RangeError('VirtualClock: start must be a finite epoch ms');
    this.baseVirtual = startMs;
    this.last = Math.floor(startMs);
    this.speed = options.speed ?? 0;
    if (this.speed < 0 || !Number.isFinite(this.speed)) throw new RangeError('VirtualClock: speed must be ≥ 0');
    this.maxStepRealOption = options.maxStepRealMs ?? 10;
    this.maxStepVirtualMs = options.maxStepVirtualMs ?? Number.POSITIVE_INFINITY;
    this.maxStepRealMs = this.stepCap();
    this.heartbeatRealMs = options.heartbeatRealMs ?? 4;
    if (options.holdUntilFirstSleep && this.speed > 0) {
      this.heldSpeed = this.speed;
      this.speed = 0;
      this.maxStepRealMs = this.stepCap();
    }
    if (this.speed > 0) this.armRealWake();
  }

  now(): number {
    if (this.speed === 0) return Math.floor(this.baseVirtual);
    const step = Math.min(realNow() - this.baseReal, this.maxStepRealMs);
    // Whole milliseconds, like Date.now(): the Clock contract (and Temporal) wants integers; never backwards.
    const v = Math.floor(this.baseVirtual + step * this.speed);
    if (v > this.last) this.last = v;
    return this.last;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  get currentSpeed(): number {
    return this.speed;
  }

  /** Instant of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { id: ++this.seq, seq: this.seq, at: this.now() + Math.max(0, ms), fn };
    // Keep sorted by (at, seq): binary search for the insertion point.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timers[mid]!.at <= timer.at) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
    if (lo === 0) this.armRealWake();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.timers.indexOf(handle as VirtualTimer);
    if (i >= 0) this.timers.splice(i, 1);
    if (i === 0) this.armRealWake();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.heldSpeed !== undefined) {
      const speed = this.heldSpeed;
      this.heldSpeed = undefined;
      this.setSpeed(speed);
    }
    return abortableSleep(this, ms, signal);
  }

  /** True while a `holdUntilFirstSleep` clock still stands still. */
  get holding(): boolean {
    return this.heldSpeed !== undefined;
  }

  setSpeed(speed: number): void {
    if (speed < 0 || !Number.isFinite(speed)) throw new RangeError('VirtualClock: speed must be ≥ 0');
    this.heldSpeed = undefined;
    this.rebase(this.now());
    this.speed = speed;
    this.maxStepRealMs = this.stepCap();
    this.armRealWake();
  }

  /** Real ms one step may count at the current speed. */
  private stepCap(): number {
    return this.speed > 0 ? Math.min(this.maxStepRealOption, this.maxStepVirtualMs / this.speed) : this.maxStepRealOption;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.now() + ms);
  }

  /** Moves time to `target` (never backwards), firing every timer due by then at its own instant. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      if (next.at > this.now()) this.rebase(next.at);
      next.fn();
      await settle();
    }
    if (target > this.now()) this.rebase(target);
    this.armRealWake();
  }

  /** Fires timers one after another (jumping time) until none is left or `limit` instants are reached. */
  async runAll(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const stopAt = this.now() + limitMs;
    while (this.timers.length > 0 && this.timers[0]!.at <= stopAt) {
      await this.advanceTo(this.timers[0]!.at);
    }
  }

  /**
   * Runs a manual clock forward timer by timer until `p` settles ("as fast as possible"): the one way to
   * drive virtual time for a whole run. Waits for I/O (no timer due) without moving time.
   */
  async drive<T>(p: Promise<T>): Promise<T> {
    let done = false;
    const tracked = p.finally(() => {
      done = true;
    });
    while (!done) {
      await settle();
      if (done) break;
      const next = this.nextTimerAt();
      if (next === undefined) continue; // waiting on I/O (file reads)
      await this.advanceTo(next);
    }
    return tracked;
  }

  /** Stops the real-time pacing (speed mode) so the process can exit. */
  dispose(): void {
    this.disposed = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
  }

  private rebase(virtual: number): void {
    this.baseVirtual = virtual;
    this.baseReal = realNow();
    if (Math.floor(virtual) > this.last) this.last = Math.floor(virtual);
  }

  /** One step of a flowing clock: count at most `maxStepRealMs` of the real time since the last step. */
  private step(): void {
    const real = realNow();
    const elapsed = real - this.baseReal;
    const counted = Math.min(elapsed, this.maxStepRealMs);
    if (elapsed > counted) this.droppedRealMs += elapsed - counted;
    this.baseVirtual += counted * this.speed;
    this.baseReal = real;
    if (Math.floor(this.baseVirtual) > this.last) this.last = Math.floor(this.baseVirtual);
  }

  private armRealWake(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    if (this.speed === 0 || this.disposed) return;
    const next = this.timers[0];
    const untilNext = next ? Math.max(0, (next.at - this.now()) / this.speed) : Number.POSITIVE_INFINITY;
    const delay = Math.min(untilNext, this.heartbeatRealMs, this.maxStepRealMs);
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.step();
      const now = this.now();
      while (this.timers.length > 0 && this.timers[0]!.at <= now) this.timers.shift()!.fn();
      this.armRealWake();
    }, delay);
    // The heartbeat alone must not keep a finished process alive; a pending timer does.
    if (!next) this.wake.unref();
  }
}
