/**
 * The one core the virtual clocks are presets over (virtual-clock.ts, stepped-clock.ts, event-clock.ts), so
 * each timer, speed and step rule exists once:
 * - `TimerQueue`: the pending timers in one order — (instant, priority, creation): timers of one instant
 *   fire in the order they were set, unless a priority (the event clock's) puts one first — lazily
 *   cancelled, with the three ways a clock fires them: the earliest one alone, every one due by an
 *   instant, or one batch (the earliest and every timer of its instant and priority created before the
 *   batch began).
 * - `advanceThrough` / `driveUntil`: moving time timer by timer to an instant, or until a promise settles,
 *   with one event-loop turn after each firing so promise chains complete at the instant they belong to.
 * - `Flow`: virtual time flowing at `speed` × wall time in steps of bounded real time. **Real stalls are not
 *   virtual outages** (SPEC §9): a step counts at most `maxStepRealMs` of real time (and at most
 *   `maxStepVirtualMs` of virtual time); the excess is dropped (`droppedRealMs`), so a blocked event loop
 *   runs the simulation slower, never less healthy. A real wake timer (a heartbeat while idle, which never
 *   keeps the process alive on its own) takes the steps.
 * What a preset decides: how a timer's instant is rounded, which firing it uses, and whether `now()` moves
 * between steps.
 */
import type { TimerHandle } from '../../ports/clock.ts';
import { TimerHeap } from './timer-heap.ts';

export interface CoreTimer extends TimerHandle {
  at: number;
  /** Among timers of one instant, lower fires first (`DEFAULT_PRIORITY` unless a caller sets one). */
  prio: number;
  /** Creation order (also the handle's id). */
  seq: number;
  /** The callback; cleared once fired or cancelled. */
  fn: (() => void) | undefined;
  /** Its callback settles no promise: a batch of only such timers needs no event-loop turn after it. */
  sync: boolean;
}

/** Priority of ordinary timers; lower fires first among timers due at the same instant. */
export const DEFAULT_PRIORITY = 1;

const before = (a: CoreTimer, b: CoreTimer) => a.at < b.at || (a.at === b.at && (a.prio < b.prio || (a.prio === b.prio && a.seq < b.seq)));

/** One event-loop turn: every promise continuation queued so far runs before it resolves. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class TimerQueue {
  private readonly heap = new TimerHeap<CoreTimer>(before);
  private seq = 0;
  private live = 0;
  /** Timers fired so far. */
  fired = 0;

  /** A pending timer at `at`, after every timer already set for that instant and priority. */
  add(at: number, fn: () => void, prio = DEFAULT_PRIORITY, sync = false): CoreTimer {
    const seq = ++this.seq;
    const timer: CoreTimer = { id: seq, seq, at, prio, fn, sync };
    this.heap.push(timer);
    this.live++;
    return timer;
  }

  /** Cancels a pending timer (a fired or cancelled one: no-op). True when it was the earliest. */
  cancel(timer: CoreTimer): boolean {
    if (timer.fn === undefined) return false;
    const first = this.heap.peek() === timer;
    timer.fn = undefined; // removed lazily when it reaches the top
    this.live--;
    return first;
  }

  /** Pending (not cancelled) timers. */
  get pending(): number {
    return this.live;
  }

  /** The earliest pending timer, if any. */
  peek(): CoreTimer | undefined {
    return this.heap.peek();
  }

  /** Instant of the earliest pending timer, if any. */
  nextAt(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Fires the earliest pending timer (the caller has moved time to it). */
  fireNext(): void {
    const t = this.heap.peek();
    if (t) this.run(t);
  }

  /** Fires every timer due at or before `upTo`, in order, including ones the callbacks create. */
  fireDue(upTo: number): void {
    for (let t = this.heap.peek(); t !== undefined && t.at <= upTo; t = this.heap.peek()) this.run(t);
  }

  /**
   * Fires one batch: the earliest timer and every pending one of its instant and priority created before
   * the batch began, in order (the caller has moved time to it). True when every one was `sync`.
   */
  fireBatch(): boolean {
    const first = this.heap.peek();
    if (!first) return true;
    const { at, prio } = first;
    const last = this.seq;
    let sync = true;
    for (let t: CoreTimer | undefined = first; t !== undefined && t.at === at && t.prio === prio && t.seq <= last; t = this.heap.peek()) {
      if (!t.sync) sync = false;
      this.run(t);
    }
    return sync;
  }

  private run(t: CoreTimer): void {
    this.heap.pop();
    const fn = t.fn!;
    t.fn = undefined;
    this.live--;
    this.fired++;
    fn();
  }
}

