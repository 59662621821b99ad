import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeScoreboard, LOG_LOSS_EPS } from '../../src/core/scoreboard.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import type { LedgerRecord, LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { formatEt } from '../../src/core/time/et.ts';
import { cli, tempHome } from '../helpers/cli.ts';

const FRI = Date.UTC(2026, 10, 20, 14, 50); // 2026-11-20 09:50 ET
const MON = Date.UTC(2026, 10, 23, 20, 55); // 2026-11-23 15:55 ET

type Kind = 'quote' | 'paper_fill' | 'settlement' | 'cancel';
let n = 0;
function rec(type: Kind, o: { series: string; window: string; market: string; id: string; side?: 'buy' | 'sell'; price: number; p: number; ts: number }, extra: Record<string, unknown> = {}): LedgerRecordInput {
  const ts = o.ts + n++;
  return {
    type,
    ts_ms: ts,
    timestamp_et: formatEt(ts),
    mode: 'dry',
    series: o.series,
    window: o.window,
    kalshi_market_id: o.market,
    event_ticker: o.market.split('-').slice(0, 2).join('-'),
    strike: 6800,
    strike_type: 'greater',
    side: o.side ?? 'buy',
    price: o.price,
    size: 1,
    ev_after_fees_cents: 5,
    fill_prob: null,
    model_prob: o.p,
    client_order_id: o.id,
    active_feed: 'polygon',
    feed_age_ms: 100,
    ...extra,
  } as LedgerRecordInput;
}
const fill = (size: number, fee = 0, price?: number) => ({ fill_price: price, fill_size: size, fee, fill_cause: 'trade_through', trade_id: 't', filled_total: size });
const settle = (result: 'yes' | 'no', size: number, pnl: number, fee = 0) => ({ result, settled_size: size, fee, pnl });

const W1 = '2026-11-20/hourly-1000';
const W2 = '2026-11-23/close-1600';
const q1 = { series: 'INXU', window: W1, market: 'KXINXU-26NOV20H1000-T6800', id: 'q1', price: 0.55, p: 0.62, ts: FRI };
const q2 = { ...q1, id: 'q2', side: 'sell' as const, price: 0.7 };
const q3 = { series: 'INXU', window: W1, market: 'KXINXU-26NOV20H1000-T6900', id: 'q3', price: 0.3, p: 0.25, ts: FRI };
const q4 = { series: 'INXU', window: W1, market: 'KXINXU-26NOV20H1000-T7000', id: 'q4', price: 0.4, p: 0.5, ts: FRI };
const q5 = { series: 'NASDAQ100U', window: W1, market: 'KXNASDAQ100U-26NOV20H1000-T25000', id: 'q5', price: 0.9, p: 1, ts: FRI };
const q6 = { series: 'INX', window: W2, market: 'KXINX-26NOV23H1600-B6800', id: 'q6', side: 'sell' as const, price: 0.2, p: 0.1, ts: MON };

function ledgerInputs(): LedgerRecordInput[] {
  return [
    rec('quote', q1),
    rec('quote', q2),
    rec('quote', q3),
    rec('quote', q4),
    rec('quote', q5),
    rec('paper_fill', q1, fill(1, 0, 0.55)),
    rec('paper_fill', q3, fill(0.5, 0, 0.3)),
    rec('paper_fill', q3, { ...fill(0.5, 0, 0.3), filled_total: 1 }),
    rec('cancel', q2, { reason: 'freeze', filled: 0 }),
    rec('settlement', q1, settle('yes', 1, 0.45)),
    rec('settlement', q2, settle('yes', 0, 0)),
    rec('settlement', q3, settle('no', 1, -0.3)),
    rec('settlement', q5, settle('yes', 0, 0)),
    rec('quote', q6),
    rec('paper_fill', q6, fill(1, 0.0014, 0.2)),
    rec('settlement', q6, settle('no', 1, 0.1986, 0.0014)),
  ].map((r) => {
    // fill_price defaults to the order price
    if (r.type === 'paper_fill' && (r as { fill_price?: number }).fill_price === undefined) (r as { fill_price: number }).fill_price = r.price;
    return r;
  });
}

function records(): LedgerRecord[] {
  return ledgerInputs().map((r, i) => ({ seq: i + 1, ...r }) as LedgerRecord);
}

const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);

