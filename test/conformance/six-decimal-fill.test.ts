/**
 * Issue 12, item 3 end to end: a fill whose fee has 6 decimals, sent by the simulator over a real loopback
 * websocket to the running client. The simulator prices fees the way the exchange documents (trade fee
 * rounded up to $0.0001, a rounding fee to the member's $0.01 precision, per-order rebates), so buying
 * 0.03 contracts at $0.3301 as taker costs 0.0005 + 0.009597 = $0.010097 — the fee_cost of the frame.
 * Before the fix that frame's parser threw out of the socket handler and ended the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import { etToMs } from '../../src/core/time/et.ts';
import type { VenueFill } from '../../src/ports/venue.ts';
import { captureLogger, SIM_DATE, startRig, until } from '../kalshi/helpers.ts';

test('a 6-decimal fill frame to the running websocket client: the process lives and the fill keeps its exact fee', async () => {
  // A sub-penny price grid, no market maker (so the book holds only what the test places).
  const rig = await startRig({ mmTickMs: 0, priceGrid: { structure: 'center_centi_edge_centi_cent', ranges: [{ start: '0.0001', end: '0.9999', step: '0.0001' }] } });
  const lines: string[] = [];
  const ws = new KalshiWsClient({ url: rig.sim.wsUrl, signer: rig.signer, clock: rig.clock, logger: captureLogger(lines) });
  const fills: VenueFill[] = [];
  ws.on((e) => {
    if (e.kind === 'fill') fills.push(e.fill);
  });
  // Raw frames as the socket delivers them, to see the wire text.
  const raw: string[] = [];
  const spy = new WebSocket(rig.sim.wsUrl, { headers: rig.signer.headers('GET', rig.sim.wsUrl) });
  spy.on('message', (d) => raw.push(d.toString()));
  const spyOpen = new Promise<void>((resolve, reject) => {
    spy.once('open', () => resolve());
    spy.once('error', reject);
  });
  try {
    ws.watchAccount();
    await ws.start();
    await spyOpen;
    spy.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['fill'] } }));
    await until(rig.clock, () => ws.isSubscribed('fill') && raw.some((r) => r.includes('"subscribed"')), 'fill channel subscribed');

    const ticker = [...rig.sim.exchange.markets.values()].find((m) => m.spec.series === 'INXU' && m.spec.closeMs === etToMs(SIM_DATE, '11:00'))!.spec.ticker;
    // Another member rests an ask at $0.3301; we take 0.03 of it.
    rig.sim.exchange.create('sim:other-member', { ticker, side: 'ask', price: '0.3301', count: '1.00', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' });
    const r = await rig.rest.createOrder({ ticker, client_order_id: 'six-dp-1', side: 'bid', count: '0.03', price: '0.3301', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross' });
    assert.equal(r.fill_count, '0.03');

    await until(rig.clock, () => fills.length === 1 && raw.some((x) => x.includes('"type":"fill"')), 'the fill frame');
    const wire = JSON.parse(raw.find((x) => x.includes('"type":"fill"'))!) as { msg: { fee_cost: string } };
    assert.equal(wire.msg.fee_cost, '0.010097', 'the frame carries a 6-decimal fee');
    assert.deepEqual(
      { orderId: fills[0]!.orderId, price: fills[0]!.price, size: fills[0]!.size, isTaker: fills[0]!.isTaker, feeMicros: fills[0]!.feeMicros, side: fills[0]!.side },
      { orderId: r.order_id, price: 3301, size: 3, isTaker: true, feeMicros: 10_097, side: 'buy' },
    );
    assert.equal(ws.stats.rejectedFrames, 0);
    assert.equal(ws.connected, true, 'still connected');

    // The REST side agrees to the micro-dollar, and the client keeps working after the frame.
    const [restFill] = await rig.rest.listFills({ order_id: r.order_id });
    assert.equal(restFill?.fee_cost, '0.010097');
    assert.equal((await rig.rest.getOrder(r.order_id)).taker_fees_dollars, '0.010097');
    const r2 = await rig.rest.createOrder({ ticker, client_order_id: 'six-dp-2', side: 'bid', count: '0.03', price: '0.3301', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross' });
    await until(rig.clock, () => fills.length === 2, 'a second fill after the first');
    // Second fill of another order: its own accumulator, same net fee.
    assert.equal(fills[1]!.orderId, r2.order_id);
    assert.equal(fills[1]!.feeMicros, 10_097);
  } finally {
    spy.terminate();
    await ws.stop();
    await rig.close();
  }
});

test('the simulator rounds fees as documented: trade fee up to $0.0001, rounding fee to $0.01, a cent rebated from the per-order accumulator', async () => {
  const rig = await startRig({ mmTickMs: 0 });
  try {
    const ex = rig.sim.exchange;
    const ticker = [...ex.markets.values()].find((m) => m.spec.series === 'INXU' && m.spec.closeMs === etToMs(SIM_DATE, '11:00'))!.spec.ticker;
    // As in docs.kalshi.com getting_started/fee_rounding ("buy 0.90 contracts at $0.50, three 0.30-lot
    // matches"), with our series' taker rule: trade fee ceil(0.07 × 0.30 × 0.5 × 0.5) = $0.0053; balance
    // change −$0.1553 floored to −$0.16, rounding fee $0.0047; the accumulator passes $0.01 on the third fill.
    for (let i = 0; i < 3; i++) ex.create('sim:other-member', { ticker, side: 'ask', price: '0.5000', count: '0.30', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker' });
    const r = await rig.rest.createOrder({ ticker, client_order_id: 'rebate-1', side: 'bid', count: '0.90', price: '0.5000', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross' });
    const fees = (await rig.rest.listFills({ order_id: r.order_id })).map((f) => f.fee_cost).reverse();
    assert.deepEqual(fees, ['0.0100', '0.0100', '0.0000']);
    assert.equal((await rig.rest.getOrder(r.order_id)).taker_fees_dollars, '0.0200');
  } finally {
    await rig.close();
  }
});
