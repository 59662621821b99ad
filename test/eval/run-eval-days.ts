/**
 * Runs generated days through the replay's in-process day (harness.ts) and writes one ledger per seed:
 *
 *   node --import tsx test/eval/run-eval-days.ts --out DIR --seeds 101-120 [--date 2026-11-20]
 *        [--home DIR] [--quotes '{"as_margin_usd":0.01}'] [--participants '{"informed":{"ratePerMinute":6}}']
 *        [--only hourly-1000,close-1600] [--calib-seed 4242 --calib-days 120 | --no-calibration x]
 *   node --import tsx test/eval/run-eval-days.ts --home DIR --calibrate-only x   (just write the calibration)
 *
 * `--home` holds the calibration the engine prices with; it is (re)written from the simulator's own generated
 * days (seed `--calib-seed`, weekdays from 2025-03-03) when absent. Then score with
 *   kalshi-alpha evaluate --ledger DIR/<seed>.jsonl --seed <seed> … (or all of them at once).
 * (`kalshi-alpha replay --date D --seed S --ledger F` runs the same day; this adds the participant knobs and
 * the calibration seed.) Test tooling, not part of the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultIndexOps, IndexOpsSchema } from '../../src/config/index-ops.ts';
import { runSimDay, writeSimCalibration } from './harness.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt?: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? '') : dflt;
};
if (arg('calibrate-only') !== undefined) {
  const home = path.resolve(arg('home')!);
  writeSimCalibration(home, { seed: Number(arg('calib-seed', '4242')), from: '2025-03-03', days: Number(arg('calib-days', '120')), nowMs: Date.parse(`${arg('date', '2026-11-20')}T05:00:00Z`) });
  console.log(`calibration written under ${home}/data/proc/calib/index`);
  process.exit(0);
}
const seedsArg = arg('seeds')!;
const seeds = seedsArg.includes('-') ? (() => { const [a, b] = seedsArg.split('-').map(Number); return Array.from({ length: b! - a! + 1 }, (_, i) => a! + i); })() : seedsArg.split(',').map(Number);
const out = arg('out')!;
const date = arg('date', '2026-11-20')!;
const home = path.resolve(arg('home', path.join(out, 'home'))!);
fs.mkdirSync(out, { recursive: true });
if (arg('no-calibration') === undefined && !fs.existsSync(path.join(home, 'data/proc/calib/index/spx/hourly/params.json'))) {
  writeSimCalibration(home, { seed: Number(arg('calib-seed', '4242')), from: '2025-03-03', days: Number(arg('calib-days', '120')), nowMs: Date.parse(`${date}T05:00:00Z`) });
}
const base = defaultIndexOps();
const quotes = arg('quotes');
const config = IndexOpsSchema.parse({ ...base, quotes: { ...base.quotes, ...(quotes ? JSON.parse(quotes) : {}) } });
const participants = arg('participants');
const only = arg('only')?.split(',');
for (const seed of seeds) {
  const t0 = performance.now();
  const r = await runSimDay({
    seed,
    dateEt: date,
    home,
    config,
    ...(only ? { only } : {}),
    exchange: { participants: { marketMaker: { horizonMs: 30 * 60_000 }, ...(participants ? JSON.parse(participants) : {}) } },
  });
  const file = path.join(out, `${seed}.jsonl`);
  fs.writeFileSync(file, r.records.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const q = r.windows.reduce((a, w) => a + w.quotes, 0);
  const f = r.windows.reduce((a, w) => a + w.fills, 0);
  const pnl = r.windows.reduce((a, w) => a + w.pnlUsd, 0);
  console.log(`seed ${seed}: ${r.windows.length} series-windows, ${q} quotes, ${f} fills, pnl $${pnl.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s) → ${file}`);
}
