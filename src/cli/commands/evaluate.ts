/**
 * `kalshi-alpha evaluate` — two ways of scoring the model:
 *
 * `--ledger FILE --seed N [--json]` (issue 11, SPEC §9): model vs truth for a paper ledger written by a
 * simulated run (sim, replay) of that seed. The truth is the oracle — the true P(YES) of each market at each
 * record's instant under the simulator's generating process — recomputed here from (seed, date, market,
 * instant) by the same pure functions the simulator uses (sim/market/day.ts, oracle.ts); it never passes
 * through the venue APIs. Prints per minutes-to-target bucket the model-vs-oracle error and bias, claimed EV
 * vs oracle edge at quote and at fill, and fills split by cause and by window. Several runs at once: repeat
 * `--ledger` with one `--seed` each (in order), or give one `--seed` for all. The date of every record is its
 * window id's (`YYYY-MM-DD/…`). `--oracle-out FILE` also writes the per-record oracle values (JSONL, gzipped
 * when the name ends in .gz) — the evaluation side file.
 *
 * `--bars FILE | --from D --to D --symbol I:SPX|I:NDX` (issue 19): scoring on minute bars without an oracle —
 * a walk-forward over the file's sessions (core/eval/walk-forward.ts): each day calibrated only on the days
 * before it, P(S_T ≥ K) of the model and of two baselines at every hourly target, horizon and strike of a
 * grid around spot, against what happened; Brier, log loss and reliability per horizon, `--json`, an SVG
 * reliability chart with `--chart FILE`, every point with `--points-out FILE`.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { InvalidArgumentError } from 'commander';
import { parseWorldArg, type CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { UsageError } from '../errors.ts';
import { describeSkipped, readLedgerFile } from '../../adapters/ledger/ledger-reader.ts';
import { checkUserFile } from '../../config/user-file.ts';
import { ConfigError, hhmm } from '../../config/index-ops.ts';
import { simWorldFor } from '../../app/market-adapters.ts';
import type { SimWorld, SimWorldKind } from '../../sim/day/world.ts';
import type { LedgerRecord } from '../../core/ledger/record.ts';
import { etDateOf } from '../../core/time/et.ts';
import { evaluateLedger, type EvalReport, type FillStats, type QuoteStats, type Stat } from '../../core/eval/evaluate.ts';
import { DEFAULT_GRID, DEFAULT_HORIZONS, DEFAULT_MIN_DAYS } from '../../core/eval/walk-forward.ts';
import { dayOracle, simDay, type DayOracle } from '../../sim/market/day.ts';
import { parsePositiveInt } from '../command.ts';
import { addBarsOptions, parseSymbolArg, type BarsFlags } from './bars-input.ts';
import type { IndexSymbol } from '../../core/series.ts';

interface EvaluateOptions extends BarsFlags {
  ledger?: string[];
  seed?: number[];
  close: string;
  world: SimWorldKind;
  oracleOut?: string;
  json?: boolean;
  symbol?: IndexSymbol;
  minDays: number;
  horizons?: number[];
  grid?: number[];
  chart?: string;
  pointsOut?: string;
}

const parseNumberList = (what: string, ok: (x: number) => boolean) => (v: string): number[] => {
  const xs = v.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || !ok(x))) throw new InvalidArgumentError(`expected a comma-separated list of ${what}, got "${v}"`);
  return xs;
};

const collect = <T>(parse: (v: string) => T) => (value: string, prev: T[] = []) => [...prev, parse(value)];
const parseSeed = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || v.trim() === '') throw new InvalidArgumentError(`expected a seed (integer ≥ 0), got "${v}"`);
  return n;
};

const dateOf = (r: LedgerRecord): string => /^(\d{4}-\d{2}-\d{2})\//.exec(r.window)?.[1] ?? etDateOf(r.ts_ms);

const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
const pm = (s: Stat, d = 2) => (s.mean === null ? '-' : s.se === null ? s.mean.toFixed(d) : `${s.mean.toFixed(d)}±${s.se.toFixed(d)}`);

function table(rows: string[][], left = 1): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < left ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), w.map((x) => '-'.repeat(x)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const quoteCols = (q: QuoteStats) => [String(q.n), pm(q.abs_error, 4), pm(q.bias, 4), pm(q.claimed_ev_cents), pm(q.oracle_edge_cents), q.negative_edge_share === null ? '-' : (q.negative_edge_share * 100).toFixed(1) + '%'];
const fillCols = (x: FillStats) => [String(x.fills), String(x.contracts), f(x.claimed_ev_cents), pm(x.oracle_edge_cents), x.negative_edge_share === null ? '-' : (x.negative_edge_share * 100).toFixed(1) + '%', f(x.realized_cents_per_contract), x.realized_pnl_usd.toFixed(2)];

export function evaluationText(r: EvalReport): string {
  const qh = ['minutes', 'quotes', '|p-oracle|', 'bias', 'claimed_ev¢', 'oracle_edge¢', 'edge<0'];
  const fh = ['minutes', 'fills', 'contracts', 'claimed_ev¢', 'oracle_edge¢', 'edge<0', 'realized¢/c', 'pnl$'];
  return [
    'model vs oracle at quote (per minutes-to-target bucket; ¢ per contract; ± one standard error):',
    table([qh, ...r.buckets.map((b) => [b.label, ...quoteCols(b.quotes)]), ['all', ...quoteCols(r.total.quotes)]]),
    '',
    'fills (bucket of the fill instant):',
    table([fh, ...r.buckets.map((b) => [b.label, ...fillCols(b.fills)]), ['all', ...fillCols(r.total.fills)]]),
    '',
    'fills by cause:',
    table([['cause', ...fh.slice(1)], ...r.by_cause.map((c) => [c.cause, ...fillCols(c.fills)])]),
    '',
    'fills by window:',
    table([['window', ...fh.slice(1)], ...r.by_window.map((w) => [w.window, ...fillCols(w.fills)])]),
    ...(r.unknown_markets.length ? ['', `markets the oracle does not know (not scored): ${r.unknown_markets.length}`] : []),
  ].join('\n');
}

export const registerEvaluate: CommandRegistrar = (program, ctx) => {
  const cmd = program
    .command('evaluate')
    .description(describeCommand('evaluate'))
    .option('--ledger <file>', 'paper ledger of a sim or replay run (repeat for several runs)', collect(String))
    .option('--seed <n>', 'the simulator seed of that run (one per --ledger, or one for all)', collect(parseSeed))
    .option('--close <HH:MM>', "the simulated session's close (the simulator generates 09:30–16:00 unless told otherwise)", '16:00')
    .option('--world <regime|classic>', 'the simulated world the runs were generated in (their events: configs/events.yaml, else the simulator\'s calendar)', parseWorldArg, 'regime')
    .option('--oracle-out <file>', 'also write the per-record oracle values (JSONL; .gz to compress)')
    .option('--symbol <symbol>', 'with --bars or --from/--to: the index of the bars, I:SPX or I:NDX', parseSymbolArg);
  addBarsOptions(cmd, { closes: false })
    .option('--min-days <n>', 'with --bars: sessions calibrated on before the first evaluated day', parsePositiveInt, DEFAULT_MIN_DAYS)
    .option('--horizons <list>', `with --bars: minutes before each target (default ${DEFAULT_HORIZONS.join(',')})`, parseNumberList('whole minutes ≥ 1', (x) => Number.isInteger(x) && x >= 1 && x <= 390))
    .option('--grid <list>', `with --bars: strikes at spot + z·σ(m) for these z (default ${DEFAULT_GRID.join(',')})`, parseNumberList('numbers between -10 and 10', (x) => Math.abs(x) <= 10))
    .option('--chart <file>', 'with --bars: write an SVG reliability chart (one panel per horizon)')
    .option('--points-out <file>', 'with --bars: write every scored point (JSONL; .gz to compress)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  kalshi-alpha evaluate --ledger data/proc/ledger/index_paper.jsonl --seed 7\n  kalshi-alpha evaluate --ledger a.jsonl --seed 1 --ledger b.jsonl --seed 2 --json\n' +
        '  kalshi-alpha evaluate --bars spx-minutes.csv --symbol I:SPX --chart reliability.svg\n  kalshi-alpha evaluate --from 2025-06-02 --to 2025-11-28 --symbol I:NDX --json',
    )
    .action(async (opt: EvaluateOptions) => {
      const c = ctx();
      const barsMode = Boolean(opt.bars || opt.from || opt.to);
      if (barsMode && opt.ledger) throw new UsageError('give either --ledger FILE --seed N (a simulated run against its oracle) or --bars FILE / --from --to (a walk-forward on minute bars)');
      if (barsMode) {
        if (!opt.symbol) throw new UsageError('--bars and --from/--to need --symbol I:SPX or I:NDX');
        if (opt.seed || opt.oracleOut) throw new UsageError('--seed and --oracle-out go with --ledger');
        const { evaluateBars } = await import('./evaluate-bars.ts');
        await evaluateBars(c, { ...opt, symbol: opt.symbol });
        return;
      }
      for (const [flag, given] of [['--min-days', opt.minDays !== DEFAULT_MIN_DAYS], ['--horizons', opt.horizons], ['--grid', opt.grid], ['--chart', opt.chart], ['--points-out', opt.pointsOut], ['--symbol', opt.symbol]] as const) {
        if (given) throw new UsageError(`${flag} goes with --bars or --from/--to`);
      }
      if (!opt.ledger || !opt.seed) throw new UsageError('give --ledger FILE --seed N (a simulated run), or --bars FILE --symbol S (minute bars)');
      if (!hhmm.safeParse(opt.close).success) throw new UsageError(`--close: expected HH:MM, got "${opt.close}"`);
      if (opt.seed.length !== 1 && opt.seed.length !== opt.ledger.length) throw new UsageError(`give one --seed, or one per --ledger (${opt.ledger.length} ledgers, ${opt.seed.length} seeds)`);
      const seeds = opt.seed;
      let world: SimWorld;
      try {
        world = simWorldFor(opt.world, c.paths.eventsConfig);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
      const scopeOf = new Map<LedgerRecord, string>();
      const records: LedgerRecord[] = [];
      const oracles = new Map<string, DayOracle>();
      opt.ledger.forEach((name, i) => {
        const file = path.resolve(c.home, name);
        checkUserFile(file, `--ledger ${name}`);
        const read = readLedgerFile(file);
        for (const s of read.skipped) c.io.err(describeSkipped(s) + '\n');
        const seed = seeds[seeds.length === 1 ? 0 : i]!;
        for (const r of read.records) {
          scopeOf.set(r, `${i}|${seed}|${dateOf(r)}`);
          records.push(r);
        }
      });
      const day = (r: LedgerRecord): DayOracle => {
        const scope = scopeOf.get(r)!;
        let o = oracles.get(scope);
        if (!o) {
          const [, seed, date] = scope.split('|');
          oracles.set(scope, (o = dayOracle(simDay({ seed: Number(seed), dateEt: date!, closeEt: opt.close, world }))));
        }
        return o;
      };
      const report = evaluateLedger(records, {
        oracle: (r) => day(r).oracle(r.kalshi_market_id, r.ts_ms),
        closeMs: (r) => day(r).closeMs(r.kalshi_market_id),
        scope: (r) => scopeOf.get(r)!,
      });
      if (opt.oracleOut) writeOracleFile(path.resolve(c.home, opt.oracleOut), records, (r) => day(r), scopeOf);
      if (opt.json) c.json({ ledgers: opt.ledger, seeds: opt.seed, ...report });
      else if (records.length === 0) c.out('no ledger records');
      else c.out(evaluationText(report));
    });
};

/** The evaluation side file: one line per quote / fill record with the model's and the oracle's P(YES). */
function writeOracleFile(file: string, records: LedgerRecord[], day: (r: LedgerRecord) => DayOracle, scopeOf: Map<LedgerRecord, string>): void {
  const lines: string[] = [];
  for (const r of records) {
    if (r.type !== 'quote' && r.type !== 'paper_fill') continue;
    const d = day(r);
    const close = d.closeMs(r.kalshi_market_id);
    const p = d.oracle(r.kalshi_market_id, r.ts_ms);
    if (close === undefined || p === undefined) continue;
    const [, seed] = scopeOf.get(r)!.split('|');
    lines.push(JSON.stringify({ seed: Number(seed), seq: r.seq, type: r.type, ts_ms: r.ts_ms, kalshi_market_id: r.kalshi_market_id, minutes_to_target: (close - r.ts_ms) / 60_000, p_model: r.model_prob, p_oracle: p }));
  }
  const text = lines.join('\n') + (lines.length ? '\n' : '');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(text) : text);
}
