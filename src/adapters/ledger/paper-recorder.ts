/**
 * Writes the dry broker's events to the paper ledger (SPEC §7.1): `accepted` → quote, `canceled` →
 * cancel, `fill` → paper_fill, `settled` → settlement. The engine describes each quote (series, window,
 * market, model probability, EV, feed) with `describe()` *before* placing it; every later record of that
 * order reuses that context, with the feed state at the time of the record when a `feed` source is given.
 *
 * Records of one broker operation are written as one group commit (one write, one fdatasync), and the
 * operation returns only after they are durable.
 */
import type { Clock } from '../../ports/clock.ts';
import type { PaperEvent } from '../../core/paper/types.ts';
import { recordForEvent, type FeedSnapshot, type QuoteContext } from '../../core/ledger/build.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../core/ledger/record.ts';
import type { LedgerWriter } from './ledger-writer.ts';

export class MissingQuoteContextError extends Error {
  override name = 'MissingQuoteContextError';
}

export class PaperLedgerRecorder {
  private readonly contexts = new Map<string, QuoteContext>();

  constructor(
    private readonly writer: LedgerWriter,
    private readonly clock: Clock,
    private readonly feed?: () => FeedSnapshot,
  ) {}

  /** Registers what the engine knew when it decided this quote; call before `broker.place`. */
  describe(clientOrderId: string, ctx: QuoteContext): void {
    if (!this.contexts.has(clientOrderId)) this.contexts.set(clientOrderId, ctx);
  }

  /** Number of orders whose context is still held (until they settle or are rejected). */
  get pending(): number {
    return this.contexts.size;
  }

  /** Writes the records of one batch of events (durably, before returning). */
  record(events: PaperEvent[]): LedgerRecord[] {
    if (events.length === 0) return [];
    const now = this.clock.now();
    const feed = this.feed?.();
    const inputs: LedgerRecordInput[] = [];
    const done: string[] = [];
    for (const e of events) {
      const id = e.order.clientOrderId;
      const ctx = this.contexts.get(id);
      if (e.type === 'rejected') {
        done.push(id);
        continue;
      }
      if (!ctx) throw new MissingQuoteContextError(`no quote context for client_order_id ${id}: call describe() before place()`);
      const input = recordForEvent(ctx, e, now, feed);
      if (input) inputs.push(input);
      if (e.type === 'settled') done.push(id);
    }
    const written = this.writer.appendBatch(inputs);
    for (const id of done) this.contexts.delete(id);
    return written;
  }
}
