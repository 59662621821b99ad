/**
 * One series in one window, end to end (SPEC §6.1 per series): find the event → wait for start → gates
 * and freshness → plan and act every cycle until the freeze → cancel everything → wait for the results.
 *
 * It drives the pure quoting state (core/quoting) through ports only: the venue and its stream, the
 * spot source, the broker and its event stream, the gate (kill switch, cancel-all, maintenance), the
 * journal. All waiting is on the injected clock. The same code runs live, in the simulator, offline and
 * in replay; only the adapters behind the ports differ.
 *
 * This file decides when (the window's phases and each cycle's gate → freshness → plan); beside it,
 * order-desk.ts places, cancels and looks up orders, and ev-gap.ts keeps the feeds' ΔEV parity.
 */
import type { Broker } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { SpotReading, SpotSource, QuoteJournal, TradingGate } from '../ports/trading.ts';
import type { VenueMarketData, VenueStream, VenueStreamEvent } from '../ports/venue.ts';
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../core/market.ts';
import type { ModelSpec } from '../core/model/forecast.ts';
import { SERIES, type SeriesCode } from '../core/series.ts';
import type { TradingWindow } from '../core/windows.ts';
import { CENTI_PER_CONTRACT } from '../core/units.ts';
import type { QuotePolicy } from '../core/quotes/select.ts';
import type { RefreshAction } from '../core/quotes/refresh.ts';
import { freshLogLine } from '../core/feed/freshness.ts';
import type { DayRisk } from '../core/quoting/risk.ts';
import { TradeTape } from '../core/quotes/fill-prob.ts';
import {
  applyBrokerEvent,
  liveOrders,
  newQuotingState,
  normaliseQuotingState,
  planQuotes,
  quotedMarkets,
  recordResult,
  type SeriesQuotingState,
} from '../core/quoting/state.ts';
import { OrderDesk } from './order-desk.ts';
import { noteEvGap, type EvGap } from './ev-gap.ts';
import { andThen, isPromise, type Answer } from './answer.ts';

/** Retry period while books or the index are still arriving (start or restart). */
const WARMUP_RETRY_MS = 100;

export interface SeriesWindowDeps {
  clock: Clock;
  venue: VenueMarketData;
  /** Books, trades and lifecycle (a websocket, or a polling adapter over the REST market data). */
  stream: VenueStream;
  spot: SpotSource;
  broker: Broker;
  journal: QuoteJournal;
  gate: TradingGate;
  /** The event's fee schedule (one source for quotes and paper fills). */
  fees: (event: LadderEvent) => Promise<FeeSchedule>;
  /**
   * The model for this event's markets at this spot (calibration of the event's target); `tickMs` is when
   * the spot was printed — the adaptive σ's day state is fed every value the engine prices with.
   */
  model: (event: LadderEvent, spot: number, tickMs?: number) => ModelSpec;
  policy: QuotePolicy;
  risk: DayRisk;
  log: Logger;
  signal?: AbortSignal;
  /** A quoting state restored from a hot-restart snapshot (same window and series). */
  restored?: SeriesQuotingState;
  /** Called after every change of the quoting state (snapshots, orders.json). */
  onStateChange?: (s: SeriesQuotingState) => void;
}

export interface SeriesWindowOptions {
  /** Time between quote refreshes (default 1000 ms; the kill switch is honoured within one cycle). */
  requoteIntervalMs?: number;
  /** After the target, wait this long for the exchange's results (0 = do not wait). */
  settleTimeoutMs?: number;
  settlePollMs?: number;
  /** Retry period while the event cannot be listed (network trouble) before the window starts. */
  discoverRetryMs?: number;
  /** Start the freeze's cancel-all this long before `freeze_et` (default 500 ms: it must be done by then). */
  freezeLeadMs?: number;
}

export type SeriesWindowStatus = 'completed' | 'not_listed' | 'aborted' | 'error';
export type { EvGap } from './ev-gap.ts';

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
  /** Realised PnL after fees of settled fills, dollars. */
  pnlUsd: number;
  freshPassed: boolean;
  staleCycles: number;
  /** Cycles in which the gate blocked quoting, by reason (kill_switch, cancel_all:…, maintenance…). */
  blockedCycles: Record<string, number>;
  /** Orders still live after the freeze's cancel-all (must be 0). */
  outstandingAfterFreeze: number;
  /** ΔEV parity per quoted market, priced off each feed (SPEC §7.5 ev_gap). */
  evGap: Record<string, EvGap>;
  error?: string;
}

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
    if (deps.signal?.aborted) {
      run.result.status = 'aborted';
      await run.cancelOwn('shutdown');
    } else {
      run.result.status = 'error';
      run.result.error = (e as Error).message;
      deps.log.error({ window: window.id, series, err: e }, 'window failed');
      await run.cancelOwn('window_error');
    }
  } finally {
    run.dispose();
  }
  return run.finish();
}

