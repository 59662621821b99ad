/**
 * Issue 19's done-when comparison of the adaptive σ, in one run side by side on the same generated days:
 *
 *   node --import tsx test/eval/adaptive-comparison.ts --seeds 3101-3120 [--date 2026-11-20] [--out DIR] [--json FILE]
 *   … --seeds 3101-3120 --out DIR --score-only x   (score the ledgers a run left in DIR: the same tables, no run;
 *   e.g. after the seeds were run by two processes side by side on a loaded machine)
 *
 * Per seed: the run self-calibrates as a simulated run does (app/sim-calibration.ts: the 120 generated trading
 * days before the date, same seed and world, the very fit `calibrate` runs — conditioning included), then the
 * real engine trades the whole day four times on the same paths and books, each a replay of the generated day
 * (harness.ts: `kalshi-alpha replay`'s in-process day and run):
 * - `adaptive`: the default model (σ conditioned on the day);
 * - `unconditional`: `model.conditioning: false` (the calendar curve, event κ);
 * - `sigma×0.7`, `sigma×1.4`: the adaptive model with every calibrated σ(m) scaled (the conditioning's
 *   profile left alone, so the scale is not undone).
 * Each ledger is scored against the simulator's oracle (core/eval/evaluate.ts, as `evaluate --ledger`).
 * Printed: mean |p − oracle| at quote per minutes-to-target bucket and per realised-vol quartile of the
 * index-days (adaptive vs unconditional); the adaptive run's oracle edge and claimed EV at fill per bucket;
 * PnL and oracle edge per day (mean ± standard error across days) for every variant, and the paired
 * differences against the default. Test tooling, not product.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { fitSimCalibrations } from '../../src/app/sim-calibration.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import type { CalibrationParams } from '../../src/core/calibration/params.ts';
import { evaluateLedger, MINUTE_BUCKETS, type EvalReport } from '../../src/core/eval/evaluate.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps, IndexOpsSchema, type IndexOpsConfig } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { dayOracle, indexOfSeries, simDay, simDayPaths } from '../../src/sim/market/day.ts';
import { runSimDay } from './harness.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt?: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? '') : dflt;
};
const seedsArg = arg('seeds', '3101-3120')!;
const seeds = seedsArg.includes('-') ? (() => { const [a, b] = seedsArg.split('-').map(Number); return Array.from({ length: b! - a! + 1 }, (_, i) => a! + i); })() : seedsArg.split(',').map(Number);
const date = arg('date', '2026-11-20')!;
const out = path.resolve(arg('out', fs.mkdtempSync(path.join(os.tmpdir(), 'adaptive-cmp-')))!);
const jsonOut = arg('json');
fs.mkdirSync(out, { recursive: true });

const calendar = createCalendar();
const base = defaultIndexOps();
const VARIANTS = [
  { name: 'adaptive', scale: 1, conditioning: true },
  { name: 'unconditional', scale: 1, conditioning: false },
  { name: 'sigma×0.7', scale: 0.7, conditioning: true },
  { name: 'sigma×1.4', scale: 1.4, conditioning: true },
] as const;
type Variant = (typeof VARIANTS)[number]['name'];

function scaled(p: CalibrationParams, k: number): CalibrationParams {
  if (k === 1) return p;
  const q = structuredClone(p);
  for (const v of Object.values(q.minutes_to_target)) v.sigma *= k;
  for (const t of Object.values(q.by_target ?? {})) for (const v of Object.values(t.minutes_to_target)) v.sigma *= k;
  return q;
}

/** Annualised realised vol of an index-day from its one-minute log changes over the session. */
function dayVol(seed: number, sym: 'spx' | 'ndx'): number {
  const p = simDayPaths(seed, date, '16:00')[sym];
  const open = etToMs(date, '09:30');
  let s = 0;
  for (let k = 0; k < 390; k++) s += Math.log(p.valueAt(open + (k + 1) * 60_000) / p.valueAt(open + k * 60_000)) ** 2;
  return Math.sqrt(s * 252);
}

interface SeedRun {
  seed: number;
  records: Record<Variant, LedgerRecord[]>;
  vol: { spx: number; ndx: number };
}

