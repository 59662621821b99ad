import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { toOrderBook, toMarket } from '../../src/adapters/kalshi/convert.ts';
import type { OrderBook } from '../../src/core/market.ts';
import type { VenueStreamEvent } from '../../src/ports/venue.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { captureLogger, KEY_ID, SIM_DATE, startRig, until, type Rig } from './helpers.ts';

const plain = (b: OrderBook | undefined) => b && { yes: b.yesBids, no: b.noBids };

function pickTickers(rig: Rig, n: number, targetEt = '11:00'): string[] {
  return [...rig.sim.exchange.markets.values()]
    .filter((m) => m.spec.series === 'INXU' && m.spec.closeMs === etToMs(SIM_DATE, targetEt) && m.bids.length > 0 && m.asks.length > 0 && m.asks[0]!.price - m.bids[0]!.price >= 300)
    .slice(0, n)
    .map((m) => m.spec.ticker);
}

async function restBook(rig: Rig, ticker: string) {
  return plain(toOrderBook(ticker, await rig.rest.getOrderbook(ticker), 0));
}

describe('Kalshi websocket client against the simulator', () => {
  let rig: Rig;
  let ws: KalshiWsClient;
  let yesScale: KalshiWsClient;
  const events: VenueStreamEvent[] = [];
  const logs: string[] = [];
  let tickers: string[];

  before(async () => {
    rig = await startRig();
    tickers = pickTickers(rig, 2);
    ws = new KalshiWsClient({ url: rig.sim.wsUrl, signer: rig.signer, clock: rig.clock, random: () => 0.5, logger: captureLogger(logs) });
    ws.on((e) => events.push(e));
    yesScale = new KalshiWsClient({ url: rig.sim.wsUrl, signer: rig.signer, clock: rig.clock, useYesPrice: true });
    ws.watchBooks(tickers);
    ws.watchTrades(tickers);
    ws.watchAccount();
    yesScale.watchBooks(tickers);
    await Promise.all([ws.start(), yesScale.start()]);
  });
  after(async () => {
    await ws.stop();
    await yesScale.stop();
    await rig.close();
  });

  test('signed handshake; snapshots give the same best-first book as REST (NO side in NO-leg prices)', async () => {
    await until(rig.clock, () => tickers.every((t) => ws.book(t) && yesScale.book(t)), 'books synced');
    for (const t of tickers) {
      assert.deepEqual(plain(ws.book(t)), await restBook(rig, t));
      assert.deepEqual(plain(yesScale.book(t)), plain(ws.book(t)), 'use_yes_price:true is converted back to NO-leg');
      const m = toMarket(await rig.rest.getMarket(t));
      assert.equal(ws.book(t)!.yesBids[0]!.price, m.yesBid);
      assert.equal(10_000 - ws.book(t)!.noBids[0]!.price, m.yesAsk);
    }
    assert.equal(rig.sim.stats.wsHandshakes, 2);
  });

  test('a handshake with a bad signature is refused with 401', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const headers = KalshiSigner.fromPem(KEY_ID, other, rig.clock).headers('GET', rig.sim.wsUrl);
    const status = await new Promise<number>((resolve) => {
      const sock = new WebSocket(rig.sim.wsUrl, { headers });
      sock.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        sock.terminate();
      });
      sock.on('open', () => {
        resolve(101);
        sock.terminate();
      });
      sock.on('error', () => undefined);
    });
    assert.equal(status, 401);
    const client = new KalshiWsClient({ url: rig.sim.wsUrl, signer: KalshiSigner.fromPem(KEY_ID, other, rig.clock), clock: rig.clock });
    await assert.rejects(client.start(), /handshake refused: HTTP 401/);
    await client.stop();
  });

  test('signed deltas keep the local book equal to the exchange book', async () => {
    const t = tickers[0]!;
    const m = rig.sim.exchange.markets.get(t)!;
    const price = m.bids[0]!.price + 100;
    await rig.rest.createOrder({ ticker: t, client_order_id: 'ws-delta-1', side: 'bid', count: '7.00', price: (price / 10000).toFixed(4), time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true });
    await until(rig.clock, () => ws.book(t)?.yesBids[0]?.price === price, 'delta applied');
    assert.deepEqual(ws.book(t)!.yesBids[0], { price, size: 700 });
    // Let the maker move for a while (requotes → many deltas), then compare again.
    for (let i = 0; i < 20; i++) await rig.clock.advance(2000);
    // Deltas are in flight for a moment; the books must converge on the exchange's.
    for (const x of tickers) {
      const want = await restBook(rig, x);
      await until(rig.clock, () => JSON.stringify(plain(ws.book(x))) === JSON.stringify(want) && JSON.stringify(plain(yesScale.book(x))) === JSON.stringify(want), `${x} converged`);
      assert.deepEqual(plain(ws.book(x)), want);
    }
  });

  test('a seq gap withholds the book, resyncs with get_snapshot and lands on the right book', async () => {
    const t = tickers[1]!;
    const stale: string[] = [];
    const off = ws.on((e) => {
      if (e.kind === 'book_stale') stale.push(e.ticker);
    });
    const gaps = ws.stats.seqGaps;
    rig.sim.controls.skipSeq({ channel: 'orderbook_delta' });
    const m = rig.sim.exchange.markets.get(t)!;
    const price = m.asks[0]!.price - 100;
    await rig.rest.createOrder({ ticker: t, client_order_id: 'ws-gap-1', side: 'ask', count: '3.00', price: (price / 10000).toFixed(4), time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true });
    await until(rig.clock, () => ws.stats.seqGaps > gaps, 'gap detected');
    await until(rig.clock, () => ws.book(t) !== undefined && ws.book(tickers[0]!) !== undefined, 'resynced');
    off();
    assert.ok(stale.includes(t), 'book marked stale while resyncing');
    assert.equal(ws.stats.resyncs >= 1, true);
    assert.deepEqual(plain(ws.book(t)), await restBook(rig, t));
    assert.deepEqual(ws.book(t)!.noBids[0], { price: 10_000 - price, size: 300 }, 'our ask shows as a NO bid at the NO-leg price');
    assert.ok(logs.some((l) => l.includes('sequence gap')));
  });

  test('trades, our fills and our order updates stream in', async () => {
    const t = tickers[0]!;
    const m = rig.sim.exchange.markets.get(t)!;
    const price = m.asks[0]!.price - 100;
    const seen = events.length;
    const c = await rig.rest.createOrder({ ticker: t, client_order_id: 'ws-fill-1', side: 'ask', count: '2.00', price: (price / 10000).toFixed(4), time_in_force: 'good_till_canceled', self_trade_prevention_type: 'maker', post_only: true });
    rig.sim.exchange.takerOrder(t, 'bid', price, 200);
    await until(rig.clock, () => events.slice(seen).some((e) => e.kind === 'fill'), 'fill');
    await until(rig.clock, () => events.slice(seen).some((e) => e.kind === 'order' && e.order.status === 'executed'), 'order executed');
    const fresh = events.slice(seen);
    const fill = fresh.find((e) => e.kind === 'fill');
    assert.ok(fill && fill.kind === 'fill');
    assert.equal(fill.fill.orderId, c.order_id);
    assert.equal(fill.fill.side, 'sell');
    assert.equal(fill.fill.price, price);
    assert.equal(fill.fill.size, 200);
    assert.equal(fill.fill.isTaker, false);
    const trade = fresh.find((e) => e.kind === 'trade');
    assert.ok(trade && trade.kind === 'trade');
    assert.equal(trade.trade.takerSide, 'yes');
    assert.equal(trade.trade.price, price);
  });

  test('a dropped socket reconnects with a fresh signature and resubscribes', async () => {
    const connects = ws.stats.connects;
    const handshakes = rig.sim.stats.wsHandshakes;
    rig.sim.controls.dropSockets();
    await until(rig.clock, () => ws.stats.connects > connects && yesScale.stats.connects > 1, 'reconnected', 100);
    await until(rig.clock, () => tickers.every((t) => ws.book(t) && yesScale.book(t)), 'books resynced after reconnect');
    assert.ok(rig.sim.stats.wsHandshakes >= handshakes + 2);
    for (const t of tickers) assert.deepEqual(plain(ws.book(t)), await restBook(rig, t));
  });

  test('a silent socket (no ping, no frame) is treated as dead and replaced', async () => {
    const connects = ws.stats.connects;
    rig.sim.controls.freezeSockets();
    await until(rig.clock, () => ws.stats.connects > connects, 'reconnected after idle timeout', 1000);
    assert.ok(logs.some((l) => l.includes('treating the socket as dead')));
    await until(rig.clock, () => tickers.every((t) => ws.book(t)), 'books back');
  });

  test('pings alone keep a quiet socket alive', async () => {
    const connects = ws.stats.connects;
    const quiet = new KalshiWsClient({ url: rig.sim.wsUrl, signer: rig.signer, clock: rig.clock, idleTimeoutMs: 15_000 });
    await quiet.start();
    for (let i = 0; i < 12; i++) {
      await rig.clock.advance(5000);
      await new Promise((r) => setTimeout(r, 20)); // let the ping frame arrive before time moves on
    }
    assert.equal(quiet.stats.connects, 1);
    assert.equal(quiet.stats.disconnects, 0);
    await quiet.stop();
    assert.ok(ws.stats.connects >= connects);
  });

  test('terminal error 17 on a subscription → resubscribe and resync', async () => {
    const before = ws.stats.resubscribes;
    rig.sim.controls.sendWsError(17, { channel: 'orderbook_delta' });
    await until(rig.clock, () => ws.stats.resubscribes > before, 'resubscribed');
    await until(rig.clock, () => tickers.every((t) => ws.book(t)), 'books after resubscribe');
    for (const t of tickers) assert.deepEqual(plain(ws.book(t)), await restBook(rig, t));
  });

  test('malformed frames on the live socket are skipped and counted per channel; a bad book frame resyncs; the connection stays', async () => {
    const t = tickers[0]!;
    await until(rig.clock, () => ws.book(t) !== undefined, 'book synced');
    const before = { ...ws.stats, rejectedByChannel: { ...ws.stats.rejectedByChannel } };
    const connects = ws.stats.connects;
    rig.sim.controls.sendRawWs('{"type":"fill","sid":99,"msg":{"fee_cost":"0.0000001"}}');
    rig.sim.controls.sendRawWs('not json at all');
    rig.sim.controls.sendRawWs(JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: 1, msg: { market_ticker: t, price_dollars: '0.123456', delta_fp: '1.00', side: 'yes' } }));
    await until(rig.clock, () => ws.stats.rejectedFrames === before.rejectedFrames + 3, 'three rejections');
    assert.equal((ws.stats.rejectedByChannel.fill ?? 0) - (before.rejectedByChannel.fill ?? 0), 1);
    assert.equal((ws.stats.rejectedByChannel.unknown ?? 0) - (before.rejectedByChannel.unknown ?? 0), 1);
    assert.equal((ws.stats.rejectedByChannel.orderbook_delta ?? 0) - (before.rejectedByChannel.orderbook_delta ?? 0), 1);
    assert.ok(logs.some((l) => l.includes('frame rejected') && l.includes('"channel":"orderbook_delta"')), 'logged with channel and reason');
    await until(rig.clock, () => ws.book(t) !== undefined && ws.stats.resyncs > before.resyncs, 'book resynced by get_snapshot');
    assert.deepEqual(plain(ws.book(t)), await restBook(rig, t));
    assert.equal(ws.stats.connects, connects, 'no reconnect needed');
    assert.equal(ws.connected, true);
  });

  test('watching and unwatching markets while connected', async () => {
    const extra = pickTickers(rig, 1, '12:00')[0]!;
    ws.watchBooks([extra]);
    await until(rig.clock, () => ws.book(extra) !== undefined, 'added market synced');
    assert.deepEqual(plain(ws.book(extra)), await restBook(rig, extra));
    ws.unwatchBooks([extra]);
    assert.equal(ws.book(extra), undefined);
  });
});