/**
 * Moves a clock's time through every firing due by `target`: a turn first (so what is already under way
 * settles at the current instant), then `fire` (which moves time to the next timer and fires it or its
 * batch) and a turn after each, until the next timer lies past `target`. The caller then moves time to
 * `target` itself.
 */
export async function advanceThrough(target: number, nextAt: () => number | undefined, fire: () => void): Promise<void> {
  await nextTurn();
  for (;;) {
    const next = nextAt();
    if (next === undefined || next > target) break;
    fire();
    await nextTurn();
  }
}

/**
 * Runs `round` until `p` settles ("as fast as possible"; the one loop behind every clock's `drive()`), with
 * an event-loop turn first when `firstTurn`. A round that returns a promise is awaited; one that returns
 * nothing is followed at once by the next (a synchronous firing that settled no promise).
 */
export async function driveUntil<T>(p: Promise<T>, round: (done: () => boolean) => Promise<unknown> | undefined, firstTurn = false): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  const isDone = () => done;
  if (firstTurn) await nextTurn();
  while (!done) {
    const r = round(isDone);
    if (r) await r;
  }
  return tracked;
}

export interface FlowOptions {
  speed: number;
  /** Most real time one step may count (ms). */
  maxStepRealMs: number;
  /** Most virtual time one step may count (ms). */
  maxStepVirtualMs: number;
  /** Real period of the heartbeat that keeps steps small (ms). */
  heartbeatRealMs: number;
  /** Wake at least once per step's real-time cap, not only per heartbeat (the virtual clock does). */
  wakeWithinStep: boolean;
}

const realNow = () => performance.now();

/** Virtual time flowing at `speed` × wall time in bounded steps, and the real timer that takes them. */
export class Flow {
  speed: number;
  private capReal: number;
  private lastReal = realNow();
  private wakeTimer: NodeJS.Timeout | undefined;
  private isDisposed = false;
  /** Real milliseconds dropped because a step exceeded its cap (stalls). */
  droppedRealMs = 0;

  constructor(private readonly o: FlowOptions) {
    this.speed = o.speed;
    this.capReal = this.cap();
  }

  /** Real ms one step may count at the current speed. */
  private cap(): number {
    return this.speed > 0 ? Math.min(this.o.maxStepRealMs, this.o.maxStepVirtualMs / this.speed) : this.o.maxStepRealMs;
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.capReal = this.cap();
  }

  /** Starts the next step's real time now (time was just set by hand). */
  restart(): void {
    this.lastReal = realNow();
  }

  /** Virtual ms the real time since the last step would count now (capped), without taking the step. */
  pending(): number {
    return Math.min(realNow() - this.lastReal, this.capReal) * this.speed;
  }

  /** Takes one step: the virtual ms to count for the real time since the last one; the excess is dropped. */
  take(): number {
    const real = realNow();
    const elapsed = real - this.lastReal;
    const counted = Math.min(elapsed, this.capReal);
    if (elapsed > counted) this.droppedRealMs += elapsed - counted;
    this.lastReal = real;
    return counted * this.speed;
  }

  /**
   * (Re)arms the real wake: `fn` after the real time the next timer is away (`untilNextVirtualMs`; undefined
   * when none is pending), at most a heartbeat. Only a pending timer keeps the process alive.
   */
  wake(untilNextVirtualMs: number | undefined, fn: () => void): void {
    this.clearWake();
    if (this.isDisposed) return;
    const untilNext = untilNextVirtualMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, untilNextVirtualMs / this.speed);
    const delay = Math.min(untilNext, this.o.heartbeatRealMs, this.o.wakeWithinStep ? this.capReal : Number.POSITIVE_INFINITY);
    const timer = setTimeout(() => {
      this.wakeTimer = undefined;
      fn();
    }, delay);
    this.wakeTimer = timer;
    if (untilNextVirtualMs === undefined) timer.unref();
  }

  clearWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  /** Stops the real wake for good so the process can exit. */
  dispose(): void {
    this.isDisposed = true;
    this.clearWake();
  }

  get disposed(): boolean {
    return this.isDisposed;
  }
}
