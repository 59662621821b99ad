/**
 * Which calibration prices a market (SPEC §5.2, §5.3) — one pure answer shared by the engine and `price`.
 *
 * - symbol: the series' index (`I:SPX` for INXU/INX, `I:NDX` for NASDAQ100U/NASDAQ100);
 * - horizon: `hourly` for the hourly series (INXU, NASDAQ100U) — **including their 16:00 (and 13:00
 *   early-close) events**, whose samples the hourly fit holds as the `16:00`/`13:00` targets — and `close`
 *   for the range series (INX, NASDAQ100);
 * - targetEt: the ET wall time `HH:MM` of the event's `close_time` (the target of record), rounded to the
 *   nearest minute (a `close_time` of 09:59:59.999 is the 10:00 target). It picks `by_target[HH:MM]` of an
 *   hourly calibration; the pooled curve serves a target the file does not hold.
 *
 * Minutes to target are not decided here: they always come from the event's `close_time` itself.
 */
import type { Horizon } from '../calibration/params.ts';
import { SERIES, type IndexSymbol, type SeriesCode } from '../series.ts';
import { etTimeOf } from '../time/et.ts';

export interface CalibrationChoice {
  series: SeriesCode;
  symbol: IndexSymbol;
  horizon: Horizon;
  /** `HH:MM` ET of the event's close_time. */
  targetEt: string;
}

const MINUTE = 60_000;

export function calibrationChoice(series: SeriesCode, closeTimeMs: number): CalibrationChoice {
  const info = SERIES[series];
  if (!info) throw new RangeError(`unknown series ${String(series)}`);
  if (!Number.isFinite(closeTimeMs)) throw new RangeError(`close_time must be epoch ms, got ${closeTimeMs}`);
  return {
    series: info.code,
    symbol: info.symbol,
    horizon: info.hourly ? 'hourly' : 'close',
    targetEt: etTimeOf(Math.round(closeTimeMs / MINUTE) * MINUTE),
  };
}
