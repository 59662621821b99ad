/**
 * `kalshi-alpha replay` (SPEC §2, §9): the engine over a whole trading day in one process on a
 * discrete-event clock, as fast as it can go — a generated day (`--date`, `--seed`), a recording
 * (`--recording FILE` from `supervisor-index --record`), or many generated days across CPU cores
 * (`--days N --from D`, with `--set key=value` sweeps). Writes its own ledger (never the paper ledger) and
 * prints the day's scoreboard, or one summary row per setting. A sweep splits into K shards that run
 * anywhere (`--shard I/K --out FILE`) and `replay merge FILES…` prints the table one run would have
 * (app/replay/shards.ts; docs/research-sweeps.md).
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parsePositiveInt, parseSeriesArg } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { printDay, replayLedgerPath } from './replay-output.ts';
import type { SeriesCode } from '../../core/series.ts';
import { assertDate, TimeParseError } from '../../core/time/et.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { loadCalendarOverrides } from '../../config/calendar-config.ts';
import { ConfigError } from '../../config/index-ops.ts';
import { newDayStats } from '../../app/replay/inprocess-day.ts';
import { generatedDay } from '../../app/replay/generated-day.ts';
import { replayWindows, ReplayInputError, runReplayDay } from '../../app/replay/run.ts';
import { expandSettings, parseSetFlags, type Setting } from '../../app/replay/settings.ts';
import { aggregate, runDayJobs, tradingDaysFrom, type DayJob, type DaySummary, type SettingRow } from '../../app/replay/days.ts';
import { displayName, mergeShards, parseShard, readShardFile, shardFile, shardJobs, sweepKey, type Shard } from '../../app/replay/shards.ts';
import { checkOutputFile } from '../../config/user-file.ts';
import { writeJsonAtomic } from '../../adapters/fs/atomic-write.ts';
import { selfCalibrate } from '../../app/sim-calibration.ts';
import { silentLogger } from '../../ports/logger.ts';

/** Generated days are priced with a calibration of the simulator's world: fitted once, here, before any day runs. */
function calibrateOnce(c: CliContext, seed: number, dateEt: string): void {
  const r = selfCalibrate({ paths: c.paths, calendar: c.calendar, config: c.config, log: silentLogger }, seed, dateEt);
  if (r.summary) c.io.err(`kalshi-alpha: ${r.summary}\n`);
}

interface ReplayFlags {
  date?: string;
  seed: string;
  series?: SeriesCode[];
  only?: string[];
  ledger?: string | false;
  recording?: string;
  strict?: boolean;
  days?: number;
  from?: string;
  set: string[];
  workers?: number;
  shard?: string;
  out?: string;
  json?: boolean;
  verbose?: boolean;
}

const LABEL = /^(hourly-\d{4}|close-\d{4})$/;

function parseLabels(v: string): string[] {
  const labels = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const l of labels) if (!LABEL.test(l)) throw new InvalidArgumentError(`"${l}" is not a window label (e.g. hourly-1000, close-1600)`);
  if (labels.length === 0) throw new InvalidArgumentError('expected window labels, e.g. hourly-1500,close-1600');
  return labels;
}

const parseSeriesList = (v: string): SeriesCode[] => v.split(',').map((x) => parseSeriesArg(x.trim()).code);
const collect = (v: string, prev: string[]) => [...prev, v];

