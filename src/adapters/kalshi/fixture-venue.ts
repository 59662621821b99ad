/**
 * VenueMarketData from recorded fixture files (`--offline`, SPEC §9): the exchange's own JSON shapes,
 * validated with the same schemas as live answers. Layout under `fixtures/kalshi/`:
 *   manifest.json                       {default_date, dates[]}
 *   <date>/events.json                  GET /events?with_nested_markets=true (one page, every series)
 *   <date>/series.json                  {series: [Series…]}
 *   <date>/exchange_status.json         GET /exchange/status
 *   <date>/exchange_schedule.json       GET /exchange/schedule
 *   <date>/orderbooks.json              GET /markets/orderbooks
 *   <date>/book_timeline.json.gz        (optional) each window's books and trades through the window, from the simulated day
 *   <date>/results.json                 (optional) every market's result and when it was determined
 * With the last two the day is coherent (SPEC §9): the books a window sees are the simulated market's at that
 * moment (the latest snapshot at or before now), its trades reach the paper broker through `FixtureStream`,
 * and a market reads as determined, with its result, from its determination instant on — so an offline
 * window fills and settles like a simulated one. Files are read and
 * validated once. A missing or malformed file is a clear error; nothing silently falls back to other data.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { FeeSchedule, LadderEvent, Market, OrderBook, Trade } from '../../core/market.ts';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, VenueMarketData, VenueStream, VenueStreamEvent } from '../../ports/venue.ts';
import { assertDate } from '../../core/time/et.ts';
import { toFeeSchedule, toOrderBook, toTrade } from './convert.ts';
import * as S from './schemas.ts';
import { ladderEventsInRange, toExchangeSchedule, toExchangeStatus } from './venue.ts';

export class FixtureError extends Error {
  override name = 'FixtureError';
}

const ManifestSchema = z.object({ default_date: z.string(), dates: z.array(z.string()).min(1) });
export type FixtureManifest = z.infer<typeof ManifestSchema>;
const SeriesListSchema = z.object({ series: z.array(S.SeriesSchema) });
const TimelineSchema = z
  .object({
    interval_ms: z.number().int().positive(),
    windows: z.array(
      z.object({
        window: z.string().min(1),
        tickers: z.array(z.string().min(1)),
        snapshots: z.array(z.object({ ts_ms: z.number().int().nonnegative(), orderbooks: z.array(S.OrderbookFpSchema) })),
        trades: z
          .array(z.object({ ts_ms: z.number().int().nonnegative(), trade_id: z.string().min(1), market_ticker: z.string().min(1), yes_price_dollars: S.PriceDollars, count_fp: S.CountFp, taker_outcome_side: z.enum(['yes', 'no']) }))
          .default([]),
      }),
    ),
  })
  .superRefine((t, ctx) => {
    t.windows.forEach((w, i) =>
      w.snapshots.forEach((s, j) => {
        if (s.orderbooks.length !== w.tickers.length) ctx.addIssue({ code: 'custom', path: ['windows', i, 'snapshots', j, 'orderbooks'], message: `expected ${w.tickers.length} books (one per ticker)` });
        if (j > 0 && s.ts_ms <= w.snapshots[j - 1]!.ts_ms) ctx.addIssue({ code: 'custom', path: ['windows', i, 'snapshots', j, 'ts_ms'], message: 'snapshots must be in time order' });
      }),
    );
  });
const ResultsSchema = z.object({ markets: z.array(z.object({ ticker: z.string().min(1), result: z.enum(['yes', 'no']), determined_ms: z.number().int().nonnegative() })) });

function readJson<T extends z.ZodType>(file: string, schema: T, display: string): z.infer<T> {
  let text: string;
  try {
    const raw = fs.readFileSync(file);
    text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  } catch {
    throw new FixtureError(`fixture missing or unreadable: ${display}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FixtureError(`fixture is not valid JSON: ${display}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new FixtureError(`fixture ${display}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export function readFixtureManifest(dir: string): FixtureManifest {
  const m = readJson(path.join(dir, 'manifest.json'), ManifestSchema, path.join(path.basename(dir), 'manifest.json'));
  for (const d of [m.default_date, ...m.dates]) assertDate(d);
  return m;
}

/** One market's books through its window: snapshot instants and books, in time order. */
interface MarketTimeline {
  ts: number[];
  books: S.WireOrderbookFp[];
}

