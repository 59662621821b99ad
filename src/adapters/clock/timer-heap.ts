/**
 * The pending timers of a clock: a binary min-heap ordered by the clock's own `before` (time, then whatever
 * breaks ties), with lazy cancellation — a cancelled timer (its `fn` cleared) stays until it reaches the top
 * and is dropped there, so cancelling is O(1). Under the clock core's TimerQueue (clock-core.ts).
 */
export interface HeapTimer {
  at: number;
  fn: (() => void) | undefined;
}

export class TimerHeap<T extends HeapTimer> {
  private readonly h: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** The earliest live timer, if any (cancelled ones on top are dropped first). */
  peek(): T | undefined {
    while (this.h.length > 0 && this.h[0]!.fn === undefined) this.pop();
    return this.h[0];
  }

  push(x: T): void {
    const h = this.h;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(x, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = x;
  }

  /** Removes the top (whatever it is). */
  pop(): T | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(h[r]!, h[l]!) ? r : l;
      if (!this.before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  get size(): number {
    return this.h.length;
  }
}
