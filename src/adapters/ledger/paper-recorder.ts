/**
 * Writes the dry broker's events to the paper ledger (SPEC §7.1): `accepted` → quote, `canceled` →
 * cancel, `fill` → paper_fill, `settled` → settlement. The engine describes each quote (series, window,
 * market, model probability, EV, feed) with `describe()` *before* placing it; every later record of that
 * order reuses that context, with the feed state at the time of the record when a `feed` source is given.
 *
 * Records of one broker operation are written as one group commit (one write, one fdatasync), and the
 * operation returns only after they are durable. If the write fails (disk full, I/O error) the error
 * propagates to the broker's caller and the unwritten records are kept in order and written first by
 * the next `record()` / `flush()`: a paper fill that happened is never silently dropped.
 */
import { z } from 'zod';
import type { PaperEvent } from '../../core/paper/types.ts';
import { recordForEvent, type FeedSnapshot, type QuoteContext } from '../../core/ledger/build.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../core/ledger/record.ts';
import { LedgerValidationError } from './ledger-writer.ts';

/** Where records go: a LedgerWriter, or an in-memory sink (replay, tests). Returns once durable. */
export interface LedgerSink {
  appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[];
}

const probability = z.number().min(0).max(1);
const QuoteContextSchema = z.object({
  series: z.enum(['INXU', 'NASDAQ100U', 'INX', 'NASDAQ100']),
  window: z.string().min(1),
  market: z.object({ ticker: z.string().min(1), eventTicker: z.string().min(1), strikeType: z.string().min(1) }),
  evAfterFeesCents: z.number().finite(),
  fillProb: probability.nullable(),
  modelProb: probability,
  activeFeed: z.enum(['polygon', 'massive']).nullable(),
  feedAgeMs: z.number().nonnegative().nullable(),
});

export class MissingQuoteContextError extends Error {
  override name = 'MissingQuoteContextError';
}

export class PaperLedgerRecorder {
  private readonly contexts = new Map<string, QuoteContext>();
  private backlog: LedgerRecordInput[] = [];

  constructor(
    private readonly writer: LedgerSink,
    private readonly feed?: () => FeedSnapshot,
  ) {}

  /**
   * Registers what the engine knew when it decided this quote; call before `broker.place`. The context
   * is validated now (throws LedgerValidationError), so a bad value never surfaces mid-fill.
   */
  describe(clientOrderId: string, ctx: QuoteContext): void {
    const r = QuoteContextSchema.safeParse(ctx);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new LedgerValidationError(`quote context for ${clientOrderId}: ${issue.path.join('.')}: ${issue.message}`);
    }
    if (!this.contexts.has(clientOrderId)) this.contexts.set(clientOrderId, ctx);
  }

  /** Contexts of orders recovered from the ledger after a restart (their later records need them). */
  restoreContexts(orders: Iterable<{ state: { clientOrderId: string }; context: QuoteContext; settled: boolean }>): void {
    for (const o of orders) if (!o.settled && !this.contexts.has(o.state.clientOrderId)) this.contexts.set(o.state.clientOrderId, o.context);
  }

  /** Records built but not yet durable because a write failed. */
  get unwritten(): number {
    return this.backlog.length;
  }

  /** Retries records left by a failed write. */
  flush(): LedgerRecord[] {
    return this.write([]);
  }

  /** Number of orders whose context is still held (until they settle or are rejected). */
  get pending(): number {
    return this.contexts.size;
  }

  /** Writes the records of one batch of events (durably, before returning). */
  record(events: PaperEvent[]): LedgerRecord[] {
    if (events.length === 0) return [];
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
      const input = recordForEvent(ctx, e, feed);
      if (input) inputs.push(input);
      if (e.type === 'settled') done.push(id);
    }
    for (const id of done) this.contexts.delete(id);
    return this.write(inputs);
  }

  private write(inputs: LedgerRecordInput[]): LedgerRecord[] {
    const all = this.backlog.length ? [...this.backlog, ...inputs] : inputs;
    if (all.length === 0) return [];
    try {
      const written = this.writer.appendBatch(all);
      this.backlog = [];
      return written;
    } catch (e) {
      // An I/O failure keeps everything for the retry; an invalid record is a bug and must not block the rest.
      this.backlog = e instanceof LedgerValidationError ? [] : all;
      throw e;
    }
  }
}
