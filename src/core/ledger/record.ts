/**
 * The paper ledger record (SPEC §7.1): one JSON object per line of `index_paper.jsonl`.
 *
 * Number conventions (chosen for jq / pandas friendliness, and exact round trips):
 * - money is **dollars as JSON numbers**: `price`, `fill_price`, `fee` have at most 4 decimals
 *   ($0.0001 = one pip); `pnl` has at most 6 decimals (pips × centi-contracts = $0.000001).
 * - counts are **contracts as JSON numbers** with at most 2 decimals (`size`, `fill_size`, …).
 * - `strike` is the market's floor strike for greater* and between, its cap strike for less*; between
 *   markets also carry `cap_strike`. `timestamp_et` is `formatEt(ts_ms)`.
 * Converters below map these exactly to and from the integer units of core/units.ts.
 */
import { z } from 'zod';
import type { SeriesCode } from '../series.ts';
import { CENTI_PER_CONTRACT, PIPS_PER_DOLLAR, type CentiContracts, type Pips } from '../units.ts';

export const LEDGER_RECORD_TYPES = ['quote', 'cancel', 'paper_fill', 'settlement'] as const;
export type LedgerRecordType = (typeof LEDGER_RECORD_TYPES)[number];

const SERIES = ['INXU', 'NASDAQ100U', 'INX', 'NASDAQ100'] as const satisfies readonly SeriesCode[];
const STRIKE_TYPES = ['greater', 'greater_or_equal', 'less', 'less_or_equal', 'between', 'functional', 'custom', 'structured'] as const;

const multipleOf = (x: number, decimals: number) => {
  const scaled = x * 10 ** decimals;
  return Number.isFinite(x) && Math.abs(scaled - Math.round(scaled)) < 1e-6;
};
const dollars4 = z.number().refine((x) => multipleOf(x, 4), 'expected dollars with at most 4 decimals');
const yesPrice = dollars4.refine((x) => x > 0 && x < 1, 'expected a YES price strictly between 0 and 1');
const contracts = z.number().nonnegative().refine((x) => multipleOf(x, 2), 'expected contracts with at most 2 decimals');
const probability = z.number().min(0).max(1);

const baseShape = {
  seq: z.number().int().positive(),
  ts_ms: z.number().int().nonnegative(),
  timestamp_et: z.string().min(1),
  mode: z.literal('dry'),
  series: z.enum(SERIES),
  window: z.string().min(1),
  kalshi_market_id: z.string().min(1),
  event_ticker: z.string().min(1),
  strike: z.number().finite().nullable(),
  cap_strike: z.number().finite().optional(),
  strike_type: z.enum(STRIKE_TYPES),
  side: z.enum(['buy', 'sell']),
  price: yesPrice,
  size: contracts.refine((x) => x > 0, 'expected a positive size'),
  ev_after_fees_cents: z.number().finite(),
  fill_prob: probability.nullable(),
  model_prob: probability,
  client_order_id: z.string().min(1),
  active_feed: z.enum(['polygon', 'massive']).nullable(),
  feed_age_ms: z.number().nonnegative().nullable(),
};

const quoteShape = { ...baseShape, type: z.literal('quote') };
const cancelShape = {
  ...baseShape,
  type: z.literal('cancel'),
  reason: z.string().min(1),
  /** Contracts filled before the cancel. */
  filled: contracts,
};
const fillShape = {
  ...baseShape,
  type: z.literal('paper_fill'),
  /** The maker's own limit price: paper fills are never at another price. */
  fill_price: yesPrice,
  fill_size: contracts.refine((x) => x > 0, 'expected a positive fill size'),
  fee: dollars4.refine((x) => x >= 0, 'expected a fee ≥ 0'),
  fill_cause: z.enum(['trade_at_price', 'trade_through', 'book_cross']),
  trade_id: z.string().nullable(),
  /** Contracts filled on the order so far, this fill included. */
  filled_total: contracts,
};
const settlementShape = {
  ...baseShape,
  type: z.literal('settlement'),
  result: z.enum(['yes', 'no']),
  /** Filled contracts settled (0 for an order that never filled). */
  settled_size: contracts,
  /** All fees of the order's fills. */
  fee: dollars4.refine((x) => x >= 0, 'expected a fee ≥ 0'),
  /** Realised PnL after fees, dollars (≤ 6 decimals). */
  pnl: z.number().refine((x) => multipleOf(x, 6), 'expected dollars with at most 6 decimals'),
};

/** What the writer accepts: exactly these keys (a typo is an error, never a silently dropped field). */
export const LedgerRecordStrictSchema = z.discriminatedUnion('type', [
  z.strictObject(quoteShape),
  z.strictObject(cancelShape),
  z.strictObject(fillShape),
  z.strictObject(settlementShape),
]);

/** What readers accept: the same, tolerating fields added by a newer writer (kept as-is). */
export const LedgerRecordSchema = z.discriminatedUnion('type', [
  z.looseObject(quoteShape),
  z.looseObject(cancelShape),
  z.looseObject(fillShape),
  z.looseObject(settlementShape),
]);

export type LedgerRecord = z.infer<typeof LedgerRecordStrictSchema>;
export type QuoteRecord = Extract<LedgerRecord, { type: 'quote' }>;
export type CancelRecord = Extract<LedgerRecord, { type: 'cancel' }>;
export type PaperFillRecord = Extract<LedgerRecord, { type: 'paper_fill' }>;
export type SettlementRecord = Extract<LedgerRecord, { type: 'settlement' }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A record before the writer assigns its `seq`. */
export type LedgerRecordInput = DistributiveOmit<LedgerRecord, 'seq'>;

// ---- exact unit conversions ----

export const pipsToLedgerDollars = (p: Pips): number => p / PIPS_PER_DOLLAR;
export const ledgerDollarsToPips = (d: number): Pips => Math.round(d * PIPS_PER_DOLLAR);
export const centiToLedgerContracts = (c: CentiContracts): number => c / CENTI_PER_CONTRACT;
export const ledgerContractsToCenti = (n: number): CentiContracts => Math.round(n * CENTI_PER_CONTRACT);
export const microsToLedgerDollars = (m: number): number => Number((m / 1_000_000).toFixed(6)) + 0;
export const ledgerDollarsToMicros = (d: number): number => Math.round(d * 1_000_000);
