/**
 * The day's index ladders as the simulated exchange lists them (SPEC §1, reference §6): per window one
 * event per series, tickers in the exchange's grammar (`KXINXU-26NOV20H1000-T6800`), strikes centred on
 * the simulated index. Threshold series: `greater_or_equal` (INXU) / `greater` (NASDAQ100U) ladders;
 * range series: 'between' bins plus a `less` and a `greater` tail.
 */
import { SERIES, type SeriesCode } from '../../core/series.ts';
import type { StrikeType } from '../../core/market.ts';
import { addDays, etToMs } from '../../core/time/et.ts';

export interface SimMarketSpec {
  ticker: string;
  eventTicker: string;
  series: SeriesCode;
  strikeType: StrikeType;
  floorStrike?: number;
  capStrike?: number;
  openMs: number;
  closeMs: number;
  yesSubTitle: string;
  rulesPrimary: string;
}

export interface SimEventSpec {
  eventTicker: string;
  seriesTicker: string;
  series: SeriesCode;
  /** `HH:MM` ET. */
  targetEt: string;
  closeMs: number;
  openMs: number;
  title: string;
  subTitle: string;
  mutuallyExclusive: boolean;
  markets: SimMarketSpec[];
}

export interface LadderOptions {
  dateEt: string;
  /** `16:00` on regular days, `13:00` on early closes. */
  closeEt: string;
  /** Hourly targets before the close (ET `HH:MM`). */
  hourlyTargets: string[];
  /** Centre of each index's ladders (e.g. the simulated open). */
  centre: { spx: number; ndx: number };
  /** Strikes per threshold ladder (default 15). */
  thresholdStrikes?: number;
  /** Between-bins per range ladder, excluding the two tails (default 12). */
  rangeBins?: number;
  /** Event tickers the exchange "has not listed" (discovery tests). */
  omitEvents?: string[];
}

/** Strike spacing in index points: 25 for the S&P 500, 100 for the Nasdaq-100. */
export const STRIKE_STEP: Record<'spx' | 'ndx', number> = { spx: 25, ndx: 100 };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** `2026-11-20` + `10:00` → `26NOV20H1000`. */
export function eventDateCode(dateEt: string, targetEt: string): string {
  const [y, m, d] = dateEt.split('-');
  return `${y!.slice(2)}${MONTHS[Number(m) - 1]}${d}H${targetEt.replace(':', '')}`;
}

/** Number text as Kalshi prints strikes in tickers: no trailing zeros. */
const strikeText = (x: number) => String(Number(x.toFixed(4)));
const fmtPts = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 4 });

