/**
 * Market files for `price --markets FILE`: Kalshi API bodies saved to disk, in any of the shapes the API
 * returns — a list of markets, `GET /markets` (`{markets, cursor}`), `GET /markets/{t}` (`{market}`),
 * `GET /events/{t}` (`{event, markets}` or nested markets) or `GET /events?with_nested_markets=true`
 * (`{events: [...]}`). Validated with the Kalshi adapter's own wire schemas and converted with its
 * converters, then grouped into ladders (one per event). Errors name the file and the JSON path.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { LadderEvent, Market } from '../core/market.ts';
import { seriesOfTicker } from '../core/series.ts';
import { KalshiProtocolError } from './kalshi/errors.ts';
import { toLadderEvent, toMarket } from './kalshi/convert.ts';
import { EventSchema, MarketSchema } from './kalshi/schemas.ts';
import { UnitParseError } from '../core/units.ts';

export class MarketsFileError extends Error {
  override name = 'MarketsFileError';
}

const Shapes = z.union([
  z.array(MarketSchema),
  z.object({ events: z.array(EventSchema) }),
  z.object({ event: EventSchema, markets: z.array(MarketSchema).optional() }),
  z.object({ markets: z.array(MarketSchema) }),
  z.object({ market: MarketSchema }),
]);

/** Which documented shape a document claims to be, so errors report that shape's first problem. */
function shapeOf(doc: unknown): z.ZodType {
  if (Array.isArray(doc)) return z.array(MarketSchema);
  const o = (doc ?? {}) as Record<string, unknown>;
  if ('events' in o) return z.object({ events: z.array(EventSchema) });
  if ('event' in o) return z.object({ event: EventSchema, markets: z.array(MarketSchema).optional() });
  if ('markets' in o) return z.object({ markets: z.array(MarketSchema) });
  if ('market' in o) return z.object({ market: MarketSchema });
  return Shapes;
}

function groupMarkets(markets: Market[]): LadderEvent[] {
  const by = new Map<string, Market[]>();
  for (const m of markets) {
    const list = by.get(m.eventTicker);
    if (list) list.push(m);
    else by.set(m.eventTicker, [m]);
  }
  return [...by].map(([eventTicker, ms]) => {
    const closes = new Set(ms.map((m) => m.closeTimeMs));
    if (closes.size > 1) throw new KalshiProtocolError(`event ${eventTicker}: markets disagree on close_time`);
    return { eventTicker, series: ms[0]!.series, closeTimeMs: ms[0]!.closeTimeMs, markets: ms };
  });
}

/** Parses a market file's text into ladders (event fee overrides carried when the file has the event). */
export function parseMarketsDocument(text: string, name: string): LadderEvent[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MarketsFileError(`${name}: not valid JSON`);
  }
  const r = shapeOf(doc).safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new MarketsFileError(`${name}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  }
  const d = r.data as z.infer<typeof Shapes>;
  let events: LadderEvent[];
  try {
    if (Array.isArray(d)) events = groupMarkets(d.map((m) => toMarket(m)));
    else if ('events' in d) events = d.events.map((e) => toLadderEvent(e));
    else if ('event' in d) events = [toLadderEvent(d.event.markets || !d.markets ? d.event : { ...d.event, markets: d.markets })];
    else if ('markets' in d) events = groupMarkets(d.markets.map((m) => toMarket(m)));
    else events = groupMarkets([toMarket(d.market)]);
  } catch (e) {
    if (e instanceof KalshiProtocolError || e instanceof UnitParseError) throw new MarketsFileError(`${name}: ${e.message}`);
    throw e;
  }
  events = events.filter((e) => e.markets.length > 0);
  if (events.length === 0) throw new MarketsFileError(`${name}: no markets`);
  for (const e of events) {
    if (!seriesOfTicker(e.eventTicker)) throw new MarketsFileError(`${name}: event ${e.eventTicker} is not an index series this system trades`);
  }
  return events;
}

export function readMarketsFile(file: string, displayName = file): LadderEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MarketsFileError(`${displayName}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseMarketsDocument(text, displayName);
}