const runs: SeedRun[] = [];
const t0 = performance.now();
const scoreOnly = arg('score-only') !== undefined;
for (const seed of scoreOnly ? seeds : []) {
  const records = {} as Record<Variant, LedgerRecord[]>;
  for (const v of VARIANTS) records[v.name] = fs.readFileSync(path.join(out, `${seed}-${v.name}.jsonl`), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerRecord);
  runs.push({ seed, records, vol: { spx: dayVol(seed, 'spx'), ndx: dayVol(seed, 'ndx') } });
}
for (const seed of scoreOnly ? [] : seeds) {
  const ts = performance.now();
  const fits = fitSimCalibrations({ seed, dateEt: date, calendar, config: base });
  const records = {} as Record<Variant, LedgerRecord[]>;
  for (const v of VARIANTS) {
    const home = path.join(out, `home-${seed}-${v.scale}`);
    const dir = resolvePaths(home).calibDir;
    for (const f of fits) {
      const file = calibrationPath(dir, f.symbol, f.horizon);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeCalibration(file, scaled(f.params, v.scale));
    }
    const config: IndexOpsConfig = IndexOpsSchema.parse({ ...base, model: { ...base.model, conditioning: v.conditioning } });
    const r = await runSimDay({ seed, dateEt: date, home, config, exchange: { participants: { marketMaker: { horizonMs: 30 * 60_000 } } } });
    records[v.name] = r.records;
    fs.writeFileSync(path.join(out, `${seed}-${v.name}.jsonl`), r.records.map((x) => JSON.stringify(x)).join('\n') + '\n');
  }
  runs.push({ seed, records, vol: { spx: dayVol(seed, 'spx'), ndx: dayVol(seed, 'ndx') } });
  console.error(`seed ${seed}: ${((performance.now() - ts) / 1000).toFixed(1)} s (vol SPX ${(runs.at(-1)!.vol.spx * 100).toFixed(1)}%, NDX ${(runs.at(-1)!.vol.ndx * 100).toFixed(1)}%)`);
}

const oracles = new Map<number, ReturnType<typeof dayOracle>>();
const oracleOf = (seed: number) => {
  let o = oracles.get(seed);
  if (!o) oracles.set(seed, (o = dayOracle(simDay({ seed, dateEt: date }))));
  return o;
};
/** Scores records of several seeds together (scope = seed). */
function score(parts: { seed: number; records: readonly LedgerRecord[] }[]): EvalReport {
  const seedOf = new Map<LedgerRecord, number>();
  const all: LedgerRecord[] = [];
  for (const p of parts) for (const r of p.records) {
    seedOf.set(r, p.seed);
    all.push(r);
  }
  return evaluateLedger(all, {
    oracle: (r) => oracleOf(seedOf.get(r)!).oracle(r.kalshi_market_id, r.ts_ms),
    closeMs: (r) => oracleOf(seedOf.get(r)!).closeMs(r.kalshi_market_id),
    scope: (r) => String(seedOf.get(r)),
  });
}
const symOf = (r: LedgerRecord): 'spx' | 'ndx' | undefined => {
  const m = /^KX(INXU|INX|NASDAQ100U|NASDAQ100)-/.exec(r.kalshi_market_id);
  return m ? indexOfSeries(m[1]!) : undefined;
};

