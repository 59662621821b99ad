/**
 * `kalshi-alpha calibrate` (SPEC §5.3): fit σ(m)/drift(m) (pooled, and per target hour for the hourly
 * horizon), residual and κ from minute bars and write
 * `data/proc/calib/index/<spx|ndx>/<hourly|close>/params.json` atomically. σ(m) is one estimator at every
 * horizon (smoothed per-lag variances and autocorrelations, core/calibration/fit.ts); the residual
 * (settlement-print noise) is fitted from the official closes where the source has them (`--closes`, or the
 * daily aggregates with `--from/--to`), else `--residual-std POINTS`, else `model.residual_std_bp` of the
 * median target value.
 */
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseNonNegativeInt, parsePositiveInt } from '../command.ts';
import { UsageError } from '../errors.ts';
import path from 'node:path';
import { CalibrationFitError, DEFAULT_AUTOCORR_LAGS, DEFAULT_MIN_CLOSE_SAMPLES, DEFAULT_MIN_TARGET_SAMPLES, DEFAULT_SMOOTH_LAGS, fitCalibration, type FitDiagnostics } from '../../core/calibration/fit.ts';
import type { CalibrationParams, Horizon } from '../../core/calibration/params.ts';
import { calendarSessions } from '../../core/calibration/sessions.ts';
import { createCalendar } from '../../core/calendar/index.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { TimeParseError } from '../../core/time/et.ts';
import { calibrationPath, writeCalibration } from '../../adapters/calibration/params-file.ts';
import { checkOutputFile } from '../../config/user-file.ts';
import { loadCalendarOverrides } from '../../config/calendar-config.ts';
import { loadEventDays } from '../../config/events-config.ts';
import { ConfigError } from '../../config/index-ops.ts';
import { addBarsOptions, loadBars, parseSymbolArg, type BarsFlags } from './bars-input.ts';

export { DEFAULT_MASSIVE_REST_BASE, parseSymbolArg } from './bars-input.ts';

function parseHorizon(value: string): Horizon {
  if (value === 'hourly' || value === 'close') return value;
  throw new InvalidArgumentError(`unknown horizon "${value}" (expected hourly or close)`);
}