export function generateLadders(o: LadderOptions): SimEventSpec[] {
  const omit = new Set(o.omitEvents ?? []);
  const out: SimEventSpec[] = [];
  const openMs = etToMs(addDays(o.dateEt, -1), '17:00');
  const add = (series: SeriesCode, targetEt: string) => {
    const info = SERIES[series];
    const eventTicker = `${info.ticker}-${eventDateCode(o.dateEt, targetEt)}`;
    if (omit.has(eventTicker)) return;
    const closeMs = etToMs(o.dateEt, targetEt);
    const idx = info.symbol === 'I:SPX' ? 'spx' : 'ndx';
    const name = idx === 'spx' ? 'S&P 500' : 'Nasdaq-100';
    const centre = o.centre[idx];
    const step = STRIKE_STEP[idx];
    const when = `${o.dateEt} at ${targetEt} ET`;
    const base = { eventTicker, series, openMs, closeMs };
    const markets: SimMarketSpec[] = [];
    if (info.kind === 'threshold') {
      const n = o.thresholdStrikes ?? 15;
      const first = Math.round(centre / step) * step - Math.floor(n / 2) * step;
      for (let i = 0; i < n; i++) {
        const k = first + i * step;
        if (series === 'INXU') {
          markets.push({ ...base, ticker: `${eventTicker}-T${strikeText(k)}`, strikeType: 'greater_or_equal', floorStrike: k, yesSubTitle: `${fmtPts(k)} or above`, rulesPrimary: `If the ${name} index value on ${when} is at or above ${fmtPts(k)}, then the market resolves to Yes.` });
        } else {
          const f = k - 0.01;
          markets.push({ ...base, ticker: `${eventTicker}-T${strikeText(f)}`, strikeType: 'greater', floorStrike: f, yesSubTitle: `Above ${fmtPts(f)}`, rulesPrimary: `If the ${name} index value on ${when} is above ${fmtPts(f)}, then the market resolves to Yes.` });
        }
      }
    } else {
      const bins = o.rangeBins ?? 12;
      const eps = idx === 'spx' ? 0.0001 : 0.01;
      const lo = Math.round(centre / step) * step - Math.floor(bins / 2) * step;
      const hi = lo + bins * step;
      markets.push({ ...base, ticker: `${eventTicker}-T${strikeText(lo - eps)}`, strikeType: 'less', capStrike: lo, yesSubTitle: `${fmtPts(lo - eps)} or below`, rulesPrimary: `If the ${name} index value on ${when} is below ${fmtPts(lo)}, then the market resolves to Yes.` });
      for (let i = 0; i < bins; i++) {
        const f = lo + i * step;
        const c = Number((f + step - eps).toFixed(4));
        markets.push({ ...base, ticker: `${eventTicker}-B${strikeText(f + step / 2)}`, strikeType: 'between', floorStrike: f, capStrike: c, yesSubTitle: `${fmtPts(f)} to ${fmtPts(c)}`, rulesPrimary: `If the ${name} index value on ${when} is between ${fmtPts(f)} and ${fmtPts(c)}, then the market resolves to Yes.` });
      }
      const top = Number((hi - eps).toFixed(4));
      markets.push({ ...base, ticker: `${eventTicker}-T${strikeText(hi)}`, strikeType: 'greater', floorStrike: top, yesSubTitle: `${fmtPts(hi)} or above`, rulesPrimary: `If the ${name} index value on ${when} is above ${fmtPts(top)}, then the market resolves to Yes.` });
    }
    out.push({
      eventTicker,
      seriesTicker: info.ticker,
      series,
      targetEt,
      closeMs,
      openMs,
      title: info.kind === 'threshold' ? `${name} above/below at ${targetEt} ET on ${o.dateEt}?` : `${name} range at the close on ${o.dateEt}?`,
      subTitle: `On ${o.dateEt} at ${targetEt} ET`,
      mutuallyExclusive: info.kind === 'range',
      markets,
    });
  };
  for (const t of o.hourlyTargets.filter((h) => h < o.closeEt)) {
    add('INXU', t);
    add('NASDAQ100U', t);
  }
  for (const s of ['INXU', 'NASDAQ100U', 'INX', 'NASDAQ100'] as SeriesCode[]) add(s, o.closeEt);
  return out.sort((a, b) => a.closeMs - b.closeMs || a.eventTicker.localeCompare(b.eventTicker));
}

/** Does a market's YES condition hold at index value `s`? (`between` is inclusive at both ends.) */
export function yesHolds(m: Pick<SimMarketSpec, 'strikeType' | 'floorStrike' | 'capStrike'>, s: number): boolean {
  const f = m.floorStrike ?? Number.NaN;
  const c = m.capStrike ?? Number.NaN;
  switch (m.strikeType) {
    case 'greater':
      return s > f;
    case 'greater_or_equal':
      return s >= f;
    case 'less':
      return s < c;
    case 'less_or_equal':
      return s <= c;
    case 'between':
      return s >= f && s <= c;
    default:
      throw new Error(`sim: unsupported strike type ${m.strikeType}`);
  }
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7, plenty for a sim). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * A flat-volatility fair P(YES): the index at close is normal around `spot` with σ from an annualised
 * volatility over the trading time left. The simulated market maker no longer prices with it (it ignored
 * the day's U-shaped volatility; see sim/market/participants.ts and the oracle in sim/market/oracle.ts);
 * kept as a simple reference.
 */
export function simFairYes(m: Pick<SimMarketSpec, 'strikeType' | 'floorStrike' | 'capStrike'>, spot: number, msToClose: number, annualVol: number): number {
  if (msToClose <= 0) return yesHolds(m, spot) ? 1 : 0;
  const sigma = Math.max(0.01, spot * annualVol * Math.sqrt(msToClose / 1000 / (252 * 6.5 * 3600)));
  const above = (k: number) => 1 - normalCdf((k - spot) / sigma);
  switch (m.strikeType) {
    case 'greater':
    case 'greater_or_equal':
      return above(m.floorStrike!);
    case 'less':
    case 'less_or_equal':
      return 1 - above(m.capStrike!);
    case 'between':
      return above(m.floorStrike!) - above(m.capStrike!);
    default:
      return 0.5;
  }
}