const f = (x: number | null | undefined, d = 4) => (x === null || x === undefined ? '-' : x.toFixed(d));
function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(rows[0]!), w.map((x) => '-'.repeat(x)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
const pm = (m: number | null, se: number | null, d = 4) => (m === null ? '-' : `${m.toFixed(d)}±${se === null ? '?' : se.toFixed(d)}`);

const report: Record<string, unknown> = { seeds, date, out };
const lines: string[] = [`adaptive vs unconditional on ${seeds.length} generated days (seeds ${seedsArg}, ${date}), ${((performance.now() - t0) / 1000).toFixed(0)} s`, ''];

// 1. mean |p − oracle| at quote per minutes-to-target bucket
const byVariant = Object.fromEntries(VARIANTS.map((v) => [v.name, score(runs.map((r) => ({ seed: r.seed, records: r.records[v.name] })))])) as Record<Variant, EvalReport>;
const bucketRows = [['minutes', 'quotes adaptive', '|p-oracle| adaptive', 'quotes uncond.', '|p-oracle| uncond.', 'adaptive/uncond.']];
for (const b of [...MINUTE_BUCKETS.map((x) => x.label), 'all']) {
  const a = b === 'all' ? byVariant.adaptive.total.quotes : byVariant.adaptive.buckets.find((x) => x.label === b)!.quotes;
  const u = b === 'all' ? byVariant.unconditional.total.quotes : byVariant.unconditional.buckets.find((x) => x.label === b)!.quotes;
  bucketRows.push([b, String(a.n), pm(a.abs_error.mean, a.abs_error.se), String(u.n), pm(u.abs_error.mean, u.abs_error.se), a.abs_error.mean !== null && u.abs_error.mean ? f(a.abs_error.mean / u.abs_error.mean, 3) : '-']);
}
lines.push('mean |p − oracle| at quote per minutes-to-target bucket (± one standard error):', table(bucketRows), '');

// 2. per realised-vol quartile of the index-days
const indexDays = runs.flatMap((r) => (['spx', 'ndx'] as const).map((sym) => ({ seed: r.seed, sym, vol: r.vol[sym], run: r })));
indexDays.sort((a, b) => a.vol - b.vol);
const q = (i: number) => Math.min(3, Math.floor((i * 4) / indexDays.length));
const quartRows = [['vol quartile', 'index-days', 'vol range', 'quotes a/u', '|p-oracle| adaptive', '|p-oracle| uncond.', 'adaptive/uncond.']];
const quartiles: unknown[] = [];
for (let k = 0; k < 4; k++) {
  const days = indexDays.filter((_, i) => q(i) === k);
  const part = (v: Variant) => score(days.map((d) => ({ seed: d.seed, records: d.run.records[v].filter((r) => symOf(r) === d.sym) })));
  const a = part('adaptive').total.quotes;
  const u = part('unconditional').total.quotes;
  const ratio = a.abs_error.mean !== null && u.abs_error.mean ? a.abs_error.mean / u.abs_error.mean : null;
  quartiles.push({ quartile: k + 1, days: days.length, vol_lo: days[0]!.vol, vol_hi: days.at(-1)!.vol, adaptive: a, unconditional: u, ratio });
  quartRows.push([`Q${k + 1}${k === 3 ? ' (top)' : ''}`, String(days.length), `${(days[0]!.vol * 100).toFixed(1)}–${(days.at(-1)!.vol * 100).toFixed(1)}%`, `${a.n}/${u.n}`, pm(a.abs_error.mean, a.abs_error.se), pm(u.abs_error.mean, u.abs_error.se), f(ratio, 3)]);
}
lines.push('mean |p − oracle| at quote per realised-vol quartile of the index-days (SPX and NDX of each seed):', table(quartRows), '');

// 3. fills of the default (adaptive) run: oracle edge and claimed EV per bucket
const fillRows = [['minutes', 'fills', 'contracts', 'claimed_ev¢', 'oracle_edge¢', 'claimed − edge¢', 'realized¢/c']];
for (const b of [...byVariant.adaptive.buckets, { label: 'all', fills: byVariant.adaptive.total.fills }]) {
  const x = b.fills;
  fillRows.push([b.label, String(x.fills), String(x.contracts), f(x.claimed_ev_cents, 2), pm(x.oracle_edge_cents.mean, x.oracle_edge_cents.se, 2), x.claimed_ev_cents !== null && x.oracle_edge_cents.mean !== null ? f(x.claimed_ev_cents - x.oracle_edge_cents.mean, 2) : '-', f(x.realized_cents_per_contract, 2)]);
}
lines.push('adaptive run, fills per bucket of the fill instant (¢ per contract):', table(fillRows), '');

// 3b. where the gap between claimed EV and oracle edge at fill comes from (adaptive run, ¢ per contract, in
// the order's favour): the model's error at the quote instant, p_model − p_oracle(quote), and the true value's
// move between the quote and the fill, p_oracle(quote) − p_oracle(fill) (the rest: price and fee differences
// between the quote's claim and the fill). A gap that is mostly the first is a winner's curse — the quotes
// that clear the bar are those where the model disagrees with a market priced near the truth — not a
// resting order picked off by a move.
{
  const acc = new Map<string, { n: number; gap: number; err: number; move: number }>();
  for (const run of runs) {
    const o = oracleOf(run.seed);
    const quoteOf = new Map<string, LedgerRecord>();
    for (const r of run.records.adaptive) {
      if (r.type === 'quote' && !quoteOf.has(r.client_order_id)) quoteOf.set(r.client_order_id, r);
      if (r.type !== 'paper_fill') continue;
      const q = quoteOf.get(r.client_order_id);
      const close = o.closeMs(r.kalshi_market_id);
      const pf = o.oracle(r.kalshi_market_id, r.ts_ms);
      const pq = q ? o.oracle(q.kalshi_market_id, q.ts_ms) : undefined;
      if (!q || close === undefined || pf === undefined || pq === undefined) continue;
      const sgn = r.side === 'buy' ? 1 : -1;
      const edge = (sgn * (pf - r.fill_price) * 100 - (r.fill_size > 0 ? (r.fee * 100) / r.fill_size : 0));
      const label = MINUTE_BUCKETS.find((b) => (close - r.ts_ms) / 60_000 >= b.lo && (close - r.ts_ms) / 60_000 < b.hi)?.label ?? '<1m';
      for (const k of [label, 'all']) {
        const a = acc.get(k) ?? { n: 0, gap: 0, err: 0, move: 0 };
        a.n++;
        a.gap += r.ev_after_fees_cents - edge;
        a.err += sgn * (q.model_prob - pq) * 100;
        a.move += sgn * (pq - pf) * 100;
        acc.set(k, a);
      }
    }
  }
  const gapRows = [['minutes', 'fills', 'claimed − edge¢', 'model error at quote¢', 'true move quote→fill¢', 'rest¢']];
  for (const k of [...MINUTE_BUCKETS.map((b) => b.label), 'all']) {
    const a = acc.get(k);
    if (!a) continue;
    gapRows.push([k, String(a.n), f(a.gap / a.n, 2), f(a.err / a.n, 2), f(a.move / a.n, 2), f((a.gap - a.err - a.move) / a.n, 2)]);
  }
  lines.push('adaptive run, the claimed − edge gap at fill split (fills linked to their quote; ¢ per fill, in the order’s favour):', table(gapRows), '');
}

// 4. PnL and oracle edge per day, every variant; paired differences against the default
const perDay = (v: Variant) =>
  runs.map((r) => {
    const rep = score([{ seed: r.seed, records: r.records[v] }]);
    const fl = rep.total.fills;
    return { pnl: fl.realized_pnl_usd, edge: ((fl.oracle_edge_cents.mean ?? 0) * fl.contracts) / 100, fills: fl.fills };
  });
const stat = (xs: number[]) => {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1)) : NaN;
  return { mean: m, se: sd / Math.sqrt(n) };
};
const days = Object.fromEntries(VARIANTS.map((v) => [v.name, perDay(v.name)])) as Record<Variant, { pnl: number; edge: number; fills: number }[]>;
const varRows = [['variant', 'fills', 'PnL $/day', 'oracle edge $/day', 'PnL − default', 'edge − default']];
for (const v of VARIANTS) {
  const d = days[v.name];
  const pnl = stat(d.map((x) => x.pnl));
  const edge = stat(d.map((x) => x.edge));
  const dp = stat(d.map((x, i) => x.pnl - days.adaptive[i]!.pnl));
  const de = stat(d.map((x, i) => x.edge - days.adaptive[i]!.edge));
  varRows.push([v.name, String(d.reduce((a, x) => a + x.fills, 0)), pm(pnl.mean, pnl.se, 2), pm(edge.mean, edge.se, 2), v.name === 'adaptive' ? '-' : pm(dp.mean, dp.se, 2), v.name === 'adaptive' ? '-' : pm(de.mean, de.se, 2)]);
}
lines.push('per day, mean ± standard error across days (differences paired by day):', table(varRows));

console.log(lines.join('\n'));
Object.assign(report, { by_variant: byVariant, quartiles, per_day: days });
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(report, null, 1));
