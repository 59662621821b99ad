/**
 * `evaluate --bars FILE | --from D --to D --symbol S` (issue 19): the walk-forward on minute bars
 * (core/eval/walk-forward.ts) with the model and the two baselines (core/eval/forecasters.ts), each day
 * calibrated by the very fit `calibrate` runs (hourly horizon, the calendar's sessions, configs/events.yaml
 * tags, `model.*`) on the days before it. Prints per horizon Brier and log loss of every forecaster and the
 * reliability tables; `--json`, `--chart FILE` (SVG), `--points-out FILE` (JSONL, .gz to compress).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { CalibrationFitError, fitCalibration } from '../../core/calibration/fit.ts';
import { calendarSessions } from '../../core/calibration/sessions.ts';
import { createCalendar } from '../../core/calendar/index.ts';
import { adaptiveForecaster, calibratedNormal, modelForecaster, trailingNormal, type BarForecaster } from '../../core/eval/forecasters.ts';
import { walkForward, type ScoredPoint, type WalkForwardReport } from '../../core/eval/walk-forward.ts';
import { reliabilitySvg } from '../../core/eval/reliability-svg.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { loadCalendarOverrides } from '../../config/calendar-config.ts';
import { loadEventDays } from '../../config/events-config.ts';
import { ConfigError } from '../../config/index-ops.ts';
import { checkOutputFile } from '../../config/user-file.ts';
import { loadBars, type BarsFlags } from './bars-input.ts';

export interface EvaluateBarsOptions extends BarsFlags {
  symbol: IndexSymbol;
  minDays: number;
  horizons?: number[];
  grid?: number[];
  chart?: string;
  pointsOut?: string;
  json?: boolean;
}

/** The forecasters scored, in print order: the adaptive model, the unconditional model, then the baselines. */
export function barForecasters(c: CliContext): BarForecaster[] {
  return [adaptiveForecaster(c.config.model), modelForecaster(c.config.model), calibratedNormal, trailingNormal];
}

