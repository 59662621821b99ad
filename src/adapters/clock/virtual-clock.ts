/**
 * A clock whose time is ours to drive: tests, replay and `--speed N` runs use it.
 *
 * - speed 0 (default): time stands still until `advance()` / `advanceTo()` moves it, firing every due
 *   timer in order at its own instant and letting promise chains settle between timers.
 * - speed N > 0: time flows N× faster than wall time from the start instant; timers fire through real
 *   timers scaled by 1/N. Manual `advance()` still works (it jumps ahead).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { abortableSleep } from './sleep.ts';

interface VirtualTimer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

const realNow = () => performance.now();
const settle = () => new Promise<void>((r) => setImmediate(r));

export class VirtualClock implements Clock {
  private baseVirtual: number;
  private baseReal = realNow();
  private speed: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;

  constructor(startMs: number, options: { speed?: number } = {}) {
    if (!Number.isFinite(startMs)) throw new RangeError('VirtualClock: start must be a finite epoch ms');
    this.baseVirtual = startMs;
    this.speed = options.speed ?? 0;
    if (this.speed < 0 || !Number.isFinite(this.speed)) throw new RangeError('VirtualClock: speed must be ≥ 0');
  }

  now(): number {
    if (this.speed === 0) return this.baseVirtual;
    // Whole milliseconds, like Date.now(): the Clock contract (and Temporal) wants integers.
    return Math.floor(this.baseVirtual + (realNow() - this.baseReal) * this.speed);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Instant of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { id: ++this.seq, seq: this.seq, at: this.now() + Math.max(0, ms), fn };
    // Keep sorted by (at, seq): insertion is O(n) but timer counts here are small.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    this.armRealWake();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const i = this.timers.indexOf(handle as VirtualTimer);
    if (i >= 0) this.timers.splice(i, 1);
    this.armRealWake();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }

  setSpeed(speed: number): void {
    if (speed < 0 || !Number.isFinite(speed)) throw new RangeError('VirtualClock: speed must be ≥ 0');
    this.rebase(this.now());
    this.speed = speed;
    this.armRealWake();
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

  /** Stops the real-time pacing timer (speed mode) so the process can exit. */
  dispose(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
  }

  private rebase(virtual: number): void {
    this.baseVirtual = virtual;
    this.baseReal = realNow();
  }

  private armRealWake(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    const next = this.timers[0];
    if (this.speed === 0 || !next) return;
    const delay = Math.max(0, (next.at - this.now()) / this.speed);
    this.wake = setTimeout(() => {
      this.wake = undefined;
      const now = this.now();
      while (this.timers.length > 0 && this.timers[0]!.at <= now) this.timers.shift()!.fn();
      this.armRealWake();
    }, delay);
  }
}
