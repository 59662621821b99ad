/**
 * Regenerates `fixtures/kalshi/` from the seeded Kalshi simulator, through the real REST client, so the
 * offline fixtures carry exactly the exchange's wire shapes. Deterministic: same seed → same files.
 *
 *   node --import tsx scripts/gen-kalshi-fixtures.ts [outDir]
 *
 * Days: 2026-11-20 (a regular Friday; the NASDAQ100U 15:00 event is deliberately left unlisted so
 * discovery has a missing window to report) and 2026-11-27 (the early close after Thanksgiving).
 *
 * A coherent offline day (SPEC §9): besides the exchange's answers at 09:45, each day carries the books of
 * every window's markets as the seeded simulator's market maker and takers moved them (a snapshot every
 * 10 s from a minute before the window to its target, and the takers' trades: `book_timeline.json.gz`) and every market's result with
 * the instant it was determined (`results.json`) — one simulated day, the very index path the offline
 * spot reads (same seed), so spot, books and settlements agree.
 *
 * The fixtures stay on the classic simulated world (`FIXTURE_WORLD`; sim/day/world.ts), recorded in the
 * manifest so the offline spot reads the same paths: the offline day is a wire-shape and plumbing fixture,
 * and its numbers are pinned by tests that do not need the regime world's harder days.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import { VirtualClock } from '../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../src/adapters/kalshi/auth.ts';
import { KalshiRestClient } from '../src/adapters/kalshi/rest-client.ts';
import { createCalendar } from '../src/core/calendar/calendar.ts';
import { SERIES } from '../src/core/series.ts';
import { etToMs } from '../src/core/time/et.ts';
import { startKalshiSim } from '../src/sim/kalshi/server.ts';
import { SimExchange } from '../src/sim/kalshi/exchange.ts';
import { EventClock } from '../src/adapters/clock/event-clock.ts';
import { windowsForDay } from '../src/core/windows.ts';
import { defaultIndexOps } from '../src/config/index-ops.ts';
import { formatCount, formatDollars } from '../src/core/units.ts';

export const FIXTURE_SEED = 20261120;
/** The simulated world of the fixture days. */
export const FIXTURE_WORLD = 'classic' as const;
/** Book snapshots of the timeline: every this many ms, from a minute before each window to its target. */
export const TIMELINE_INTERVAL_MS = 10_000;
/** Ladder sizes of the fixtures (short ladders keep the committed files small). */
const LADDERS = { thresholdStrikes: 5, rangeBins: 4 } as const;
export const FIXTURE_DAYS: { date: string; omit: string[] }[] = [
  { date: '2026-11-20', omit: ['KXNASDAQ100U-26NOV20H1500'] },
  { date: '2026-11-27', omit: [] },
];

