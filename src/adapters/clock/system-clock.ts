/** Wall-clock implementation of the Clock port. The one place real time enters the system. */
import type { Clock, ClockKind, TimerHandle } from '../../ports/clock.ts';
import { abortableSleep } from './sleep.ts';

interface SystemTimer extends TimerHandle {
  timeout: NodeJS.Timeout;
}

let nextId = 1;

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle: SystemTimer = { id: nextId++, timeout: setTimeout(fn, Math.max(0, ms)) };
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout((handle as SystemTimer).timeout);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return abortableSleep(this, ms, signal);
  }
}

/** The kind of time a clock keeps: the wall clock is `real`; every other clock (virtual, stepped, event) is `virtual`. */
export function clockKindOf(clock: Clock): ClockKind {
  return clock instanceof SystemClock ? 'real' : 'virtual';
}
