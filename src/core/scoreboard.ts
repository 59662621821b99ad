/**
 * Paper results per day / series / window from the ledger (SPEC §5.6). Pure.
 *
 * Definitions (per group; the group of a record is its window's ET date — the `YYYY-MM-DD/` prefix of
 * the window id, else the ET date of `ts_ms` — its series and its window label):
 * - `quotes`: quote records (each is one order: ids are unique per quote revision);
 * - `fills`: paper_fill records; `filled_orders`: quoted orders with at least one fill;
 *   `fill_rate` = filled_orders / quotes (null without quotes); `filled_contracts`, `fees` from fills;
 * - `realized_pnl`: sum of settlement `pnl` (after fees), exact to the micro-dollar;
 * - calibration of the quoted markets: one forecast per quote record whose market has a settlement
 *   record anywhere in the ledger (the outcome is the market's): `brier` = mean (p − o)², `log_loss` =
 *   −mean(o·ln p + (1 − o)·ln(1 − p)) with p clamped to [ε, 1 − ε], ε = 1e-6; `unsettled_quotes` counts
 *   quotes whose market has no result yet.
 */
import { ledgerDollarsToMicros, ledgerDollarsToPips, ledgerContractsToCenti, type LedgerRecord } from './ledger/record.ts';
import { etDateOf } from './time/et.ts';

export const LOG_LOSS_EPS = 1e-6;

export interface Calibration {
  n: number;
  brier: number | null;
  log_loss: number | null;
}

export interface ScoreRow {
  day: string;
  series: string;
  window: string;
  quotes: number;
  fills: number;
  filled_orders: number;
  fill_rate: number | null;
  filled_contracts: number;
  fees: number;
  settled_orders: number;
  realized_pnl: number;
  unsettled_quotes: number;
  calibration: Calibration;
}

export interface Scoreboard {
  rows: ScoreRow[];
  total: ScoreRow;
}

export interface ScoreboardFilter {
  fromDate?: string;
  toDate?: string;
  series?: string;
}

interface Acc {
  day: string;
  series: string;
  window: string;
  quotes: number;
  fills: number;
  filledIds: Set<string>;
  filledCenti: number;
  feePips: number;
  settled: number;
  pnlMicros: number;
  unsettled: number;
  n: number;
  brierSum: number;
  logLossSum: number;
}

const WINDOW_ID = /^(\d{4}-\d{2}-\d{2})\/(.+)$/;

export function groupOf(r: LedgerRecord): { day: string; window: string } {
  const m = WINDOW_ID.exec(r.window);
  return m ? { day: m[1]!, window: m[2]! } : { day: etDateOf(r.ts_ms), window: r.window };
}

const clamp = (p: number) => Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));

export function computeScoreboard(records: readonly LedgerRecord[], filter: ScoreboardFilter = {}): Scoreboard {
  const outcomes = new Map<string, 0 | 1>();
  for (const r of records) if (r.type === 'settlement') outcomes.set(r.kalshi_market_id, r.result === 'yes' ? 1 : 0);

  const groups = new Map<string, Acc>();
  const total = newAcc('all', 'all', 'all');
  for (const r of records) {
    const { day, window } = groupOf(r);
    if (filter.fromDate && day < filter.fromDate) continue;
    if (filter.toDate && day > filter.toDate) continue;
    if (filter.series && r.series !== filter.series) continue;
    const key = `${day}\u0000${r.series}\u0000${window}`;
    let acc = groups.get(key);
    if (!acc) groups.set(key, (acc = newAcc(day, r.series, window)));
    for (const a of [acc, total]) add(a, r, outcomes);
  }
  const rows = [...groups.values()]
    .sort((a, b) => a.day.localeCompare(b.day) || a.window.localeCompare(b.window) || a.series.localeCompare(b.series))
    .map(toRow);
  return { rows, total: toRow(total) };
}

function newAcc(day: string, series: string, window: string): Acc {
  return { day, series, window, quotes: 0, fills: 0, filledIds: new Set(), filledCenti: 0, feePips: 0, settled: 0, pnlMicros: 0, unsettled: 0, n: 0, brierSum: 0, logLossSum: 0 };
}

function add(a: Acc, r: LedgerRecord, outcomes: Map<string, 0 | 1>): void {
  switch (r.type) {
    case 'quote': {
      a.quotes++;
      const o = outcomes.get(r.kalshi_market_id);
      if (o === undefined) {
        a.unsettled++;
        break;
      }
      const p = r.model_prob;
      a.n++;
      a.brierSum += (p - o) ** 2;
      const pc = clamp(p);
      a.logLossSum += -(o * Math.log(pc) + (1 - o) * Math.log(1 - pc));
      break;
    }
    case 'paper_fill':
      a.fills++;
      // Counted per (window, order): an id belongs to one quote.
      a.filledIds.add(r.client_order_id);
      a.filledCenti += ledgerContractsToCenti(r.fill_size);
      a.feePips += ledgerDollarsToPips(r.fee);
      break;
    case 'settlement':
      a.settled++;
      a.pnlMicros += ledgerDollarsToMicros(r.pnl);
      break;
    case 'cancel':
      break;
  }
}

function toRow(a: Acc): ScoreRow {
  return {
    day: a.day,
    series: a.series,
    window: a.window,
    quotes: a.quotes,
    fills: a.fills,
    filled_orders: a.filledIds.size,
    fill_rate: a.quotes > 0 ? a.filledIds.size / a.quotes : null,
    filled_contracts: a.filledCenti / 100,
    fees: a.feePips / 10_000,
    settled_orders: a.settled,
    realized_pnl: Number((a.pnlMicros / 1_000_000).toFixed(6)) + 0,
    unsettled_quotes: a.unsettled,
    calibration: {
      n: a.n,
      brier: a.n > 0 ? a.brierSum / a.n : null,
      log_loss: a.n > 0 ? a.logLossSum / a.n : null,
    },
  };
}
