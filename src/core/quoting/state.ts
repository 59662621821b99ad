/**
 * The quoting state of one series in one window (SPEC §5.5, §6.1), pure and serialisable: the orders we
 * own (with the revision each `client_order_id` was derived from), the next unused revision per slot,
 * filled exposure per market, open worst-case loss and realised PnL. It is plain JSON on purpose: the
 * hot-restart snapshot persists it, and a restarted process continues from it without reusing an id.
 *
 * Every change comes through one of these functions, in the order things happen:
 * - `planQuotes` — what to cancel / replace / place now, through the same ladder path as `price`
 *   (`quoteLadder`: forecast from the event's close_time → P(YES) per market → maker selection);
 * - `recordIntent` — before an order is sent (the revision is spent even if the send fails);
 * - `applyBrokerEvent` — placed / filled / cancelled / rejected, from either broker;
 * - `markUnknown` / `resolveLookup` — a send whose outcome is unknown, and what the venue later said;
 * - `recordResult` — the market's result: fills become realised PnL.
 * Money is integers: prices pips ($0.0001), sizes centi-contracts, PnL and fees micro-dollars.
 */
import type { Market } from '../market.ts';
import type { OrderState, YesSide } from '../orders.ts';
import type { SeriesCode } from '../series.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';
import { quoteLadder, type LadderQuote, type LadderQuoteInput } from '../quotes/ladder.ts';
import { diffQuotes, type RefreshAction } from '../quotes/refresh.ts';
import { slotKey, type Quote, type RestingQuote } from '../quotes/select.ts';
import type { BrokerEvent } from './events.ts';

/**
 * `pending`: sent, no answer yet; `unknown`: the send failed without an answer (must be looked up
 * before anything else); `cancel_pending`: a cancel was sent; the rest are the broker's terminal states.
 */
export type OwnOrderStatus = 'pending' | 'unknown' | 'resting' | 'cancel_pending' | 'canceled' | 'executed' | 'rejected';

export interface OwnOrder {
  clientOrderId: string;
  orderId?: string;
  marketTicker: string;
  side: YesSide;
  price: Pips;
  size: CentiContracts;
  filled: CentiContracts;
  revision: number;
  status: OwnOrderStatus;
  /** Worst-case loss of the whole order if it filled and lost (price or 1 − price, plus its fee). */
  worstPips: Pips;
  placedMs: number;
  updatedMs: number;
  reason?: string;
  /** Displayed size ahead of it at its price when it was placed (selection's estimate), centi-contracts. */
  queueAhead?: CentiContracts;
}

/** Our fills in one market, enough to settle them exactly. */
export interface MarketFills {
  buySize: CentiContracts;
  /** Σ price × size of buys (micro-dollars). */
  buyNotional: number;
  sellSize: CentiContracts;
  sellNotional: number;
  feeMicros: number;
  /** Worst-case loss of these fills if the market goes against them (pips, rounded up). */
  worstPips: Pips;
}

export interface QuotingCounters {
  quotesPlaced: number;
  cancels: number;
  rejects: number;
  fills: number;
  filledContracts: CentiContracts;
}

export interface SeriesQuotingState {
  version: 1;
  windowId: string;
  series: SeriesCode;
  eventTicker: string | null;
  /** Orders that may still work at the venue (pending, unknown, resting, cancel pending): what every cycle scans. */
  orders: Record<string, OwnOrder>;
  /** Orders known to be over (cancelled, executed, rejected): kept for late events and the markets quoted. */
  closed: Record<string, OwnOrder>;
  /** Next unused revision per slot (`slotKey(market, side)`). */
  revisions: Record<string, number>;
  fills: Record<string, MarketFills>;
  /** Markets whose result is known, and the result. */
  results: Record<string, 'yes' | 'no'>;
  /** Realised PnL after fees of settled fills (micro-dollars). */
  realizedPnlMicros: number;
  counters: QuotingCounters;
}

