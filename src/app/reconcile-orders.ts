/**
 * `orders reconcile` (SPEC §2, §7.3): orders.json against the truth — the paper ledger for `dry`, the
 * exchange's resting orders (ours by client_order_id prefix) for `live` — and what differs. Read-only unless
 * asked to apply; applying is refused while a supervisor holds the working root (it reconciles itself on
 * every start) and, for live, needs KALSHI_LIVE_APPROVED=yes like any other action on the real account.
 */
import type { BrokerMode } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { OrderState } from '../core/orders.ts';
import { recoverPaperOrders } from '../core/ledger/recover.ts';
import { CLIENT_ORDER_ID_PREFIX } from '../core/quotes/client-order-id.ts';
import { readLedgerFile } from '../adapters/ledger/ledger-reader.ts';
import { OrdersStore, type OutstandingOrder } from '../adapters/state/orders-store.ts';
import { toOrderState } from '../adapters/broker/live-broker.ts';
import type { KalshiRestClient } from '../adapters/kalshi/rest-client.ts';

export interface OrdersDiff {
  mode: BrokerMode;
  truth: 'ledger' | 'exchange';
  /** orders.json lists them as outstanding; the truth has them no longer resting. */
  onlyLocal: OutstandingOrder[];
  /** Resting per the truth, unknown to orders.json (live: orphans at the exchange). */
  onlyTruth: OrderState[];
  /** Both know them but disagree (price, size or filled). */
  mismatched: { local: OutstandingOrder; truth: OrderState }[];
  inSync: number;
  /** What --apply did. */
  applied?: { cancelled: string[]; rewritten: boolean };
}

export function diffOrders(mode: BrokerMode, truthName: OrdersDiff['truth'], local: readonly OutstandingOrder[], truth: readonly OrderState[]): OrdersDiff {
  const byId = new Map(truth.map((t) => [t.clientOrderId, t]));
  const localIds = new Set(local.map((o) => o.clientOrderId));
  const d: OrdersDiff = { mode, truth: truthName, onlyLocal: [], onlyTruth: [], mismatched: [], inSync: 0 };
  for (const o of local) {
    const t = byId.get(o.clientOrderId);
    if (!t) d.onlyLocal.push(o);
    else if (t.price !== o.price || t.size !== o.size || t.filled !== o.filled) d.mismatched.push({ local: o, truth: t });
    else d.inSync++;
  }
  for (const t of truth) if (!localIds.has(t.clientOrderId)) d.onlyTruth.push(t);
  return d;
}

/** Resting paper orders the ledger proves. */
export function ledgerRestingOrders(ledgerFile: string): OrderState[] {
  return [...recoverPaperOrders(readLedgerFile(ledgerFile).records).values()].filter((r) => !r.settled && r.state.status === 'resting').map((r) => r.state);
}

/** Our resting orders at the exchange. */
export async function exchangeRestingOrders(rest: KalshiRestClient, clock: Clock): Promise<OrderState[]> {
  const now = clock.now();
  return (await rest.listOrders({ status: 'resting' })).filter((x) => x.client_order_id.startsWith(CLIENT_ORDER_ID_PREFIX)).map((x) => toOrderState(x, now));
}

export async function reconcileOrders(o: {
  mode: BrokerMode;
  store: OrdersStore;
  ledgerFile: string;
  rest?: KalshiRestClient;
  clock: Clock;
  apply: boolean;
}): Promise<OrdersDiff> {
  const local = o.store.read().state.modes[o.mode].orders;
  let truth: OrderState[];
  if (o.mode === 'dry') truth = ledgerRestingOrders(o.ledgerFile);
  else {
    if (!o.rest) throw new Error('live reconcile needs the Kalshi API (KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM_PATH)');
    truth = await exchangeRestingOrders(o.rest, o.clock);
  }
  const d = diffOrders(o.mode, o.mode === 'dry' ? 'ledger' : 'exchange', local, truth);
  if (!o.apply) return d;
  const cancelled: string[] = [];
  if (o.mode === 'live' && o.rest) {
    for (const orphan of d.onlyTruth) {
      if (!orphan.orderId) continue;
      await o.rest.cancelOrder(orphan.orderId, { marketTicker: orphan.marketTicker });
      cancelled.push(orphan.clientOrderId);
    }
    truth = await exchangeRestingOrders(o.rest, o.clock);
  }
  o.store.replaceOutstanding(o.mode, truth);
  d.applied = { cancelled, rewritten: true };
  return d;
}
