/**
 * The simulated exchange's ids (orders, fills, trades, the participants' orders): uuid-shaped, deterministic
 * per seed, `${hash}-${n[0..4)}-4${n[4..7)}-8${n[7..10)}-${n[10..12) padded to 12}` with n the exchange's id
 * counter in 12 hex digits and hash = hashSeed(seed, prefix, counter) in 8. The formatting keeps the
 * counter's part for 256 ids at a time (sim/kalshi/exchange-markets.ts); this holds it to the layout over
 * ids that cross several of those steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { SimExchange } from '../../src/sim/kalshi/exchange.ts';
import { hashSeed } from '../../src/sim/day/index-path.ts';
import { etToMs } from '../../src/core/time/et.ts';

const DATE = '2026-11-20';

function layout(seed: number, prefix: string, counter: number): string {
  const h = hashSeed(seed, prefix, counter).toString(16).padStart(8, '0');
  const n = counter.toString(16).padStart(12, '0');
  return `${h}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(10).padStart(12, '0')}`;
}

test('sim exchange ids: consecutive orders carry consecutive counters in the documented layout', () => {
  const clock = new VirtualClock(etToMs(DATE, '10:30'));
  const ex = new SimExchange({ clock, seed: 11, dateEt: DATE, thresholdStrikes: 7, rangeBins: 4, mmTickMs: 0 });
  try {
    const ticker = ex.events.find((e) => e.series === 'INXU' && e.targetEt === '11:00')!.markets[0]!.ticker;
    let last = -1;
    for (let i = 0; i < 700; i++) {
      const { order } = ex.create('user', { ticker, side: 'bid', price: '0.0100', count: '1.00', time_in_force: 'good_till_canceled', post_only: true, client_order_id: `c${i}` });
      const id = order.orderId;
      const counter = parseInt(id.slice(9, 13) + id.slice(15, 18) + id.slice(20, 23) + id.slice(-2), 16);
      assert.equal(id, layout(11, 'order', counter), `order ${i}`);
      if (last >= 0) assert.equal(counter, last + 1, `order ${i} follows order ${i - 1}`);
      last = counter;
    }
  } finally {
    ex.close();
    clock.dispose();
  }
});