function parseResidual(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected index points ≥ 0, got "${value}"`);
  return n;
}

interface CalibrateOptions extends BarsFlags {
  symbol: IndexSymbol;
  horizon: Horizon;
  maxMinutes?: number;
  maxStaleMinutes: number;
  minTargetSamples: number;
  smoothLags: number;
  autocorrLags: number;
  minCloseDays: number;
  residualStd?: number;
  out?: string;
  json?: boolean;
}

export const registerCalibrate: CommandRegistrar = (program, ctx) => {
  const cmd = program
    .command('calibrate')
    .description(describeCommand('calibrate'))
    .requiredOption('--symbol <symbol>', 'index: I:SPX or I:NDX', parseSymbolArg)
    .requiredOption('--horizon <horizon>', 'hourly (every HH:00 target) or close (the session close)', parseHorizon);
  addBarsOptions(cmd)
    .option('--max-minutes <n>', 'largest minute-to-target to fit (default 60 hourly, 390 close)', parsePositiveInt)
    .option('--max-stale-minutes <n>', 'carry a bar value forward at most this long across gaps', parsePositiveInt, 5)
    .option('--min-target-samples <n>', 'hourly: samples a target hour needs for its own curve (else the pooled curve serves it)', parsePositiveInt, DEFAULT_MIN_TARGET_SAMPLES)
    .option('--smooth-lags <n>', 'σ(m): smooth the per-lag one-minute variances over 2n+1 lags (0: the direct std of S_T − S_{T−m} at every minute)', parseNonNegativeInt, DEFAULT_SMOOTH_LAGS)
    .option('--autocorr-lags <n>', 'σ(m): autocorrelation lags of one-minute changes to include (0: independent minutes)', parseNonNegativeInt, DEFAULT_AUTOCORR_LAGS)
    .option('--min-close-days <n>', 'days with an official close and a last minute bar needed to fit residual_std', parsePositiveInt, DEFAULT_MIN_CLOSE_SAMPLES)
    .option('--residual-std <points>', 'settlement-print noise in index points (default: fitted from the closes, else model.residual_std_bp × the median target value)', parseResidual)
    .option('--out <file>', 'output file (default data/proc/calib/index/<spx|ndx>/<horizon>/params.json)')
    .option('--json', 'machine-readable output')
    .action(async (opt: CalibrateOptions) => {
      const c = ctx();
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
      const input = await loadBars(c, opt, opt.symbol);
      const sessions = calendarSessions(calendar);
      let fit;
      try {
        fit = fitCalibration({
          symbol: opt.symbol,
          horizon: opt.horizon,
          bars: input.bars,
          barStamp: opt.barStamp,
          session: sessions.session,
          dayTags: (d) => events.tagsOn(d),
          dayEvents: (d) => events.on(d),
          ...(opt.maxMinutes ? { maxMinutes: opt.maxMinutes } : {}),
          maxStaleMinutes: opt.maxStaleMinutes,
          minTargetSamples: opt.minTargetSamples,
          smoothLags: opt.smoothLags,
          autocorrLags: opt.autocorrLags,
          ...(input.closes ? { closes: input.closes } : {}),
          minCloseSamples: opt.minCloseDays,
          residual: opt.residualStd !== undefined ? { points: opt.residualStd } : { bp: c.config.model.residual_std_bp },
          kappaCap: c.config.model.kappa_cap,
          generatedAtMs: c.clock.now(),
          provenance: { source: input.source },
        });
      } catch (e) {
        if (e instanceof CalibrationFitError || e instanceof TimeParseError) throw new UsageError(e.message);
        throw e;
      }
      const file = opt.out ? path.resolve(c.home, opt.out) : calibrationPath(c.paths.calibDir, opt.symbol, opt.horizon);
      writeCalibration(file, fit.params);

      const warnings = sessions.outsideTable.size ? [`${sessions.outsideTable.size} day(s) outside the calendar table: assumed weekday sessions closing 16:00`] : [];
      if (opt.json) {
        c.json({ file, params: fit.params, diagnostics: fit.diagnostics, warnings });
        return;
      }
      for (const line of calibrationSummary(fit.params, fit.diagnostics)) c.out(line);
      for (const w of warnings) c.out(`  warning: ${w}`);
      c.out(`  wrote ${file}`);
    });
};

/** The human summary of a fit: σ at a few minutes per curve, how σ and residual_std were estimated. */
export function calibrationSummary(p: CalibrationParams, d: FitDiagnostics): string[] {
  const sigmas = (table: CalibrationParams['minutes_to_target']) =>
    [1, 5, 15, 30, 60, 390].filter((m) => table[String(m)]).map((m) => `σ(${m})=${table[String(m)]!.sigma.toFixed(3)}`).join('  ');
  const out = [`calibrated ${p.symbol} ${p.horizon}: ${p.days} day(s), ${p.sample_count} target sample(s), ${d.minutesFitted} minute(s)`];
  out.push(`  pooled  ${sigmas(p.minutes_to_target)}`);
  for (const [hhmm, t] of Object.entries(p.by_target ?? {})) out.push(`  ${hhmm}   ${sigmas(t.minutes_to_target)}  (${t.sample_count} samples)`);
  const s = d.sigma;
  if (s.estimator === 'cumulative') {
    const rho = s.autocorr.length ? `; autocorrelation ${s.autocorr.map((a) => `ρ${a.lag}=${a.rho.toFixed(3)}±${a.se.toFixed(3)}→${a.used.toFixed(3)}`).join(' ')}` : '';
    out.push(`  σ(m): per-lag one-minute variances smoothed over ${2 * s.smoothLags + 1} lags, summed with their covariances${rho}`);
  } else out.push('  σ(m): the direct std of S_T − S_{T−m} at every minute');
  if (d.pooledTargets.length) out.push(`  pooled curve serves ${d.pooledTargets.join(', ')} (fewer than ${d.minTargetSamples} samples)`);
  const r = d.residual;
  const res =
    r.source === 'given'
      ? 'given'
      : r.source === 'fitted'
        ? `fitted: rms of official close − last minute bar over ${r.days} day(s), mean ${r.mean.toFixed(3)}`
        : `${r.bp} bp of ${r.level}${r.close_days > 0 ? `; only ${r.close_days} day(s) with an official close` : '; no official closes in the input'}`;
  out.push(`  residual_std=${p.residual_std.toFixed(3)} (${res})  kappa=${p.event_tail.kappa.toFixed(3)}${p.event_tail.tags.length ? ` (${p.event_tail.tags.join(',')})` : ''}`);
  const c = p.conditioning;
  if (!c) out.push('  conditioning: not fitted (fewer than 20 sessions): σ stays the calendar curve');
  else {
    const r = c.realised;
    const hs = r.horizons.map((h) => `${h.minutes}m β=${h.beta.toFixed(2)}${h.gamma !== undefined ? ` γ=${h.gamma.toFixed(2)}` : ''}`).join('  ');
    out.push(`  conditioning on the day's realised variance (${r.days} days, e0=${r.e0_minutes} min${r.recent_half_life_minutes ? `, recent half-life ${r.recent_half_life_minutes} min` : ''}): ${hs}`);
    const q = d.conditioning?.qlike.map((x) => `${x.minutes}m ${x.level_only.toFixed(3)}→${x.fitted.toFixed(3)}`).join('  ');
    if (q) out.push(`    QLIKE unconditioned → conditioned: ${q}`);
    const ev = Object.entries(d.conditioning?.events ?? {}).map(([tag, e]) => (e.kept ? `${tag} ×(1 + ${e.amplitude.toFixed(2)}·e^(−τ/${e.decay_minutes})) on ${e.days} day(s)` : `${tag} off (${e.days} day(s)${e.days >= 3 ? `, A=${e.amplitude.toFixed(2)}±${e.se.toFixed(2)}` : ''})`));
    out.push(`    event uplift: ${ev.length ? ev.join('; ') : 'no event days with a time of day'}`);
  }
  return out;
}