function date(value: string, flag: string): string {
  try {
    return assertDate(value);
  } catch (e) {
    if (e instanceof TimeParseError) throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

export const registerReplay: CommandRegistrar = (program, ctx, state) => {
  const replay = program
    .command('replay')
    .description(describeCommand('replay'))
    .option('--date <yyyy-mm-dd>', 'the trading day to generate and replay')
    .option('--seed <n>', 'simulator seed of the generated day', '20261120')
    .option('--series <list>', 'only these series of each window (INXU, NASDAQ100U, INX, NASDAQ100 or KX tickers)', parseSeriesList)
    .option('--only <labels>', 'only these windows, e.g. hourly-1500,close-1600', parseLabels)
    .option('--ledger <path>', 'where the replay ledger goes (default data/proc/replay/<date>-seed<seed>.jsonl; never the paper ledger); with --days a directory, one ledger per day and setting (default: none)')
    .option('--no-ledger', 'keep the ledger in memory only')
    .option('--recording <file>', 'replay a recording (supervisor-index --record) through the same engine')
    .option('--strict', 'with --recording: refuse a recording with any malformed line (default: report each and replay the rest)')
    .option('--days <n>', 'replay this many trading days (with --from), in parallel across CPU cores', parsePositiveInt)
    .option('--from <yyyy-mm-dd>', 'first day of --days')
    .option('--set <key=value>', 'override a configs/index_ops.yaml key (repeatable; several values a,b,… or the key twice → a sweep)', collect, [])
    .option('--workers <n>', 'worker threads for --days (default: the CPU cores available)', parsePositiveInt)
    .option('--shard <I/K>', 'with --days: replay only the I-th of K deterministic slices of the (setting × day) jobs (needs --out; combine with replay merge)')
    .option('--out <file>', 'with --shard: write the shard\'s rows to this file (JSON) instead of printing the table')
    .option('--verbose', 'log the engine (warnings and up) to stderr')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  kalshi-alpha replay --date 2026-11-20 --seed 7\n  kalshi-alpha replay --recording data/recordings/2026-11-20.rec.jsonl.gz\n  kalshi-alpha replay --days 20 --from 2026-11-02 --set quotes.min_ev_usd=0.03,0.05 --json\n' +
        '  kalshi-alpha replay --days 250 --from 2026-01-02 --set quotes.min_ev_usd=0.03,0.05 --shard 1/2 --out s1.json\n' +
        '  kalshi-alpha replay merge s1.json s2.json',
    )
    .action(async (opt: ReplayFlags) => {
      const c = ctx();
      try {
        const seed = Number(opt.seed);
        if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${opt.seed}"`);
        const modes = [opt.date !== undefined, opt.recording !== undefined, opt.days !== undefined || opt.from !== undefined].filter(Boolean).length;
        if (modes !== 1) throw new UsageError('give one of --date D, --recording FILE, or --days N --from D');
        if (opt.strict && !opt.recording) throw new UsageError('--strict applies to --recording');
        if (opt.shard !== undefined && opt.days === undefined) throw new UsageError('--shard applies to --days N --from D');
        if ((opt.shard === undefined) !== (opt.out === undefined)) throw new UsageError('--shard I/K and --out FILE go together');
        const settings = expandSettings(c.config, parseSetFlags(opt.set));
        if (opt.days !== undefined || opt.from !== undefined) {
          if (opt.days === undefined || opt.from === undefined) throw new UsageError('--days and --from go together');
          await manyDays(c, opt, seed, settings, state);
          return;
        }
        if (settings.length > 1) throw new UsageError('a sweep (several --set values) needs --days N --from D');
        const config = settings[0]!.config;
        if (opt.recording !== undefined) {
          const { replayRecordingCommand } = await import('./replay-recording.ts');
          await replayRecordingCommand(c, opt, config, state);
          return;
        }
        await oneDay(c, opt, seed, config, state);
      } catch (e) {
        if (e instanceof CalendarRangeError || e instanceof ReplayInputError || e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
    });
  replay
    .command('merge')
    .description('combine the shard files of one sweep (replay --shard I/K --out FILE) into the table replay prints')
    .argument('<files...>', 'the K shard files, in any order')
    .option('--json', 'print the result as JSON')
    .action((files: string[], _opt: unknown, cmd: Command) => {
      const c = ctx();
      try {
        // `--json` is also replay's own option, which commander gives the parent wherever it stands.
        mergeCommand(c, files, { json: Boolean(cmd.optsWithGlobals().json) }, state);
      } catch (e) {
        if (e instanceof ReplayInputError) throw new UsageError(e.message);
        throw e;
      }
    });
};

function mergeCommand(c: CliContext, files: string[], opt: { json?: boolean }, state: { exitCode: number }): void {
  const read = files.map((f) => {
    const file = path.resolve(c.home, f);
    const name = displayName(c.home, file);
    return { name, file: readShardFile(file, name) };
  });
  const m = mergeShards(read);
  const failed = m.results.filter((r) => !r.ok);
  const s = m.sweep;
  printSweep(c, opt, { from: s.from, days: s.days, lastDay: s.last_day, seed: s.seed }, aggregate(s.settings, m.results), failed, m.shardWallMs, `merged from ${m.count} shard(s)`);
  if (failed.length > 0) state.exitCode = 1;
}

async function oneDay(c: CliContext, opt: ReplayFlags, seed: number, config: Setting['config'], state: { exitCode: number }): Promise<void> {
  const dateEt = date(opt.date!, '--date');
  const calendar = c.calendar;
  const windows = replayWindows(dateEt, { calendar, config, only: opt.only });
  const ledgerFile = replayLedgerPath(c, opt, `${dateEt}-seed${seed}.jsonl`);
  calibrateOnce(c, seed, dateEt);
  const stats = newDayStats();
  const r = await runReplayDay({
    dateEt,
    seed,
    day: generatedDay({ seed, closeEt: calendar.session(dateEt).closeEt!, windows }, stats),
    config,
    calendar,
    paths: c.paths,
    series: opt.series,
    only: opt.only,
    ledgerFile,
    log: opt.verbose ? (clock) => c.logger({ clock: () => clock, quiet: true, toStderr: true }) : undefined,
  });
  printDay(c, opt, r, { source: 'generated', seed, exchange_events: stats.exchangeEvents, index_ticks: stats.indexTicks });
  if (r.outcome.windows.some((w) => w.state === 'error')) state.exitCode = 1;
}

async function manyDays(c: CliContext, opt: ReplayFlags, seed: number, settings: Setting[], state: { exitCode: number }): Promise<void> {
  const from = date(opt.from!, '--from');
  const shard: Shard | undefined = opt.shard !== undefined ? parseShard(opt.shard) : undefined;
  const out = opt.out !== undefined ? path.resolve(c.home, opt.out) : undefined;
  if (out) checkOutputFile(out, opt.out);
  const calendar = c.calendar;
  const days = tradingDaysFrom(from, opt.days!, calendar);
  for (const s of settings) for (const d of days) replayWindows(d, { calendar, config: s.config, only: opt.only });
  const overrides = loadCalendarOverrides(c.paths.calendarConfig, undefined, c.config.windows);
  calibrateOnce(c, seed, days[0]!);
  const all: DayJob[] = [];
  settings.forEach((s, si) => {
    for (const d of days) {
      const ledgerFile = opt.ledger ? replayLedgerPath(c, { ledger: path.join(opt.ledger, `${d}-seed${seed}${settings.length > 1 ? `-s${si + 1}` : ''}.jsonl`) }, '') : undefined;
      all.push({ id: all.length, dateEt: d, seed, setting: si, config: s.config, calendar: overrides, paths: c.paths, series: opt.series, only: opt.only, ledgerFile });
    }
  });
  const jobs = shardJobs(all, shard);
  const tty = c.io.env === process.env && Boolean(process.stderr.isTTY);
  const t0 = performance.now();
  const progress = tty ? progressBar((s) => c.io.err(s), t0) : undefined;
  const results = await runDayJobs(jobs, { workers: opt.workers, onProgress: progress, signal: c.io.signal });
  if (tty) c.io.err('\n');
  const wallMs = performance.now() - t0;
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) c.io.err(`kalshi-alpha: replay ${f.dateEt} (${settings[f.setting]!.label}) failed: ${f.error}\n`);
  if (shard && out) {
    writeJsonAtomic(out, shardFile(shard, sweepKey({ from, days, seed, series: opt.series, only: opt.only, settings }), all.length, results, wallMs));
    c.out(`replay shard ${shard.index}/${shard.count}: ${jobs.length} of ${all.length} (setting × day) job(s), ${failed.length} failed, ${(wallMs / 1000).toFixed(1)} s → ${opt.out}`);
  } else printSweep(c, opt, { from, days: days.length, lastDay: days[days.length - 1]!, seed }, aggregate(settings, results), failed, wallMs, undefined);
  if (failed.length > 0) state.exitCode = 1;
}

/** A sweep's result (one run, or its merged shards): the table and one summary line, or JSON. */
function printSweep(
  c: CliContext,
  opt: Pick<ReplayFlags, 'json'>,
  s: { from: string; days: number; lastDay: string; seed: number },
  rows: SettingRow[],
  failed: readonly DaySummary[],
  wallMs: number,
  merged: string | undefined,
): void {
  if (opt.json) {
    c.json({ from: s.from, days: s.days, last_day: s.lastDay, seed: s.seed, settings: rows, wall_ms: Math.round(wallMs), failed_days: failed.length, ...(merged ? { merged } : {}) });
    return;
  }
  c.out(settingsTable(rows));
  c.out(`${s.days} day(s) × ${rows.length} setting(s) from ${s.from} to ${s.lastDay}, seed ${s.seed}: ${(wallMs / 1000).toFixed(1)} s${merged ? ` of shard time, ${merged}` : ''}`);
}

export function settingsTable(rows: readonly SettingRow[]): string {
  const header = ['setting', 'days', 'windows', 'quotes', 'fills', 'fill_rate', 'pnl', 'brier', 'log_loss'];
  const money = (x: number) => (x < 0 ? '-' : '') + '$' + Math.abs(x).toFixed(2);
  const table = [
    header,
    ...rows.map((r) => [
      r.setting,
      String(r.days),
      String(r.windows),
      String(r.quotes),
      String(r.fills),
      r.fill_rate === null ? '-' : (r.fill_rate * 100).toFixed(1) + '%',
      money(r.pnl_usd),
      r.brier === null ? '-' : r.brier.toFixed(4),
      r.log_loss === null ? '-' : r.log_loss.toFixed(4),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(fmt)].join('\n');
}

/** `[########............] 42/250 days  3.1/s  eta 67 s` on one terminal line. */
function progressBar(write: (s: string) => void, t0: number): (done: number, total: number) => void {
  return (done, total) => {
    const width = 30;
    const fill = Math.round((done / total) * width);
    const secs = (performance.now() - t0) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} days  ${rate.toFixed(1)}/s  eta ${eta} s `);
  };
}
