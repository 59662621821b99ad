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
 *
 * A preset over the shared clock core (clock-core.ts: the timer queue, the flow of steps, the drive loop).
 * What is its own: timers fire one at a time (a turn after each, so promise chains settle between two
 * timers of one instant), a timer's instant is not rounded (`setTimeout(fn, 0.5)` is half a millisecond
 * away), and a flowing `now()` moves between steps too (interpolated, never backwards).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { advanceThrough, driveUntil, Flow, nextTurn, TimerQueue, type CoreTimer } from './clock-core.ts';
import { abortableSleep } from './sleep.ts';

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


export class VirtualClock implements Clock {
  /** Virtual time at the last step (or the last time set by hand). */
  private baseVirtual: number;
  private readonly timers = new TimerQueue();
  private readonly flow: Flow;
  /** The last `now()` reported: a flowing clock never goes backwards. */
  private last: number;
  private heldSpeed: number | undefined;

  constructor(startMs: number, options: VirtualClockOptions = {}) {
    if (!Number.isFinite(startMs)) throw new RangeError('VirtualClock: start must be a finite epoch ms');
    this.baseVirtual = startMs;
    this.last = Math.floor(startMs);
    const speed = options.speed ?? 0;
    if (speed < 0 || !Number.isFinite(speed)) throw new RangeError('VirtualClock: speed must be ≥ 0');
    this.flow = new Flow({
      speed,
      maxStepRealMs: options.maxStepRealMs ?? 10,
      maxStepVirtualMs: options.maxStepVirtualMs ?? Number.POSITIVE_INFINITY,
      heartbeatRealMs: options.heartbeatRealMs ?? 4,
      wakeWithinStep: true,
    });
    if (options.holdUntilFirstSleep && speed > 0) {
      this.heldSpeed = speed;
      this.flow.setSpeed(0);
    }
    if (this.flow.speed > 0) this.armRealWake();
  }

  /** Real milliseconds dropped because a step exceeded `maxStepRealMs` (stalls). */
  get droppedRealMs(): number {
    return this.flow.droppedRealMs;
  }

  now(): number {
    if (this.flow.speed === 0) return Math.floor(this.baseVirtual);
    // Whole milliseconds, like Date.now(): the Clock contract (and Temporal) wants integers; never backwards.
    const v = Math.floor(this.baseVirtual + this.flow.pending());
    if (v > this.last) this.last = v;
    return this.last;
  }

  get pendingTimers(): number {
    return this.timers.pending;
  }

  get currentSpeed(): number {
    return this.flow.speed;
  }

  /** Instant of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.nextAt();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = this.timers.add(this.now() + Math.max(0, ms), fn);
    if (this.timers.peek() === timer) this.armRealWake();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (this.timers.cancel(handle as CoreTimer)) this.armRealWake();
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
    this.flow.setSpeed(speed);
    this.armRealWake();
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.now() + ms);
  }

  /** Moves time to `target` (never backwards), firing every timer due by then at its own instant. */
  async advanceTo(target: number): Promise<void> {
    await advanceThrough(target, () => this.timers.nextAt(), () => {
      const at = this.timers.nextAt()!;
      if (at > this.now()) this.rebase(at);
      this.timers.fireNext();
    });
    if (target > this.now()) this.rebase(target);
    this.armRealWake();
  }

  /** Fires timers one after another (jumping time) until none is left or `limit` instants are reached. */
  async runAll(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const stopAt = this.now() + limitMs;
    for (let next = this.timers.nextAt(); next !== undefined && next <= stopAt; next = this.timers.nextAt()) {
      await this.advanceTo(next);
    }
  }

  /**
   * Runs a manual clock forward timer by timer until `p` settles ("as fast as possible"): the one way to
   * drive virtual time for a whole run. Waits for I/O (no timer due) without moving time.
   */
  drive<T>(p: Promise<T>): Promise<T> {
    return driveUntil(p, async (done) => {
      await nextTurn();
      if (done()) return;
      const next = this.nextTimerAt();
      if (next === undefined) return; // waiting on I/O (file reads)
      await this.advanceTo(next);
    });
  }

  /** Stops the real-time pacing (speed mode) so the process can exit. */
  dispose(): void {
    this.flow.dispose();
  }

  private rebase(virtual: number): void {
    this.baseVirtual = virtual;
    this.flow.restart();
    if (Math.floor(virtual) > this.last) this.last = Math.floor(virtual);
  }

  /** One step of a flowing clock: count at most `maxStepRealMs` of the real time since the last step. */
  private step(): void {
    this.baseVirtual += this.flow.take();
    if (Math.floor(this.baseVirtual) > this.last) this.last = Math.floor(this.baseVirtual);
  }

  private armRealWake(): void {
    if (this.flow.speed === 0) return this.flow.clearWake();
    const next = this.timers.nextAt();
    this.flow.wake(next === undefined ? undefined : next - this.now(), () => {
      this.step();
      this.timers.fireDue(this.now());
      this.armRealWake();
    });
  }
}
