/**
 * Prints the world statistics (world-stats.ts) of generated runs, one JSON line per (seed, symbol), then one
 * summary line: the share of runs meeting each of issue 19's targets and the 10/50/90th percentiles.
 *   node --import tsx test/sim/world-stats-run.ts [--from 2026-01-05] [--days 60] [--seeds 1-5 | 3,7,9]
 *     [--world regime|classic] [--symbol I:SPX|I:NDX|both] [--knobs '{"dayVolPhi":0.8}'] [--quiet]
 * `--knobs` overrides regime knobs (sim/day/regime.ts RegimeOverrides); `--quiet` prints the summary only.
 */
import { createCalendar } from '../../src/core/calendar/index.ts';
import { simMinuteBars } from '../../src/sim/day/bars.ts';
import { resolveWorld, type SimWorldKind } from '../../src/sim/day/world.ts';
import type { IndexSymbol } from '../../src/core/series.ts';
import { meetsTargets, worldStats, type WorldStats } from './world-stats.ts';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1]! : d;
};
const seedsText = arg('seeds', '1-5');
const seeds = seedsText.includes('-') ? (([a, b]) => Array.from({ length: b! - a! + 1 }, (_, i) => a! + i))(seedsText.split('-').map(Number)) : seedsText.split(',').map(Number);
const world = resolveWorld({ kind: arg('world', 'regime') as SimWorldKind, regime: JSON.parse(arg('knobs', '{}')) });
const symbols: IndexSymbol[] = arg('symbol', 'both') === 'both' ? ['I:SPX', 'I:NDX'] : [arg('symbol', 'I:SPX') as IndexSymbol];
const quiet = process.argv.includes('--quiet');
const calendar = createCalendar();
const r2 = (x: number) => Math.round(x * 100) / 100;
const rows: WorldStats[] = [];
for (const seed of seeds) {
  for (const symbol of symbols) {
    const t0 = performance.now();
    const days = simMinuteBars({ symbol, from: arg('from', '2026-01-05'), days: Number(arg('days', '60')), seed, world, calendar });
    const ms = performance.now() - t0;
    const s = worldStats(days, { events: world.events });
    rows.push(s);
    if (quiet) continue;
    console.log(
      JSON.stringify({
        seed,
        symbol,
        world: world.kind,
        days: s.days,
        vol: [r2(s.dailyVolMin * 100), r2(s.dailyVolMax * 100)],
        kurt: r2(s.pooledKurtosis),
        kurtStd: r2(s.standardisedKurtosis),
        minRange20: s.minWindowVolRange === null ? null : r2(s.minWindowVolRange),
        ac1: r2(s.logVolAutocorr),
        fomc: s.fomc.map((f) => `${f.dateEt}:${r2(f.ratio)}`),
        maxMove: [r2(s.largestMoveSigma.min), r2(s.largestMoveSigma.median), r2(s.largestMoveSigma.max)],
        msPerDay: r2(ms / s.days),
      }),
    );
  }
}
const share = (f: (m: ReturnType<typeof meetsTargets>) => boolean) => r2(rows.filter((s) => f(meetsTargets(s))).length / rows.length);
const pct = (f: (s: WorldStats) => number) => {
  const v = rows.map(f).sort((a, b) => a - b);
  return [0.1, 0.5, 0.9].map((q) => r2(v[Math.min(v.length - 1, Math.floor(v.length * q))]!));
};
console.log(
  JSON.stringify({
    summary: { world: world.kind, runs: rows.length, seeds: seedsText },
    meets: {
      pooledKurtosis: share((m) => m.pooledKurtosis),
      standardisedKurtosis: share((m) => m.standardisedKurtosis),
      volRange20: share((m) => m.volRange20),
      logVolAutocorr: share((m) => m.logVolAutocorr),
      fomc: share((m) => m.fomc),
      all: share((m) => m.all),
    },
    p10_50_90: {
      pooledKurtosis: pct((s) => s.pooledKurtosis),
      standardisedKurtosis: pct((s) => s.standardisedKurtosis),
      volRange20: pct((s) => s.minWindowVolRange ?? 0),
      logVolAutocorr: pct((s) => s.logVolAutocorr),
      fomcMin: pct((s) => (s.fomc.length ? Math.min(...s.fomc.map((f) => f.ratio)) : NaN)),
      dailyVolMinPct: pct((s) => s.dailyVolMin * 100),
      dailyVolMedianPct: pct((s) => [...s.dailyVol].sort((a, b) => a - b)[s.dailyVol.length >> 1]! * 100),
      dailyVolMaxPct: pct((s) => s.dailyVolMax * 100),
      largestMoveSigmaMax: pct((s) => s.largestMoveSigma.max),
    },
  }),
);
