/**
 * Model vs truth (issue 11, SPEC §9): scores a paper ledger against an oracle — the true P(YES) of each
 * market at each instant under the simulator's generating process. Pure: the oracle and the markets' close
 * times come in as functions (the `evaluate` command builds them from the seed; see sim/market/oracle.ts).
 *
 * Per minutes-to-target bucket (m = (close − ts_ms)/60 000: ≥ 10, 5–10, 1–5, < 1):
 * - quotes (every `quote` record, i.e. every order placed): n; mean |p_model − p_oracle| and bias
 *   mean(p_model − p_oracle) at the quote instant; claimed EV (`ev_after_fees_cents`) and the oracle's edge of
 *   the same order, both ¢ per contract; the share of quotes whose oracle edge was negative.
 *   Oracle edge at quote = claimed EV + (p_oracle − p_model)·100 for a buy, − for a sell: the claimed EV is
 *   p_model − price − fee/C (or its mirror), so swapping p_model for p_oracle keeps price and fee exact.
 * - fills (every `paper_fill`, bucketed by the fill instant): n, contracts; claimed EV (the quote's, ¢ per
 *   contract, size-weighted); oracle edge at fill = (p_oracle(fill) − fill_price)·100 − fee per contract for a
 *   buy (mirror for a sell); realised PnL per contract once the market's result is in the ledger; and
 *   |p_model(quote) − p_oracle(fill)|.
 * Fills are also split by `fill_cause` (trade_at_price / trade_through / book_cross) and by window label
 * (time of day), each with the same fill columns and realised PnL in dollars.
 * Means carry their standard error (sample std / √n; null below two samples). Records whose market the
 * oracle does not know are counted in `unknown_markets` and left out.
 */
import type { LedgerRecord, PaperFillRecord, QuoteRecord } from '../ledger/record.ts';

/**
 * The truth for each record. Records of several runs (seeds) may be scored together: `scope` names the run a
 * record belongs to, so markets (and their results) of different runs with the same ticker stay apart.
 */
export interface OracleSource {
  /** True P(YES) of the record's market at the record's `ts_ms`, or undefined for a market it does not know. */
  oracle(r: LedgerRecord): number | undefined;
  /** The record's market's close (its target), epoch ms. */
  closeMs(r: LedgerRecord): number | undefined;
  scope?(r: LedgerRecord): string;
}

export interface Bucket {
  label: string;
  /** Minutes to target, lo ≤ m < hi. */
  lo: number;
  hi: number;
}

export const MINUTE_BUCKETS: readonly Bucket[] = [
  { label: '>=10m', lo: 10, hi: Infinity },
  { label: '5-10m', lo: 5, hi: 10 },
  { label: '1-5m', lo: 1, hi: 5 },
  { label: '<1m', lo: -Infinity, hi: 1 },
];

export function bucketOf(minutes: number): string {
  for (const b of MINUTE_BUCKETS) if (minutes >= b.lo && minutes < b.hi) return b.label;
  return MINUTE_BUCKETS[MINUTE_BUCKETS.length - 1]!.label;
}

/** A mean with its standard error. */
export interface Stat {
  mean: number | null;
  se: number | null;
  n: number;
}

export interface QuoteStats {
  n: number;
  abs_error: Stat;
  bias: Stat;
  claimed_ev_cents: Stat;
  oracle_edge_cents: Stat;
  negative_edge_share: number | null;
}

export interface FillStats {
  fills: number;
  contracts: number;
  /** Size-weighted, ¢ per contract. */
  claimed_ev_cents: number | null;
  oracle_edge_cents: Stat;
  /** |p_model at the quote − p_oracle at the fill|. */
  abs_error: Stat;
  /** Realised PnL of settled fills, ¢ per contract (null before any settles). */
  realized_cents_per_contract: number | null;
  realized_pnl_usd: number;
  settled_contracts: number;
  /** Share of the fills whose oracle edge was negative (by fill count). */
  negative_edge_share: number | null;
}

export interface EvalReport {
  buckets: { label: string; quotes: QuoteStats; fills: FillStats }[];
  total: { quotes: QuoteStats; fills: FillStats };
  by_cause: { cause: string; fills: FillStats }[];
  by_window: { window: string; fills: FillStats }[];
  unknown_markets: string[];
}

class Acc {
  n = 0;
  sum = 0;
  sumSq = 0;
  add(x: number, w = 1): void {
    this.n += w;
    this.sum += x * w;
    this.sumSq += x * x * w;
  }
  stat(): Stat {
    if (this.n === 0) return { mean: null, se: null, n: 0 };
    const mean = this.sum / this.n;
    if (this.n < 2) return { mean, se: null, n: this.n };
    const varS = Math.max(0, (this.sumSq - this.n * mean * mean) / (this.n - 1));
    return { mean, se: Math.sqrt(varS / this.n), n: this.n };
  }
}

class QuoteAcc {
  n = 0;
  abs = new Acc();
  bias = new Acc();
  claimed = new Acc();
  edge = new Acc();
  negative = 0;
  add(absErr: number, bias: number, claimed: number, edge: number): void {
    this.n++;
    this.abs.add(absErr);
    this.bias.add(bias);
    this.claimed.add(claimed);
    this.edge.add(edge);
    if (edge < 0) this.negative++;
  }
  out(): QuoteStats {
    return {
      n: this.n,
      abs_error: this.abs.stat(),
      bias: this.bias.stat(),
      claimed_ev_cents: this.claimed.stat(),
      oracle_edge_cents: this.edge.stat(),
      negative_edge_share: this.n ? this.negative / this.n : null,
    };
  }
}

