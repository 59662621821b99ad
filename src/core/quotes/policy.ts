/**
 * The quote policy: the `quotes.*` / `risk.*` configuration in the units selection works in (pips,
 * centi-contracts, ms), and the timing rules that apply when the engine passes its conditions.
 */
import { PIPS_PER_DOLLAR } from '../units.ts';
import { usdToPips, type MarginRules } from './margin.ts';

export interface QuotePolicy {
  minEvPips: number;
  evHysteresisPips: number;
  maxBinsPerSeries: number;
  /** Whole contracts per quote. */
  contracts: number;
  maxContractsPerMarket: number;
  maxContractsPerWindow: number;
  /**
   * Adverse-selection margin and churn rules (margin.ts, ev-bar.ts, hysteresis.ts). They apply only when the
   * caller passes `SelectInput.conditions` (what the engine knows of time, books and feed); without
   * conditions selection is exactly as without rules.
   */
  rules?: QuoteRules;
}

/** Timing rules of quote selection (issue 11): the margin, the final seconds, and churn hysteresis. */
export interface QuoteRules extends MarginRules {
  /** A resting quote is kept while its EV ≥ its bar − this (pips); the move threshold stays `evHysteresisPips`. */
  keepHysteresisPips: number;
  /** A resting quote younger than this is not moved to another price (only cancelled when it must go). */
  minQuoteLifeMs: number;
  /** A resting quote tied at the best price with nothing ahead of it is not moved one tick better. */
  keepFrontOfQueue: boolean;
  /** Cap on the horizon of the fill-probability estimate (ms). */
  fillProbHorizonMs: number;
  /** Trades of this trailing window give a market's trade rate (the engine's TradeTape), ms. */
  tradeRateWindowMs: number;
  /** Bin hysteresis: a kept quote ranks this much higher (pips) when markets compete for the series' bins. */
  binKeepPips: number;
}

/** The `quotes.*` keys of the timing rules (config/index-ops.ts documents each); all optional here. */
export interface QuoteRulesConfig {
  margin_1m_usd?: number;
  margin_max_usd?: number;
  margin_book_age_grace_ms?: number;
  margin_book_age_usd_per_s?: number;
  margin_quote_age_grace_ms?: number;
  margin_quote_age_usd_per_min?: number;
  final_no_new_quote_seconds?: number;
  final_max_feed_age_ms?: number;
  keep_hysteresis_usd?: number;
  min_quote_life_ms?: number;
  keep_front_of_queue?: boolean;
  fill_prob_horizon_s?: number;
  trade_rate_window_s?: number;
  bin_keep_usd?: number;
}

/** Policy from the validated `quotes.*` / `risk.*` config sections. */
export function quotePolicy(cfg: {
  quotes: { min_ev_usd: number; max_bins_per_series: number; contracts: number; ev_hysteresis_usd: number } & QuoteRulesConfig;
  risk: { max_contracts_per_market: number; max_contracts_per_window: number };
}): QuotePolicy {
  const q = cfg.quotes;
  const h = Math.round(q.ev_hysteresis_usd * PIPS_PER_DOLLAR);
  return {
    minEvPips: Math.round(q.min_ev_usd * PIPS_PER_DOLLAR),
    evHysteresisPips: h,
    maxBinsPerSeries: q.max_bins_per_series,
    contracts: q.contracts,
    maxContractsPerMarket: cfg.risk.max_contracts_per_market,
    maxContractsPerWindow: cfg.risk.max_contracts_per_window,
    rules: {
      margin1mPips: usdToPips(q.margin_1m_usd ?? 0),
      marginMaxPips: usdToPips(q.margin_max_usd ?? 0),
      bookAgeGraceMs: q.margin_book_age_grace_ms ?? 0,
      bookAgePipsPerS: usdToPips(q.margin_book_age_usd_per_s ?? 0),
      quoteAgeGraceMs: q.margin_quote_age_grace_ms ?? 0,
      quoteAgePipsPerMin: usdToPips(q.margin_quote_age_usd_per_min ?? 0),
      finalNoNewQuoteMs: Math.round((q.final_no_new_quote_seconds ?? 0) * 1000),
      finalMaxFeedAgeMs: q.final_max_feed_age_ms ?? 0,
      keepHysteresisPips: q.keep_hysteresis_usd !== undefined ? usdToPips(q.keep_hysteresis_usd) : h,
      minQuoteLifeMs: q.min_quote_life_ms ?? 0,
      keepFrontOfQueue: q.keep_front_of_queue ?? false,
      fillProbHorizonMs: Math.round((q.fill_prob_horizon_s ?? 0) * 1000),
      tradeRateWindowMs: Math.round((q.trade_rate_window_s ?? 300) * 1000),
      binKeepPips: usdToPips(q.bin_keep_usd ?? 0),
    },
  };
}
