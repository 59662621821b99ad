/**
 * VenueMarketData from recorded fixture files (`--offline`, SPEC §9): the exchange's own JSON shapes,
 * validated with the same schemas as live answers. Layout under `fixtures/kalshi/`:
 *   manifest.json                       {default_date, dates[]}
 *   <date>/events.json                  GET /events?with_nested_markets=true (one page, every series)
 *   <date>/series.json                  {series: [Series…]}
 *   <date>/exchange_status.json         GET /exchange/status
 *   <date>/exchange_schedule.json       GET /exchange/schedule
 *   <date>/orderbooks.json              GET /markets/orderbooks
 * A missing or malformed file is a clear error; nothing silently falls back to other data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { FeeSchedule, LadderEvent, Market, OrderBook } from '../../core/market.ts';
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { EventQuery, ExchangeSchedule, ExchangeStatus, VenueMarketData } from '../../ports/venue.ts';
import { assertDate } from '../../core/time/et.ts';
import { toFeeSchedule, toOrderBook } from './convert.ts';
import * as S from './schemas.ts';
import { ladderEventsInRange, toExchangeSchedule, toExchangeStatus } from './venue.ts';

export class FixtureError extends Error {
  override name = 'FixtureError';
}

const ManifestSchema = z.object({ default_date: z.string(), dates: z.array(z.string()).min(1) });
export type FixtureManifest = z.infer<typeof ManifestSchema>;
const SeriesListSchema = z.object({ series: z.array(S.SeriesSchema) });

function readJson<T extends z.ZodType>(file: string, schema: T, display: string): z.infer<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new FixtureError(`fixture missing: ${display}`);
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

export class FixtureVenue implements VenueMarketData {
  private events: LadderEvent[] | undefined;
  private readonly dayDir: string;

  constructor(
    readonly dir: string,
    readonly dateEt: string,
    private readonly nowMs: () => number,
  ) {
    this.dayDir = path.join(dir, dateEt);
    if (!fs.existsSync(this.dayDir)) throw new FixtureError(`no Kalshi fixtures for ${dateEt} in ${dir}`);
  }

  private file<T extends z.ZodType>(name: string, schema: T): z.infer<T> {
    return readJson(path.join(this.dayDir, name), schema, `${this.dateEt}/${name}`);
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
    return m;
  }

  async getOrderBook(ticker: string): Promise<OrderBook> {
    const [b] = await this.getOrderBooks([ticker]);
    return b!;
  }

  async getOrderBooks(tickers: string[]): Promise<OrderBook[]> {
    const books = new Map(this.file('orderbooks.json', S.GetOrderbooksResponse).orderbooks.map((b) => [b.ticker, b.orderbook_fp]));
    return tickers.map((t) => {
      const fp = books.get(t);
      if (!fp) throw new FixtureError(`no recorded order book for ${t} (${this.dateEt})`);
      return toOrderBook(t, fp, this.nowMs());
    });
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
