/**
 * `kalshi-alpha price` (SPEC §2, §5): what the model says now for a ladder — per market the condition,
 * p_yes, the book, maker EV after fees on both sides, and the quotes selection would place.
 *
 * Sources are injected: markets come from `--markets FILE` (API bodies on disk) or `--event TICKER` (Kalshi
 * REST: the event with nested markets + its series' fee schedule); spot from `--spot X` or, without it, the
 * Massive REST index snapshot. Calibration: `--calibration FILE`, else the series' calibrated params, else
 * the documented default curve (with a warning).
 *
 * Adaptive σ (issue 19): with a calibration that carries a fitted `conditioning` and `--day-bars FILE` (the
 * day's minute bars so far, in any form `calibrate --bars` reads, Massive start stamps), σ(m) is conditioned
 * on the day's realised variance up to `--now` and the day's scheduled events; the report shows the
 * conditioned σ, the calendar σ, and what it was conditioned on (realised-so-far ratio over n minutes, the
 * weight on it, the event uplift). Without day bars the σ is the calendar curve's, and the report says why.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { residualLooksLikeSigma1, type CalibrationParams } from '../../core/calibration/params.ts';
import { calibrationChoice, type CalibrationChoice } from '../../core/model/calibration-choice.ts';
import type { FeeSchedule, LadderEvent, OrderBook } from '../../core/market.ts';
import { buildModelSpec } from '../../core/model/model-spec.ts';
import { conditionLabel } from '../../core/model/conditions.ts';
import { bookFromMarket, quoteLadder, quotePolicy, remainingLossBudgetPips, type LadderQuote, type SideEvaluation } from '../../core/quotes/index.ts';
import { SERIES, type IndexSymbol } from '../../core/series.ts';
import { etDateOf, etTimeOf, etToMs, formatEt, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { formatDollars, PIPS_PER_DOLLAR, type Pips } from '../../core/units.ts';
import { CalibrationFileError, calibrationPath, readCalibration } from '../../adapters/calibration/params-file.ts';
import { MarketsFileError, readMarketsFile } from '../../adapters/markets-file.ts';
import { checkUserFile } from '../../config/user-file.ts';
import { KalshiSigner } from '../../adapters/kalshi/auth.ts';
import { toFeeSchedule, toLadderEvent } from '../../adapters/kalshi/convert.ts';
import { resolveKalshiEndpoints } from '../../adapters/kalshi/endpoints.ts';
import { KalshiRestClient } from '../../adapters/kalshi/rest-client.ts';
import { MassiveRestClient } from '../../adapters/massive/rest.ts';
import { massiveApiKey } from '../../config/env.ts';
import { loadEventDays } from '../../config/events-config.ts';
import { feeScheduleAt, loadFeesConfig } from '../../config/fees-config.ts';
import { ConfigError } from '../../config/index-ops.ts';
import { DEFAULT_MASSIVE_REST_BASE } from './bars-input.ts';
import { BarsFileError, readBarsFile } from '../../adapters/calibration/bars-file.ts';
import type { Bar } from '../../core/calibration/fit.ts';
import { DayVariance, dayConditioner, upliftTerms, type DayEvent } from '../../core/model/conditioning.ts';

/** Where ladders come from (file, Kalshi REST, or anything a test injects). */
export type MarketSource = () => Promise<LadderEvent[]>;
/** Where the index value comes from. */
export type SpotSource = (symbol: IndexSymbol) => Promise<number>;

interface PriceOptions {
  markets?: string;
  event?: string;
  spot?: number;
  now?: string;
  calibration?: string;
  dist?: 'normal' | 't';
  dayBars?: string;
  json?: boolean;
}

