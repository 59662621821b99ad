import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner, parsePrivateKeyPem, signText, signingText, KalshiKeyError } from '../../src/adapters/kalshi/auth.ts';
import { KalshiApiError, KalshiTransportError } from '../../src/adapters/kalshi/errors.ts';
import { KalshiRestClient, type CreateOrderV2Request } from '../../src/adapters/kalshi/rest-client.ts';
import { toLadderEvent, toMarket, toOrderBook, toMaintenanceWindows } from '../../src/adapters/kalshi/convert.ts';
import { resolveKalshiEndpoints } from '../../src/adapters/kalshi/endpoints.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { captureLogger, drive, KEY_ID, SIM_DATE, startRig, testKeys, type Rig } from './helpers.ts';

const ORDER = (over: Partial<CreateOrderV2Request> = {}): CreateOrderV2Request => ({
  ticker: '',
  client_order_id: crypto.randomUUID(),
  side: 'bid',
  count: '1.00',
  price: '0.0100',
  time_in_force: 'good_till_canceled',
  self_trade_prevention_type: 'maker',
  post_only: true,
  ...over,
});

describe('Kalshi REST client against the simulator', () => {
  let rig: Rig;
  let threshold: string;
  before(async () => {
    rig = await startRig();
    threshold = [...rig.sim.exchange.markets.values()].find((m) => m.spec.series === 'INXU' && m.spec.closeMs === etToMs(SIM_DATE, '11:00') && m.bids.length > 0 && m.asks.length > 0 && m.asks[0]!.price - m.bids[0]!.price >= 300)!.spec.ticker;
  });
  after(() => rig.close());

  test('hosts resolve from KALSHI_ENV / overrides', () => {
    assert.equal(resolveKalshiEndpoints({}).restBase, 'https://external-api.kalshi.com/trade-api/v2');
    assert.equal(resolveKalshiEndpoints({ KALSHI_ENV: 'demo' }).restBase, 'https://external-api.demo.kalshi.co/trade-api/v2');
    assert.equal(resolveKalshiEndpoints({ KALSHI_ENV: 'demo' }).wsUrl, 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2');
    assert.equal(resolveKalshiEndpoints({ KALSHI_API_BASE: 'http://127.0.0.1:9/trade-api/v2/' }).restBase, 'http://127.0.0.1:9/trade-api/v2');
  });

  test('signature: RSA-PSS over timestamp+METHOD+path (no query); PKCS#1 and PKCS#8 keys; secrets never printed', () => {
    const keys = testKeys();
    const clock = new VirtualClock(1_703_123_456_789);
    for (const pem of [keys.privatePem, keys.privatePkcs8Pem]) {
      const signer = KalshiSigner.fromPem(KEY_ID, pem, clock);
      const h = signer.headers('get', 'https://x.invalid/trade-api/v2/portfolio/orders?limit=5');
      assert.equal(h['KALSHI-ACCESS-TIMESTAMP'], '1703123456789');
      const ok = crypto.verify('sha256', Buffer.from('1703123456789GET/trade-api/v2/portfolio/orders'), {
        key: crypto.createPublicKey(keys.publicPem),
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }, Buffer.from(h['KALSHI-ACCESS-SIGNATURE']!, 'base64'));
      assert.ok(ok, 'signature verifies with salt = 32 (digest length)');
      assert.ok(!JSON.stringify({ signer }).includes(KEY_ID));
    }
    assert.throws(() => parsePrivateKeyPem('-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----'), (e: Error) => e instanceof KalshiKeyError && !e.message.includes('not a key'));
  });

  test('signed portfolio requests are accepted (query string not signed)', async () => {
    const bal = await rig.rest.getBalance();
    assert.equal(bal.balance, 1_000_000);
    assert.equal(bal.balance_dollars, '10000.0000');
    const page = await rig.rest.getOrdersPage({ ticker: threshold, limit: 5 });
    assert.deepEqual(page.items, []);
  });

  test('a tampered signature and a foreign key are rejected with 401', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const bad = new KalshiRestClient({ baseUrl: rig.sim.restBase, clock: rig.clock, signer: KalshiSigner.fromPem(KEY_ID, other, rig.clock) });
    await assert.rejects(bad.getBalance(), (e: unknown) => e instanceof KalshiApiError && e.status === 401 && e.code === 'unauthorized');
    // Same key, but the signature is for a different path: tampering in transit.
    const h = rig.signer.headers('GET', '/trade-api/v2/portfolio/fills');
    const res = await fetch(`${rig.sim.restBase}/portfolio/balance`, { headers: h });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    // A flipped byte in an otherwise valid signature.
    const good = rig.signer.headers('GET', '/trade-api/v2/portfolio/balance');
    const sig = Buffer.from(good['KALSHI-ACCESS-SIGNATURE']!, 'base64');
    sig[10] = sig[10]! ^ 0xff;
    const res2 = await fetch(`${rig.sim.restBase}/portfolio/balance`, { headers: { ...good, 'KALSHI-ACCESS-SIGNATURE': sig.toString('base64') } });
    assert.equal(res2.status, 401);
  });

  test('a stale timestamp is rejected with 401', async () => {
    const lagging = new VirtualClock(rig.clock.now() - 120_000);
    const stale = new KalshiRestClient({ baseUrl: rig.sim.restBase, clock: rig.clock, signer: KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, lagging) });
    await assert.rejects(stale.getBalance(), (e: unknown) => e instanceof KalshiApiError && e.status === 401 && /timestamp/.test(e.exchangeMessage));
    const ts = String(rig.clock.now() - 120_000);
    const sig = signText(parsePrivateKeyPem(testKeys().privatePem), signingText(ts, 'GET', '/trade-api/v2/portfolio/balance'));
    const res = await fetch(`${rig.sim.restBase}/portfolio/balance`, { headers: { 'KALSHI-ACCESS-KEY': KEY_ID, 'KALSHI-ACCESS-TIMESTAMP': ts, 'KALSHI-ACCESS-SIGNATURE': sig } });
    assert.equal(res.status, 401);
  });

  test('exchange status and schedule (maintenance windows as epoch ms)', async () => {
    const st = await rig.rest.getExchangeStatus();
    assert.equal(st.exchange_active, true);
    assert.equal(st.trading_active, true);
    const sched = await rig.rest.getExchangeSchedule();
    assert.equal(sched.standard_hours.length, 1);
    assert.equal(sched.standard_hours[0]!.thursday.length, 2);
    const mw = toMaintenanceWindows(sched);
    assert.ok(mw.length >= 1);
    // The standing Thursday 03:00–05:00 ET pause of the sim week (2026-11-19).
    assert.deepEqual(mw[0], { startMs: etToMs('2026-11-19', '03:00'), endMs: etToMs('2026-11-19', '05:00') });
  });

  test('series fees, events with nested markets (cursor pagination), markets, market', async () => {
    const series = await rig.rest.getSeries('KXINXU');
    assert.equal(series.fee_type, 'quadratic');
    assert.equal(series.fee_multiplier, 1);
    const first = await rig.rest.getEventsPage({ series_ticker: 'KXINXU', limit: 3, with_nested_markets: true });
    assert.equal(first.items.length, 3);
    assert.ok(first.cursor);
    const all = await rig.rest.listEvents({ series_ticker: 'KXINXU', limit: 2, with_nested_markets: true });
    assert.equal(all.length, 7, 'H1000 … H1600');
    assert.deepEqual(all.map((e) => e.event_ticker.split('-')[1]), ['26NOV20H1000', '26NOV20H1100', '26NOV20H1200', '26NOV20H1300', '26NOV20H1400', '26NOV20H1500', '26NOV20H1600']);
    const ev = toLadderEvent(all[0]!, { feeType: series.fee_type, multiplier: series.fee_multiplier });
    assert.equal(ev.series, 'INXU');
    assert.equal(ev.closeTimeMs, etToMs(SIM_DATE, '10:00'));
    assert.equal(ev.markets.length, 9);
    for (const m of ev.markets) {
      assert.equal(m.strikeType, 'greater_or_equal');
      assert.equal(m.floorStrike! % 25, 0);
      assert.deepEqual(m.priceRanges, [{ start: 100, end: 9900, step: 100 }]);
    }
    const range = await rig.rest.listEvents({ series_ticker: 'KXNASDAQ100', with_nested_markets: true });
    assert.equal(range.length, 1);
    const r = toLadderEvent(range[0]!);
    const types = r.markets.map((m) => m.strikeType);
    assert.equal(types.filter((t) => t === 'between').length, 6);
    assert.deepEqual([types[0], types.at(-1)], ['less', 'greater']);
    // Bins partition the line: each floor = previous floor + 100, cap = floor + 99.99.
    const bins = r.markets.filter((m) => m.strikeType === 'between');
    for (const b of bins) assert.equal(Number((b.capStrike! - b.floorStrike!).toFixed(4)), 99.99);
    const mkts = await rig.rest.listMarkets({ event_ticker: all[1]!.event_ticker, limit: 4 });
    assert.equal(mkts.length, 9);
    const one = toMarket(await rig.rest.getMarket(threshold));
    assert.equal(one.ticker, threshold);
    assert.equal(one.status, 'active');
    assert.ok(one.yesBid! < one.yesAsk!);
    const nested = await rig.rest.getEvent(all[2]!.event_ticker);
    assert.equal(nested.markets?.length, 9);
    await assert.rejects(rig.rest.getMarket('KXINXU-26NOV20H1000-T1'), (e: unknown) => e instanceof KalshiApiError && e.status === 404 && e.code === 'not_found');
  });

  test('order books: bids only per side, ascending on the wire → best-first domain book', async () => {
    const fp = await rig.rest.getOrderbook(threshold);
    assert.ok(fp.yes_dollars.length > 0 && fp.no_dollars.length > 0);
    const prices = fp.yes_dollars.map(([p]) => Number(p));
    assert.deepEqual(prices, [...prices].sort((a, b) => a - b), 'ascending, best last');
    const book = toOrderBook(threshold, fp, rig.clock.now());
    assert.equal(book.yesBids[0]!.price, Math.round(Number(fp.yes_dollars.at(-1)![0]) * 10000));
    const m = toMarket(await rig.rest.getMarket(threshold));
    assert.equal(book.yesBids[0]!.price, m.yesBid);
    assert.equal(10000 - book.noBids[0]!.price, m.yesAsk, 'YES ask = $1 − best NO bid');
    const many = await rig.rest.getOrderbooks([threshold, threshold.replace(/T\d+$/, (t) => `T${Number(t.slice(1)) + 25}`)]);
    assert.equal(many.length, 2);
  });

  test('V2 create / amend / decrease / cancel, orders, fills, positions; post-only cross rejected', async () => {
    const ex = rig.sim.exchange;
    const m = ex.markets.get(threshold)!;
    const bestBid = m.bids[0]!.price;
    const bestAsk = m.asks[0]!.price;
    const cross = ORDER({ ticker: threshold, price: (bestAsk / 10000).toFixed(4) });
    await assert.rejects(rig.rest.createOrder(cross), (e: unknown) => e instanceof KalshiApiError && e.isPostOnlyCross && e.status === 400);

    const req = ORDER({ ticker: threshold, price: ((bestBid - 100) / 10000).toFixed(4), count: '3.00' });
    const created = await rig.rest.createOrder(req);
    assert.equal(created.duplicate, false);
    assert.equal(created.remaining_count, '3.00');
    const amended = await rig.rest.amendOrder(created.order_id, { ticker: threshold, side: 'bid', price: ((bestBid - 200) / 10000).toFixed(4), count: '4.00' });
    assert.equal(amended.remaining_count, '4.00');
    const dec = await rig.rest.decreaseOrder(created.order_id, { reduce_to: '2.00' });
    assert.equal(dec.remaining_count, '2.00');
    const o = await rig.rest.getOrder(created.order_id);
    assert.equal(o.status, 'resting');
    assert.equal(o.client_order_id, req.client_order_id);
    assert.equal(o.book_side, 'bid');
    assert.equal(o.yes_price_dollars, ((bestBid - 200) / 10000).toFixed(4));
    const cancel = await rig.rest.cancelOrder(created.order_id, { marketTicker: threshold });
    assert.equal(cancel.reduced_by, '2.00');
    await assert.rejects(rig.rest.cancelOrder(created.order_id), (e: unknown) => e instanceof KalshiApiError && e.status === 404);

    // A taker lifts our ask: fills, positions, balance all move.
    assert.ok(bestAsk - bestBid >= 300, 'the maker leaves room inside its spread');
    const ask = await rig.rest.createOrder(ORDER({ ticker: threshold, side: 'ask', price: ((bestAsk - 100) / 10000).toFixed(4), count: '2.00' }));
    ex.takerOrder(threshold, 'bid', bestAsk - 100, 10_000);
    const fills = await rig.rest.listFills({ ticker: threshold });
    assert.equal(fills.length, 1);
    assert.equal(fills[0]!.order_id, ask.order_id);
    assert.equal(fills[0]!.book_side, 'ask');
    assert.equal(fills[0]!.is_taker, false);
    assert.equal(fills[0]!.fee_cost, '0.0000', 'index series: no maker fee under plain quadratic');
    const pos = await rig.rest.listPositions({ ticker: threshold });
    assert.equal(pos[0]!.position_fp, '-2.00');
    const executed = await rig.rest.listOrders({ ticker: threshold, status: "executed" });
    assert.equal(executed.length, 1);

    // Batch create (one post-only cross fails per item) and batch cancel.
    const b = await rig.rest.batchCreateOrders([
      ORDER({ ticker: threshold, price: ((bestBid - 300) / 10000).toFixed(4) }),
      ORDER({ ticker: threshold, price: '0.9900' }),
    ]);
    assert.ok(b[0]!.order_id && !b[0]!.error);
    assert.equal(b[1]!.error?.details, 'post only cross');
    const bc = await rig.rest.batchCancelOrders([{ order_id: b[0]!.order_id! }, { order_id: 'nope' }]);
    assert.equal(bc[0]!.reduced_by, '1.00');
    assert.equal(bc[1]!.error?.code, 'not_found');
  });

  test('self-trade prevention: maker mode cancels our resting order instead of trading with it', async () => {
    const ex = rig.sim.exchange;
    const ticker = [...ex.markets.values()].find((m) => m.spec.series === 'INXU' && m.spec.closeMs === etToMs(SIM_DATE, '12:00') && m.asks.length > 0 && m.bids.length > 0)!.spec.ticker;
    const m = ex.markets.get(ticker)!;
    const inside = m.bids[0]!.price + 100;
    if (inside >= m.asks[0]!.price) return; // no room inside the spread for this seed
    const rest = await rig.rest.createOrder(ORDER({ ticker, side: 'ask', price: (inside / 10000).toFixed(4), count: '1.00' }));
    const take = await rig.rest.createOrder(ORDER({ ticker, side: 'bid', price: (inside / 10000).toFixed(4), post_only: false, time_in_force: 'immediate_or_cancel' }));
    assert.equal(take.fill_count, '0.00');
    assert.equal((await rig.rest.getOrder(rest.order_id)).status, 'canceled');
  });

  test('429 without headers → exponential backoff, then success', async () => {
    const retries: string[] = [];
    const lines: string[] = [];
    const client = new KalshiRestClient({ baseUrl: rig.sim.restBase, clock: rig.clock, signer: rig.signer, retry: { baseDelayMs: 100, maxDelayMs: 1000 }, onRetry: (i) => retries.push(`${i.reason}@${i.delayMs}`), logger: captureLogger(lines) });
    rig.sim.controls.inject429(3, { pathPrefix: '/exchange/status' });
    const st = await drive(rig.clock, client.getExchangeStatus());
    assert.equal(st.exchange_active, true);
    assert.equal(retries.length, 3);
    assert.ok(retries.every((r) => r.startsWith('HTTP 429')));
    const delays = retries.map((r) => Number(r.split('@')[1]));
    assert.ok(delays[1]! > delays[0]! / 2 && delays[2]! >= 200, `delays grow: ${delays}`);
    const logged = lines.filter((l) => l.includes('kalshi request retry'));
    assert.equal(logged.length, 3);
    assert.match(logged[0]!, /"method":"GET","path":"\/exchange\/status","attempt":1,"delay_ms":\d+,"reason":"HTTP 429 too_many_requests"/);
    assert.equal(client.stats.retries, 3);
  });

  test('5xx beyond the attempt budget surfaces a typed error', async () => {
    const client = new KalshiRestClient({ baseUrl: rig.sim.restBase, clock: rig.clock, retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 } });
    rig.sim.controls.inject5xx(3, { pathPrefix: '/exchange/status', status: 503 });
    await assert.rejects(drive(rig.clock, client.getExchangeStatus()), (e: unknown) => e instanceof KalshiApiError && e.status === 503);
  });

  test('idempotent create: a lost response (500 after execution, or a dropped connection) never doubles the order', async () => {
    for (const when of ['after', 'drop'] as const) {
      const m = rig.sim.exchange.markets.get(threshold)!;
      const req = ORDER({ ticker: threshold, price: ((m.bids[0]!.price - 400) / 10000).toFixed(4), count: '2.00' });
      rig.sim.controls.inject5xx(1, { pathPrefix: '/portfolio/events/orders', when });
      const r = await drive(rig.clock, rig.rest.createOrder(req));
      assert.equal(r.duplicate, true, `${when}: resolved through the 409 + lookup path`);
      const mine = [...rig.sim.exchange.orders.values()].filter((o) => o.clientOrderId === req.client_order_id);
      assert.equal(mine.length, 1, `${when}: exactly one order exists`);
      assert.equal(r.order_id, mine[0]!.orderId);
      await rig.rest.cancelOrder(r.order_id);
    }
  });

  test('amend is not resent on a 5xx (its outcome is unknown)', async () => {
    const m = rig.sim.exchange.markets.get(threshold)!;
    const c = await rig.rest.createOrder(ORDER({ ticker: threshold, price: ((m.bids[0]!.price - 500) / 10000).toFixed(4) }));
    rig.sim.controls.inject5xx(1, { pathPrefix: '/portfolio/events/orders/', when: 'before' });
    const before = rig.sim.stats.requests.length;
    await assert.rejects(rig.rest.amendOrder(c.order_id, { ticker: threshold, side: 'bid', price: '0.0200', count: '1.00' }), (e: unknown) => e instanceof KalshiApiError && e.status === 503);
    assert.equal(rig.sim.stats.requests.length - before, 1);
    await rig.rest.cancelOrder(c.order_id);
  });

  test('the legacy V1 order endpoint answers like the exchange does', async () => {
    await assert.rejects(
      rig.rest.request('POST', '/portfolio/orders', { schema: (await import('zod')).z.unknown(), body: {}, auth: true, retry: 'rate-limit-only' }),
      (e: unknown) => e instanceof KalshiApiError && e.code === 'deprecated_v1_order_endpoint',
    );
  });

  test('a network failure is a transport error (no answer), retried then surfaced', async () => {
    const client = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:1/trade-api/v2', clock: rig.clock, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } });
    await assert.rejects(drive(rig.clock, client.getExchangeStatus()), (e: unknown) => e instanceof KalshiTransportError);
  });
});
