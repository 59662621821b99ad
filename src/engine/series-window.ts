/**
 * One series in one window, end to end (SPEC §6.1 per series): find the event → wait for start →
 * freshness gate → price + select + refresh quotes every cycle until freeze → cancel all → settle.
 * Drives the pure core through ports only; all waiting is on the injected clock.
 */
import type { Broker, OrderState } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { VenueMarketData, VenueStream, VenueStreamEvent } from '../ports/venue.ts';
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../core/market.ts';
import { SERIES, type SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR } from '../core/units.ts';
import { buildModelSpec, forecast, priceLadder } from '../core/model/index.ts';
import type { CalibrationParams } from '../core/calibration/params.ts';
import {
  diffQuotes,
  quotePolicy,
  remainingLossBudgetPips,
  selectQuotes,
  slotKey,
  type Quote,
  type RestingQuote,
} from '../core/quotes/index.ts';
import { freshLogLine } from '../core/feed/freshness.ts';
import type { IndexOpsConfig } from '../config/index-ops.ts';
import type { DryBroker } from '../adapters/broker/dry-broker.ts';
import type { PaperLedgerRecorder } from '../adapters/ledger/paper-recorder.ts';
import type { PaperEvent } from '../core/paper/types.ts';
import type { SpotReading, SpotSource } from './spot.ts';

export interface EngineLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface SeriesWindowDeps {
  clock: Clock;
  venue: VenueMarketData;
  /** Live books/trades/lifecycle. Without it books are polled over REST each cycle. */
  stream?: VenueStream;
  spot: SpotSource;
  broker: Broker;
  /** Dry mode: the paper broker and its ledger recorder (the engine describes each quote before placing). */
  paper?: { broker: DryBroker; recorder: PaperLedgerRecorder };
  killSwitch: () => boolean;
  config: IndexOpsConfig;
  calibration: CalibrationParams | null;
  dayTags?: readonly string[];
  /** Fees when neither the event nor the series publishes them (offline `configs/fees.json`). */
  fallbackFees?: FeeSchedule;
  /** Realised PnL of the day so far in pips, for the daily loss cap. */
  realizedPnlPips?: () => number;
  log: EngineLog;
  signal?: AbortSignal;
}

export interface SeriesWindowOptions {
  /** Time between quote refreshes (default 1000 ms; the kill switch is honoured within one cycle). */
  requoteIntervalMs?: number;
  /** After the target, wait this long for the exchange's result to settle fills (0 = do not wait). */
  settleTimeoutMs?: number;
  settlePollMs?: number;
}

export type SeriesWindowStatus = 'completed' | 'not_listed' | 'aborted' | 'error';

export interface SeriesWindowResult {
  windowId: string;
  series: SeriesCode;
  status: SeriesWindowStatus;
  eventTicker?: string;
  markets: number;
  cycles: number;
  quotesPlaced: number;
  cancels: number;
  rejects: number;
  fills: number;
  filledContracts: number;
  settledMarkets: number;
  /** Realised PnL after fees of settled paper orders, dollars. */
  pnlUsd: number;
  freshPassed: boolean;
  staleCycles: number;
  killSwitchCycles: number;
  error?: string;
}

const ACTIVE_STATUSES = new Set(['active']);

/** Runs one series through one window. Never throws for trading errors: they are in the result. */
export async function runSeriesWindow(
  window: TradingWindow,
  series: SeriesCode,
  deps: SeriesWindowDeps,
  opts: SeriesWindowOptions = {},
): Promise<SeriesWindowResult> {
  const run = new SeriesWindowRun(window, series, deps, opts);
  try {
    await run.execute();
  } catch (e) {
    if (deps.signal?.aborted) run.result.status = 'aborted';
    else {
      run.result.status = 'error';
      run.result.error = (e as Error).message;
      deps.log.error('window failed', { window: window.id, series, error: (e as Error).message });
    }
    await run.safeCancelAll('window_error');
  } finally {
    run.dispose();
  }
  return run.result;
}

class SeriesWindowRun {
  readonly result: SeriesWindowResult;
  private event: LadderEvent | undefined;
  private markets: Market[] = [];
  private fees: FeeSchedule | undefined;
  private readonly revisions = new Map<string, number>();
  private readonly orderRevision = new Map<string, number>();
  private readonly ownIds = new Set<string>();
  private readonly quotedMarkets = new Set<string>();
  /** Filled contracts per market (absolute) and worst-case loss of filled positions, for risk caps. */
  private readonly filledByMarket = new Map<string, number>();
  private openWorstPips = 0;
  private pnlMicros = 0;
  private readonly settled = new Set<string>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly requoteMs: number;
  private lastSpot: SpotReading | undefined;

