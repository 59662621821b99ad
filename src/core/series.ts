/** The four index series this system trades (SPEC §1). Pure data plus lookup. */

export type SeriesCode = 'INXU' | 'NASDAQ100U' | 'INX' | 'NASDAQ100';
export type IndexSymbol = 'I:SPX' | 'I:NDX';
/** `threshold`: greater/greater_or_equal ladder at every hour; `range`: bins + tails at the close. */
export type LadderKind = 'threshold' | 'range';

export interface SeriesInfo {
  code: SeriesCode;
  ticker: string; // API series ticker, e.g. KXINXU
  symbol: IndexSymbol;
  kind: LadderKind;
  /** Hourly series settle at each HH:00 (10:00…16:00); close series only at the close. */
  hourly: boolean;
}

export const SERIES: Readonly<Record<SeriesCode, SeriesInfo>> = {
  INXU: { code: 'INXU', ticker: 'KXINXU', symbol: 'I:SPX', kind: 'threshold', hourly: true },
  NASDAQ100U: { code: 'NASDAQ100U', ticker: 'KXNASDAQ100U', symbol: 'I:NDX', kind: 'threshold', hourly: true },
  INX: { code: 'INX', ticker: 'KXINX', symbol: 'I:SPX', kind: 'range', hourly: false },
  NASDAQ100: { code: 'NASDAQ100', ticker: 'KXNASDAQ100', symbol: 'I:NDX', kind: 'range', hourly: false },
};

export const SERIES_CODES = Object.keys(SERIES) as SeriesCode[];

/** Accepts a rulebook code (`INXU`) or an API ticker (`KXINXU`), any case. Returns undefined if unknown. */
export function lookupSeries(input: string): SeriesInfo | undefined {
  const s = input.trim().toUpperCase();
  for (const info of Object.values(SERIES)) {
    if (info.code === s || info.ticker === s) return info;
  }
  return undefined;
}

/** Series code for an event or market ticker (`KXINXU-26NOV20H1000-T6800` → INXU). */
export function seriesOfTicker(ticker: string): SeriesInfo | undefined {
  return lookupSeries(ticker.split('-')[0] ?? '');
}

/** Short folder name for calibration files (SPEC §5.3). */
export const symbolSlug = (symbol: IndexSymbol): 'spx' | 'ndx' => (symbol === 'I:SPX' ? 'spx' : 'ndx');
