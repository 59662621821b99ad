/**
 * The official client (npm kalshi-typescript 3.30.0, generated from Kalshi's OpenAPI spec) against our
 * simulator: the endpoints we share answer in shapes the spec's client accepts, and its signatures
 * (made with a real key pair and wall-clock time) verify.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Configuration, ExchangeApi, MarketApi, OrdersApi } from 'kalshi-typescript';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { SystemClock } from '../../src/adapters/clock/system-clock.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { startKalshiSim, type KalshiSim } from '../../src/sim/kalshi/server.ts';
import { SIM_DATE } from './helpers.ts';

describe('official SDK kalshi-typescript 3.30.0 vs the simulator', () => {
  let sim: KalshiSim;
  let config: Configuration;
  const keyId = crypto.randomUUID();

  before(async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    sim = await startKalshiSim({
      clock: new VirtualClock(etToMs(SIM_DATE, '09:45')),
      // The SDK signs with Date.now(); check its timestamps against wall time.
      signatureClock: new SystemClock(),
      seed: 3,
      dateEt: SIM_DATE,
      thresholdStrikes: 7,
      rangeBins: 4,
      apiKeyId: keyId,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    config = new Configuration({ apiKey: keyId, privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), basePath: sim.restBase });
  });
  after(() => sim.close());

  test('exchange status, markets, market, order book(s), V2 create and cancel', async () => {
    const status = (await new ExchangeApi(config).getExchangeStatus()).data;
    assert.equal(status.exchange_active, true);
    assert.equal(typeof status.trading_active, 'boolean');

    const market = new MarketApi(config);
    const page = (await market.getMarkets(5, undefined, undefined, 'KXINXU')).data;
    assert.equal(page.markets.length, 5);
    assert.ok(page.cursor, 'more pages');
    const page2 = (await market.getMarkets(5, page.cursor, undefined, 'KXINXU')).data;
    assert.notEqual(page2.markets[0]!.ticker, page.markets[0]!.ticker);
    const m = page.markets.find((x) => Number(x.yes_bid_dollars) > 0.05 && Number(x.yes_ask_dollars) < 0.95)!;
    assert.ok(m, 'a market with a two-sided book');
    assert.match(m.ticker, /^KXINXU-26NOV20H\d{4}-T\d+$/);
    assert.equal(m.strike_type, 'greater_or_equal');
    assert.equal(typeof m.floor_strike, 'number');
    assert.deepEqual(m.price_ranges, [{ start: '0.0100', end: '0.9900', step: '0.0100' }]);
    const one = (await market.getMarket(m.ticker)).data.market;
    assert.equal(one.ticker, m.ticker);
    const ob = (await market.getMarketOrderbook(m.ticker)).data.orderbook_fp;
    assert.ok(ob.yes_dollars.length > 0 && ob.no_dollars.length > 0);
    assert.equal(ob.yes_dollars.at(-1)![0], one.yes_bid_dollars, 'best YES bid is the last level');
    const obs = (await market.getMarketOrderbooks([m.ticker, page.markets[0]!.ticker])).data.orderbooks;
    assert.deepEqual(obs.map((b) => b.ticker), [m.ticker, page.markets[0]!.ticker]);

    const orders = new OrdersApi(config);
    const price = (Number(one.yes_bid_dollars) - 0.01).toFixed(4);
    const created = (await orders.createOrderV2({ ticker: m.ticker, client_order_id: 'sdk-1', side: 'bid', count: '2.00', price, time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true })).data;
    assert.equal(created.client_order_id, 'sdk-1');
    assert.equal(created.remaining_count, '2.00');
    assert.equal(created.fill_count, '0.00');
    assert.equal(typeof created.ts_ms, 'number');
    const cancelled = (await orders.cancelOrderV2(created.order_id, undefined, undefined, m.ticker)).data;
    assert.equal(cancelled.order_id, created.order_id);
    assert.equal(cancelled.reduced_by, '2.00');

    // A post-only cross comes back as the documented error body.
    await assert.rejects(
      orders.createOrderV2({ ticker: m.ticker, client_order_id: 'sdk-2', side: 'bid', count: '1.00', price: one.yes_ask_dollars, time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true }),
      (e: { response?: { status: number; data: { error: { code: string; details: string } } } }) => e.response?.status === 400 && e.response.data.error.details === 'post only cross',
    );
  });
});