function parseSpot(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive index value, got "${v}"`);
  return n;
}

export interface PricedEvent {
  event: LadderEvent;
  symbol: IndexSymbol;
  spot: number;
  fees: FeeSchedule;
  feesSource: string;
  calibration: { source: 'file' | 'default'; file?: string; ageDays?: number };
  /** Which calibration applies (core/model/calibration-choice.ts) and the curve used (`HH:MM`, `pooled`, or null = default). */
  choice: CalibrationChoice;
  curveTarget: string | null;
  residualStd: number;
  dayTags: readonly string[];
  windowId: string;
  result: LadderQuote;
  kappa: number;
  /** Why σ is not conditioned (null when it is: `result.forecast.regime` says on what). */
  unconditioned: string | null;
}

/** `YYYY-MM-DD/hourly-HHMM` or `/close-HHMM` for the event's target (informational; seeds client ids). */
function windowIdOf(event: LadderEvent): string {
  const hhmm = etTimeOf(event.closeTimeMs).replace(':', '');
  const isClose = !SERIES[event.series].hourly || hhmm === '1600' || hhmm === '1300';
  return `${etDateOf(event.closeTimeMs)}/${isClose ? 'close' : 'hourly'}-${hhmm}`;
}

export async function priceEvents(
  c: CliContext,
  deps: { markets: MarketSource; spot: SpotSource },
  opt: { nowMs: number; calibrationFile?: string; dist?: 'normal' | 't'; dayBars?: readonly Bar[] },
  warn: (w: string) => void,
): Promise<PricedEvent[]> {
  const cfg = c.config;
  let events;
  let feesCfg;
  try {
    events = loadEventDays(c.paths.eventsConfig);
    feesCfg = loadFeesConfig(c.paths.feesConfig);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const ladders = await deps.markets();
  if (opt.dayBars && new Set(ladders.map((e) => SERIES[e.series].symbol)).size > 1) throw new UsageError("--day-bars holds one index's bars: price one index's ladders at a time");
  const policy = quotePolicy(cfg);
  // No ledger here: quotes are shown against the whole daily loss cap.
  const lossBudgetPips = remainingLossBudgetPips(cfg.risk.daily_loss_cap_usd, 0, 0);
  const out: PricedEvent[] = [];
  const spots = new Map<IndexSymbol, number>();
  for (const event of ladders) {
    const info = SERIES[event.series];
    // One choice of calibration per market, shared with the engine: horizon and ET target from close_time.
    const choice = calibrationChoice(event.series, event.closeTimeMs);
    const horizon = choice.horizon;
    let spot = spots.get(info.symbol);
    if (spot === undefined) spots.set(info.symbol, (spot = await deps.spot(info.symbol)));

    let calibration: CalibrationParams | null = null;
    let calibInfo: PricedEvent['calibration'] = { source: 'default' };
    const file = opt.calibrationFile ?? calibrationPath(c.paths.calibDir, info.symbol, horizon);
    try {
      const loaded = readCalibration(file, opt.nowMs);
      if (loaded.params.symbol !== info.symbol) throw new UsageError(`${file}: calibrated for ${loaded.params.symbol}, but ${event.eventTicker} is ${info.symbol}`);
      if (loaded.params.horizon !== horizon) warn(`${file}: ${loaded.params.horizon} calibration used for ${event.eventTicker}, which prices with the ${horizon} horizon`);
      calibration = loaded.params;
      calibInfo = { source: 'file', file, ageDays: loaded.ageDays };
      if (residualLooksLikeSigma1(loaded.params)) {
        warn(`${file}: residual_std ${loaded.params.residual_std} is the size of the 1-minute σ, not a settlement-print noise: the final minute cannot shrink; re-run calibrate`);
      }
      if (loaded.ageDays > cfg.model.calibration_stale_days) warn(`calibration_stale:${info.code}:${horizon}:${Math.floor(loaded.ageDays)}d (${file})`);
    } catch (e) {
      if (!(e instanceof CalibrationFileError)) throw e;
      if (opt.calibrationFile || e.kind === 'invalid') throw new UsageError(e.message);
      warn(`calibration_missing:${info.code}:${horizon}: using the default curve (annual vol ${cfg.model.default_annual_vol})`);
    }

    let fees = event.fees;
    let feesSource = 'event';
    if (!fees) {
      fees = feesCfg ? feeScheduleAt(feesCfg, info.ticker, opt.nowMs, event.eventTicker) : undefined;
      feesSource = 'configs/fees.json';
    }
    if (!fees) {
      fees = { feeType: 'quadratic', multiplier: 1 };
      feesSource = 'built-in default';
      warn(`no fee schedule for ${info.ticker} in configs/fees.json: assuming quadratic × 1 (makers pay no fee)`);
    }

    const dayTags = events.tagsOn(etDateOf(event.closeTimeMs));
    // the adaptive σ: the day's realised variance from the day bars known at --now
    const cond = calibration?.conditioning;
    let regime;
    let unconditioned: string | null = null;
    if (cfg.model.conditioning === false) unconditioned = 'model.conditioning is off';
    else if (!cond) unconditioned = calibration ? 'the calibration has no fitted conditioning (re-run calibrate)' : 'no calibration';
    else if (!opt.dayBars) unconditioned = 'no day bars (--day-bars FILE)';
    else {
      const date = etDateOf(event.closeTimeMs);
      const dayEvents: readonly DayEvent[] = events.on(date);
      const terms = upliftTerms(cond, dayEvents, '09:30');
      const st = new DayVariance(etToMs(date, '09:30', 'compatible'), cond, terms);
      for (const b of opt.dayBars) if (b.t + 60_000 <= opt.nowMs && etDateOf(b.t + 60_000) === date) st.observe(b.t + 60_000, b.c);
      if (st.changes === 0) unconditioned = `no minute of ${date} in the day bars before --now`;
      regime = dayConditioner(cond, st, terms, event.closeTimeMs);
    }
    const model = buildModelSpec({ calibration, config: cfg.model, spot, targetEt: choice.targetEt, dayTags, ...(opt.dist ? { dist: opt.dist } : {}), ...(regime ? { regime } : {}) });
    const books = new Map<string, OrderBook>(event.markets.map((m) => [m.ticker, bookFromMarket(m, opt.nowMs)]));
    const windowId = windowIdOf(event);
    // The engine's conditions, so this shows what a window would quote now: the adverse-selection margin
    // and the final-seconds rule apply; the feed age of a one-shot spot is unknown, the books are of now.
    const restMs = Math.max(0, event.closeTimeMs - cfg.windows.freeze_offset_seconds * 1000 - opt.nowMs);
    const conditions = { feedAgeMs: null, restMs };
    const result = quoteLadder({ event, books, spot, nowMs: opt.nowMs, model, fees, windowId, policy, exposure: { lossBudgetPips }, conditions });
    if (result.minutesToTarget <= 0) warn(`${event.eventTicker}: target ${formatEt(event.closeTimeMs)} is not after --now; pricing at m = 0`);
    out.push({ event, symbol: info.symbol, spot, fees, feesSource, calibration: calibInfo, choice, curveTarget: model.curve.target, residualStd: model.curve.residualStd, dayTags, windowId, result, kappa: model.kappa, unconditioned });
  }
  return out;
}

const dollars = (p: Pips | undefined) => (p === undefined ? undefined : formatDollars(p));
const usd = (pips: number) => Math.round((pips / PIPS_PER_DOLLAR) * 1e6) / 1e6;

function sideJson(s: SideEvaluation, quoted: boolean) {
  return {
    price: dollars(s.price) ?? null,
    ev_usd: s.evPips === undefined ? null : usd(s.evPips),
    fee_usd: s.feePips === undefined ? null : usd(s.feePips),
    quoted,
    ...(s.reason ? { reason: s.reason } : {}),
  };
}

export function priceReportJson(nowMs: number, priced: PricedEvent[], warnings: string[]) {
  return {
    now: formatEt(nowMs),
    warnings,
    events: priced.map((p) => {
      const r = p.result;
      const quoted = new Set(r.selection.quotes.map((q) => `${q.marketTicker}|${q.side}`));
      return {
        event_ticker: p.event.eventTicker,
        series: p.event.series,
        symbol: p.symbol,
        target: formatEt(p.event.closeTimeMs),
        window: p.windowId,
        minutes_to_target: Math.round(r.minutesToTarget * 1000) / 1000,
        spot: p.spot,
        model: {
          curve: p.calibration.source === 'file' ? 'calibrated' : 'default',
          ...(p.calibration.file ? { calibration_file: p.calibration.file } : {}),
          horizon: p.choice.horizon,
          target_et: p.choice.targetEt,
          /** `HH:MM` when by_target served it, `pooled` for the pooled curve, null for the default curve. */
          curve_target: p.curveTarget,
          dist: r.forecast.t ? `t(${r.forecast.t.dof})` : 'normal',
          center: r.forecast.center,
          sigma_m: r.forecast.sigmaM,
          residual_std: p.residualStd,
          sigma_eff: r.forecast.sigmaEff,
          kappa: p.kappa,
          scale: r.forecast.scale,
          event_tags: p.dayTags,
          /** The adaptive σ: σ_m is σ_calendar·√factor; null reason when conditioned. */
          conditioning: r.forecast.regime
            ? {
                sigma_calendar: r.forecast.sigmaCalendar,
                sigma_conditioned: r.forecast.sigmaM,
                factor: r.forecast.regime.factor,
                realised_ratio: r.forecast.regime.ratio,
                realised_minutes: r.forecast.regime.changes,
                weight: r.forecast.regime.weight,
                recent_ratio: r.forecast.regime.recentRatio,
                recent_weight: r.forecast.regime.recentWeight,
                alpha: r.forecast.regime.alpha,
                event_uplift: r.forecast.regime.uplift,
                /** The fitted shape at this horizon: a unit-variance Student t's dof, null = normal. */
                dof: r.forecast.regime.dof ?? null,
                ...(p.unconditioned ? { note: p.unconditioned } : {}),
              }
            : { sigma_calendar: r.forecast.sigmaCalendar, off: p.unconditioned },
        },
        fees: { fee_type: p.fees.feeType, fee_multiplier: p.fees.multiplier, source: p.feesSource },
        markets: p.event.markets.map((m, i) => {
          const pr = r.pricing[i]!;
          const ev = r.selection.evaluations[i]!;
          return {
            ticker: m.ticker,
            strike_type: m.strikeType,
            condition: conditionLabel(m),
            p_yes: pr.ok ? pr.pYes : null,
            ...(ev.skipped ? { skipped: ev.skipped } : {}),
            yes_bid: dollars(ev.top.bid) ?? null,
            yes_ask: dollars(ev.top.ask) ?? null,
            buy: sideJson(ev.buy, quoted.has(`${m.ticker}|buy`)),
            sell: sideJson(ev.sell, quoted.has(`${m.ticker}|sell`)),
          };
        }),
        quotes: r.selection.quotes.map((q) => ({
          market: q.marketTicker,
          side: q.side,
          price: formatDollars(q.price),
          size: q.size / 100,
          ev_after_fees_cents: Math.round(q.evCents * 1e4) / 1e4,
          fee_usd: usd(q.feePips),
          model_prob: q.modelProb,
          client_order_id: q.clientOrderId,
        })),
      };
    }),
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
function evText(s: SideEvaluation): string {
  if (s.price === undefined || s.evPips === undefined) return s.reason ? `— (${s.reason})` : '—';
  const ev = s.evPips / PIPS_PER_DOLLAR;
  return `${ev >= 0 ? '+' : ''}${ev.toFixed(4)}@${formatDollars(s.price)}${s.reason ? ` (${s.reason})` : ''}`;
}

export function priceReportText(priced: PricedEvent[]): string[] {
  const lines: string[] = [];
  for (const p of priced) {
    const r = p.result;
    const f = r.forecast;
    lines.push(
      `${p.event.eventTicker} (${p.event.series}) target ${formatEt(p.event.closeTimeMs)}  m=${r.minutesToTarget.toFixed(2)}  spot=${p.spot}  ` +
        `center=${f.center.toFixed(2)}  σ_eff=${f.sigmaEff.toFixed(3)}  κ=${p.kappa}  dist=${f.t ? `t(${f.t.dof})` : 'normal'}  ` +
        `curve=${p.calibration.source === 'file' ? `calibrated ${p.choice.horizon}/${p.curveTarget}` : 'default'}  ` +
        `fees=${p.fees.feeType}×${p.fees.multiplier}`,
    );
    const g = f.regime;
    lines.push(
      g
        ? `  σ(m)=${f.sigmaM.toFixed(3)} conditioned (calendar ${f.sigmaCalendar.toFixed(3)}, ×${Math.sqrt(g.factor).toFixed(3)}): realised so far ${g.ratio.toFixed(3)}× the profile over ${g.changes} min, weight ${g.weight.toFixed(3)}, recent ${g.recentRatio.toFixed(3)}× weight ${g.recentWeight.toFixed(3)}, level ${g.alpha.toFixed(3)}, event uplift ${g.uplift.toFixed(3)}, shape ${g.dof !== undefined ? `t(${g.dof})` : 'normal'}${p.unconditioned ? ` (${p.unconditioned})` : ''}`
        : `  σ(m)=${f.sigmaM.toFixed(3)} calendar (not conditioned: ${p.unconditioned})`,
    );
    lines.push(`  ${pad('ticker', 34)}${pad('condition', 20)}${pad('p_yes', 9)}${pad('bid', 8)}${pad('ask', 8)}${pad('EV buy', 26)}${pad('EV sell', 26)}`);
    r.selection.evaluations.forEach((ev, i) => {
      const pr = r.pricing[i]!;
      const m = p.event.markets[i]!;
      lines.push(
        `  ${pad(m.ticker, 34)}${pad(pr.ok ? conditionLabel(m) : `(${pr.reason})`, 20)}${pad(pr.ok ? pr.pYes.toFixed(4) : '—', 9)}` +
          `${pad(dollars(ev.top.bid) ?? '—', 8)}${pad(dollars(ev.top.ask) ?? '—', 8)}` +
          (ev.skipped ? `skipped: ${ev.skipped}` : `${pad(evText(ev.buy), 26)}${pad(evText(ev.sell), 26)}`),
      );
    });
    if (r.selection.quotes.length === 0) lines.push('  quotes: none');
    for (const q of r.selection.quotes) {
      lines.push(`  quote: ${q.side} ${q.size / 100} ${q.marketTicker} @ ${formatDollars(q.price)}  EV ${q.evCents.toFixed(2)}¢/contract  p=${q.modelProb.toFixed(4)}  id=${q.clientOrderId}`);
    }
  }
  return lines;
}

/** Markets from a file saved from the API. */
export function fileMarketSource(file: string, displayName: string): MarketSource {
  return async () => {
    try {
      return readMarketsFile(file, displayName);
    } catch (e) {
      if (e instanceof MarketsFileError) throw new UsageError(e.message);
      throw e;
    }
  };
}

/** The event (nested markets) and its series' fee schedule from Kalshi REST. */
export function kalshiEventSource(c: CliContext, eventTicker: string): MarketSource {
  return async () => {
    const env = c.env;
    const endpoints = resolveKalshiEndpoints(env);
    const signer =
      env.KALSHI_API_KEY_ID && env.KALSHI_PRIVATE_KEY_PEM_PATH
        ? KalshiSigner.fromPemFile(env.KALSHI_API_KEY_ID, path.resolve(c.home, env.KALSHI_PRIVATE_KEY_PEM_PATH), c.clock)
        : undefined;
    const client = new KalshiRestClient({ baseUrl: endpoints.restBase, clock: c.clock, ...(signer ? { signer } : {}) });
    const wire = await client.getEvent(eventTicker, true);
    const series = await client.getSeries(wire.series_ticker);
    return [toLadderEvent(wire, toFeeSchedule(series))];
  };
}

/** The index value from the Massive REST snapshot (`GET /v3/snapshot/indices`). */
export function massiveSpotSource(c: CliContext): SpotSource {
  return async (symbol) => {
    const key = massiveApiKey(c.env);
    if (!key) throw new UsageError('give --spot X, or set POLYGON_API_KEY / MASSIVE_API_KEY to read the index snapshot');
    const client = new MassiveRestClient({ baseUrl: c.env.MASSIVE_REST_BASE ?? DEFAULT_MASSIVE_REST_BASE, apiKey: key, clock: c.clock });
    const snap = await client.getIndexSnapshot([symbol]);
    const v = snap.values.find((x) => x.ticker === symbol);
    if (!v) throw new Error(`Massive snapshot has no value for ${symbol}${snap.errors.length ? ` (${snap.errors.map((e) => e.error).join(', ')})` : ''}`);
    return v.value;
  };
}

export const registerPrice: CommandRegistrar = (program, ctx) => {
  program
    .command('price')
    .description(describeCommand('price'))
    .option('--markets <file>', 'JSON saved from the API: a market list, GET /markets, GET /markets/{t}, GET /events/{t} or GET /events?with_nested_markets=true')
    .option('--event <ticker>', 'fetch the event and its markets from the Kalshi API')
    .option('--spot <value>', 'index value (default: the Massive REST snapshot)', parseSpot)
    .option('--now <iso>', 'reference time (default now); minutes to target come from each event\'s close_time')
    .option('--calibration <file>', 'calibration params.json (default: data/proc/calib/index/<spx|ndx>/<horizon>/params.json, else the default curve)')
    .option('--dist <dist>', 'shock distribution: normal or t (default model.dist)', (v: string) => {
      if (v !== 'normal' && v !== 't') throw new InvalidArgumentError('expected normal or t');
      return v;
    })
    .option('--day-bars <file>', "the day's minute bars so far (forms as calibrate --bars, Massive start stamps): σ conditioned on the day's realised variance up to --now")
    .option('--json', 'machine-readable output')
    .action(async (opt: PriceOptions) => {
      const c = ctx();
      if (Boolean(opt.markets) === Boolean(opt.event)) throw new UsageError('give exactly one of --markets FILE or --event TICKER');
      if (opt.markets) checkUserFile(path.resolve(c.home, opt.markets), `--markets ${opt.markets}`, { optional: true }); // absent: the reader says so
      if (opt.calibration) checkUserFile(path.resolve(c.home, opt.calibration), `--calibration ${opt.calibration}`, { optional: true });
      let nowMs = c.clock.now();
      if (opt.now) {
        try {
          nowMs = parseInstant(opt.now);
        } catch (e) {
          if (e instanceof TimeParseError) throw new UsageError(`--now: ${e.message}`);
          throw e;
        }
      }
      const markets = opt.markets ? fileMarketSource(path.resolve(c.home, opt.markets), opt.markets) : kalshiEventSource(c, opt.event!);
      const spot: SpotSource = opt.spot !== undefined ? async () => opt.spot! : massiveSpotSource(c);
      let dayBars: Bar[] | undefined;
      if (opt.dayBars) {
        checkUserFile(path.resolve(c.home, opt.dayBars), `--day-bars ${opt.dayBars}`, { optional: true });
        try {
          dayBars = readBarsFile(path.resolve(c.home, opt.dayBars), opt.dayBars);
        } catch (e) {
          if (e instanceof BarsFileError) throw new UsageError(e.message);
          throw e;
        }
      }
      const warnings: string[] = [];
      const priced = await priceEvents(
        c,
        { markets, spot },
        { nowMs, ...(opt.calibration ? { calibrationFile: path.resolve(c.home, opt.calibration) } : {}), ...(opt.dist ? { dist: opt.dist } : {}), ...(dayBars ? { dayBars } : {}) },
        (w) => warnings.push(w),
      );
      if (opt.json) {
        c.json(priceReportJson(nowMs, priced, warnings));
        return;
      }
      for (const w of warnings) c.io.err(`warning: ${w}\n`);
      for (const line of priceReportText(priced)) c.out(line);
    });
};