export function newQuotingState(windowId: string, series: SeriesCode, eventTicker: string | null = null): SeriesQuotingState {
  return {
    version: 1,
    windowId,
    series,
    eventTicker,
    orders: {},
    closed: {},
    revisions: {},
    fills: {},
    results: {},
    realizedPnlMicros: 0,
    counters: { quotesPlaced: 0, cancels: 0, rejects: 0, fills: 0, filledContracts: 0 },
  };
}

const LIVE: ReadonlySet<OwnOrderStatus> = new Set(['pending', 'unknown', 'resting', 'cancel_pending']);

/** Orders that may still be working at the venue (anything not known to be terminal). */
export function liveOrders(s: SeriesQuotingState): OwnOrder[] {
  return Object.values(s.orders);
}

/** An order of this state, live or closed. */
export const ownOrder = (s: SeriesQuotingState, clientOrderId: string): OwnOrder | undefined => s.orders[clientOrderId] ?? s.closed[clientOrderId];

/** Keeps `orders` to the live ones: an order that reached a terminal status moves to `closed`. */
function file(s: SeriesQuotingState, o: OwnOrder): void {
  if (LIVE.has(o.status)) return;
  if (s.orders[o.clientOrderId] === o) delete s.orders[o.clientOrderId];
  s.closed[o.clientOrderId] = o;
}

/**
 * A state written before `closed` existed (an older snapshot): its terminal orders move there. Returns the
 * same object, normalised.
 */
export function normaliseQuotingState(s: SeriesQuotingState): SeriesQuotingState {
  s.closed ??= {};
  for (const o of Object.values(s.orders)) file(s, o);
  return s;
}

/** Orders whose outcome the venue never confirmed (sent, then the connection failed). */
export function unknownOrders(s: SeriesQuotingState): OwnOrder[] {
  return Object.values(s.orders).filter((o) => o.status === 'unknown');
}

/** Orders the quoter treats as resting (cancels already sent are not). */
export function restingQuotes(s: SeriesQuotingState): RestingQuote[] {
  const out: RestingQuote[] = [];
  for (const o of Object.values(s.orders)) {
    if (o.status !== 'resting' && o.status !== 'pending') continue;
    out.push({ marketTicker: o.marketTicker, side: o.side, price: o.price, size: o.size - o.filled, clientOrderId: o.clientOrderId, revision: o.revision, placedMs: o.placedMs, ...(o.queueAhead !== undefined ? { queueAhead: o.queueAhead } : {}) });
  }
  return out;
}

/** Filled contracts per market (both sides, absolute) and across the window. */
export function filledExposure(s: SeriesQuotingState): { byMarket: Map<string, CentiContracts>; total: CentiContracts } {
  const byMarket = new Map<string, CentiContracts>();
  let total = 0;
  for (const [t, f] of Object.entries(s.fills)) {
    const c = f.buySize + f.sellSize;
    byMarket.set(t, c);
    total += c;
  }
  return { byMarket, total };
}

/** Worst-case loss of filled positions not yet settled (pips). */
export function openWorstPips(s: SeriesQuotingState): Pips {
  let sum = 0;
  for (const [t, f] of Object.entries(s.fills)) if (!(t in s.results)) sum += f.worstPips;
  return sum;
}

/** Worst-case loss of what still rests (unfilled remainder of live orders, pips). */
export function restingWorstPips(s: SeriesQuotingState): Pips {
  let sum = 0;
  for (const o of liveOrders(s)) {
    if (o.size <= 0) continue;
    sum += Math.ceil((o.worstPips * (o.size - o.filled)) / o.size);
  }
  return sum;
}

/** The ladder's inputs (quotes/ladder.ts) less what the quoting state itself supplies (window, resting, exposure). */
export interface PlanInput extends Pick<LadderQuoteInput, 'event' | 'books' | 'spot' | 'nowMs' | 'model' | 'fees' | 'policy'> {
  /** What remains of the day's loss budget for this series (pips), see DayRisk. */
  lossBudgetPips: number;
  /** Feed age and trade flow: turns on the policy's timing rules (quotes/margin.ts); absent: as before. */
  conditions?: LadderQuoteInput['conditions'];
}

export interface Plan {
  /** Markets that can be quoted now: active, with a book, not yet closed. */
  live: Market[];
  ladder: LadderQuote;
  actions: RefreshAction[];
}

