/**
 * The two per-event inputs of pricing, each from one source for every consumer:
 * - fees: the event's published schedule, else the series' (API), else `configs/fees.json` (offline).
 *   Quote selection and the paper exchange's fill fees read the very same schedule (by market ticker).
 * - model: the calibration of the market's target (hourly series → `hourly`, their 16:00 event included;
 *   range series → `close`), the day's event tags, `model.*` config — the same choice `price` makes.
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
import { etDateOf } from '../core/time/et.ts';
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
}

export class ModelSource {
  private readonly calibrations = new Map<string, CalibrationParams | null>();
  private readonly specs = new Map<string, ModelSpec>();
  private readonly tagsByDate = new Map<string, readonly string[]>();

  constructor(private readonly o: ModelSourceOptions) {}

  /**
   * The model for an event's markets at this spot: the calibration `calibrationChoice` picks for the
   * event's close_time (the same call `price` makes). Calibrated specs are built once per event.
   */
  forEvent = (event: LadderEvent, spot: number): ModelSpec => {
    const cached = this.specs.get(event.eventTicker);
    if (cached) return cached;
    const choice = calibrationChoice(event.series, event.closeTimeMs);
    const calibration = this.calibration(event.series, choice.horizon);
    const spec = buildModelSpec({ calibration, config: this.o.model, spot, targetEt: choice.targetEt, dayTags: this.tags(etDateOf(event.closeTimeMs)) });
    if (calibration) this.specs.set(event.eventTicker, spec);
    return spec;
  };

  calibration(series: SeriesCode, horizon: Horizon): CalibrationParams | null {
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

  private tags(dateEt: string): readonly string[] {
    let t = this.tagsByDate.get(dateEt);
    if (!t) {
      try {
        t = loadEventDays(this.o.eventsConfig).tagsOn(dateEt);
      } catch (e) {
        this.o.log.warn({ err: e }, 'configs/events.yaml unreadable: no event-day κ');
        t = [];
      }
      this.tagsByDate.set(dateEt, t);
    }
    return t;
  }
}
