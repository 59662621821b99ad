/**
 * A small in-process harness for evaluation runs (issue 11): the real engine (TradingSession →
 * runSeriesWindow → quote selection → dry broker → paper ledger records) against the simulated exchange in
 * the same process, on a manual virtual clock driven timer by timer — a generated window in a fraction of a
 * second of real time, no sockets. It stands in for the `replay` command until that is merged (the replay
 * engineer owns the real in-process adapters under src/app/replay/inprocess-*.ts); it is test tooling, not product.
 *
 * Per window: a fresh SimExchange (same seed and date → the same index path and ladders as every other
 * window of the day), a fresh TradingSession over in-process adapters:
 * - venue: the exchange's own wire shapes (sim/kalshi/wire.ts) parsed by the real schemas and converted by
 *   the real converters (adapters/kalshi/convert.ts), as the REST adapter does;
 * - stream: local books kept from the exchange's book deltas (adapters/kalshi/local-book.ts), trades and
 *   lifecycle as the websocket adapter emits them;
 * - spot: the seeded path sampled on the simulator's 250 ms feed cadence (age = time since that tick).
 * It only uses APIs that predate issue 11, so the same file runs on an export of the pre-issue tree (the
 * "before" column of the evaluation).
 */
import fs from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { LocalBook } from '../../src/adapters/kalshi/local-book.ts';
import { EventSchema, MarketSchema, SeriesSchema } from '../../src/adapters/kalshi/schemas.ts';
import { toFeeSchedule, toLadderEvent, toMarket } from '../../src/adapters/kalshi/convert.ts';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { TradingSession } from '../../src/app/session.ts';
import type { MarketAdapters } from '../../src/app/market-adapters.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { fitCalibration, type Bar } from '../../src/core/calibration/fit.ts';
import type { LadderEvent, Market, OrderBook } from '../../src/core/market.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { SERIES, type IndexSymbol, type SeriesCode } from '../../src/core/series.ts';
import { addDays, etToMs, weekday } from '../../src/core/time/et.ts';
import { windowsForDay, type TradingWindow } from '../../src/core/windows.ts';
import { defaultIndexOps, type IndexOpsConfig } from '../../src/config/index-ops.ts';
import { resolvePaths, type Paths } from '../../src/config/paths.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import type { SpotReading, SpotSource } from '../../src/ports/trading.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, VenueMarketData, VenueStream, VenueStreamEvent } from '../../src/ports/venue.ts';
import { resolveWorld, worldPath, type SimWorldKind, type SimWorldSetting } from '../../src/sim/day/world.ts';
import { SimExchange } from '../../src/sim/kalshi/exchange.ts';
import { eventWire, marketWire, seriesWire } from '../../src/sim/kalshi/wire.ts';

const FEED_TICK_MS = 250;

class InProcessVenue implements VenueMarketData {
  constructor(private readonly ex: SimExchange) {}

  private event(ev: SimExchange['events'][number]): LadderEvent {
    const fees = toFeeSchedule(SeriesSchema.parse(seriesWire(this.ex, ev.series)));
    return toLadderEvent(EventSchema.parse(eventWire(this.ex, ev, true)), fees);
  }

  async listEvents(q: EventQuery): Promise<LadderEvent[]> {
    return this.ex.events
      .filter((e) => e.series === q.series && (q.minCloseMs === undefined || e.closeMs >= q.minCloseMs) && (q.maxCloseMs === undefined || e.closeMs <= q.maxCloseMs))
      .map((e) => this.event(e));
  }
  async getEvent(eventTicker: string): Promise<LadderEvent | undefined> {
    const e = this.ex.events.find((x) => x.eventTicker === eventTicker);
    return e ? this.event(e) : undefined;
  }
  async getMarket(ticker: string): Promise<Market> {
    return toMarket(MarketSchema.parse(marketWire(this.ex, this.ex.markets.get(ticker)!)));
  }
  async getOrderBook(ticker: string): Promise<OrderBook> {
    const l = this.ex.levels(ticker);
    const desc = (x: [number, number][]) => [...x].sort((a, b) => b[0] - a[0]).map(([price, size]) => ({ price, size }));
    return { ticker, yesBids: desc(l.yes), noBids: desc(l.no), tsMs: this.ex.clock.now() };
  }
  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    return Promise.all(tickers.map((t) => this.getOrderBook(t)));
  }
  async exchangeStatus(): Promise<ExchangeStatus> {
    const a = this.ex.tradingActive();
    return { exchangeActive: true, tradingActive: a };
  }
  async exchangeSchedule(): Promise<ExchangeSchedule> {
    return { standardHours: [], maintenanceWindows: this.ex.maintenanceWindows() };
  }
  async seriesFees(series: SeriesCode) {
    return toFeeSchedule(SeriesSchema.parse(seriesWire(this.ex, series)));
  }
}

