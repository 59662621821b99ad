/**
 * The clock of a recorded simulator session (`supervisor-index --sim --record`): virtual time flowing at
 * `speed` × wall time like VirtualClock, but stepping the way the replay's discrete-event clock does, so
 * that a recording replays exactly:
 * - timers fire at their own instant, never late: time is held at the next due timer until it has fired;
 * - every timer due at one instant fires in one batch (in creation order), then promise continuations run
 *   before anything else happens — no socket message can slip in between two timers of one instant;
 * - `now()` only changes between event-loop turns of the clock's own stepping, never inside a callback.
 * What a socket delivers meanwhile is stamped with the current instant, and the recorder notes whether that
 * instant's timers had already fired (`firedAt`): the replay puts it before or after them accordingly.
 *
 * Real stalls are not virtual outages (SPEC §9): one step counts at most `maxStepVirtualMs` of virtual time,
 * whatever real time passed, so a stalled process runs the simulation slower, never less healthy.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { abortableSleep } from './sleep.ts';
import { TimerHeap } from './timer-heap.ts';

interface SteppedTimer extends TimerHandle {
  at: number;
  seq: number;
  fn: (() => void) | undefined;
}

export interface SteppedClockOptions {
  speed: number;
  /** Most virtual time one step may count (default 200 ms, as the simulator's VirtualClock). */
  maxStepVirtualMs?: number;
  /** Real period of the stepping heartbeat (default 4 ms). */
  heartbeatRealMs?: number;
}

const before = (a: SteppedTimer, b: SteppedTimer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class SteppedClock implements Clock {
  private base: number;
  private lastReal = performance.now();
  private readonly heap = new TimerHeap<SteppedTimer>(before);
  private seq = 0;
  private wake: NodeJS.Timeout | undefined;
  private stepping = false;
  private disposed = false;
  private readonly speed: number;
  private readonly maxStep: number;
  private readonly heartbeat: number;
  /** The instant of the last batch of timers fired (−∞ before the first). */
  firedAt = Number.NEGATIVE_INFINITY;

  constructor(startMs: number, o: SteppedClockOptions) {
    if (!Number.isFinite(startMs)) throw new RangeError('SteppedClock: start must be a finite epoch ms');
    if (!(o.speed > 0) || !Number.isFinite(o.speed)) throw new RangeError('SteppedClock: speed must be > 0');
    this.base = Math.floor(startMs);
    this.speed = o.speed;
    this.maxStep = o.maxStepVirtualMs ?? 200;
    this.heartbeat = o.heartbeatRealMs ?? 4;
    this.arm();
  }

  get currentSpeed(): number {
    return this.speed;
  }

  now(): number {
    return Math.floor(this.base);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: SteppedTimer = { id: ++this.seq, seq: this.seq, at: this.now() + Math.max(0, Math.floor(ms) || 0), fn };
    this.heap.push(timer);
    if (this.heap.peek() === timer) this.arm();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as SteppedTimer).fn = undefined;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }

  dispose(): void {
    this.disposed = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
  }

  /** One step: credit the real time since the last step (capped), fire the first due batch within it. */
  private step(): void {
    this.wake = undefined;
    if (this.disposed) return;
    const real = performance.now();
    const credit = Math.min((real - this.lastReal) * this.speed, this.maxStep);
    this.lastReal = real;
    const target = this.base + credit;
    const next = this.heap.peek();
    if (next && next.at <= target) {
      if (next.at > this.base) this.base = next.at;
      this.fireBatch(next.at);
      // Let continuations run (and sockets deliver) before the next step; then catch up at once.
      this.stepping = true;
      setImmediate(() => {
        this.stepping = false;
        this.step();
      });
      return;
    }
    this.base = target;
    this.arm();
  }

  private fireBatch(at: number): void {
    const last = this.seq;
    this.firedAt = at;
    for (;;) {
      const t = this.heap.peek();
      if (!t || t.at !== at || t.seq > last) break;
      this.heap.pop();
      const fn = t.fn!;
      t.fn = undefined;
      fn();
    }
  }

  private arm(): void {
    if (this.disposed || this.stepping) return;
    if (this.wake) clearTimeout(this.wake);
    const next = this.heap.peek();
    const untilNext = next ? Math.max(0, (next.at - this.base) / this.speed) : Number.POSITIVE_INFINITY;
    this.wake = setTimeout(() => this.step(), Math.min(untilNext, this.heartbeat));
    // The heartbeat alone must not keep a finished process alive; a pending timer does.
    if (!next) this.wake.unref();
  }
}