  constructor(
    private readonly window: TradingWindow,
    private readonly series: SeriesCode,
    private readonly deps: SeriesWindowDeps,
    private readonly opts: SeriesWindowOptions,
  ) {
    this.requoteMs = opts.requoteIntervalMs ?? 1000;
    this.result = {
      windowId: window.id,
      series,
      status: 'completed',
      markets: 0,
      cycles: 0,
      quotesPlaced: 0,
      cancels: 0,
      rejects: 0,
      fills: 0,
      filledContracts: 0,
      settledMarkets: 0,
      pnlUsd: 0,
      freshPassed: false,
      staleCycles: 0,
      killSwitchCycles: 0,
    };
  }

  private get now(): number {
    return this.deps.clock.now();
  }

  async execute(): Promise<void> {
    const { log } = this.deps;
    this.event = await this.discover();
    if (!this.event) {
      this.result.status = 'not_listed';
      log.warn('event not listed', { window: this.window.id, series: this.series });
      return;
    }
    this.result.eventTicker = this.event.eventTicker;
    this.markets = this.event.markets;
    this.result.markets = this.markets.length;
    this.fees = this.event.fees ?? (await this.deps.venue.seriesFees(this.series).catch(() => undefined)) ?? this.deps.fallbackFees;
    if (!this.fees) throw new Error(`no fee schedule for ${this.series} (exchange did not publish one and configs/fees.json has none)`);
    this.wirePaperEvents();
    this.wireStream();
    log.info('window ready', { window: this.window.id, series: this.series, event: this.event.eventTicker, markets: this.markets.length });

    await this.sleepUntil(this.window.startMs);
    while (this.now < this.window.freezeMs) {
      this.checkAborted();
      await this.cycle();
      const next = Math.min(this.now + this.requoteMs, this.window.freezeMs);
      await this.sleepUntil(next);
    }
    await this.safeCancelAll('freeze');
    log.info('window frozen: all orders cancelled', { window: this.window.id, series: this.series, quotes: this.result.quotesPlaced, fills: this.result.fills });
    await this.awaitSettlement();
  }

  private async discover(): Promise<LadderEvent | undefined> {
    const t = this.window.targetMs;
    const events = await this.deps.venue.listEvents({ series: this.series, minCloseMs: t - 60_000, maxCloseMs: t + 60_000 });
    // The event's own close_time is the target of record; prefer the exact match.
    return events.find((e) => e.closeTimeMs === t) ?? events[0];
  }

  private wirePaperEvents(): void {
    const paper = this.deps.paper;
    if (!paper) return;
    this.unsubscribers.push(paper.broker.onEvents((events) => this.onPaperEvents(events)));
  }

  private onPaperEvents(events: PaperEvent[]): void {
    for (const e of events) {
      if (!this.ownIds.has(e.order.clientOrderId)) continue;
      if (e.type === 'rejected') this.result.rejects++;
      else if (e.type === 'fill') {
        this.result.fills++;
        this.result.filledContracts += e.fill.size / CENTI_PER_CONTRACT;
        const t = e.fill.marketTicker;
        this.filledByMarket.set(t, (this.filledByMarket.get(t) ?? 0) + e.fill.size);
        const atRisk = e.fill.side === 'buy' ? e.fill.price : PIPS_PER_DOLLAR - e.fill.price;
        this.openWorstPips += Math.ceil((atRisk * e.fill.size) / CENTI_PER_CONTRACT) + e.fill.feePips;
      } else if (e.type === 'settled') {
        this.pnlMicros += e.settlement.pnlMicros;
        this.settled.add(e.settlement.marketTicker);
      }
    }
  }

  private wireStream(): void {
    const { stream, paper } = this.deps;
    if (!stream) return;
    const tickers = this.markets.map((m) => m.ticker);
    const mine = new Set(tickers);
    if (paper) {
      this.unsubscribers.push(
        stream.on((e: VenueStreamEvent) => {
          const t = tickerOf(e);
          if (t === undefined || mine.has(t)) paper.broker.onStreamEvent(e);
        }),
      );
    }
    stream.watchBooks(tickers);
    stream.watchTrades(tickers);
    stream.watchLifecycle();
    this.unsubscribers.push(() => stream.unwatchBooks(tickers));
  }