/** What to do now, through the same ladder path as the `price` command. */
export function planQuotes(s: SeriesQuotingState, input: PlanInput): Plan {
  const live = input.event.markets.filter((m) => m.status === 'active' && input.books.has(m.ticker) && m.closeTimeMs > input.nowMs);
  const resting = restingQuotes(s);
  const exposure = filledExposure(s);
  const ladder = quoteLadder({
    event: { ...input.event, markets: live },
    books: input.books,
    spot: input.spot,
    nowMs: input.nowMs,
    model: input.model,
    fees: input.fees,
    windowId: s.windowId,
    policy: input.policy,
    exposure: { marketContracts: exposure.byMarket, windowContracts: exposure.total, lossBudgetPips: input.lossBudgetPips },
    resting,
    revisions: new Map(Object.entries(s.revisions)),
    conditions: input.conditions,
  });
  return { live, ladder, actions: diffQuotes(resting, ladder.selection.quotes) };
}

/** Before sending: the order exists (pending) and its revision is spent, so a retry never reuses an id for another order. */
export function recordIntent(s: SeriesQuotingState, q: Quote, nowMs: number): OwnOrder {
  const slot = slotKey(q.marketTicker, q.side);
  s.revisions[slot] = Math.max(s.revisions[slot] ?? 0, q.revision + 1);
  const existing = ownOrder(s, q.clientOrderId);
  if (existing) return existing;
  const o: OwnOrder = {
    clientOrderId: q.clientOrderId,
    marketTicker: q.marketTicker,
    side: q.side,
    price: q.price,
    size: q.size,
    filled: 0,
    revision: q.revision,
    status: 'pending',
    worstPips: q.worstLossPips,
    placedMs: nowMs,
    updatedMs: nowMs,
    ...(q.queueAhead !== undefined ? { queueAhead: q.queueAhead } : {}),
  };
  s.orders[q.clientOrderId] = o;
  return o;
}

/**
 * An order the broker holds that this state does not know (restored after a restart from the ledger or
 * the exchange): it joins the state as resting, and its slot's next revision moves past it so no new
 * order of this window reuses an id.
 */
export function adoptOrder(s: SeriesQuotingState, st: OrderState, nowMs: number): OwnOrder {
  const existing = ownOrder(s, st.clientOrderId);
  if (existing) return existing;
  const slot = slotKey(st.marketTicker, st.side);
  const revision = s.revisions[slot] ?? 0;
  s.revisions[slot] = revision + 1;
  const atRisk = st.side === 'buy' ? st.price : PIPS_PER_DOLLAR - st.price;
  const o: OwnOrder = {
    clientOrderId: st.clientOrderId,
    ...(st.orderId ? { orderId: st.orderId } : {}),
    marketTicker: st.marketTicker,
    side: st.side,
    price: st.price,
    size: st.size,
    filled: st.filled,
    revision,
    status: st.status,
    worstPips: Math.ceil((atRisk * st.size) / CENTI_PER_CONTRACT),
    placedMs: st.submittedMs,
    updatedMs: nowMs,
  };
  s.orders[st.clientOrderId] = o;
  file(s, o);
  return o;
}

/** The send of this order failed without an answer: it may or may not rest at the venue. */
export function markUnknown(s: SeriesQuotingState, clientOrderId: string, nowMs: number): void {
  const o = s.orders[clientOrderId];
  if (o && (o.status === 'pending' || o.status === 'cancel_pending')) {
    o.status = 'unknown';
    o.updatedMs = nowMs;
  }
}

export function markCancelPending(s: SeriesQuotingState, clientOrderId: string, nowMs: number): void {
  const o = s.orders[clientOrderId];
  if (o && LIVE.has(o.status)) {
    o.status = 'cancel_pending';
    o.updatedMs = nowMs;
  }
}

/**
 * What the venue said about an order we looked up: its state, or undefined (it never arrived — the order
 * is closed as rejected with reason `not_received`, and its id stays spent).
 */