export class FixtureVenue implements VenueMarketData {
  private events: LadderEvent[] | undefined;
  private readonly dayDir: string;
  private readonly cache = new Map<string, unknown>();
  private timelines: Map<string, MarketTimeline> | undefined;
  private tradeList: Trade[] | undefined;
  private results: Map<string, { result: 'yes' | 'no'; determinedMs: number }> | undefined;

  constructor(
    readonly dir: string,
    readonly dateEt: string,
    private readonly nowMs: () => number,
  ) {
    this.dayDir = path.join(dir, dateEt);
    if (!fs.existsSync(this.dayDir)) throw new FixtureError(`no Kalshi fixtures for ${dateEt} in ${dir}`);
  }

  /** A fixture file, read and validated once (they do not change while a run reads them). */
  private file<T extends z.ZodType>(name: string, schema: T): z.infer<T> {
    if (!this.cache.has(name)) this.cache.set(name, readJson(path.join(this.dayDir, name), schema, `${this.dateEt}/${name}`));
    return this.cache.get(name) as z.infer<T>;
  }

  private optional<T extends z.ZodType>(name: string, schema: T): z.infer<T> | undefined {
    return fs.existsSync(path.join(this.dayDir, name)) ? this.file(name, schema) : undefined;
  }

  /** Books by market through their windows (empty when the day has no timeline). */
  private timeline(): Map<string, MarketTimeline> {
    if (!this.timelines) {
      this.timelines = new Map();
      for (const w of this.optional('book_timeline.json.gz', TimelineSchema)?.windows ?? []) {
        w.tickers.forEach((t, i) => this.timelines!.set(t, { ts: w.snapshots.map((s) => s.ts_ms), books: w.snapshots.map((s) => s.orderbooks[i]!) }));
      }
    }
    return this.timelines;
  }

  /** Recorded trades with `fromMs < ts ≤ toMs` (time order). */
  tradesBetween(fromMs: number, toMs: number): Trade[] {
    this.tradeList ??= (this.optional('book_timeline.json.gz', TimelineSchema)?.windows ?? []).flatMap((w) => w.trades.map((t) => toTrade(t))).sort((a, b) => a.tsMs - b.tsMs);
    return this.tradeList.filter((t) => t.tsMs > fromMs && t.tsMs <= toMs);
  }

  private resultOf(ticker: string): { result: 'yes' | 'no'; determinedMs: number } | undefined {
    this.results ??= new Map((this.optional('results.json', ResultsSchema)?.markets ?? []).map((m) => [m.ticker, { result: m.result, determinedMs: m.determined_ms }]));
    return this.results.get(ticker);
  }

  private all(): LadderEvent[] {
    if (!this.events) {
      const fees = new Map(this.file('series.json', SeriesListSchema).series.map((s) => [s.ticker, toFeeSchedule(s)]));
      const wire = this.file('events.json', S.GetEventsResponse).events;
      this.events = (Object.keys(SERIES) as SeriesCode[]).flatMap((code) =>
        ladderEventsInRange(wire.filter((e) => e.series_ticker === SERIES[code].ticker), { series: code }, fees.get(SERIES[code].ticker)),
      );
    }
    return this.events;
  }

  async listEvents(q: EventQuery): Promise<LadderEvent[]> {
    return this.all().filter(
      (e) => e.series === q.series && (q.minCloseMs === undefined || e.closeTimeMs >= q.minCloseMs) && (q.maxCloseMs === undefined || e.closeTimeMs <= q.maxCloseMs),
    );
  }

  async getEvent(eventTicker: string): Promise<LadderEvent | undefined> {
    return this.all().find((e) => e.eventTicker === eventTicker);
  }

  async getMarket(ticker: string): Promise<Market> {
    const m = this.all().flatMap((e) => e.markets).find((x) => x.ticker === ticker);
    if (!m) throw new FixtureError(`market ${ticker} is not in the ${this.dateEt} fixtures`);
    const r = this.resultOf(ticker);
    if (r && this.nowMs() >= r.determinedMs) return { ...m, status: 'determined', result: r.result, settlementValue: r.result === 'yes' ? 10_000 : 0 };
    return m;
  }