  /** One refresh: kill switch → freshness → books → price → select → diff → act. */
  private async cycle(): Promise<void> {
    this.result.cycles++;
    const { log } = this.deps;
    if (this.deps.killSwitch()) {
      this.result.killSwitchCycles++;
      if (this.result.killSwitchCycles === 1) log.warn('kill switch engaged: cancelling all and quoting nothing', { window: this.window.id, series: this.series });
      await this.safeCancelAll('kill_switch');
      return;
    }
    const strict = this.now >= this.window.strictMs;
    const symbol = SERIES[this.series].symbol;
    const spot = this.deps.spot.read(symbol, strict, this.now);
    this.lastSpot = spot;
    if (!spot.ok || spot.value === undefined) {
      this.result.staleCycles++;
      if (this.result.staleCycles === 1 || this.result.staleCycles % 30 === 0) {
        log.warn('feed not fresh: quoting paused', { window: this.window.id, series: this.series, reason: spot.reason, age_ms: spot.ageMs, strict });
      }
      // In the final minute (or on a stand-down) resting quotes must not sit on a stale price.
      if (strict || spot.reason === 'stand_down') await this.safeCancelAll(`stale_feed:${spot.reason ?? 'stale'}`);
      return;
    }
    if (!this.result.freshPassed) {
      this.result.freshPassed = true;
      if (spot.bypassed) log.info(`WS gating bypassed (offline) window=${this.window.label}`, { series: this.series });
      else log.info(freshLogLine(spot.ageMs ?? 0, strict, this.window.label), { series: this.series, active_feed: spot.activeFeed });
    }

    const books = await this.books();
    const live = this.markets.filter((m) => ACTIVE_STATUSES.has(m.status) && books.has(m.ticker) && m.closeTimeMs > this.now);
    const minutes = (this.window.targetMs - this.now) / 60_000;
    const spec = buildModelSpec({
      calibration: this.deps.calibration,
      config: this.deps.config.model,
      spot: spot.value,
      dayTags: this.deps.dayTags,
    });
    const f = forecast(spot.value, minutes, spec);
    const pricing = priceLadder(live, f);
    const resting = await this.resting();
    const policy = quotePolicy(this.deps.config);
    let windowContracts = 0;
    for (const v of this.filledByMarket.values()) windowContracts += v;
    const lossBudgetPips = remainingLossBudgetPips(
      this.deps.config.risk.daily_loss_cap_usd,
      (this.deps.realizedPnlPips?.() ?? 0) + Math.round(this.pnlMicros / 100),
      this.openWorstPips,
    );
    const selection = selectQuotes({
      windowId: this.window.id,
      markets: live,
      pricing,
      books,
      fees: this.fees!,
      policy,
      exposure: { marketContracts: this.filledByMarket, windowContracts, lossBudgetPips },
      resting,
      revisions: this.revisions,
    });
    // Resting orders in markets that dropped out of `live` (book lost, market closed) are not desired.
    await this.act(diffQuotes(resting, selection.quotes), live, spot);
  }

  private async books(): Promise<Map<string, OrderBook>> {
    const out = new Map<string, OrderBook>();
    const { stream, venue, paper } = this.deps;
    if (stream) {
      for (const m of this.markets) {
        const b = stream.book(m.ticker);
        if (b) out.set(m.ticker, b);
      }
      return out;
    }
    const tickers = this.markets.map((m) => m.ticker);
    const polled = await venue.getOrderBooks(tickers);
    for (const b of polled) {
      out.set(b.ticker, b);
      paper?.broker.onBook(b);
    }
    return out;
  }

  private async resting(): Promise<RestingQuote[]> {
    const open = await this.deps.broker.openOrders();
    const out: RestingQuote[] = [];
    for (const o of open) {
      if (!this.ownIds.has(o.clientOrderId) || o.status !== 'resting') continue;
      out.push({
        marketTicker: o.marketTicker,
        side: o.side,
        price: o.price,
        size: o.size - o.filled,
        clientOrderId: o.clientOrderId,
        revision: this.orderRevision.get(o.clientOrderId) ?? 0,
      });
    }
    return out;
  }

  private async act(actions: ReturnType<typeof diffQuotes>, live: Market[], spot: SpotReading): Promise<void> {
    const byTicker = new Map(live.map((m) => [m.ticker, m]));
    for (const a of actions) {
      if (a.kind === 'cancel' || a.kind === 'replace') {
        await this.cancel(a.order.clientOrderId, a.kind === 'cancel' ? a.reason : 'replaced');
      }
      if (a.kind === 'place' || a.kind === 'replace') {
        // Checked before every order, not only per cycle (SPEC §6.5).
        if (this.deps.killSwitch() || this.now >= this.window.freezeMs) return;
        const m = byTicker.get(a.quote.marketTicker);
        if (m) await this.place(a.quote, m, spot);
      }
    }
  }