class SeriesWindowRun {
  readonly result: SeriesWindowResult;
  readonly state: SeriesQuotingState;
  private event: LadderEvent | undefined;
  private fees: FeeSchedule | undefined;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly requoteMs: number;
  private readonly log: Logger;
  private lastBlock: string | undefined;
  private warmed = false;
  private readonly startedMs: number;
  /** Recent trades of the event's markets (fill probability), when the policy has timing rules. */
  private tape: TradeTape | undefined;
  /** The tickers of the event the tape watches (its flows answer for these). */
  private tapeTickers: ReadonlySet<string> = new Set();
  private readonly desk: OrderDesk;

  constructor(
    private readonly window: TradingWindow,
    private readonly series: SeriesCode,
    private readonly deps: SeriesWindowDeps,
    private readonly opts: SeriesWindowOptions,
  ) {
    this.requoteMs = opts.requoteIntervalMs ?? 1000;
    this.startedMs = deps.clock.now();
    this.log = deps.log.child({ series, window_id: window.id });
    this.state = deps.restored ? normaliseQuotingState(deps.restored) : newQuotingState(window.id, series);
    deps.risk.register(this.state);
    this.desk = new OrderDesk(window, series, this.state, { clock: deps.clock, broker: deps.broker, journal: deps.journal, log: this.log, changed: () => this.changed() });
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
      blockedCycles: {},
      outstandingAfterFreeze: 0,
      evGap: {},
    };
    // Broker events first: fills that arrive while we are still discovering must not be missed.
    this.unsubscribers.push(
      deps.broker.onEvent((e) => {
        if (applyBrokerEvent(this.state, e, this.now)) this.changed();
      }),
    );
  }

  private get now(): number {
    return this.deps.clock.now();
  }

  /** Quoting stops and the cancel-all starts this early, so that nothing rests at `freeze_et` itself. */
  private get stopQuotingMs(): number {
    return this.window.freezeMs - (this.opts.freezeLeadMs ?? 500);
  }

  async execute(): Promise<void> {
    this.event = await this.discover();
    if (!this.event) {
      this.result.status = 'not_listed';
      this.log.warn({ window_id: this.window.id }, 'event not listed');
      return;
    }
    const event = this.event;
    this.state.eventTicker = event.eventTicker;
    this.result.eventTicker = event.eventTicker;
    this.result.markets = event.markets.length;
    this.fees = await this.deps.fees(event);
    this.wireStream(event);
    await this.desk.reconcile(event);
    this.log.info({ event: event.eventTicker, markets: event.markets.length, restored: this.deps.restored ? Object.keys(this.state.orders).length : 0 }, 'window ready');

    await this.sleepUntil(this.window.startMs);
    while (this.now < this.stopQuotingMs) {
      this.checkAborted();
      // A cycle whose ports all answered at once (in-process venue and paper broker) is done already: no turn.
      const cycled = this.cycle();
      const ready = isPromise(cycled) ? await cycled : cycled;
      this.changed();
      // Until the first plan (books and a fresh index arriving after a start or restart) look again soon.
      const wait = ready || this.warmed ? this.requoteMs : WARMUP_RETRY_MS;
      if (ready && !this.warmed) {
        this.warmed = true;
        this.log.info({ since_start_ms: this.now - this.startedMs }, 'quoting');
      }
      const slept = this.sleepUntil(Math.min(this.now + wait, this.stopQuotingMs));
      if (slept) await slept;
    }
    await this.cancelOwn('freeze');
    this.result.outstandingAfterFreeze = liveOrders(this.state).length;
    if (this.result.outstandingAfterFreeze > 0) {
      this.log.error({ outstanding: this.result.outstandingAfterFreeze }, 'orders still outstanding after the freeze');
    }
    this.log.info({ quotes: this.state.counters.quotesPlaced, fills: this.state.counters.fills }, 'window frozen: all orders cancelled');
    await this.awaitSettlement();
  }

  /** The event settling at the window's target; retried while the venue cannot answer, until the freeze. */
  private async discover(): Promise<LadderEvent | undefined> {
    const t = this.window.targetMs;
    for (;;) {
      try {
        const events = await this.deps.venue.listEvents({ series: this.series, minCloseMs: t - 60_000, maxCloseMs: t + 60_000 });
        // The event's own close_time is the target of record; prefer the exact match.
        return events.find((e) => e.closeTimeMs === t) ?? events[0];
      } catch (e) {
        if (this.deps.signal?.aborted || this.now >= this.window.freezeMs) throw e;
        this.log.warn({ err: e }, 'event discovery failed; retrying');
        await this.sleepUntil(Math.min(this.now + (this.opts.discoverRetryMs ?? 5_000), this.window.freezeMs));
      }
    }
  }

  private wireStream(event: LadderEvent): void {
    const { stream } = this.deps;
    const tickers = event.markets.map((m) => m.ticker);
    const mine = new Set(tickers);
    const rules = this.deps.policy.rules;
    if (rules) this.tape = new TradeTape(rules.tradeRateWindowMs, this.now);
    this.tapeTickers = mine;
    this.unsubscribers.push(
      stream.on((e: VenueStreamEvent) => {
        if (e.kind === 'trade' && mine.has(e.trade.ticker)) this.tape?.add(e.trade);
        if (e.kind !== 'lifecycle' || !mine.has(e.update.ticker) || !e.update.result) return;
        if (e.update.kind === 'determined' || e.update.kind === 'settled') this.onResult(e.update.ticker, e.update.result);
      }),
    );
    stream.watchBooks(tickers);
    stream.watchTrades(tickers);
    stream.watchLifecycle();
    this.unsubscribers.push(() => stream.unwatchBooks(tickers));
  }

  private onResult(ticker: string, result: 'yes' | 'no'): void {
    if (ticker in this.state.results) return;
    recordResult(this.state, ticker, result);
    this.deps.broker.marketResult(ticker, result);
    this.changed();
  }

  /**
   * One refresh: gate → unknown orders → freshness → books → plan → act. True once it could plan. Each step
   * continues at once when the ports answered at once, else when their answer settles (engine/answer.ts).
   */
  private cycle(): Answer<boolean> {
    this.result.cycles++;
    const blocked = this.deps.gate.blocked(this.now);
    if (blocked) {
      this.result.blockedCycles[blocked.reason] = (this.result.blockedCycles[blocked.reason] ?? 0) + 1;
      if (this.lastBlock !== blocked.reason) this.log.warn({ reason: blocked.reason }, 'quoting blocked: cancelling and quoting nothing');
      this.lastBlock = blocked.reason;
      return andThen(this.cancelOwn(blocked.reason), () => true);
    }
    if (this.lastBlock) this.log.info({ was: this.lastBlock }, 'quoting unblocked');
    this.lastBlock = undefined;
    // Never act around an order whose outcome is unknown: ask the venue first.
    return andThen(this.desk.resolveUnknown(), (resolved) => (resolved ? this.planAndAct() : false));
  }

  /** The cycle once no order's outcome is unknown: freshness → books → plan → act. */
  private planAndAct(): Answer<boolean> {
    const strict = this.now >= this.window.strictMs;
    const symbol = SERIES[this.series].symbol;
    const spot = this.deps.spot.read(symbol, strict, this.now);
    if (!spot.ok || spot.value === undefined) {
      this.result.staleCycles++;
      // (While warming up after a start the feed is expected to be still arriving: no warning for that.)
      if ((this.result.staleCycles === 1 && this.warmed) || this.result.staleCycles % 30 === 0) {
        this.log.warn({ reason: spot.reason, age_ms: spot.ageMs, strict }, 'feed not fresh: quoting paused');
      }
      // In the final minute (or on a stand-down) resting quotes must not sit on a stale price.
      if (strict || spot.reason === 'stand_down') return andThen(this.cancelOwn(`stale_feed:${spot.reason ?? 'stale'}`), () => false);
      return false;
    }
    if (!this.result.freshPassed) {
      this.result.freshPassed = true;
      if (spot.bypassed) this.log.info(`WS gating bypassed (offline) window=${this.window.label}`);
      else this.log.info({ active_feed: spot.activeFeed }, freshLogLine(spot.ageMs ?? 0, strict, this.window.label));
    }

    const event = this.event!;
    const books = this.books(event);
    if (books.size === 0) return false;
    const model = this.deps.model(event, spot.value, this.now - (spot.ageMs ?? 0));
    const plan = planQuotes(this.state, {
      event,
      books,
      spot: spot.value,
      nowMs: this.now,
      model,
      fees: this.fees!,
      policy: this.deps.policy,
      lossBudgetPips: this.deps.risk.budgetPips(this.state),
      conditions: {
        feedAgeMs: spot.bypassed ? null : spot.ageMs,
        ...(this.tape ? { flows: this.tape.flowsAt(this.tapeTickers, this.now) } : {}),
        restMs: Math.max(0, this.stopQuotingMs - this.now),
      },
    });
    if (plan.actions.length === 0) return true;
    return this.act(plan.actions, plan.live, spot, model).then(() => true);
  }

  private books(event: LadderEvent): Map<string, OrderBook> {
    const out = new Map<string, OrderBook>();
    for (const m of event.markets) {
      const b = this.deps.stream.book(m.ticker);
      if (b) out.set(m.ticker, b);
    }
    return out;
  }

  /**
   * The plan's actions in order. Every order call is awaited, answered at once or not: one turn of the
   * microtask queue after each, so the series of one window that act at the same instant interleave their
   * orders (and their ledger records) exactly as they always have — a replayed day stays byte for byte.
   */
  private async act(actions: RefreshAction[], live: Market[], spot: SpotReading, model: ModelSpec): Promise<void> {
    const byTicker = new Map(live.map((m) => [m.ticker, m]));
    for (const a of actions) {
      if (a.kind === 'cancel' || a.kind === 'replace') {
        await this.desk.cancel(a.order.clientOrderId, a.kind === 'cancel' ? a.reason : 'replaced');
      }
      if (a.kind === 'place' || a.kind === 'replace') {
        if (!this.mayPlace()) return;
        const m = byTicker.get(a.quote.marketTicker);
        if (!m) continue;
        // ΔEV parity of the quote about to be sent, priced off each feed (SPEC §7.5).
        noteEvGap(this.result.evGap, m, model, this.deps.spot.perFeed?.(SERIES[this.series].symbol), (this.event!.closeTimeMs - this.now) / 60_000);
        await this.desk.place(a.quote, m, spot);
      }
    }
  }

  /** Checked before every order, not only per cycle (SPEC §6.3, §6.5): gate, freeze, freshness. */
  private mayPlace(): boolean {
    const now = this.now;
    if (now >= this.stopQuotingMs || this.deps.gate.blocked(now)) return false;
    return this.deps.spot.read(SERIES[this.series].symbol, now >= this.window.strictMs, now).ok;
  }

  /** Waits (bounded) for the results of every market we quoted, polling the venue as a fallback to the stream. */
  private async awaitSettlement(): Promise<void> {
    const timeout = this.opts.settleTimeoutMs ?? 0;
    const traded = quotedMarkets(this.state);
    if (timeout <= 0 || traded.length === 0) return;
    const deadline = this.window.targetMs + timeout;
    const poll = this.opts.settlePollMs ?? 5_000;
    const pending = () => traded.filter((t) => !(t in this.state.results));
    await this.sleepUntil(this.window.targetMs);
    while (this.now < deadline && pending().length > 0) {
      for (const t of pending()) {
        const m = await this.deps.venue.getMarket(t).catch(() => undefined);
        if (m?.result) this.onResult(t, m.result);
      }
      if (pending().length === 0) break;
      await this.sleepUntil(Math.min(deadline, this.now + poll));
    }
    if (pending().length > 0) this.log.warn({ unsettled: pending().length }, 'settlement not known yet; fills stay open in the ledger');
    else this.log.info({ markets: traded.length, pnl_usd: this.state.realizedPnlMicros / 1_000_000 }, 'settled');
  }

  /** The clock's sleep until `ms`; nothing (no turn) when `ms` is not in the future. */
  private sleepUntil(ms: number): Promise<void> | undefined {
    const wait = ms - this.now;
    return wait > 0 ? this.deps.clock.sleep(wait, this.deps.signal) : undefined;
  }

  private checkAborted(): void {
    if (this.deps.signal?.aborted) throw this.deps.signal.reason ?? new Error('aborted');
  }

  /** Cancels every live order of this window/series (never other windows' orders). */
  cancelOwn(reason: string): Answer<void> {
    return this.desk.cancelOwn(reason);
  }

  private changed(): void {
    this.deps.onStateChange?.(this.state);
  }

  finish(): SeriesWindowResult {
    const c = this.state.counters;
    Object.assign(this.result, {
      quotesPlaced: c.quotesPlaced,
      cancels: c.cancels,
      rejects: c.rejects,
      fills: c.fills,
      filledContracts: c.filledContracts / CENTI_PER_CONTRACT,
      settledMarkets: Object.keys(this.state.results).filter((t) => quotedMarkets(this.state).includes(t)).length,
      pnlUsd: this.state.realizedPnlMicros / 1_000_000,
    });
    return this.result;
  }

  dispose(): void {
    for (const u of this.unsubscribers.splice(0)) u();
  }
}
