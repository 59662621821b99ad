/**
 * From decoded Massive events to the feed's ticks (reference polygon_massive.md §1): an event counts only on
 * the feed's own channel and symbols (anything else is `ignored`). `V` gives `val` at `t`; for `A`/`AM` bars
 * the tick is the bar's close `c` stamped with the window end `e` (the close is the value as of the end of
 * the window). An event without its timestamp is stamped with its receipt time. A listener that throws is
 * contained, counted (`failed`) and logged.
 */
import type { IndexTick } from '../../ports/index-feed.ts';
import type { IndexSymbol } from '../../core/series.ts';
import type { AggregateEvent, ValueEvent } from './schemas.ts';
import { redact, type FeedLogger } from './log.ts';
import type { IndexChannel, WsFeedCounters } from './ws-options.ts';

export interface MassiveTicksOptions {
  name: string;
  channel: IndexChannel;
  symbols: ReadonlySet<string>;
  apiKey: string;
  log: FeedLogger;
  /** The feed's counters: `ticks`, `ignored` and `failed` are counted here. */
  counters: Pick<WsFeedCounters, 'ticks' | 'ignored' | 'failed'>;
  /** Told the receipt time of every tick before its listeners (the silence watch). */
  onTickAt: (receivedTs: number) => void;
}

export class MassiveTicks {
  private readonly listeners = new Set<(t: IndexTick) => void>();

  constructor(private readonly o: MassiveTicksOptions) {}

  on(listener: (tick: IndexTick) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  value(e: ValueEvent, receivedTs: number): void {
    if (this.o.channel !== 'V' || !this.o.symbols.has(e.T)) {
      this.o.counters.ignored++;
      return;
    }
    this.emit({ symbol: e.T as IndexSymbol, value: e.val, eventTs: e.t ?? receivedTs, receivedTs });
  }

  aggregate(e: AggregateEvent, receivedTs: number): void {
    if (this.o.channel !== e.ev || !this.o.symbols.has(e.sym)) {
      this.o.counters.ignored++;
      return;
    }
    this.emit({ symbol: e.sym as IndexSymbol, value: e.c, eventTs: e.e ?? e.s ?? receivedTs, receivedTs });
  }

  private emit(tick: IndexTick): void {
    this.o.counters.ticks++;
    this.o.onTickAt(tick.receivedTs);
    for (const l of this.listeners) {
      try {
        l(tick);
      } catch (e) {
        this.o.counters.failed++;
        this.o.log.error({ feed: this.o.name, reason: redact(String((e as Error)?.message ?? e), this.o.apiKey).slice(0, 200) }, 'index tick listener threw');
      }
    }
  }
}