  private async place(q: Quote, m: Market, spot: SpotReading): Promise<void> {
    const { broker, paper } = this.deps;
    this.ownIds.add(q.clientOrderId);
    this.orderRevision.set(q.clientOrderId, q.revision);
    const slot = slotKey(q.marketTicker, q.side);
    this.revisions.set(slot, Math.max(this.revisions.get(slot) ?? 0, q.revision + 1));
    paper?.recorder.describe(q.clientOrderId, {
      series: this.series,
      window: this.window.id,
      market: m,
      evAfterFeesCents: q.evCents,
      fillProb: null,
      modelProb: q.modelProb,
      activeFeed: spot.activeFeed,
      feedAgeMs: spot.ageMs,
    });
    const state: OrderState = await broker.place({
      clientOrderId: q.clientOrderId,
      marketTicker: q.marketTicker,
      side: q.side,
      price: q.price,
      size: q.size,
      postOnly: true,
    });
    if (state.status === 'rejected') {
      this.deps.log.warn('order rejected', { window: this.window.id, market: q.marketTicker, side: q.side, reason: state.reason });
      if (!paper) this.result.rejects++;
      return;
    }
    this.result.quotesPlaced++;
    this.quotedMarkets.add(q.marketTicker);
  }

  private async cancel(clientOrderId: string, reason: string): Promise<void> {
    const s = await this.deps.broker.cancel(clientOrderId, reason);
    if (s && s.status === 'canceled') this.result.cancels++;
  }

  /** Cancels every resting order of this window/series (never other windows' orders). */
  async safeCancelAll(reason: string): Promise<void> {
    try {
      const open = await this.deps.broker.openOrders();
      for (const o of open) {
        if (o.status === 'resting' && this.ownIds.has(o.clientOrderId)) await this.cancel(o.clientOrderId, reason);
      }
    } catch (e) {
      this.deps.log.error('cancel-all failed', { window: this.window.id, series: this.series, reason, error: (e as Error).message });
    }
  }

  /**
   * Waits (bounded) for the exchange's results of every market we quoted, settling paper fills (and
   * recording unfilled quotes' outcomes, which the scoreboard's calibration needs).
   */
  private async awaitSettlement(): Promise<void> {
    const timeout = this.opts.settleTimeoutMs ?? 0;
    const paper = this.deps.paper;
    const traded = [...this.quotedMarkets];
    if (timeout > 0 && paper && traded.length > 0) {
      const deadline = this.window.targetMs + timeout;
      const poll = this.opts.settlePollMs ?? 5_000;
      await this.sleepUntil(this.window.targetMs);
      while (this.now < deadline && traded.some((t) => !this.settled.has(t))) {
        for (const t of traded) {
          if (this.settled.has(t)) continue;
          const m = await this.deps.venue.getMarket(t).catch(() => undefined);
          if (m?.result) paper.broker.settle(t, m.result);
        }
        if (traded.every((t) => this.settled.has(t))) break;
        await this.sleepUntil(Math.min(deadline, this.now + poll));
      }
      if (traded.some((t) => !this.settled.has(t))) {
        this.deps.log.warn('settlement not known yet; fills stay open in the ledger', { window: this.window.id, series: this.series });
      } else {
        this.deps.log.info('settled', { window: this.window.id, series: this.series, markets: traded.length, pnl_usd: this.pnlMicros / 1_000_000 });
      }
    }
    this.result.settledMarkets = this.settled.size;
    this.result.pnlUsd = this.pnlMicros / 1_000_000;
  }

  private async sleepUntil(ms: number): Promise<void> {
    const wait = ms - this.now;
    if (wait > 0) await this.deps.clock.sleep(wait, this.deps.signal);
  }

  private checkAborted(): void {
    if (this.deps.signal?.aborted) throw this.deps.signal.reason ?? new Error('aborted');
  }

  dispose(): void {
    for (const u of this.unsubscribers.splice(0)) u();
  }

  /** The last spot reading (for monitors / the supervisor). */
  get spot(): SpotReading | undefined {
    return this.lastSpot;
  }
}

function tickerOf(e: VenueStreamEvent): string | undefined {
  switch (e.kind) {
    case 'book':
      return e.book.ticker;
    case 'book_stale':
      return e.ticker;
    case 'trade':
      return e.trade.ticker;
    case 'lifecycle':
      return e.update.ticker;
    default:
      return undefined;
  }
}

