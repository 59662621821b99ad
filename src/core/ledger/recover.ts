/**
 * The paper orders a ledger proves (crash-only recovery, SPEC §6.6): the ledger is the durable truth of the
 * dry broker — every acknowledged quote, cancel, fill and settlement is in it — so a restarted process
 * rebuilds its paper orders from it: what still rests, what was filled (and the fees paid), what waits for
 * its market's settlement, and the context each later record needs. Pure.
 */
import type { OrderState } from '../orders.ts';
import type { Market } from '../market.ts';
import type { QuoteContext } from './build.ts';
import { ledgerContractsToCenti, ledgerDollarsToPips, type LedgerRecord, type QuoteRecord } from './record.ts';
import type { Pips } from '../units.ts';

export interface RecoveredOrder {
  state: OrderState;
  /** Fees of its fills so far (pips). */
  feesPips: Pips;
  /** What its quote record says the engine knew (for the records still to come). */
  context: QuoteContext;
  /** The window id the quote belonged to (`2026-11-20/hourly-1000`). */
  windowId: string;
  /** A settlement record exists: nothing more will be written for it. */
  settled: boolean;
}

/** Market fields of a quote record (strike back to floor/cap by the strike type, as strikeFields wrote it). */
function marketOf(q: QuoteRecord): QuoteContext['market'] {
  const m: QuoteContext['market'] = { ticker: q.kalshi_market_id, eventTicker: q.event_ticker, strikeType: q.strike_type as Market['strikeType'] };
  const strike = q.strike ?? undefined;
  if (q.strike_type === 'less' || q.strike_type === 'less_or_equal') {
    if (strike !== undefined) m.capStrike = strike;
  } else {
    if (strike !== undefined) m.floorStrike = strike;
    if (q.cap_strike !== undefined) m.capStrike = q.cap_strike;
  }
  return m;
}

export function recoverPaperOrders(records: readonly LedgerRecord[]): Map<string, RecoveredOrder> {
  const out = new Map<string, RecoveredOrder>();
  for (const r of records) {
    const id = r.client_order_id;
    if (r.type === 'quote') {
      if (out.has(id)) continue; // a duplicate line of the same quote
      out.set(id, {
        state: {
          clientOrderId: id,
          marketTicker: r.kalshi_market_id,
          side: r.side,
          price: ledgerDollarsToPips(r.price),
          size: ledgerContractsToCenti(r.size),
          filled: 0,
          status: 'resting',
          submittedMs: r.ts_ms,
          updatedMs: r.ts_ms,
        },
        feesPips: 0,
        context: {
          series: r.series,
          window: r.window,
          market: marketOf(r),
          evAfterFeesCents: r.ev_after_fees_cents,
          fillProb: r.fill_prob,
          modelProb: r.model_prob,
          activeFeed: r.active_feed,
          feedAgeMs: r.feed_age_ms,
        },
        windowId: r.window,
        settled: false,
      });
      continue;
    }
    const o = out.get(id);
    if (!o) continue; // its quote is in an archive: that day is closed
    o.state.updatedMs = Math.max(o.state.updatedMs, r.ts_ms);
    switch (r.type) {
      case 'paper_fill':
        o.state.filled = Math.max(o.state.filled, ledgerContractsToCenti(r.filled_total));
        o.feesPips += ledgerDollarsToPips(r.fee);
        if (o.state.filled >= o.state.size && o.state.status === 'resting') o.state.status = 'executed';
        break;
      case 'cancel':
        if (o.state.status === 'resting') {
          o.state.status = 'canceled';
          o.state.reason = r.reason;
        }
        o.state.filled = Math.max(o.state.filled, ledgerContractsToCenti(r.filled));
        break;
      case 'settlement':
        o.settled = true;
        break;
    }
  }
  return out;
}
