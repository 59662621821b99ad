import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveBroker } from '../../src/adapters/broker/live-broker.ts';
import { LiveBrokerRefused, selectBroker } from '../../src/adapters/broker/select-broker.ts';
import type { Broker, OrderIntent } from '../../src/ports/broker.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { captureLogger, drive, KEY_ID, SIM_DATE, startRig, type Rig } from './helpers.ts';

const fakeDry = { mode: 'dry' } as unknown as Broker;

describe('live broker gate', () => {
  test('dry by default and on --broker dry; live only with --broker live AND KALSHI_LIVE_APPROVED=yes', () => {
    let liveBuilt = 0;
    const makeLive = () => {
      liveBuilt++;
      return { mode: 'live' } as unknown as Broker;
    };
    assert.equal(selectBroker({ requested: undefined, liveApproval: 'yes', makeDry: () => fakeDry, makeLive }).mode, 'dry');
    assert.equal(selectBroker({ requested: 'dry', liveApproval: 'yes', makeDry: () => fakeDry, makeLive }).mode, 'dry');
    for (const approval of [undefined, '', 'YES', 'Yes', 'true', '1', ' yes', 'yes ', 'y']) {
      assert.throws(() => selectBroker({ requested: 'live', liveApproval: approval, makeDry: () => fakeDry, makeLive }), (e: unknown) => e instanceof LiveBrokerRefused && /KALSHI_LIVE_APPROVED=yes/.test((e as Error).message));
    }
    assert.equal(liveBuilt, 0, 'the live broker is never even constructed without approval');
    assert.equal(selectBroker({ requested: 'live', liveApproval: 'yes', makeDry: () => fakeDry, makeLive }).mode, 'live');
    assert.equal(liveBuilt, 1);
    assert.throws(() => selectBroker({ requested: 'paper', liveApproval: 'yes', makeDry: () => fakeDry, makeLive }), LiveBrokerRefused);
  });
});

