/**
 * The adverse-selection margin and the quote-timing rules (issue 11, SPEC §5.5): pure functions of the
 * quote's situation, used by selection (select.ts) when the engine passes the situation (`QuoteConditions`).
 *
 * The EV bar of a quote is `min_ev_usd + margin`, with
 *   margin = min(margin_max_usd,
 *                margin_1m_usd · √(1 / max(m, 1/60))                              — the target nears
 *              + margin_book_age_usd_per_s · max(0, book age − grace) / 1 s       — our view of the book ages
 *              + margin_quote_age_usd_per_min · max(0, quote age − grace) / 1 min)  — a resting quote ages
 * where m is minutes to the target (the event's close_time). Why √(1/m): the model's σ shrinks like √m, so
 * a given index move (what the market learns during our requote latency) moves P(YES) of a near-the-money
 * market in proportion to 1/√m: at 1 minute a 1-second-old price is worth `margin_1m_usd` of protection, at
 * 15 s twice that, at 10 minutes a third of it. The book's age is now − its last update (`OrderBook.tsMs`);
 * a quote's age is now − its placement (`OwnOrder.placedMs`).
 *
 * A new quote must clear the bar; a resting one is kept while its EV ≥ bar − keep hysteresis (select.ts).
 * In the last `final_no_new_quote_seconds` before the target no new quote is placed unless the index feed is
 * strict-fresh (age ≤ `final_max_feed_age_ms`); resting quotes are still held to their keep floor.
 *
 * Neutral (every key 0): margin 0 and no final-seconds rule — selection exactly as without conditions.
 *
 * On the conditioned σ (issue 19): both rules are written in minutes of the calendar σ. With an adaptive σ
 * the caller measures m on the conditioned σ's clock instead, m_eff = m·f(m)/f(1 min)
 * (model/conditioning.ts `regimeMinutes`: the latency move scales with the next minute's variance, the
 * remaining spread with the horizon's), and `onRegimeClock` rescales the rules so that the same selection
 * code applies them at m_eff: the margin's time term becomes margin_1m·√(1/m_eff) and the final seconds
 * start where m_eff reaches them.
 */
import { PIPS_PER_DOLLAR } from '../units.ts';

export interface MarginRules {
  /** Margin at 1 minute to target (pips), scaling as 1/√m. */
  margin1mPips: number;
  /** Cap on the whole margin (pips). */
  marginMaxPips: number;
  bookAgeGraceMs: number;
  /** Pips per second of book age beyond the grace. */
  bookAgePipsPerS: number;
  quoteAgeGraceMs: number;
  /** Pips per minute of quote age beyond the grace. */
  quoteAgePipsPerMin: number;
  /** No new quote this close to the target unless the feed is strict-fresh (0 = off). */
  finalNoNewQuoteMs: number;
  finalMaxFeedAgeMs: number;
}

/** The quote-timing situation the engine knows (all optional except the clock and the target). */
export interface MarginInputs {
  minutesToTarget: number;
  bookAgeMs?: number;
  quoteAgeMs?: number;
}

const MIN_MINUTES = 1 / 60;

/** The adverse-selection margin in pips (≥ 0, ≤ the cap). */
export function adverseSelectionMarginPips(r: MarginRules, x: MarginInputs): number {
  return marginWithAgesPips(r, targetMarginPips(r, x.minutesToTarget), x.bookAgeMs, x.quoteAgeMs);
}

/** The margin's time-to-target term alone (the same for every market of a ladder at one instant). */
export function targetMarginPips(r: MarginRules, minutesToTarget: number): number {
  return r.margin1mPips > 0 ? r.margin1mPips * Math.sqrt(1 / Math.max(MIN_MINUTES, minutesToTarget)) : 0;
}

/** The whole margin from its time term (`targetMarginPips`) plus the age terms, capped. */
export function marginWithAgesPips(r: MarginRules, targetPips: number, bookAgeMs: number | undefined, quoteAgeMs?: number): number {
  let margin = targetPips;
  if (r.bookAgePipsPerS > 0 && bookAgeMs !== undefined && bookAgeMs > r.bookAgeGraceMs) {
    margin += (r.bookAgePipsPerS * (bookAgeMs - r.bookAgeGraceMs)) / 1000;
  }
  if (r.quoteAgePipsPerMin > 0 && quoteAgeMs !== undefined && quoteAgeMs > r.quoteAgeGraceMs) {
    margin += (r.quoteAgePipsPerMin * (quoteAgeMs - r.quoteAgeGraceMs)) / 60_000;
  }
  return r.marginMaxPips > 0 ? Math.min(margin, r.marginMaxPips) : margin;
}

/**
 * May a new quote be placed now? Not in the last `finalNoNewQuoteMs` before the target unless the feed's
 * age is known and ≤ `finalMaxFeedAgeMs`.
 */
export function newQuoteAllowed(r: MarginRules, minutesToTarget: number, feedAgeMs: number | null | undefined): boolean {
  if (r.finalNoNewQuoteMs <= 0 || minutesToTarget * 60_000 > r.finalNoNewQuoteMs) return true;
  return feedAgeMs !== null && feedAgeMs !== undefined && feedAgeMs <= r.finalMaxFeedAgeMs;
}

/**
 * The rules as functions of calendar minutes that apply the margin's time term and the final-seconds rule
 * at `regimeMinutes` instead of `minutesToTarget` (same object when the two agree).
 */
export function onRegimeClock<R extends MarginRules>(r: R, minutesToTarget: number, regimeMinutes: number): R {
  if (!(minutesToTarget > 0) || !(regimeMinutes > 0) || regimeMinutes === minutesToTarget) return r;
  const k = minutesToTarget / regimeMinutes;
  return { ...r, margin1mPips: r.margin1mPips * Math.sqrt(k), finalNoNewQuoteMs: r.finalNoNewQuoteMs * k };
}

export const usdToPips = (usd: number): number => Math.round(usd * PIPS_PER_DOLLAR);