  async getOrderBook(ticker: string): Promise<OrderBook> {
    const [b] = await this.getOrderBooks([ticker]);
    return b!;
  }

  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    const now = this.nowMs();
    const timeline = this.timeline();
    return tickers.map((t) => {
      const fp = atOrBefore(timeline.get(t), now) ?? this.snapshotBook(t);
      if (!fp) throw new FixtureError(`no recorded order book for ${t} (${this.dateEt})`);
      return toOrderBook(t, fp, now);
    });
  }

  private snapshotBook(ticker: string): S.WireOrderbookFp | undefined {
    if (!this.cache.has('#books')) this.cache.set('#books', new Map(this.file('orderbooks.json', S.GetOrderbooksResponse).orderbooks.map((b) => [b.ticker, b.orderbook_fp])));
    return (this.cache.get('#books') as Map<string, S.WireOrderbookFp>).get(ticker);
  }

  async exchangeStatus(): Promise<ExchangeStatus> {
    return toExchangeStatus(this.file('exchange_status.json', S.ExchangeStatusSchema));
  }

  async exchangeSchedule(): Promise<ExchangeSchedule> {
    return toExchangeSchedule(this.file('exchange_schedule.json', S.ExchangeScheduleResponse).schedule);
  }

  async seriesFees(series: SeriesCode): Promise<FeeSchedule> {
    const s = this.file('series.json', SeriesListSchema).series.find((x) => x.ticker === SERIES[series].ticker);
    if (!s) throw new FixtureError(`series ${SERIES[series].ticker} missing from ${this.dateEt}/series.json`);
    return toFeeSchedule(s);
  }
}

/** The latest snapshot at or before `now` (binary search), or undefined before the first one. */
function atOrBefore(t: MarketTimeline | undefined, now: number): S.WireOrderbookFp | undefined {
  if (!t || t.ts.length === 0 || now < t.ts[0]!) return undefined;
  let lo = 0;
  let hi = t.ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.ts[mid]! <= now) lo = mid;
    else hi = mid - 1;
  }
  return t.books[lo];
}

/**
 * The offline stream: the polled books (an inner stream over the fixture venue) plus the recorded trades of
 * watched markets, delivered every `intervalMs` for the time since the last delivery — so the paper broker
 * sees the trades that would have filled a resting quote.
 */
export class FixtureStream implements VenueStream {
  private readonly trades = new Set<string>();
  private readonly listeners = new Set<(e: VenueStreamEvent) => void>();
  private timer: TimerHandle | undefined;
  private last: number;

  constructor(
    private readonly inner: VenueStream,
    private readonly venue: FixtureVenue,
    private readonly clock: Clock,
    private readonly intervalMs = 1000,
  ) {
    this.last = clock.now();
  }

  async start(): Promise<void> {
    this.last = this.clock.now();
    await this.inner.start();
    this.arm();
  }

  async stop(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inner.stop();
  }

  watchBooks(tickers: string[]): void {
    this.inner.watchBooks(tickers);
  }

  unwatchBooks(tickers: string[]): void {
    this.inner.unwatchBooks(tickers);
  }

  watchTrades(tickers: string[]): void {
    for (const t of tickers) this.trades.add(t);
  }

  watchTicker(tickers: string[]): void {
    this.inner.watchTicker(tickers);
  }

  watchLifecycle(): void {
    this.inner.watchLifecycle();
  }

  watchAccount(): void {
    this.inner.watchAccount();
  }

  book(ticker: string): OrderBook | undefined {
    return this.inner.book(ticker);
  }

  on(listener: (e: VenueStreamEvent) => void): () => void {
    this.listeners.add(listener);
    const off = this.inner.on(listener);
    return () => {
      this.listeners.delete(listener);
      off();
    };
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      for (const trade of this.venue.tradesBetween(this.last, now)) {
        if (!this.trades.has(trade.ticker)) continue;
        for (const l of this.listeners) l({ kind: 'trade', trade });
      }
      this.last = now;
      this.arm();
    }, this.intervalMs);
  }
}
