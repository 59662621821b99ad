/**
 * The stream's socket can beat the REST create response (a busy machine, or a taker right after the order
 * rests): a fill for an order whose create has not answered yet must be applied once the answer comes, not
 * dropped as "not ours" — the engine's caps bind on every fill. Stand-ins for the REST client and the stream,
 * so the order of the two arrivals is fixed by the test, not by timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveBroker } from '../../src/adapters/broker/live-broker.ts';
import type { BrokerEvent } from '../../src/ports/broker.ts';
import type { VenueStream } from '../../src/ports/venue.ts';
import type { KalshiRestClient } from '../../src/adapters/kalshi/rest-client.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';

test('a fill that arrives before the create response is applied once the order is known, exactly once', async () => {
  type Listener = Parameters<VenueStream['on']>[0];
  let listener: Listener | undefined;
  const stream = { watchAccount() {}, on(l: Listener) { listener = l; return () => {}; } } as unknown as VenueStream;
  const fill = { tradeId: 't1', orderId: 'o1', clientOrderId: 'c1', ticker: 'KXINXU-T', side: 'buy' as const, price: 4100, size: 100, isTaker: false, feeMicros: 0, tsMs: 1 };
  const rest = {
    async createOrder() {
      // The fill frame lands while the create is still in flight, then again (a resent frame).
      listener!({ kind: 'fill', fill } as never);
      listener!({ kind: 'fill', fill } as never);
      return { order_id: 'o1', fill_count: '0.00', remaining_count: '1.00', duplicate: false };
    },
  } as unknown as KalshiRestClient;
  const broker = new LiveBroker({ rest, clock: new VirtualClock(0), stream });
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  const placed = await broker.place({ clientOrderId: 'c1', marketTicker: 'KXINXU-T', side: 'buy', price: 4100, size: 100, postOnly: true });
  assert.equal(placed.status, 'resting');
  assert.deepEqual(events.map((e) => e.type), ['placed', 'filled'], 'placed, then the early fill, once');
  const f = events[1]!;
  assert.ok(f.type === 'filled' && f.order.filled === 100 && f.order.status === 'executed');
  // A fill for an order no create is waiting on is still not ours.
  listener!({ kind: 'fill', fill: { ...fill, tradeId: 't2', orderId: 'o9', clientOrderId: 'c9' } } as never);
  assert.equal(events.length, 2);
});
