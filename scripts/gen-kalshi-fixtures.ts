/**
 * Regenerates `fixtures/kalshi/` from the seeded Kalshi simulator, through the real REST client, so the
 * offline fixtures carry exactly the exchange's wire shapes. Deterministic: same seed → same files.
 *
 *   node --import tsx scripts/gen-kalshi-fixtures.ts [outDir]
 *
 * Days: 2026-11-20 (a regular Friday; the NASDAQ100U 15:00 event is deliberately left unlisted so
 * discovery has a missing window to report) and 2026-11-27 (the early close after Thanksgiving).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VirtualClock } from '../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../src/adapters/kalshi/auth.ts';
import { KalshiRestClient } from '../src/adapters/kalshi/rest-client.ts';
import { createCalendar } from '../src/core/calendar/calendar.ts';
import { SERIES } from '../src/core/series.ts';
import { etToMs } from '../src/core/time/et.ts';
import { startKalshiSim } from '../src/sim/kalshi/server.ts';

export const FIXTURE_SEED = 20261120;
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
      dateEt: day.date,
      closeEt: session.closeEt,
      omitEvents: day.omit,
      // Short ladders keep the committed files small; the shapes are what matter offline.
      thresholdStrikes: 5,
      rangeBins: 4,
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
      };
      for (const [name, body] of Object.entries(files)) {
        const file = path.join(dayDir, name);
        fs.writeFileSync(file, JSON.stringify(body) + '\n');
        written.push(file);
      }
    } finally {
      await sim.close();
    }
  }
  const manifest = path.join(outDir, 'manifest.json');
  fs.writeFileSync(
    manifest,
    JSON.stringify({ default_date: FIXTURE_DAYS[0]!.date, dates: FIXTURE_DAYS.map((d) => d.date), seed: FIXTURE_SEED, generated_by: 'scripts/gen-kalshi-fixtures.ts' }, null, 2) + '\n',
  );
  written.push(manifest);
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(process.argv[2] ?? 'fixtures/kalshi');
  const files = await generateKalshiFixtures(out);
  for (const f of files) console.log(`${path.relative(process.cwd(), f)}  ${fs.statSync(f).size} bytes`);
}
