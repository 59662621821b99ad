/**
 * The simulated world's cost per generated day (issue 19): both indices' per-second paths of one session
 * (09:30–16:00) and the 390 minute closes of each read from them — what a self-calibration does 120 times
 * before a simulated run (app/sim-calibration.ts) and `sim bars` once per day. The regime world (variance
 * path, events, jumps) and the classic one (constant-vol walk) are timed interleaved, day by day on the same
 * dates (a fresh date each time: no memo hit), so their ratio is measured in one run on a shared machine.
 * One line, `world-day` (the regime world, ms per day), with the classic world's median and the ratio.
 */
import { meets, quantile, round, type Report } from './harness.ts';
import { addDays, etToMs, weekday } from '../src/core/time/et.ts';
import { resolveWorld, worldPaths, type SimWorld } from '../src/sim/day/world.ts';

const SEED = 4711;
const ROUNDS = 160;
const WARMUP = 12;

function oneDay(world: SimWorld, dateEt: string): number {
  const t0 = process.hrtime.bigint();
  const p = worldPaths({ seed: SEED, dateEt, closeEt: '16:00', world });
  const open = etToMs(dateEt, '09:30');
  let sum = 0;
  for (let t = open + 60_000; t <= open + 390 * 60_000; t += 60_000) sum += p.spx.valueAt(t) + p.ndx.valueAt(t);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!Number.isFinite(sum)) throw new Error('world bench: a path gave a non-finite value');
  return ms;
}

export default async function run(report: Report): Promise<void> {
  const regime = resolveWorld('regime');
  const classic = resolveWorld('classic');
  const dates: string[] = [];
  for (let d = '2025-01-02'; dates.length < WARMUP + ROUNDS; d = addDays(d, 1)) if (weekday(d) <= 5) dates.push(d);
  const r: number[] = [];
  const c: number[] = [];
  dates.forEach((d, i) => {
    // alternate which world goes first, so neither always runs on a warmer cache
    const [a, b] = i % 2 ? [oneDay(regime, d), oneDay(classic, d)] : (([x, y]) => [y, x])([oneDay(classic, d), oneDay(regime, d)]);
    if (i >= WARMUP) {
      r.push(a!);
      c.push(b!);
    }
  });
  const ratios = r.map((x, i) => x / c[i]!).sort((x, y) => x - y);
  r.sort((x, y) => x - y);
  c.sort((x, y) => x - y);
  const median = round(quantile(r, 0.5));
  const target = '<= 15 ms';
  report({
    name: 'world-day',
    unit: 'ms',
    median,
    p99: round(quantile(r, 0.99)),
    n: r.length,
    target,
    classic_median_ms: round(quantile(c, 0.5)),
    classic_p99_ms: round(quantile(c, 0.99)),
    ratio_vs_classic: round(quantile(ratios, 0.5)),
    what: 'one generated session: SPX + NDX per-second paths and 390 minute closes each',
    ok: meets(target, median),
  });
}