export async function evaluateBars(c: CliContext, opt: EvaluateBarsOptions): Promise<void> {
  for (const [flag, f] of [['--chart', opt.chart], ['--points-out', opt.pointsOut]] as const) if (f) checkOutputFile(path.resolve(c.home, f), `${flag} ${f}`);
  let calendar;
  let events;
  try {
    calendar = createCalendar(loadCalendarOverrides(c.paths.calendarConfig, undefined, c.config.windows));
    events = loadEventDays(c.paths.eventsConfig);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const input = await loadBars(c, opt, opt.symbol, { closes: false });
  const sessions = calendarSessions(calendar);
  const dayTags = (d: string) => events.tagsOn(d);
  const dayEvents = (d: string) => events.on(d);
  const points: ScoredPoint[] = [];
  let report: WalkForwardReport;
  try {
    report = walkForward({
      symbol: opt.symbol,
      bars: input.bars,
      barStamp: opt.barStamp,
      session: sessions.session,
      dayTags,
      dayEvents,
      minDays: opt.minDays,
      ...(opt.horizons ? { horizons: opt.horizons } : {}),
      ...(opt.grid ? { grid: opt.grid } : {}),
      forecasters: barForecasters(c),
      calibrate: (before) =>
        fitCalibration({
          symbol: opt.symbol,
          horizon: 'hourly',
          bars: before,
          barStamp: opt.barStamp,
          session: sessions.session,
          dayTags,
          dayEvents,
          residual: { bp: c.config.model.residual_std_bp },
          kappaCap: c.config.model.kappa_cap,
          generatedAtMs: c.clock.now(),
        }).params,
      ...(opt.pointsOut ? { onPoint: (p: ScoredPoint) => points.push(p) } : {}),
    });
  } catch (e) {
    if (e instanceof CalibrationFitError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  if (report.days.evaluated === 0) throw new UsageError(`${report.days.sessions} session(s) in the bars: the walk-forward needs more than --min-days ${opt.minDays} to evaluate a day`);
  const source = opt.bars ?? `Massive ${opt.from}..${opt.to}`;
  if (opt.chart) {
    const file = path.resolve(c.home, opt.chart);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, reliabilitySvg(report, `${opt.symbol} walk-forward on ${path.basename(source)} (${report.days.evaluated} days)`));
  }
  if (opt.pointsOut) {
    const file = path.resolve(c.home, opt.pointsOut);
    const text = points.map((p) => JSON.stringify(p)).join('\n') + (points.length ? '\n' : '');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, file.endsWith('.gz') ? zlib.gzipSync(text) : text);
  }
  const warnings = sessions.outsideTable.size ? [`${sessions.outsideTable.size} day(s) outside the calendar table: assumed weekday sessions closing 16:00`] : [];
  if (opt.json) {
    c.json({ source, ...report, ...(opt.chart ? { chart: path.resolve(c.home, opt.chart) } : {}), warnings });
    return;
  }
  c.out(walkForwardText(report, source));
  for (const w of warnings) c.out(`warning: ${w}`);
  if (opt.chart) c.out(`chart: ${path.resolve(c.home, opt.chart)}`);
}

const f4 = (x: number | null) => (x === null ? '-' : x.toFixed(4));

function table(rows: string[][], left = 1): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < left ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), w.map((x) => '-'.repeat(x)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function walkForwardText(r: WalkForwardReport, source: string): string {
  const names = r.forecasters.map((f) => f.name);
  const best = (scores: WalkForwardReport['total']['scores'], key: 'brier' | 'log_loss') => {
    let b = '';
    let v = Infinity;
    for (const n of names) {
      const x = scores[n]?.[key];
      if (x !== null && x !== undefined && x < v) [b, v] = [n, x];
    }
    return b;
  };
  const cells = (scores: WalkForwardReport['total']['scores'], key: 'brier' | 'log_loss') => names.map((n) => f4(scores[n]![key]) + (best(scores, key) === n ? '*' : ' '));
  const header = ['horizon', 'instants', 'points', ...names.map((n) => `brier ${n}`), ...names.map((n) => `log_loss ${n}`)];
  const rows = [
    header,
    ...r.by_horizon.map((h) => [`${h.minutes} min`, String(h.instants), String(h.points), ...cells(h.scores, 'brier'), ...cells(h.scores, 'log_loss')]),
    ['all', String(r.total.instants), String(r.total.points), ...cells(r.total.scores, 'brier'), ...cells(r.total.scores, 'log_loss')],
  ];
  const out = [
    `walk-forward on ${r.symbol} minute bars (${source}): ${r.days.sessions} session(s), ${r.days.evaluated} evaluated (${r.days.first} … ${r.days.last}), each calibrated on the sessions before it (at least ${r.min_days})`,
    `points: every hourly target × horizon × strike K = spot + z·σ(m), z ∈ {${r.grid.join(', ')}}; forecast P(S_T ≥ K) against S_T from the bars`,
    ...r.forecasters.map((f) => `  ${f.name}: ${f.label}`),
    '',
    table(rows),
    '(* = best of the row)',
  ];
  if (r.skipped.no_value_now || r.skipped.no_outcome) out.push(`skipped instants: ${r.skipped.no_value_now} without a value now, ${r.skipped.no_outcome} without a value at the target`);
  out.push('', 'reliability per horizon (forecast bin: n, mean forecast → observed frequency):');
  for (const h of [...r.by_horizon, { minutes: 0, points: r.total.points, instants: r.total.instants, scores: r.total.scores }]) {
    const bins = h.scores[names[0]!]!.reliability.map((b, i) => i);
    const relRows = [
      [h.minutes ? `${h.minutes} min` : 'all', ...names],
      ...bins.map((i) => {
        const b0 = h.scores[names[0]!]!.reliability[i]!;
        return [
          `${b0.lo.toFixed(1)}–${b0.hi.toFixed(1)}`,
          ...names.map((n) => {
            const b = h.scores[n]!.reliability[i]!;
            return b.count === 0 ? '-' : `${b.count} ${b.mean_forecast!.toFixed(3)}→${b.observed_freq!.toFixed(3)}`;
          }),
        ];
      }),
    ];
    out.push('', table(relRows));
  }
  return out.join('\n');
}