class FillAcc {
  fills = 0;
  contracts = 0;
  claimedW = 0;
  /** Per contract: each fill's per-contract edge weighted by its contracts. */
  edge = new Acc();
  abs = new Acc();
  settledContracts = 0;
  realizedUsd = 0;
  negative = 0;
  add(contracts: number, claimed: number, edge: number, absErr: number, realizedUsd: number | undefined): void {
    this.fills++;
    if (edge < 0) this.negative++;
    this.contracts += contracts;
    this.claimedW += claimed * contracts;
    this.edge.add(edge, contracts);
    this.abs.add(absErr, contracts);
    if (realizedUsd !== undefined) {
      this.settledContracts += contracts;
      this.realizedUsd += realizedUsd;
    }
  }
  out(): FillStats {
    return {
      fills: this.fills,
      contracts: round(this.contracts, 2),
      claimed_ev_cents: this.contracts ? this.claimedW / this.contracts : null,
      oracle_edge_cents: this.edge.stat(),
      abs_error: this.abs.stat(),
      realized_cents_per_contract: this.settledContracts ? (this.realizedUsd * 100) / this.settledContracts : null,
      realized_pnl_usd: round(this.realizedUsd, 6),
      settled_contracts: round(this.settledContracts, 2),
      negative_edge_share: this.fills ? this.negative / this.fills : null,
    };
  }
}

const round = (x: number, d: number) => Number(x.toFixed(d)) + 0;

/** Oracle edge of a quote, ¢ per contract: the claimed EV with p_model replaced by p_oracle. */
export function oracleEdgeAtQuote(q: Pick<QuoteRecord, 'side' | 'ev_after_fees_cents' | 'model_prob'>, pOracle: number): number {
  const d = (pOracle - q.model_prob) * 100;
  return q.side === 'buy' ? q.ev_after_fees_cents + d : q.ev_after_fees_cents - d;
}

/** Oracle edge of a fill, ¢ per contract: true value vs the fill price, less the fill's fee per contract. */
export function oracleEdgeAtFill(f: Pick<PaperFillRecord, 'side' | 'fill_price' | 'fill_size' | 'fee'>, pOracle: number): number {
  const feePer = f.fill_size > 0 ? (f.fee * 100) / f.fill_size : 0;
  return (f.side === 'buy' ? pOracle - f.fill_price : f.fill_price - pOracle) * 100 - feePer;
}

/** Realised PnL of one fill (dollars) once its market's result is known. */
export function fillPnlUsd(f: Pick<PaperFillRecord, 'side' | 'fill_price' | 'fill_size' | 'fee'>, result: 'yes' | 'no'): number {
  const v = result === 'yes' ? 1 : 0;
  return (f.side === 'buy' ? v - f.fill_price : f.fill_price - v) * f.fill_size - f.fee;
}

export function evaluateLedger(records: readonly LedgerRecord[], src: OracleSource): EvalReport {
  const key = (r: LedgerRecord) => (src.scope ? `${src.scope(r)}\u0000${r.kalshi_market_id}` : r.kalshi_market_id);
  const results = new Map<string, 'yes' | 'no'>();
  for (const r of records) if (r.type === 'settlement') results.set(key(r), r.result);
  const qb = new Map<string, QuoteAcc>(MINUTE_BUCKETS.map((b) => [b.label, new QuoteAcc()]));
  const fb = new Map<string, FillAcc>(MINUTE_BUCKETS.map((b) => [b.label, new FillAcc()]));
  const qt = new QuoteAcc();
  const ft = new FillAcc();
  const byCause = new Map<string, FillAcc>();
  const byWindow = new Map<string, FillAcc>();
  const unknown = new Set<string>();
  for (const r of records) {
    if (r.type !== 'quote' && r.type !== 'paper_fill') continue;
    const close = src.closeMs(r);
    const p = close === undefined ? undefined : src.oracle(r);
    if (close === undefined || p === undefined) {
      unknown.add(r.kalshi_market_id);
      continue;
    }
    const bucket = bucketOf((close - r.ts_ms) / 60_000);
    if (r.type === 'quote') {
      const edge = oracleEdgeAtQuote(r, p);
      const args = [Math.abs(r.model_prob - p), r.model_prob - p, r.ev_after_fees_cents, edge] as const;
      qb.get(bucket)!.add(...args);
      qt.add(...args);
    } else {
      const edge = oracleEdgeAtFill(r, p);
      const res = results.get(key(r));
      const pnl = res ? fillPnlUsd(r, res) : undefined;
      const args = [r.fill_size, r.ev_after_fees_cents, edge, Math.abs(r.model_prob - p), pnl] as const;
      fb.get(bucket)!.add(...args);
      ft.add(...args);
      const cause = r.fill_cause;
      if (!byCause.has(cause)) byCause.set(cause, new FillAcc());
      byCause.get(cause)!.add(...args);
      const w = r.window.includes('/') ? r.window.slice(r.window.indexOf('/') + 1) : r.window;
      if (!byWindow.has(w)) byWindow.set(w, new FillAcc());
      byWindow.get(w)!.add(...args);
    }
  }
  return {
    buckets: MINUTE_BUCKETS.map((b) => ({ label: b.label, quotes: qb.get(b.label)!.out(), fills: fb.get(b.label)!.out() })),
    total: { quotes: qt.out(), fills: ft.out() },
    by_cause: ['trade_at_price', 'trade_through', 'book_cross'].map((cause) => ({ cause, fills: (byCause.get(cause) ?? new FillAcc()).out() })),
    by_window: [...byWindow.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([window, acc]) => ({ window, fills: acc.out() })),
    unknown_markets: [...unknown].sort(),
  };
}
