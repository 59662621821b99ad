/**
 * Fuzz: Kalshi websocket frames. 10 000 generated runs (seeded fast-check, shrinking on failure), each a
 * short sequence of frames — mutations of the AsyncAPI samples of every payload type, arbitrary JSON and
 * text — fed through `KalshiWsClient.receive`, the socket's own path. It never throws; every frame is
 * counted once (applied, ignored or rejected); books stay exact (integer prices in (0, $1), positive sizes)
 * or are withheld; every event it emits carries exact integers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import type { VenueStreamEvent } from '../../src/ports/venue.ts';
import { KEY_ID, testKeys } from '../kalshi/helpers.ts';
import { WS_SAMPLES, WS_TICKER } from './kalshi-asyncapi.ts';
import { FUZZ_RUNS, FUZZ_SEED, hostileText, withoutStacks } from './fuzz-arbitraries.ts';

const isInt = (x: unknown) => Number.isSafeInteger(x);

function checkEvent(e: VenueStreamEvent): void {
  switch (e.kind) {
    case 'book':
      for (const l of [...e.book.yesBids, ...e.book.noBids]) assert.ok(isInt(l.price) && l.price > 0 && l.price < 10_000 && isInt(l.size) && l.size > 0, `book level ${l.price}/${l.size}`);
      break;
    case 'fill':
      assert.ok(isInt(e.fill.price) && isInt(e.fill.size) && isInt(e.fill.feeMicros) && e.fill.feeMicros >= 0, `fill ${JSON.stringify(e.fill)}`);
      break;
    case 'trade':
      assert.ok(isInt(e.trade.price) && isInt(e.trade.size), `trade ${JSON.stringify(e.trade)}`);
      break;
    case 'order':
      assert.ok(isInt(e.order.price) && isInt(e.order.filled) && isInt(e.order.remaining), `order ${JSON.stringify(e.order)}`);
      break;
    case 'ticker':
      for (const p of [e.top.yesBid, e.top.yesAsk, e.top.lastPrice]) assert.ok(p === undefined || (isInt(p) && p >= 0 && p <= 10_000), `ticker ${JSON.stringify(e.top)}`);
      break;
    case 'lifecycle':
      assert.ok(e.update.settlementValue === undefined || isInt(e.update.settlementValue), `lifecycle ${JSON.stringify(e.update)}`);
      break;
    default:
  }
}

test('fuzz: Kalshi websocket frames (10 000 runs of 1–4 frames, seeded): never a throw, every frame counted, books exact', () => {
  const clock = new VirtualClock(1763652300000);
  const signer = KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, clock);
  const samples = Object.values(WS_SAMPLES);
  let frames = 0;
  let rejected = 0;
  fc.assert(
    fc.property(fc.array(hostileText(samples), { minLength: 1, maxLength: 4 }), (texts) => {
      const ws = new KalshiWsClient({ url: 'ws://127.0.0.1:9/trade-api/ws/v2', signer, clock });
      const events: VenueStreamEvent[] = [];
      ws.on((e) => events.push(e));
      ws.watchBooks([WS_TICKER]);
      ws.watchAccount();
      ws.receive(JSON.stringify({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 7 } }));
      ws.receive(JSON.stringify(WS_SAMPLES.orderbookSnapshotPayload));
      for (const t of texts) assert.doesNotThrow(() => withoutStacks(() => ws.receive(t)));
      const s = ws.stats;
      assert.equal(s.frames, texts.length + 2);
      const perChannel = Object.values(s.rejectedByChannel).reduce((a, b) => a + b, 0);
      assert.equal(perChannel, s.rejectedFrames, 'per-channel counters add up');
      assert.ok(s.rejectedFrames + s.ignoredFrames <= texts.length, 'counted at most once');
      const book = ws.book(WS_TICKER);
      if (book) checkEvent({ kind: 'book', book });
      for (const e of events) checkEvent(e);
      frames += texts.length;
      rejected += s.rejectedFrames;
    }),
    { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
  );
  assert.ok(frames >= FUZZ_RUNS && rejected > 0 && rejected < frames, `frames ${frames}, rejected ${rejected}`);
});
