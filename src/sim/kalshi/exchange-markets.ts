/**
 * The simulated exchange's state and time (the base layer of SimExchange, sim/kalshi/exchange.ts): the day's
 * listed markets and their published books, the injected clock's timers, the trading schedule (maintenance,
 * manual pause), each market's lifecycle to settlement, positions and cash, and the event stream the WS server
 * fans out. Order entry and matching build on it (exchange-orders.ts), the participants on those
 * (exchange.ts); split along those seams so each layer reads on its own.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import type { SeriesCode } from '../../core/series.ts';
import { parseDollars, PIPS_PER_DOLLAR as ONE_DOLLAR, type CentiContracts, type Micros, type Pips } from '../../core/units.ts';
import { etToMs, addDays, weekday } from '../../core/time/et.ts';
import type { IndexPath } from '../day/index-path.ts';
import { yesHolds, type SimEventSpec } from './ladders.ts';
import { simDay } from '../market/day.ts';
import {
  LINEAR_CENT_GRID,
  MM_OWNER,
  SimRejection,
  TAKER_OWNER,
  type ExchangeEvent,
  type SimExchangeOptions,
  type SimFeeConfig,
  type SimFill,
  type SimMarketState,
  type SimOrder,
  type SimPosition,
  type SimTrade,
} from './exchange-types.ts';

export abstract class SimExchangeMarkets {
  readonly clock: Clock;
  readonly dateEt: string;
  readonly closeEt: string;
  readonly events: SimEventSpec[];
  readonly markets = new Map<string, SimMarketState>();
  readonly paths: { spx: IndexPath; ndx: IndexPath };
  readonly orders = new Map<string, SimOrder>();
  readonly fills: SimFill[] = [];
  readonly trades: SimTrade[] = [];
  readonly positions = new Map<string, SimPosition>();
  readonly cash = new Map<string, number>();
  /** Set by tests to pause trading outside the schedule. */
  manualPause = false;
  private readonly listeners = new Set<(e: ExchangeEvent) => void>();
  protected readonly byClientId = new Map<string, string>();
  private readonly timers: TimerHandle[] = [];
  protected seq = 0;
  private idCounter = 0;
  private closed = false;
  protected readonly fees: Record<SeriesCode, SimFeeConfig>;
  protected readonly o: SimExchangeOptions;
  protected readonly grid: { start: Pips; end: Pips; step: Pips }[];
  readonly priceGrid: { structure: string; ranges: { start: string; end: string; step: string }[] };
  protected readonly precision: Micros;

  constructor(o: SimExchangeOptions) {
    this.o = o;
    this.clock = o.clock;
    this.dateEt = o.dateEt;
    this.closeEt = o.closeEt ?? '16:00';
    this.priceGrid = o.priceGrid ?? { structure: LINEAR_CENT_GRID.structure, ranges: LINEAR_CENT_GRID.ranges.map((r) => ({ ...r })) };
    this.grid = this.priceGrid.ranges.map((r) => ({ start: parseDollars(r.start), end: parseDollars(r.end), step: parseDollars(r.step) }));
    this.precision = o.balancePrecisionMicros ?? 10_000;
    const day = simDay({
      seed: o.seed,
      dateEt: o.dateEt,
      closeEt: this.closeEt,
      hourlyTargets: o.hourlyTargets,
      thresholdStrikes: o.thresholdStrikes,
      rangeBins: o.rangeBins,
      omitEvents: o.omitEvents,
      paths: o.paths,
      world: o.world,
    });
    this.paths = day.paths;
    this.events = day.events;
    const defaultFee: SimFeeConfig = { feeType: 'quadratic', multiplier: 1 };
    this.fees = { INXU: defaultFee, NASDAQ100U: defaultFee, INX: defaultFee, NASDAQ100: defaultFee, ...o.fees };
    for (const ev of this.events) {
      for (const spec of ev.markets) {
        this.markets.set(spec.ticker, { spec, event: ev, status: 'initialized', bids: [], asks: [], volume: 0, openInterest: 0, published: { yes: new Map(), no: new Map() } });
      }
      this.scheduleLifecycle(ev);
    }
  }

  // ---------------- time, schedule, status ----------------

  spot(symbolIdx: 'spx' | 'ndx', ms = this.clock.now()): number {
    return this.paths[symbolIdx].valueAt(ms);
  }

  /** Maintenance windows: the standing Thursday 03:00–05:00 ET pause of the sim date's week, plus extras. */
  maintenanceWindows(): { startMs: number; endMs: number }[] {
    return [...this.standingSlots().map((w) => ({ ...w })), ...(this.o.maintenance ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  /**
   * The standing slots: the Thursday of the sim date's week (Mon–Sun) and the one after it. Worked out once
   * (the date is fixed): every order and market-maker tick asks `tradingActive`, and the ET arithmetic of
   * each ask cost a replayed day ~90 ms.
   */
  private standing: readonly { readonly startMs: number; readonly endMs: number }[] | undefined;
  private standingSlots(): readonly { readonly startMs: number; readonly endMs: number }[] {
    if (this.standing) return this.standing;
    const thursday = addDays(this.dateEt, 4 - weekday(this.dateEt));
    return (this.standing = [thursday, addDays(thursday, 7)].map((d) => ({ startMs: etToMs(d, '03:00'), endMs: etToMs(d, '05:00') })));
  }

  inMaintenance(now = this.clock.now()): boolean {
    for (const w of this.standingSlots()) if (now >= w.startMs && now < w.endMs) return true;
    for (const w of this.o.maintenance ?? []) if (now >= w.startMs && now < w.endMs) return true;
    return false;
  }

  tradingActive(now = this.clock.now()): boolean {
    return !this.manualPause && !this.inMaintenance(now);
  }

  feeConfig(series: SeriesCode): SimFeeConfig {
    return this.fees[series];
  }

  on(listener: (e: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.length = 0;
    this.listeners.clear();
  }

  protected emit(e: ExchangeEvent): void {
    for (const l of this.listeners) l(e);
  }

  protected at(ms: number, fn: () => void): void {
    const h = this.clock.setTimeout(() => {
      const i = this.timers.indexOf(h);
      if (i >= 0) this.timers.splice(i, 1);
      if (!this.closed) fn();
    }, ms - this.clock.now());
    this.timers.push(h);
  }

  protected every(periodMs: number, fn: () => void): void {
    const run = () => {
      if (this.closed) return;
      fn();
      this.at(this.clock.now() + periodMs, run);
    };
    this.at(this.clock.now() + periodMs, run);
  }

  // ---------------- lifecycle ----------------

  private scheduleLifecycle(ev: SimEventSpec): void {
    const now = this.clock.now();
    const determineAt = ev.closeMs + (this.o.determineDelayMs ?? 5000);
    const settleAt = ev.closeMs + (this.o.settlementTimerSeconds ?? 60) * 1000;
    const markets = ev.markets.map((m) => this.markets.get(m.ticker)!);
    const activate = (emit: boolean) => markets.forEach((m) => {
      m.status = 'active';
      if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'activated', tsMs: this.clock.now() });
    });
    const close = () => markets.forEach((m) => {
      m.status = 'closed';
      for (const o of [...m.bids, ...m.asks]) this.finish(o, 'canceled', 'MarketClosed');
      m.bids = [];
      m.asks = [];
      this.flush(m);
    });
    const determine = (emit: boolean) => {
      const idx = ev.series === 'INX' || ev.series === 'INXU' ? 'spx' : 'ndx';
      const value = this.spot(idx, ev.closeMs);
      for (const m of markets) {
        m.status = 'determined';
        m.result = yesHolds(m.spec, value) ? 'yes' : 'no';
        m.determinedMs = emit ? this.clock.now() : determineAt;
        if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'determined', tsMs: this.clock.now() });
      }
    };
    const settle = (emit: boolean) => {
      for (const m of markets) {
        m.status = 'finalized';
        m.settledMs = emit ? this.clock.now() : settleAt;
        this.settlePositions(m);
        if (emit) this.emit({ type: 'lifecycle', ticker: m.spec.ticker, eventType: 'settled', tsMs: this.clock.now() });
      }
    };
    // Catch up silently on what already happened before the sim started; schedule the rest.
    if (now >= ev.openMs) activate(false);
    else this.at(ev.openMs, () => activate(true));
    if (now >= ev.closeMs) close();
    else this.at(ev.closeMs, close);
    if (now >= determineAt) determine(false);
    else this.at(determineAt, () => determine(true));
    if (now >= settleAt) settle(false);
    else this.at(settleAt, () => settle(true));
  }

  private settlePositions(m: SimMarketState): void {
    const value = m.result === 'yes' ? ONE_DOLLAR : 0;
    for (const [key, p] of this.positions) {
      if (p.ticker !== m.spec.ticker || p.position === 0) continue;
      const payout: Micros = p.position * value;
      this.addCash(p.owner, payout);
      p.realized += payout;
      p.position = 0;
      p.updatedMs = this.clock.now();
      this.positions.set(key, p);
    }
    m.openInterest = 0;
  }

  // ---------------- ids, markets, positions, cash ----------------

  protected nextId(prefix: string): string {
    const c = ++this.idCounter;
    const h = (this.idHash(prefix, c) >>> 0).toString(16).padStart(8, '0');
    // The counter's part changes in its last two hex digits only, but for every 256th id: its rest is kept.
    const high = Math.floor(c / 256);
    if (high !== this.idHigh) {
      this.idHigh = high;
      this.idMiddle = idMiddle(c);
    }
    return h + this.idMiddle + HEX2[c & 255]!;
  }

  /** `idMiddle` of the counters `idHigh`·256 … `idHigh`·256 + 255. */
  private idHigh = -1;
  private idMiddle = '';

  /** FNV-1a state after `${seed}|${prefix}|`, per prefix (an id hashes only its counter's digits on top). */
  private readonly idHashPrefix = new Map<string, number>();

  /**
   * `hashSeed(seed, prefix, counter)` without joining and re-hashing the same prefix for every id (the
   * simulated market makes ids by the hundred thousand a day): the same FNV-1a over the same characters.
   */
  private idHash(prefix: string, counter: number): number {
    let h = this.idHashPrefix.get(prefix);
    if (h === undefined) {
      h = 0x811c9dc5;
      for (const ch of `${this.o.seed}|${prefix}|`) {
        h ^= ch.charCodeAt(0);
        h = Math.imul(h, 0x01000193);
      }
      this.idHashPrefix.set(prefix, h);
    }
    const digits = String(counter); // ASCII: code units are code points
    for (let i = 0; i < digits.length; i++) {
      h ^= digits.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }

  orderByClientId(owner: string, clientOrderId: string): SimOrder | undefined {
    const id = this.byClientId.get(`${owner}|${clientOrderId}`);
    return id ? this.orders.get(id) : undefined;
  }

  protected market(ticker: string): SimMarketState {
    const m = this.markets.get(ticker);
    if (!m) throw new SimRejection({ status: 404, code: 'not_found', message: 'market not found', details: ticker });
    return m;
  }

  /** An order's end, announced to its owner (a market's close ends orders here as matching does). */
  protected finish(o: SimOrder, status: 'canceled' | 'executed', reason: string): void {
    o.status = status;
    if (status === 'canceled') o.remaining = 0;
    o.lastUpdateReason = reason;
    o.updatedMs = this.clock.now();
    if (o.owner !== MM_OWNER && o.owner !== TAKER_OWNER) this.emit({ type: 'user_order', order: o });
  }

  protected position(owner: string, ticker: string): SimPosition {
    const key = `${owner}|${ticker}`;
    let p = this.positions.get(key);
    if (!p) {
      p = { owner, ticker, position: 0, traded: 0, fees: 0, realized: 0, updatedMs: this.clock.now() };
      this.positions.set(key, p);
    }
    return p;
  }

  protected addCash(owner: string, delta: number): void {
    this.cash.set(owner, (this.cash.get(owner) ?? 0) + delta);
  }

  /** Balance in micro-dollars (starting balance + cash moves). */
  balanceMicros(owner: string): Micros {
    return (this.o.startingBalanceCents ?? 1_000_000) * 10_000 + (this.cash.get(owner) ?? 0);
  }

  /** Balance in cents (the REST balance endpoint still reports integer cents). */
  balanceCents(owner: string): number {
    return Math.floor(this.balanceMicros(owner) / 10_000);
  }

  // ---------------- book views ----------------

  /** Aggregated current book: YES bids by price, and asks as NO bids at NO-leg prices. */
  private aggregate(m: SimMarketState): { yes: Map<Pips, CentiContracts>; no: Map<Pips, CentiContracts> } {
    const yes = new Map<Pips, CentiContracts>();
    const no = new Map<Pips, CentiContracts>();
    for (const o of m.bids) yes.set(o.price, (yes.get(o.price) ?? 0) + o.remaining);
    for (const o of m.asks) no.set(ONE_DOLLAR - o.price, (no.get(ONE_DOLLAR - o.price) ?? 0) + o.remaining);
    return { yes, no };
  }

  /** Publishes the difference between the last published book and the current one as deltas. */
  flush(m: SimMarketState): void {
    const now = this.clock.now();
    const next = this.aggregate(m);
    for (const side of BOOK_SIDES) {
      const prev = m.published[side];
      const cur = next[side];
      // every price of either book once, ascending (called after every order, cancel and market-maker tick)
      const prices: Pips[] = [];
      for (const p of prev.keys()) prices.push(p);
      for (const p of cur.keys()) if (!prev.has(p)) prices.push(p);
      if (prices.length > 1) prices.sort(ascending);
      for (const p of prices) {
        const d = (cur.get(p) ?? 0) - (prev.get(p) ?? 0);
        if (d !== 0) this.emit({ type: 'book_delta', ticker: m.spec.ticker, side, price: p, delta: d, tsMs: now });
      }
    }
    m.published = next;
    // A ticker update when the top of book, the last price or the volume changed.
    const bid = this.bestYesBid(m);
    const ask = this.bestYesAsk(m);
    const top = [bid ? bid[0] : -1, bid ? bid[1] : -1, ask ? ask[0] : -1, ask ? ask[1] : -1, m.lastPrice ?? -1, m.volume];
    const last = m.lastTop;
    if (!last || top.some((v, i) => v !== last[i])) {
      m.lastTop = top;
      this.emit({ type: 'ticker', ticker: m.spec.ticker, tsMs: now });
    }
  }

  /** Published levels, ascending (best last), as the exchange sends them. */
  levels(ticker: string): { yes: [Pips, CentiContracts][]; no: [Pips, CentiContracts][] } {
    const m = this.market(ticker);
    const asc = (map: Map<Pips, CentiContracts>) => [...map.entries()].filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]);
    return { yes: asc(m.published.yes), no: asc(m.published.no) };
  }

  bestYesBid(m: SimMarketState): [Pips, CentiContracts] | undefined {
    return bestLevel(m.published.yes);
  }

  bestYesAsk(m: SimMarketState): [Pips, CentiContracts] | undefined {
    const best = bestLevel(m.published.no);
    return best ? [ONE_DOLLAR - best[0], best[1]] : undefined;
  }
}

const BOOK_SIDES = ['yes', 'no'] as const;
const ascending = (a: number, b: number) => a - b;

/** The highest price with a positive size, and its size. */
function bestLevel(levels: Map<Pips, CentiContracts>): [Pips, CentiContracts] | undefined {
  let best: [Pips, CentiContracts] | undefined;
  for (const [p, s] of levels) if (s > 0 && (!best || p > best[0])) best = [p, s];
  return best;
}

/** Two lowercase hex digits of each byte. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * What follows an id's hash, but for the counter's last two hex digits: with n the counter in 12 hex digits,
 * `-${n[0..4)}-4${n[4..7)}-8${n[7..10)}-` and the last group's ten leading zeros (the id is
 * `${hash}-${n[0..4)}-4${n[4..7)}-8${n[7..10)}-${n[10..12) padded to 12}`). Counters past 12 hex digits
 * (never in a day) keep the same layout: n's extra digits lengthen the last group.
 */
function idMiddle(counter: number): string {
  const n = counter.toString(16).padStart(12, '0');
  return `-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(10, -2).padStart(10, '0')}`;
}
