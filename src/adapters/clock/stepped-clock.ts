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
 *
 * A preset over the shared clock core (clock-core.ts: the timer queue, the flow of steps): VirtualClock's
 * flow, capped in virtual time only, with the event clock's batches. What is its own: `now()` stands still
 * between steps, a step that reaches a timer stops at its instant (the rest of that step's credit is not
 * counted) and the next step follows one turn later, and the wake is at most a heartbeat away (not a step's
 * real-time cap).
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { Flow, TimerQueue, type CoreTimer } from './clock-core.ts';
import { abortableSleep } from './sleep.ts';

export interface SteppedClockOptions {
  speed: number;
  /** Most virtual time one step may count (default 200 ms, as the simulator's VirtualClock). */
  maxStepVirtualMs?: number;
  /** Real period of the stepping heartbeat (default 4 ms). */
  heartbeatRealMs?: number;
}


export class SteppedClock implements Clock {
  private base: number;
  private readonly timers = new TimerQueue();
  private readonly flow: Flow;
  private stepping = false;
  /** The instant of the last batch of timers fired (−∞ before the first). */
  firedAt = Number.NEGATIVE_INFINITY;

  constructor(startMs: number, o: SteppedClockOptions) {
    if (!Number.isFinite(startMs)) throw new RangeError('SteppedClock: start must be a finite epoch ms');
    if (!(o.speed > 0) || !Number.isFinite(o.speed)) throw new RangeError('SteppedClock: speed must be > 0');
    this.base = Math.floor(startMs);
    this.flow = new Flow({
      speed: o.speed,
      maxStepRealMs: Number.POSITIVE_INFINITY,
      maxStepVirtualMs: o.maxStepVirtualMs ?? 200,
      heartbeatRealMs: o.heartbeatRealMs ?? 4,
      wakeWithinStep: false,
    });
    this.arm();
  }

  get currentSpeed(): number {
    return this.flow.speed;
  }

  now(): number {
    return Math.floor(this.base);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = this.timers.add(this.now() + Math.max(0, Math.floor(ms) || 0), fn);
    if (this.timers.peek() === timer) this.arm();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.cancel(handle as CoreTimer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }

  dispose(): void {
    this.flow.dispose();
  }

  /** One step: credit the real time since the last step (capped), fire the first due batch within it. */
  private step(): void {
    if (this.flow.disposed) return;
    const target = this.base + this.flow.take();
    const next = this.timers.peek();
    if (next && next.at <= target) {
      if (next.at > this.base) this.base = next.at;
      this.firedAt = next.at;
      this.timers.fireBatch();
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

  private arm(): void {
    if (this.stepping) return;
    const next = this.timers.nextAt();
    this.flow.wake(next === undefined ? undefined : next - this.base, () => this.step());
  }
}
