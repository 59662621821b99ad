/**
 * `kalshi-alpha calibrate` (SPEC §5.3): fit σ(m)/drift(m) (pooled, and per target hour for the hourly
 * horizon), residual and κ from minute bars and write
 * `data/proc/calib/index/<spx|ndx>/<hourly|close>/params.json` atomically. The residual (settlement-print
 * noise) is not measurable from minute bars: `--residual-std POINTS`, else `model.residual_std_bp` of the
 * median target value (see core/calibration/fit.ts).
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseNonNegativeInt, parsePositiveInt } from '../command.ts';
import { UsageError } from '../errors.ts';
import { CalibrationFitError, DEFAULT_MIN_TARGET_SAMPLES, DEFAULT_NEAR_TARGET_MINUTES, fitCalibration, type Bar, type SessionHours } from '../../core/calibration/fit.ts';
import type { Horizon } from '../../core/calibration/params.ts';
import { CalendarRangeError, createCalendar } from '../../core/calendar/index.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { TimeParseError, assertDate, weekday } from '../../core/time/et.ts';
import { BarsFileError, readBarsFile } from '../../adapters/calibration/bars-file.ts';
import { fetchMinuteBars } from '../../adapters/calibration/massive-bars.ts';
import { calibrationPath, writeCalibration } from '../../adapters/calibration/params-file.ts';
import { checkOutputFile, checkUserFile } from '../../config/user-file.ts';
import { MassiveRestClient } from '../../adapters/massive/rest.ts';
import { loadCalendarOverrides } from '../../config/calendar-config.ts';
import { massiveApiKey } from '../../config/env.ts';
import { loadEventDays } from '../../config/events-config.ts';
import { ConfigError } from '../../config/index-ops.ts';

export const DEFAULT_MASSIVE_REST_BASE = 'https://api.massive.com';

export function parseSymbolArg(value: string): IndexSymbol {
  const v = value.trim().toUpperCase().replace(/^I:/, '');
  if (v === 'SPX') return 'I:SPX';
  if (v === 'NDX') return 'I:NDX';
  throw new InvalidArgumentError(`unknown symbol "${value}" (expected I:SPX or I:NDX)`);
}

function parseHorizon(value: string): Horizon {
  if (value === 'hourly' || value === 'close') return value;
  throw new InvalidArgumentError(`unknown horizon "${value}" (expected hourly or close)`);
}

function parseResidual(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected index points ≥ 0, got "${value}"`);
  return n;
}

function parseDateArg(value: string): string {
  try {
    return assertDate(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

interface CalibrateOptions {
  symbol: IndexSymbol;
  horizon: Horizon;
  bars?: string;
  from?: string;
  to?: string;
  barStamp: 'start' | 'end';
  maxMinutes?: number;
  maxStaleMinutes: number;
  minTargetSamples: number;
  nearTargetMinutes: number;
  residualStd?: number;
  out?: string;
  json?: boolean;
}

export const registerCalibrate: CommandRegistrar = (program, ctx) => {
  program
    .command('calibrate')
    .description(describeCommand('calibrate'))
    .requiredOption('--symbol <symbol>', 'index: I:SPX or I:NDX', parseSymbolArg)
    .requiredOption('--horizon <horizon>', 'hourly (every HH:00 target) or close (the session close)', parseHorizon)
    .option('--bars <file>', 'minute bars: CSV (timestamp,close or t,c), JSONL ({"t":ms,"c":x} or Massive {o,h,l,c,t}) or a Massive aggs JSON')
    .option('--from <date>', 'first ET date to fetch from Massive REST (with --to)', parseDateArg)
    .option('--to <date>', 'last ET date to fetch from Massive REST (with --from)', parseDateArg)
    .option('--bar-stamp <start|end>', 'bar timestamps mark the window start (Massive) or end', (v: string) => {
      if (v !== 'start' && v !== 'end') throw new InvalidArgumentError('expected start or end');
      return v;
    }, 'start')
    .option('--max-minutes <n>', 'largest minute-to-target to fit (default 60 hourly, 390 close)', parsePositiveInt)
    .option('--max-stale-minutes <n>', 'carry a bar value forward at most this long across gaps', parsePositiveInt, 5)
    .option('--min-target-samples <n>', 'hourly: samples a target hour needs for its own curve (else the pooled curve serves it)', parsePositiveInt, DEFAULT_MIN_TARGET_SAMPLES)
    .option('--near-target-minutes <n>', 'σ(m) for m ≤ n from the pooled one-minute changes of the last n minutes (0: the direct std at every minute)', parseNonNegativeInt, DEFAULT_NEAR_TARGET_MINUTES)
    .option('--residual-std <points>', 'settlement-print noise in index points (default: model.residual_std_bp × the median target value)', parseResidual)
    .option('--out <file>', 'output file (default data/proc/calib/index/<spx|ndx>/<horizon>/params.json)')
    .option('--json', 'machine-readable output')
    .action(async (opt: CalibrateOptions) => {
      const c = ctx();
      if (Boolean(opt.bars) === Boolean(opt.from || opt.to)) throw new UsageError('give either --bars FILE or --from YYYY-MM-DD --to YYYY-MM-DD');
      if (!opt.bars && !(opt.from && opt.to)) throw new UsageError('--from and --to go together');
      if (opt.bars) checkUserFile(path.resolve(c.home, opt.bars), `--bars ${opt.bars}`, { optional: true }); // absent: the reader says so
      if (opt.out) checkOutputFile(path.resolve(c.home, opt.out), `--out ${opt.out}`);

      let calendar;
      let events;
      try {
        calendar = createCalendar(loadCalendarOverrides(c.paths.calendarConfig, undefined, c.config.windows));
        events = loadEventDays(c.paths.eventsConfig);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
      const kappaCap = c.config.model.kappa_cap;

      let bars: Bar[];
      if (opt.bars) {
        try {
          bars = readBarsFile(path.resolve(c.home, opt.bars), opt.bars);
        } catch (e) {
          if (e instanceof BarsFileError) throw new UsageError(e.message);
          throw e;
        }
      } else {
        const key = massiveApiKey(c.env);
        if (!key) throw new UsageError('--from/--to need POLYGON_API_KEY or MASSIVE_API_KEY');
        if (opt.to! < opt.from!) throw new UsageError(`--to ${opt.to} is before --from ${opt.from}`);
        const client = new MassiveRestClient({ baseUrl: c.env.MASSIVE_REST_BASE ?? DEFAULT_MASSIVE_REST_BASE, apiKey: key, clock: c.clock, timeoutMs: 30_000 });
        bars = await fetchMinuteBars({ client, clock: c.clock, symbol: opt.symbol, from: opt.from!, to: opt.to! });
        if (bars.length === 0) throw new UsageError(`Massive returned no ${opt.symbol} minute bars for ${opt.from}..${opt.to}`);
      }

      // Sessions from the trading calendar; outside its table years, weekdays with a 16:00 close (an
      // unknown early close then only loses samples: its missing bars leave the later targets stale).
      const outsideTable = new Set<string>();
      const session = (date: string): SessionHours | null => {
        try {
          const s = calendar.session(date);
          return s.closeEt ? { openEt: '09:30', closeEt: s.closeEt } : null;
        } catch (e) {
          if (!(e instanceof CalendarRangeError)) throw e;
          outsideTable.add(date);
          return weekday(date) <= 5 ? { openEt: '09:30', closeEt: '16:00' } : null;
        }
      };

      let fit;
      try {
        fit = fitCalibration({
          symbol: opt.symbol,
          horizon: opt.horizon,
          bars,
          barStamp: opt.barStamp,
          session,
          dayTags: (d) => events.tagsOn(d),
          ...(opt.maxMinutes ? { maxMinutes: opt.maxMinutes } : {}),
          maxStaleMinutes: opt.maxStaleMinutes,
          minTargetSamples: opt.minTargetSamples,
          nearTargetMinutes: opt.nearTargetMinutes,
          residual: opt.residualStd !== undefined ? { points: opt.residualStd } : { bp: c.config.model.residual_std_bp },
          kappaCap,
          generatedAtMs: c.clock.now(),
        });
      } catch (e) {
        if (e instanceof CalibrationFitError || e instanceof TimeParseError) throw new UsageError(e.message);
        throw e;
      }
      const file = opt.out ? path.resolve(c.home, opt.out) : calibrationPath(c.paths.calibDir, opt.symbol, opt.horizon);
      writeCalibration(file, fit.params);

      const warnings = outsideTable.size ? [`${outsideTable.size} day(s) outside the calendar table: assumed weekday sessions closing 16:00`] : [];
      if (opt.json) {
        c.json({ file, params: fit.params, diagnostics: fit.diagnostics, warnings });
        return;
      }
      const p = fit.params;
      const d = fit.diagnostics;
      const sigmas = (table: typeof p.minutes_to_target) =>
        [1, 5, 15, 30, 60, 390].filter((m) => table[String(m)]).map((m) => `σ(${m})=${table[String(m)]!.sigma.toFixed(3)}`).join('  ');
      c.out(`calibrated ${p.symbol} ${p.horizon}: ${p.days} day(s), ${p.sample_count} target sample(s), ${d.minutesFitted} minute(s)`);
      c.out(`  pooled  ${sigmas(p.minutes_to_target)}`);
      for (const [hhmm, t] of Object.entries(p.by_target ?? {})) c.out(`  ${hhmm}   ${sigmas(t.minutes_to_target)}  (${t.sample_count} samples)`);
      if (d.nearTargetMinutes > 0) c.out(`  σ(m ≤ ${d.nearTargetMinutes}) = √m × the std of the one-minute changes of the last ${d.nearTargetMinutes} minutes`);
      if (d.pooledTargets.length) c.out(`  pooled curve serves ${d.pooledTargets.join(', ')} (fewer than ${d.minTargetSamples} samples)`);
      const res = d.residual.source === 'given' ? 'given' : `${d.residual.bp} bp of ${d.residual.level}`;
      c.out(`  residual_std=${p.residual_std.toFixed(3)} (${res})  kappa=${p.event_tail.kappa.toFixed(3)}${p.event_tail.tags.length ? ` (${p.event_tail.tags.join(',')})` : ''}`);
      for (const w of warnings) c.out(`  warning: ${w}`);
      c.out(`  wrote ${file}`);
    });
};