describe('market lifecycle to settlement over the websocket', () => {
  test('determined (with the result from the index at close) then settled', async () => {
    const rig = await startRig({ startEt: '09:58', mmTickMs: 0 });
    const ws = new KalshiWsClient({ url: rig.sim.wsUrl, signer: rig.signer, clock: rig.clock });
    const updates: Extract<VenueStreamEvent, { kind: 'lifecycle' }>['update'][] = [];
    ws.on((e) => {
      if (e.kind === 'lifecycle') updates.push(e.update);
    });
    ws.watchLifecycle();
    try {
      await ws.start();
      await until(rig.clock, () => ws.isSubscribed('market_lifecycle_v2'), 'subscribed');
      const close = etToMs(SIM_DATE, '10:00');
      const h1000 = rig.sim.exchange.events.filter((e) => e.closeMs === close).flatMap((e) => e.markets.map((m) => m.ticker));
      await until(rig.clock, () => updates.filter((u) => u.kind === 'settled').length >= h1000.length, 'settled', 5000);
      const spx = rig.sim.exchange.spot('spx', close);
      for (const t of h1000) {
        const det = updates.find((u) => u.ticker === t && u.kind === 'determined');
        const set = updates.find((u) => u.ticker === t && u.kind === 'settled');
        assert.ok(det && set, t);
        const spec = rig.sim.exchange.markets.get(t)!.spec;
        if (spec.series === 'INXU') assert.equal(det.result, spx >= spec.floorStrike! ? 'yes' : 'no');
        assert.equal(det.settlementValue, det.result === 'yes' ? 10_000 : 0);
        const wire = toMarket(await rig.rest.getMarket(t));
        assert.equal(wire.status, 'finalized');
        assert.equal(wire.result, det.result);
        assert.ok(set.tsMs >= close + 60_000);
      }
      // Later events are untouched.
      const h1100 = rig.sim.exchange.events.find((e) => e.closeMs === etToMs(SIM_DATE, '11:00'))!;
      assert.equal(toMarket(await rig.rest.getMarket(h1100.markets[0]!.ticker)).status, 'active');
    } finally {
      await ws.stop();
      await rig.close();
    }
  });
});