test('scoreboard numbers match an independent computation', () => {
  const board = computeScoreboard(records());
  assert.deepEqual(
    board.rows.map((r) => [r.day, r.series, r.window]),
    [
      ['2026-11-20', 'INXU', 'hourly-1000'],
      ['2026-11-20', 'NASDAQ100U', 'hourly-1000'],
      ['2026-11-23', 'INX', 'close-1600'],
    ],
  );
  const [inxu, ndx, inx] = board.rows as [typeof board.total, typeof board.total, typeof board.total];
  assert.equal(inxu.quotes, 4);
  assert.equal(inxu.fills, 3);
  assert.equal(inxu.filled_orders, 2);
  assert.equal(inxu.fill_rate, 0.5);
  assert.equal(inxu.filled_contracts, 2);
  assert.equal(inxu.realized_pnl, 0.15);
  assert.equal(inxu.settled_orders, 3);
  assert.equal(inxu.quoted_markets, 3);
  assert.equal(inxu.unsettled_markets, 1);
  // once per market: T6800 (q1, q2, last p = 0.62) on a YES market; T6900 (q3, p = 0.25) on a NO market;
  // q4's market is unsettled.
  assert.equal(inxu.calibration.n, 2);
  close(inxu.calibration.brier, (0.38 * 0.38 + 0.25 * 0.25) / 2);
  close(inxu.calibration.log_loss, -(Math.log(0.62) + Math.log(0.75)) / 2);

  // p = 1 on a YES market: Brier 0, log loss of the clamped probability (finite).
  assert.equal(ndx.calibration.brier, 0);
  close(ndx.calibration.log_loss, -Math.log(1 - LOG_LOSS_EPS));
  assert.equal(ndx.fill_rate, 0);

  assert.equal(inx.fees, 0.0014);
  assert.equal(inx.realized_pnl, 0.1986);
  close(inx.calibration.brier, 0.01);
  close(inx.calibration.log_loss, -Math.log(0.9));

  const t = board.total;
  assert.equal(t.quotes, 6);
  assert.equal(t.fills, 4);
  assert.equal(t.fill_rate, 3 / 6);
  assert.equal(t.realized_pnl, 0.3486);
  assert.equal(t.calibration.n, 4);
  close(t.calibration.brier, (0.38 ** 2 + 0.25 ** 2 + 0 + 0.01) / 4);
});

test('scoreboard filters by day and series', () => {
  const fri = computeScoreboard(records(), { fromDate: '2026-11-20', toDate: '2026-11-20' });
  assert.equal(fri.rows.length, 2);
  assert.equal(fri.total.quotes, 5);
  const inx = computeScoreboard(records(), { series: 'INX' });
  assert.deepEqual(inx.rows.map((r) => r.series), ['INX']);
  assert.deepEqual(computeScoreboard([], {}).rows, []);
});

function writeLedger(home: string, extraTail = ''): string {
  const file = path.join(home, 'data', 'proc', 'ledger', 'index_paper.jsonl');
  const w = LedgerWriter.open(file);
  w.appendBatch(ledgerInputs());
  w.close();
  if (extraTail) fs.appendFileSync(file, extraTail);
  return file;
}

test('scoreboard CLI: table by default, --json, torn line reported on stderr', async () => {
  const home = tempHome();
  writeLedger(home, '{"seq":17,"type":"quo');
  const table = await cli(['scoreboard'], { home });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stderr, /skipped torn last line .*index_paper\.jsonl:17/);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^day\s+series\s+window\s+quotes\s+fills\s+fill_rate\s+contracts\s+fees\s+pnl\s+markets\s+scored\s+brier\s+log_loss\s+quote_life$/);
  assert.match(table.stdout, /2026-11-20\s+INXU\s+hourly-1000\s+4\s+3\s+50\.0%\s+2\s+\$0\.0000\s+\$0\.1500\s+3\s+2\s+0\.1035/);
  assert.match(table.stdout, /\nall\s+all\s+all\s+6\s+4\s+50\.0%/);
  assert.match(table.stdout, /reliability \(4 market forecast\(s\), last quote before the freeze\):\np_bin\s+count\s+mean_forecast\s+observed_freq\n/);
  assert.match(table.stdout, /\n0\.6-0\.7\s+1\s+0\.6200\s+1\.0000\n/);
  assert.match(lines[lines.length - 1]!, /^0\.9-1\.0\s+1\s+1\.0000\s+1\.0000$/);

  const json = await cli(['scoreboard', '--json', '--date', '2026-11-23'], { home });
  assert.equal(json.code, 0);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.skipped_lines, 1);
  assert.deepEqual(doc.rows.map((r: { series: string }) => r.series), ['INX']);
  assert.equal(doc.total.realized_pnl, 0.1986);

  const bySeries = await cli(['scoreboard', '--json', '--series', 'KXINXU', '--from', '2026-11-01', '--to', '2026-11-30'], { home });
  assert.deepEqual(JSON.parse(bySeries.stdout).rows.map((r: { series: string }) => r.series), ['INXU']);
  fs.rmSync(home, { recursive: true });
});

test('scoreboard CLI: ledger override env, empty ledger, bad dates exit 2', async () => {
  const home = tempHome();
  const empty = await cli(['scoreboard'], { home });
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /no ledger records/);
  const other = path.join(home, 'elsewhere.jsonl');
  fs.renameSync(writeLedger(home), other);
  const r = await cli(['scoreboard', '--json'], { home, env: { KALSHI_INDEX_PAPER_LEDGER_PATH: 'elsewhere.jsonl' } });
  assert.equal(JSON.parse(r.stdout).total.quotes, 6);
  for (const argv of [
    ['scoreboard', '--date', '2026-02-30'],
    ['scoreboard', '--date', '2026-11-20', '--from', '2026-11-01'],
    ['scoreboard', '--from', '2026-11-21', '--to', '2026-11-20'],
  ]) {
    const bad = await cli(argv, { home });
    assert.equal(bad.code, 2, argv.join(' '));
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  }
  fs.rmSync(home, { recursive: true });
});
