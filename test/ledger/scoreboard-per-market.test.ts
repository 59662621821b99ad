/**
 * SPEC §5.6 (updated): Brier and log loss once per quoted market per window, from the last model_prob quoted
 * before the freeze; the reliability table; median quote lifetime. A hand-made ledger where the per-quote
 * and per-market averages differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { computeScoreboard, windowFreezeMs } from '../../src/core/scoreboard.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { etToMs, formatEt } from '../../src/core/time/et.ts';
import { cli, tempHome } from '../helpers/cli.ts';

const DAY = '2026-11-20';
const W10 = `${DAY}/hourly-1000`;
const W11 = `${DAY}/hourly-1100`;
const et = (t: string) => etToMs(DAY, t);

interface Q {
  window: string;
  market: string;
  id: string;
  p: number;
}

function rec(type: LedgerRecord['type'], q: Q, at: string, extra: Record<string, unknown> = {}): LedgerRecordInput {
  const ts = et(at);
  return {
    type, ts_ms: ts, timestamp_et: formatEt(ts), mode: 'dry', series: 'INXU', window: q.window,
    kalshi_market_id: q.market, event_ticker: q.market.split('-').slice(0, 2).join('-'), strike: 6800, strike_type: 'greater',
    side: 'buy', price: 0.5, size: 1, ev_after_fees_cents: 5, fill_prob: null, model_prob: q.p, client_order_id: q.id,
    active_feed: 'polygon', feed_age_ms: 100, ...extra,
  } as LedgerRecordInput;
}
const cancel = (q: Q, at: string) => rec('cancel', q, at, { reason: 'not_desired', filled: 0 });
const fill = (q: Q, at: string, size: number, total: number) => rec('paper_fill', q, at, { fill_price: 0.5, fill_size: size, fee: 0, fill_cause: 'trade_through', trade_id: 't', filled_total: total });
const settle = (q: Q, result: 'yes' | 'no', filled: number, at = '10:01:00') => rec('settlement', q, at, { result, settled_size: filled, fee: 0, pnl: filled ? (result === 'yes' ? 0.5 : -0.5) : 0 });

// 10:00 window. Market A (settles YES) re-quoted as the model moved: 0.30 → 0.40 → 0.50 → 0.80, then a quote
// after the freeze (09:59:59 > 09:59:58) that must not count. Market B (settles NO) quoted once at 0.10.
const A = 'KXINXU-26NOV20H1000-T6800';
const B = 'KXINXU-26NOV20H1000-T6900';
const a1 = { window: W10, market: A, id: 'a1', p: 0.3 };
const a2 = { ...a1, id: 'a2', p: 0.4 };
const a3 = { ...a1, id: 'a3', p: 0.5 };
const a4 = { ...a1, id: 'a4', p: 0.8 };
const a5 = { ...a1, id: 'a5', p: 0.05 };
const b1 = { window: W10, market: B, id: 'b1', p: 0.1 };
// 11:00 window: market C (settles YES) quoted at 0.55 then 0.65.
const C = 'KXINXU-26NOV20H1100-T6800';
const c1 = { window: W11, market: C, id: 'c1', p: 0.55 };
const c2 = { ...c1, id: 'c2', p: 0.65 };

function inputs(): LedgerRecordInput[] {
  return [
    rec('quote', a1, '09:50:00'),
    rec('quote', b1, '09:51:00'),
    cancel(a1, '09:52:00'), // life 120 s
    rec('quote', a2, '09:52:00'),
    cancel(a2, '09:55:00'), // 180 s
    fill(b1, '09:55:00', 0.5, 0.5), // partial: b1 keeps resting
    rec('quote', a3, '09:55:00'),
    cancel(a3, '09:59:00'), // 240 s
    rec('quote', a4, '09:59:00'),
    fill(a4, '09:59:30', 1, 1), // completed: 30 s
    cancel(b1, '09:59:58'), // 538 s (the cancel, not the partial fill)
    rec('quote', a5, '09:59:59'),
    cancel(a5, '10:00:00'), // 1 s
    settle(a1, 'yes', 0), settle(a2, 'yes', 0), settle(a3, 'yes', 0), settle(a4, 'yes', 1), settle(a5, 'yes', 0), settle(b1, 'no', 0.5),
    rec('quote', c1, '10:50:00'),
    cancel(c1, '10:51:00'), // 60 s
    rec('quote', c2, '10:51:00'),
    cancel(c2, '10:59:58'), // 538 s
    settle(c1, 'yes', 0, '11:01:00'), settle(c2, 'yes', 0, '11:01:00'),
  ];
}
const records = (): LedgerRecord[] => inputs().map((r, i) => ({ seq: i + 1, ...r }) as LedgerRecord);
const near = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);
const logLoss = (p: number, o: number) => -(o * Math.log(p) + (1 - o) * Math.log(1 - p));

test('per-market Brier / log loss differ from per-quote averages: the last quote before the freeze counts once', () => {
  assert.equal(windowFreezeMs(DAY, 'hourly-1000'), et('09:59:58'));
  assert.equal(windowFreezeMs(DAY, 'close-1300', 5000), et('12:59:55'));
  assert.equal(windowFreezeMs(DAY, 'adhoc'), null);

  const board = computeScoreboard(records());
  const [w10, w11] = board.rows;
  assert.deepEqual(board.rows.map((r) => r.window), ['hourly-1000', 'hourly-1100']);
  assert.equal(w10!.quotes, 6);
  assert.equal(w10!.quoted_markets, 2);
  assert.equal(w10!.unsettled_markets, 0);
  // per market: A at 0.80 (YES), B at 0.10 (NO)
  assert.equal(w10!.calibration.n, 2);
  near(w10!.calibration.brier, (0.2 ** 2 + 0.1 ** 2) / 2);
  near(w10!.calibration.log_loss, (logLoss(0.8, 1) + logLoss(0.1, 0)) / 2);
  // the per-quote average (the old definition) is far worse: six "forecasts", the post-freeze one included
  const perQuote = [[0.3, 1], [0.4, 1], [0.5, 1], [0.8, 1], [0.05, 1], [0.1, 0]].reduce((s, [p, o]) => s + (p! - o!) ** 2, 0) / 6;
  assert.ok(perQuote > 3 * w10!.calibration.brier!, `per-quote ${perQuote} vs per-market ${w10!.calibration.brier}`);

  assert.equal(w11!.calibration.n, 1);
  near(w11!.calibration.brier, 0.35 ** 2);

  const t = board.total;
  assert.equal(t.quotes, 8);
  assert.equal(t.quoted_markets, 3);
  assert.equal(t.calibration.n, 3);
  near(t.calibration.brier, (0.04 + 0.01 + 0.1225) / 3);
  near(t.calibration.log_loss, (logLoss(0.8, 1) + logLoss(0.1, 0) + logLoss(0.65, 1)) / 3);
  const bins = t.calibration.reliability;
  assert.equal(bins.length, 10);
  assert.deepEqual(bins.map((b) => b.count), [0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  assert.deepEqual(bins[1], { lo: 0.1, hi: 0.2, count: 1, mean_forecast: 0.1, observed_freq: 0 });
  assert.deepEqual(bins[8], { lo: 0.8, hi: 0.9, count: 1, mean_forecast: 0.8, observed_freq: 1 });
  assert.deepEqual(bins[0], { lo: 0, hi: 0.1, count: 0, mean_forecast: null, observed_freq: null });

  // quote life: first cancel / completing fill / settlement by client_order_id
  assert.equal(w10!.median_quote_life_ms, 150_000); // [1, 30, 120, 180, 240, 538] s
  assert.equal(w11!.median_quote_life_ms, 299_000); // [60, 538] s
  assert.equal(t.median_quote_life_ms, 150_000); // [1, 30, 60, 120, 180, 240, 538, 538] s → (120 + 180)/2
});

test('a market quoted only after the freeze is counted as quoted but not scored; an unsettled one is reported', () => {
  const late = { window: W11, market: 'KXINXU-26NOV20H1100-T6900', id: 'late', p: 0.9 };
  const open = { window: W11, market: 'KXINXU-26NOV20H1100-T7000', id: 'open', p: 0.2 };
  const rs = [...inputs(), rec('quote', late, '10:59:59'), settle(late, 'no', 0, '11:01:00'), rec('quote', open, '10:55:00')].map((r, i) => ({ seq: i + 1, ...r }) as LedgerRecord);
  const w11 = computeScoreboard(rs).rows[1]!;
  assert.equal(w11.quoted_markets, 3);
  assert.equal(w11.unsettled_markets, 1);
  assert.equal(w11.calibration.n, 1);
  // a 0 s freeze offset moves the cutoff to the target itself: the 10:59:59 quote now counts
  assert.equal(computeScoreboard(rs, { freezeOffsetMs: 0 }).rows[1]!.calibration.n, 2);
});

test('scoreboard CLI prints the per-market scores and the reliability table; --json carries both', async () => {
  const home = tempHome();
  const w = LedgerWriter.open(path.join(home, 'data', 'proc', 'ledger', 'index_paper.jsonl'));
  w.appendBatch(inputs());
  w.close();
  const text = await cli(['scoreboard'], { home });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /2026-11-20\s+INXU\s+hourly-1000\s+6\s+2\s+33\.3%\s+1\.5\s+\$0\.0000\s+\$0\.0000\s+2\s+2\s+0\.0250\s+0\.1643\s+150\.0s/);
  assert.match(text.stdout, /reliability \(3 market forecast\(s\), last quote before the freeze\):/);
  assert.match(text.stdout, /\n0\.6-0\.7\s+1\s+0\.6500\s+1\.0000\n/);
  const json = JSON.parse((await cli(['scoreboard', '--json'], { home })).stdout);
  assert.equal(json.total.calibration.n, 3);
  assert.equal(json.total.calibration.reliability.length, 10);
  assert.equal(json.rows[0].median_quote_life_ms, 150_000);
});
