/**
 * Scoreboard churn and queue metrics (issue 11): the quoter's own cancels re-quoted on the same market and
 * side within 3 s, the share of queue positions kept, `not_desired` cancels alone, and the mean estimated
 * fill probability — on a hand-made ledger.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeScoreboard, REQUOTE_WINDOW_MS } from '../../src/core/scoreboard.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { etToMs, formatEt } from '../../src/core/time/et.ts';

const DAY = '2026-11-20';
const W = `${DAY}/hourly-1000`;
const A = 'KXINXU-26NOV20H1000-T6800';
const B = 'KXINXU-26NOV20H1000-T6825';
let seq = 0;

function rec(type: LedgerRecord['type'], o: { market: string; id: string; side?: 'buy' | 'sell'; fillProb?: number | null }, at: number, extra: Record<string, unknown> = {}): LedgerRecord {
  return {
    seq: ++seq, type, ts_ms: at, timestamp_et: formatEt(at), mode: 'dry', series: 'INXU', window: W,
    kalshi_market_id: o.market, event_ticker: 'KXINXU-26NOV20H1000', strike: 6800, strike_type: 'greater_or_equal',
    side: o.side ?? 'buy', price: 0.5, size: 1, ev_after_fees_cents: 5, fill_prob: o.fillProb ?? null, model_prob: 0.55,
    client_order_id: o.id, active_feed: 'polygon', feed_age_ms: 100, ...extra,
  } as LedgerRecord;
}

test('re-quotes within 3 s, queue kept, not_desired alone, mean fill probability', () => {
  const t0 = etToMs(DAY, '09:50:00');
  const s = (x: number) => t0 + x * 1000;
  const records: LedgerRecord[] = [
    rec('quote', { market: A, id: 'a1', fillProb: 0.2 }, s(0)),
    rec('cancel', { market: A, id: 'a1' }, s(10), { reason: 'not_desired', filled: 0 }), // back 2 s later: given away
    rec('quote', { market: A, id: 'a2', fillProb: 0.4 }, s(12)),
    rec('cancel', { market: A, id: 'a2' }, s(20), { reason: 'replaced', filled: 0 }), // replaced at once
    rec('quote', { market: A, id: 'a3', fillProb: null }, s(20)),
    rec('cancel', { market: A, id: 'a3' }, s(30), { reason: 'not_desired', filled: 0 }), // back only after 3 s: kept
    rec('quote', { market: A, id: 'a4', fillProb: 0.6 }, s(30) + REQUOTE_WINDOW_MS + 1),
    // The other side of A, and another market, do not count as the same slot.
    rec('quote', { market: A, id: 's1', side: 'sell' }, s(40)),
    rec('cancel', { market: A, id: 's1', side: 'sell' }, s(41), { reason: 'not_desired', filled: 0 }),
    rec('quote', { market: B, id: 'b1' }, s(42)),
    // Freeze and stale-feed cancels are not the quoter's refresh decisions.
    rec('cancel', { market: A, id: 'a4' }, s(50), { reason: 'freeze', filled: 0 }),
    rec('cancel', { market: B, id: 'b1' }, s(50), { reason: 'stale_feed:stale', filled: 0 }),
  ];
  const row = computeScoreboard(records).rows[0]!;
  assert.equal(row.refresh_cancels, 4);
  assert.equal(row.requoted_within_3s, 2, 'a1 (2 s later) and a2 (replaced)');
  assert.equal(row.queue_kept_share, 0.5);
  assert.equal(row.not_desired_cancels, 3);
  assert.equal(row.not_desired_requoted_3s, 1);
  assert.ok(Math.abs(row.mean_fill_prob! - 0.4) < 1e-12, `mean fill prob over the quotes that carry one: ${row.mean_fill_prob}`);
  const empty = computeScoreboard([rec('quote', { market: A, id: 'x' }, t0)]).rows[0]!;
  assert.equal(empty.queue_kept_share, null);
  assert.equal(empty.mean_fill_prob, null);
});
