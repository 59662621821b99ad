/**
 * The two per-event inputs of pricing, each from one source for every consumer:
 * - fees: the event's published schedule, else the series' (API), else `configs/fees.json` (offline).
 *   Quote selection and the paper exchange's fill fees read the very same schedule (by market ticker).
 * - model: the calibration of the market's target (hourly series → `hourly`, their 16:00 event included;
 *   range series → `close`), the day's event tags, `model.*` config — the same choice `price` makes.
 *   With a calibration that carries a fitted `conditioning` (issue 19), the σ is conditioned on the day:
 *   one realised-variance state per index, calibration file and day (core/model/conditioning.ts), fed the
 *   index values the engine prices with (every cycle's spot, at its tick time) and, when the spot source
 *   can tell, the day's values from the open before the first cycle (`history`: a run that starts late in
 *   the day sees the morning; without it the state starts at the first tick and weighs it accordingly).
 */
import fs from 'node:fs';
import type { Logger } from '../ports/logger.ts';
import type { VenueMarketData } from '../ports/venue.ts';
import type { FeeSchedule, LadderEvent } from '../core/market.ts';
import type { ModelSpec } from '../core/model/forecast.ts';
import { buildModelSpec, type ModelConfig } from '../core/model/model-spec.ts';
import { residualLooksLikeSigma1, type CalibrationParams, type Horizon } from '../core/calibration/params.ts';
import { calibrationChoice } from '../core/model/calibration-choice.ts';
import { feeRule, orderFeePips } from '../core/fees.ts';
import { SERIES, type SeriesCode } from '../core/series.ts';
import { etDateOf, etToMs } from '../core/time/et.ts';
import { DayVariance, dayConditioner, upliftTerms, type DayEvent } from '../core/model/conditioning.ts';
import type { IndexSymbol } from '../core/series.ts';
import type { EventSchedule } from '../core/event-schedule.ts';
import type { CentiContracts, Pips } from '../core/units.ts';
import { calibrationPath, readCalibration } from '../adapters/calibration/params-file.ts';
import { feeScheduleAt, loadFeesConfig, type FeesConfig } from '../config/fees-config.ts';
import { loadEventDays } from '../config/events-config.ts';

export class FeeSource {
  private readonly byMarket = new Map<string, FeeSchedule>();
  private readonly fileConfig: FeesConfig | null;

  constructor(
    private readonly venue: VenueMarketData,
    feesConfigFile: string,
    private readonly log: Logger,
  ) {
    this.fileConfig = loadFeesConfig(feesConfigFile);
  }

  /** The event's schedule (cached for its markets, so paper fills use it too). */
  async forEvent(event: LadderEvent): Promise<FeeSchedule> {
    const first = event.markets[0] && this.byMarket.get(event.markets[0].ticker);
    if (first) return first;
    let fees = event.fees;
    if (!fees) {
      try {
        fees = await this.venue.seriesFees(event.series);
      } catch (e) {
        this.log.warn({ series: event.series, err: e }, 'series fee schedule unavailable; trying configs/fees.json');
      }
    }
    fees ??= this.fileConfig ? feeScheduleAt(this.fileConfig, SERIES[event.series].ticker, event.closeTimeMs, event.eventTicker) : undefined;
    if (!fees) throw new Error(`no fee schedule for ${event.eventTicker} (the exchange published none and configs/fees.json has none)`);
    for (const m of event.markets) this.byMarket.set(m.ticker, fees);
    return fees;
  }

  /** Maker fee of a paper fill (pips, rounded up per fill), from the schedule its market was quoted under. */
  makerFee = (price: Pips, size: CentiContracts, _role: 'maker', ticker: string): Pips => {
    const schedule = this.byMarket.get(ticker);
    if (!schedule) {
      // Only reachable for an order adopted before its event was seen again; charge the taker-free default.
      return 0;
    }
    return orderFeePips(feeRule(schedule, 'maker'), price, size);
  };
}

export interface ModelSourceOptions {
  calibDir: string;
  eventsConfig: string;
  model: ModelConfig;
  log: Logger;
  /** For the calibration's age (read once per file). */
  nowMs: () => number;
  /** The index values known between two instants (the day so far), when the spot source keeps them. */
  history?: (symbol: IndexSymbol, fromMs: number, toMs: number) => readonly { tMs: number; value: number }[];
  /** The events with their times the adaptive σ's uplift reads (a simulated run's world's); absent: `eventsConfig`. */
  events?: EventSchedule;
}

/** A silence between two priced ticks longer than this (a minute mark missed) is filled from `history`. */
const HISTORY_GAP_MS = 60_000;

export class ModelSource {
  private readonly calibrations = new Map<string, CalibrationParams | null>();
  private readonly specs = new Map<string, ModelSpec>();
  private readonly tagsByDate = new Map<string, readonly string[]>();
  /** Realised-variance state per calibration file and ET date. */
  private readonly days = new Map<string, DayVariance>();
  /** The last tick each state was asked about (a longer silence is filled from `history`). */
  private readonly lastTick = new Map<string, number>();

  constructor(private readonly o: ModelSourceOptions) {}