class InProcessStream implements VenueStream {
  private readonly books = new Map<string, LocalBook>();
  private readonly tradesOf = new Set<string>();
  private readonly listeners = new Set<(e: VenueStreamEvent) => void>();
  private readonly off: () => void;

  constructor(private readonly ex: SimExchange) {
    this.off = ex.on((e) => {
      switch (e.type) {
        case 'book_delta': {
          const b = this.books.get(e.ticker);
          if (!b) return;
          b.applyDelta(e.side, e.price, e.delta, e.tsMs);
          this.emit({ kind: 'book', book: b.toOrderBook() });
          return;
        }
        case 'trade':
          if (!this.tradesOf.has(e.trade.ticker)) return;
          this.emit({ kind: 'trade', trade: { ticker: e.trade.ticker, tradeId: e.trade.tradeId, price: e.trade.price, size: e.trade.count, takerSide: e.trade.takerSide === 'bid' ? 'yes' : 'no', tsMs: e.trade.tsMs } });
          return;
        case 'lifecycle': {
          const m = ex.markets.get(e.ticker)!;
          const kind = e.eventType === 'determined' ? 'determined' : e.eventType === 'settled' ? 'settled' : e.eventType === 'activated' ? 'activated' : 'deactivated';
          this.emit({ kind: 'lifecycle', update: { ticker: e.ticker, kind, ...(m.result && (kind === 'determined' || kind === 'settled') ? { result: m.result } : {}), tsMs: e.tsMs } });
          return;
        }
        default:
          return;
      }
    });
  }
  private emit(e: VenueStreamEvent): void {
    for (const l of this.listeners) l(e);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.off();
  }
  watchBooks(tickers: string[]): void {
    for (const t of tickers) {
      if (this.books.has(t)) continue;
      const b = new LocalBook(t);
      const l = this.ex.levels(t);
      b.applySnapshot(l.yes, l.no, this.ex.clock.now());
      this.books.set(t, b);
      this.emit({ kind: 'book', book: b.toOrderBook() });
    }
  }
  unwatchBooks(tickers: string[]): void {
    for (const t of tickers) this.books.delete(t);
  }
  watchTrades(tickers: string[]): void {
    for (const t of tickers) this.tradesOf.add(t);
  }
  watchTicker(): void {}
  watchLifecycle(): void {}
  watchAccount(): void {}
  book(ticker: string): OrderBook | undefined {
    return this.books.get(ticker)?.toOrderBook();
  }
  on(listener: (e: VenueStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The seeded path as the simulator's feeds print it: a tick every 250 ms, age = time since that tick. */
function pathSpot(ex: SimExchange, clock: VirtualClock): SpotSource & { ageMs(): number } {
  const tickAt = (now: number) => Math.floor(now / FEED_TICK_MS) * FEED_TICK_MS;
  return {
    read(symbol: IndexSymbol, strict: boolean, now: number): SpotReading {
      const t = tickAt(now);
      const value = ex.spot(symbol === 'I:SPX' ? 'spx' : 'ndx', t);
      return { ok: true, value, ageMs: now - t, strict, thresholdMs: strict ? 800 : 1500, activeFeed: 'polygon' };
    },
    ageMs: () => clock.now() - tickAt(clock.now()),
    // the day so far, one value a minute (the adaptive σ's state at the window's first cycle)
    history(symbol: IndexSymbol, fromMs: number, toMs: number) {
      const out: { tMs: number; value: number }[] = [];
      for (let t = Math.ceil(fromMs / 60_000) * 60_000; t <= toMs; t += 60_000) out.push({ tMs: t, value: ex.spot(symbol === 'I:SPX' ? 'spx' : 'ndx', t) });
      return out;
    },
  };
}

/** An in-memory ledger sink: assigns `seq`, keeps every record. */
export class MemoryLedger {
  readonly records: LedgerRecord[] = [];
  private seq = 0;
  appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[] {
    const out = inputs.map((i) => ({ ...i, seq: ++this.seq }) as LedgerRecord);
    this.records.push(...out);
    return out;
  }
  close(): void {}
}

export interface DayRunOptions {
  seed: number;
  dateEt: string;
  /** Working root holding `data/proc/calib/index/…` (see writeSimCalibration). */
  home: string;
  config?: IndexOpsConfig;
  /** Window labels to run (default every window of the day). */
  only?: readonly string[];
  /** Series to run per window (default the window's). */
  series?: readonly SeriesCode[];
  /** Extra SimExchange options (participants, …); `takerProbability` defaults to sim-env's 0.08. */
  exchange?: Record<string, unknown>;
  ledger?: MemoryLedger;
}

export interface DayRunResult {
  records: LedgerRecord[];
  windows: { window: string; series: SeriesCode; quotes: number; fills: number; pnlUsd: number; status: string }[];
  participants?: unknown;
}

/** Runs one generated day (every window, or `only`) through the real engine; returns the ledger records. */
export async function runSimDay(o: DayRunOptions): Promise<DayRunResult> {
  const calendar = createCalendar();
  const config = o.config ?? defaultIndexOps();
  const paths: Paths = resolvePaths(o.home);
  const ledger = o.ledger ?? new MemoryLedger();
  const out: DayRunResult = { records: ledger.records, windows: [] };
  const windows = windowsForDay(o.dateEt, calendar).filter((w: TradingWindow) => !o.only || o.only.includes(w.label));
  const stats: Record<string, number>[] = [];
  for (const w of windows) {
    const clock = new VirtualClock(w.startMs - 30_000);
    const ex = new SimExchange({ clock, seed: o.seed, dateEt: o.dateEt, takerProbability: 0.08, ...o.exchange });
    const spot = pathSpot(ex, clock);
    const adapters: MarketAdapters = {
      source: 'sim',
      dateEt: o.dateEt,
      venue: new InProcessVenue(ex),
      stream: new InProcessStream(ex),
      spot,
      feedSnapshot: () => ({ activeFeed: 'polygon', feedAgeMs: spot.ageMs() }),
      // the events of the exchange's world with their times (the adaptive σ's uplift)
      events: resolveWorld((o.exchange?.world as SimWorldSetting | undefined) ?? undefined).events,
      close: async () => {},
    };
    const session = await clock.drive(
      TradingSession.open({
        adapters,
        clock,
        log: silentLogger,
        paths,
        config,
        broker: 'dry',
        liveApproval: undefined,
        killSwitchFile: path.join(o.home, 'no-kill-switch'),
        ordersFile: false,
        ledgerSink: ledger,
        report: false,
        settle: true,
        settleTimeoutMs: 120_000,
      }),
    );
    const run = await clock.drive(session.runWindow(w, o.series ?? w.series));
    for (const r of run.results) out.windows.push({ window: w.id, series: r.series, quotes: r.quotesPlaced, fills: r.fills, pnlUsd: r.pnlUsd, status: r.status });
    await clock.drive(session.close('harness'));
    if ((ex as unknown as { participantStats?: Record<string, number> }).participantStats) stats.push({ ...(ex as unknown as { participantStats: Record<string, number> }).participantStats });
    ex.close();
    clock.dispose();
  }
  if (stats.length) out.participants = stats.reduce((a, s) => { for (const [k, v] of Object.entries(s)) a[k] = (a[k] ?? 0) + v; return a; }, {} as Record<string, number>);
  return out;
}

/**
 * A calibration fitted on the simulator's own generated days (seed `seed`, `days` weekdays from `from`), by
 * the real fit (core/calibration/fit.ts), written where the engine reads it. Sessions are 09:30–16:00 on
 * every weekday, as the simulator generates them; the official closes are the values the exchange settles on
 * (so residual_std is fitted, as a simulated run's self-calibration fits it).
 */
export function writeSimCalibration(home: string, o: { seed: number; from: string; days: number; nowMs: number; world?: SimWorldKind }): void {
  const paths = resolvePaths(home);
  const dates: string[] = [];
  for (let d = o.from; dates.length < o.days; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    const bars: Bar[] = [];
    const closes = new Map<string, number>();
    for (const d of dates) {
      const open = etToMs(d, '09:30');
      const close = etToMs(d, '16:00');
      const p = worldPath(symbol, { seed: o.seed, dateEt: d, world: o.world }); // the world the harness's exchanges run (default regime)
      // Massive convention: a bar stamped at its start closes at the value one minute later.
      for (let t = open; t < close; t += 60_000) bars.push({ t, c: p.valueAt(t + 60_000) });
      closes.set(d, p.valueAt(close)); // the official close: what the exchange settles on
    }
    for (const horizon of ['hourly', 'close'] as const) {
      const { params } = fitCalibration({
        symbol,
        horizon,
        bars,
        barStamp: 'start',
        session: (d) => (weekday(d) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null),
        closes,
        kappaCap: 1.8,
        generatedAtMs: o.nowMs,
      });
      const file = calibrationPath(paths.calibDir, symbol, horizon);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeCalibration(file, params);
    }
  }
}

export const seriesOfSymbol = (s: IndexSymbol): SeriesCode[] => (Object.values(SERIES) as { code: SeriesCode; symbol: IndexSymbol }[]).filter((x) => x.symbol === s).map((x) => x.code);