export function resolveLookup(s: SeriesQuotingState, clientOrderId: string, found: OrderState | undefined, nowMs: number): void {
  const o = ownOrder(s, clientOrderId);
  if (!o) return;
  if (!found) {
    o.status = 'rejected';
    o.reason = 'not_received';
    o.updatedMs = nowMs;
  } else syncFromBroker(s, o, found, nowMs);
  file(s, o);
}

function syncFromBroker(s: SeriesQuotingState, o: OwnOrder, st: OrderState, nowMs: number): void {
  if (st.orderId) o.orderId = st.orderId;
  // Fills arrive as their own events; a state with more filled than we saw (lookup after a gap) counts too.
  if (st.filled > o.filled) addFill(s, o, st.filled - o.filled, o.price, 0);
  o.status = st.status;
  if (st.reason) o.reason = st.reason;
  o.updatedMs = Math.max(o.updatedMs, nowMs);
}

function addFill(s: SeriesQuotingState, o: OwnOrder, size: CentiContracts, price: Pips, feeMicros: number): void {
  o.filled += size;
  const f = (s.fills[o.marketTicker] ??= { buySize: 0, buyNotional: 0, sellSize: 0, sellNotional: 0, feeMicros: 0, worstPips: 0 });
  if (o.side === 'buy') {
    f.buySize += size;
    f.buyNotional += price * size;
  } else {
    f.sellSize += size;
    f.sellNotional += price * size;
  }
  f.feeMicros += feeMicros;
  const atRisk = o.side === 'buy' ? price : PIPS_PER_DOLLAR - price;
  f.worstPips += Math.ceil((atRisk * size) / CENTI_PER_CONTRACT) + Math.ceil(feeMicros / 100);
  s.counters.fills++;
  s.counters.filledContracts += size;
}

/** Applies a broker event; returns false when the order is not one of this state's. */
export function applyBrokerEvent(s: SeriesQuotingState, e: BrokerEvent, nowMs: number): boolean {
  const o = ownOrder(s, e.order.clientOrderId);
  if (!o) return false;
  if (e.order.orderId) o.orderId = e.order.orderId;
  o.updatedMs = Math.max(o.updatedMs, nowMs);
  switch (e.type) {
    case 'placed':
      if (o.status === 'pending' || o.status === 'unknown') {
        o.status = 'resting';
        s.counters.quotesPlaced++;
      }
      break;
    case 'rejected':
      if (o.status !== 'rejected') s.counters.rejects++;
      o.status = 'rejected';
      o.reason = e.reason;
      break;
    case 'filled':
      addFill(s, o, e.fill.size, e.fill.price, e.fill.feeMicros);
      if (e.order.status === 'executed' || o.filled >= o.size) o.status = 'executed';
      break;
    case 'cancelled':
      if (o.status !== 'canceled' && o.status !== 'executed') {
        o.status = 'canceled';
        o.reason = e.reason;
        s.counters.cancels++;
      }
      break;
  }
  file(s, o);
  return true;
}

/** Gross settlement of fills (micro-dollars) for a result; pure arithmetic on the aggregates. */
export function settleFills(f: MarketFills, result: 'yes' | 'no'): number {
  const one = PIPS_PER_DOLLAR;
  const buys = result === 'yes' ? one * f.buySize - f.buyNotional : -f.buyNotional;
  const sells = result === 'yes' ? f.sellNotional - one * f.sellSize : f.sellNotional;
  return buys + sells;
}

/** The market's result: its fills become realised PnL (once). Returns the PnL added (micro-dollars). */
export function recordResult(s: SeriesQuotingState, ticker: string, result: 'yes' | 'no'): number {
  if (ticker in s.results) return 0;
  s.results[ticker] = result;
  const f = s.fills[ticker];
  if (!f) return 0;
  const pnl = settleFills(f, result) - f.feeMicros;
  s.realizedPnlMicros += pnl;
  return pnl;
}

/** Markets we placed any order in (the ones whose results the window waits for). */
export function quotedMarkets(s: SeriesQuotingState): string[] {
  const set = new Set<string>();
  for (const o of Object.values(s.orders)) set.add(o.marketTicker);
  for (const o of Object.values(s.closed)) if (o.status !== 'rejected') set.add(o.marketTicker);
  return [...set].sort();
}