  /**
   * The model for an event's markets at this spot: the calibration `calibrationChoice` picks for the
   * event's close_time (the same call `price` makes). Calibrated specs are built once per event.
   */
  forEvent = (event: LadderEvent, spot: number, tickMs?: number): ModelSpec => {
    const cached = this.specs.get(event.eventTicker);
    if (cached) {
      if (cached.regime && tickMs !== undefined) this.dayState(event, spot, tickMs)?.observe(tickMs, spot);
      return cached;
    }
    const choice = calibrationChoice(event.series, event.closeTimeMs);
    const calibration = this.calibration(event.series, choice.horizon);
    const state = tickMs !== undefined ? this.dayState(event, spot, tickMs) : undefined;
    state?.observe(tickMs!, spot);
    const regime = state && calibration?.conditioning ? dayConditioner(calibration.conditioning, state, state.terms, event.closeTimeMs) : undefined;
    const spec = buildModelSpec({ calibration, config: this.o.model, spot, targetEt: choice.targetEt, dayTags: this.tags(etDateOf(event.closeTimeMs)), ...(regime ? { regime } : {}) });
    if (calibration) this.specs.set(event.eventTicker, spec);
    return spec;
  };

  /** The day's realised-variance state of the event's index and calibration (created with the day so far). */
  private dayState(event: LadderEvent, _spot: number, tickMs: number): DayVariance | undefined {
    if (this.o.model.conditioning === false) return undefined;
    const choice = calibrationChoice(event.series, event.closeTimeMs);
    const calibration = this.calibration(event.series, choice.horizon);
    const c = calibration?.conditioning;
    if (!c) return undefined;
    const date = etDateOf(event.closeTimeMs);
    const key = `${choice.symbol}|${choice.horizon}|${date}`;
    let st = this.days.get(key);
    if (!st) {
      const open = etToMs(date, '09:30', 'compatible');
      st = new DayVariance(open, c, upliftTerms(c, this.events(date), '09:30'));
      for (const x of this.o.history?.(choice.symbol, open - 60_000, tickMs) ?? []) st.observe(x.tMs, x.value);
      this.days.set(key, st);
    } else {
      // A day's session lives from the first window to the last, but prices (and so observes) only inside
      // windows: the minutes between two windows come from the day so far, as the morning did.
      const last = this.lastTick.get(key)!;
      if (tickMs - last > HISTORY_GAP_MS) for (const x of this.o.history?.(choice.symbol, last, tickMs) ?? []) if (x.tMs > last) st.observe(x.tMs, x.value);
    }
    this.lastTick.set(key, Math.max(tickMs, this.lastTick.get(key) ?? -Infinity));
    return st;
  }

  /** The day's scheduled events with their time of day (an event without one gives no uplift). */
  private events(dateEt: string): readonly DayEvent[] {
    if (this.o.events) return this.o.events.on(dateEt);
    try {
      return this.schedule()?.on(dateEt) ?? [];
    } catch {
      return []; // (tags() reports the unreadable file)
    }
  }

  calibration(series: SeriesCode, horizon: Horizon): CalibrationParams | null {
    // Asked on every cycle (the day's state, and the spec when there is no file): the file's path is
    // worked out once per series and horizon.
    const memo = this.bySeries.get(series)?.get(horizon);
    if (memo !== undefined) return memo;
    const params = this.readCalibration(series, horizon);
    let byHorizon = this.bySeries.get(series);
    if (!byHorizon) this.bySeries.set(series, (byHorizon = new Map()));
    byHorizon.set(horizon, params);
    return params;
  }

  private readonly bySeries = new Map<SeriesCode, Map<Horizon, CalibrationParams | null>>();

  private readCalibration(series: SeriesCode, horizon: Horizon): CalibrationParams | null {
    const info = SERIES[series];
    const file = calibrationPath(this.o.calibDir, info.symbol, horizon);
    if (this.calibrations.has(file)) return this.calibrations.get(file)!;
    let params: CalibrationParams | null = null;
    if (!fs.existsSync(file)) {
      this.o.log.warn({ file }, `calibration_missing:${series}:${horizon}: using the default σ curve`);
    } else {
      params = readCalibration(file, this.o.nowMs()).params;
      if (residualLooksLikeSigma1(params)) {
        this.o.log.warn({ file }, 'calibration residual_std looks like the 1-minute σ (an old calibrate): re-run calibrate, or the final minute stays frozen');
      }
    }
    this.calibrations.set(file, params);
    return params;
  }

  /** The day's κ tags: always `configs/events.yaml` (what calibrate's κ was fitted on; a simulated world's own events only time the uplift). */
  private tags(dateEt: string): readonly string[] {
    let t = this.tagsByDate.get(dateEt);
    if (!t) {
      try {
        const sched = this.schedule();
        t = sched ? sched.tagsOn(dateEt) : [];
      } catch (e) {
        if (!this.warnedUnreadable) this.o.log.warn({ err: e }, 'configs/events.yaml unreadable: no event-day κ');
        this.warnedUnreadable = true;
        t = [];
      }
      this.tagsByDate.set(dateEt, t);
    }
    return t;
  }

  private warnedUnreadable = false;
  private loaded: EventSchedule | null | undefined;
  private loadError: unknown;
  /** configs/events.yaml, read once; an unreadable file throws its error on every call (tags() reports it, once). */
  private schedule(): EventSchedule | null {
    if (this.loaded === undefined) {
      try {
        this.loaded = loadEventDays(this.o.eventsConfig);
      } catch (e) {
        this.loaded = null;
        this.loadError = e;
      }
    }
    if (this.loadError !== undefined) throw this.loadError;
    return this.loaded;
  }

}