describe('live broker against the simulator', () => {
  let rig: Rig;
  let broker: LiveBroker;
  let ticker: string;
  let bid: number;
  let ask: number;
  const intent = (over: Partial<OrderIntent>): OrderIntent => ({ clientOrderId: 'x', marketTicker: ticker, side: 'buy', price: bid, size: 100, postOnly: true, ...over });

  before(async () => {
    rig = await startRig({ mmTickMs: 0 });
    broker = new LiveBroker({ rest: rig.rest, clock: rig.clock });
    ticker = [...rig.sim.exchange.markets.values()].find((m) => m.spec.series === 'NASDAQ100U' && m.spec.closeMs === etToMs(SIM_DATE, '12:00'))!.spec.ticker;
    // The maker is off: give the market a known book.
    bid = 4000;
    ask = 4600;
    rig.sim.exchange.create('someone-else', { ticker, side: 'bid', price: '0.4000', count: '10.00', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true, client_order_id: 'o1' });
    rig.sim.exchange.create('someone-else', { ticker, side: 'ask', price: '0.4600', count: '10.00', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true, client_order_id: 'o2' });
  });
  after(() => rig.close());

  test('places post-only GTC orders with maker STP; buy → bid, sell → ask, YES prices', async () => {
    const b = await broker.place(intent({ clientOrderId: 'lb-1', price: bid + 100, size: 300 }));
    assert.equal(b.status, 'resting');
    const s = await broker.place(intent({ clientOrderId: 'lb-2', side: 'sell', price: ask - 100 }));
    assert.equal(s.status, 'resting');
    const exB = rig.sim.exchange.orderByClientId(KEY_ID, 'lb-1')!;
    const exS = rig.sim.exchange.orderByClientId(KEY_ID, 'lb-2')!;
    assert.deepEqual([exB.side, exB.price, exB.initial, exB.postOnly, exB.tif, exB.stp], ['bid', 4100, 300, true, 'good_till_canceled', 'maker']);
    assert.deepEqual([exS.side, exS.price], ['ask', 4500]);
  });

  test('placing the same client_order_id twice yields one order', async () => {
    const a = await broker.place(intent({ clientOrderId: 'lb-dup', price: bid - 100 }));
    const fresh = new LiveBroker({ rest: rig.rest, clock: rig.clock }); // e.g. after a restart: no local memory
    const b = await fresh.place(intent({ clientOrderId: 'lb-dup', price: bid - 100 }));
    assert.equal(b.orderId, a.orderId);
    assert.equal([...rig.sim.exchange.orders.values()].filter((o) => o.clientOrderId === 'lb-dup').length, 1);
  });

  test('a lost create response is retried without doubling the order', async () => {
    rig.sim.controls.inject5xx(1, { pathPrefix: '/portfolio/events/orders', when: 'drop' });
    const r = await drive(rig.clock, broker.place(intent({ clientOrderId: 'lb-lost', price: bid - 200 })));
    assert.equal(r.status, 'resting');
    assert.equal([...rig.sim.exchange.orders.values()].filter((o) => o.clientOrderId === 'lb-lost').length, 1);
  });

  test('a post-only order that would cross is rejected with the exchange reason', async () => {
    const r = await broker.place(intent({ clientOrderId: 'lb-cross', price: ask }));
    assert.equal(r.status, 'rejected');
    assert.equal(r.reason, 'post only cross');
    assert.equal(rig.sim.exchange.orderByClientId(KEY_ID, 'lb-cross'), undefined);
  });

  test('cancel by client_order_id, open orders, cancel-all', async () => {
    const c = await broker.cancel('lb-1');
    assert.equal(c?.status, 'canceled');
    assert.equal(await broker.cancel('never-placed'), undefined);
    const again = await new LiveBroker({ rest: rig.rest, clock: rig.clock }).cancel('lb-2');
    assert.equal(again?.status, 'canceled', 'found by client id at the exchange without local memory');
    const open = await broker.openOrders();
    assert.deepEqual(open.map((o) => o.clientOrderId).sort(), ['lb-dup', 'lb-lost']);
    assert.equal(await broker.cancelAll('test'), 2);
    assert.deepEqual(await broker.openOrders(), []);
  });

  test('orders entered outside the V2 API (self_trade_prevention_type: null) are listed, looked up and cancelled', async () => {
    const lines: string[] = [];
    const logged = new LiveBroker({ rest: rig.rest, clock: rig.clock, logger: captureLogger(lines) });
    rig.sim.controls.placeOrderOutsideApi(KEY_ID, { ticker, side: 'bid', price: '0.3500', count: '1.00', client_order_id: 'web-1' });
    const page = await rig.rest.getOrdersPage({ ticker });
    assert.ok(page.items.some((o) => o.client_order_id === 'web-1' && o.self_trade_prevention_type === null), 'the page carries the null-STP order');
    // The 409 recovery reads the same page: a duplicate resolves even with that order on it.
    await logged.place(intent({ clientOrderId: 'lb-beside-web', price: bid - 300 }));
    const dup = await new LiveBroker({ rest: rig.rest, clock: rig.clock }).place(intent({ clientOrderId: 'lb-beside-web', price: bid - 300 }));
    assert.equal(dup.status, 'resting');
    assert.ok((await logged.openOrders()).some((o) => o.clientOrderId === 'web-1'), 'listed');
    assert.equal(await logged.cancelAll('null-stp'), 2);
    assert.deepEqual(await logged.openOrders(), []);
    assert.ok(lines.some((l) => l.includes('cancel-all done') && l.includes('"cancelled":2') && l.includes('"reason":"null-stp"')), lines.join(' | '));
  });

  test('a fill shows up as executed', async () => {
    await broker.place(intent({ clientOrderId: 'lb-fill', side: 'sell', price: ask - 200, size: 200 }));
    rig.sim.exchange.takerOrder(ticker, 'bid', ask - 200, 200);
    const st = await broker.cancel('lb-fill');
    assert.equal(st?.status, 'executed');
    assert.equal(st?.filled, 200);
  });
});