export async function generateKalshiFixtures(outDir: string): Promise<string[]> {
  const written: string[] = [];
  const calendar = createCalendar();
  // A throwaway key: the fixtures contain no signature material.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (const day of FIXTURE_DAYS) {
    const session = calendar.session(day.date);
    if (!session.closeEt) throw new Error(`${day.date} is not a trading day`);
    const clock = new VirtualClock(etToMs(day.date, '09:45'));
    const sim = await startKalshiSim({
      clock,
      seed: FIXTURE_SEED,
      world: FIXTURE_WORLD,
      dateEt: day.date,
      closeEt: session.closeEt,
      omitEvents: day.omit,
      // Short ladders keep the committed files small; the shapes are what matter offline.
      ...LADDERS,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    try {
      const rest = new KalshiRestClient({ baseUrl: sim.restBase, clock, signer: new KalshiSigner('fixture-generator', privateKey, clock) });
      const raw = (p: string, query?: Record<string, string | number | boolean | string[]>) => rest.request('GET', p, { schema: z.unknown(), query });
      const dayDir = path.join(outDir, day.date);
      fs.mkdirSync(dayDir, { recursive: true });
      const events = (await raw('/events', { with_nested_markets: true, limit: 200 })) as { events: { markets: { ticker: string }[] }[]; cursor: string };
      if (events.cursor) throw new Error('fixture day does not fit in one events page');
      const series = { series: await Promise.all(Object.values(SERIES).map(async (s) => ((await raw(`/series/${s.ticker}`)) as { series: unknown }).series)) };
      const tickers = events.events.flatMap((e) => e.markets.map((m) => m.ticker));
      const books: unknown[] = [];
      for (let i = 0; i < tickers.length; i += 100) books.push(...((await raw('/markets/orderbooks', { tickers: tickers.slice(i, i + 100), depth: 3 })) as { orderbooks: unknown[] }).orderbooks);
      const files: Record<string, unknown> = {
        'events.json': events,
        'series.json': series,
        'exchange_status.json': await raw('/exchange/status'),
        'exchange_schedule.json': await raw('/exchange/schedule'),
        'orderbooks.json': { orderbooks: books },
        ...(await simulatedDay(day.date, session.closeEt, day.omit)),
      };
      for (const [name, body] of Object.entries(files)) {
        const file = path.join(dayDir, name);
        const text = JSON.stringify(body) + '\n';
        fs.writeFileSync(file, name.endsWith('.gz') ? zlib.gzipSync(text, { level: 9 }) : text);
        written.push(file);
      }
    } finally {
      await sim.close();
    }
  }
  const manifest = path.join(outDir, 'manifest.json');
  fs.writeFileSync(
    manifest,
    JSON.stringify({ default_date: FIXTURE_DAYS[0]!.date, dates: FIXTURE_DAYS.map((d) => d.date), seed: FIXTURE_SEED, world: FIXTURE_WORLD, generated_by: 'scripts/gen-kalshi-fixtures.ts' }, null, 2) + '\n',
  );
  written.push(manifest);
  return written;
}

/**
 * The day as the in-process simulator plays it (same seed and ladders as the REST answers): book snapshots
 * of each window's markets and every market's result.
 */
async function simulatedDay(date: string, closeEt: string, omit: string[]): Promise<Record<string, unknown>> {
  const clock = new EventClock(etToMs(date, '09:30'));
  // The taker intensity of a simulator session (sim-env.ts), so an offline window trades like a simulated one.
  const ex = new SimExchange({ clock, seed: FIXTURE_SEED, world: FIXTURE_WORLD, dateEt: date, closeEt, omitEvents: omit, takerProbability: 0.08, ...LADDERS });
  const windows = windowsForDay(date, createCalendar(), defaultIndexOps().windows).map((w) => {
    const tickers = ex.events.filter((e) => e.closeMs === w.targetMs).flatMap((e) => e.markets.map((m) => m.ticker));
    return { window: w.label, from: w.startMs - 60_000, to: w.targetMs, tickers, snapshots: [] as { ts_ms: number; orderbooks: unknown[] }[], trades: [] as unknown[] };
  });
  // The takers' trades in each window's markets while the window runs (what fills a resting paper order).
  ex.on((e) => {
    if (e.type !== 'trade') return;
    const t = e.trade;
    const w = windows.find((x) => t.tsMs >= x.from && t.tsMs <= x.to && x.tickers.includes(t.ticker));
    w?.trades.push({ ts_ms: t.tsMs, trade_id: t.tradeId, market_ticker: t.ticker, yes_price_dollars: formatDollars(t.price), count_fp: formatCount(t.count), taker_outcome_side: t.takerSide === 'bid' ? 'yes' : 'no' });
  });
  const side = (levels: [number, number][]) => (levels.length === 0 ? null : levels.map(([p, c]) => [formatDollars(p), formatCount(c)]));
  for (const w of windows) {
    for (let t = w.from; t <= w.to; t += TIMELINE_INTERVAL_MS) {
      clock.at(t, () => {
        w.snapshots.push({ ts_ms: t, orderbooks: w.tickers.map((k) => {
          const { yes, no } = ex.levels(k);
          return { yes_dollars: side(yes.slice(-3)), no_dollars: side(no.slice(-3)) };
        }) });
      }, 2);
    }
  }
  await clock.advanceTo(etToMs(date, closeEt) + 120_000);
  const results = [...ex.markets.values()]
    .filter((m) => m.result !== undefined && m.determinedMs !== undefined)
    .map((m) => ({ ticker: m.spec.ticker, result: m.result!, determined_ms: m.determinedMs! }));
  ex.close();
  return {
    'book_timeline.json.gz': { interval_ms: TIMELINE_INTERVAL_MS, windows: windows.map(({ window, tickers, snapshots, trades }) => ({ window, tickers, snapshots, trades })) },
    'results.json': { markets: results },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(process.argv[2] ?? 'fixtures/kalshi');
  const files = await generateKalshiFixtures(out);
  for (const f of files) console.log(`${path.relative(process.cwd(), f)}  ${fs.statSync(f).size} bytes`);
}
