/**
 * Kalshi websocket conformance: frames built from the official AsyncAPI payload schemas (kalshi-asyncapi.ts)
 * — full, every optional field omitted, unknown extra fields at every level, and one required field nulled
 * at a time — go through `KalshiWsClient.receive`, the same path a socket frame takes. Spec-allowed frames
 * are applied (book, ticker, trade, fill, order, lifecycle events come out); bad ones are skipped, counted
 * per channel and logged; nothing throws.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import type { VenueStreamEvent } from '../../src/ports/venue.ts';
import { captureLogger, KEY_ID, testKeys } from '../kalshi/helpers.ts';
import { WS_MODELS, WS_SAMPLES, WS_TICKER } from './kalshi-asyncapi.ts';
import { makeVariant, missingFields, nullRequiredVariants, type ModelLookup } from './variants.ts';

const lookup: ModelLookup = (n) => WS_MODELS[n];
/** The AsyncAPI schema is not nullable anywhere, so `nulls` equals `full`; the rest apply. */
const VARIANTS = ['full', 'minimal', 'extras', 'minimal+extras'] as const;

function client() {
  const clock = new VirtualClock(1763652300000);
  const lines: string[] = [];
  const ws = new KalshiWsClient({ url: 'ws://127.0.0.1:9/trade-api/ws/v2', signer: KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, clock), clock, logger: captureLogger(lines) });
  const events: VenueStreamEvent[] = [];
  ws.on((e) => events.push(e));
  ws.watchBooks([WS_TICKER]);
  ws.watchAccount();
  // The book subscription's sid, as a server would confirm it.
  ws.receive(JSON.stringify({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 7 } }));
  return { ws, events, lines };
}

/** Feeds one frame (after a snapshot, for deltas); returns what came out. Throws only on a test failure. */
function feed(name: string, frame: unknown) {
  const c = client();
  if (name === 'orderbookDeltaPayload') c.ws.receive(JSON.stringify(WS_SAMPLES.orderbookSnapshotPayload));
  const before = c.ws.stats.rejectedFrames;
  const eventsBefore = c.events.length;
  assert.doesNotThrow(() => c.ws.receive(JSON.stringify(frame)), `${name}: receive threw`);
  return { ...c, rejected: c.ws.stats.rejectedFrames - before, fresh: c.events.slice(eventsBefore) };
}

const EXPECTED_EVENT: Record<string, VenueStreamEvent['kind'] | undefined> = {
  orderbookSnapshotPayload: 'book',
  orderbookDeltaPayload: 'book',
  tickerPayload: 'ticker',
  tradePayload: 'trade',
  fillPayload: 'fill',
  userOrderPayload: 'order',
  marketLifecycleV2Payload: 'lifecycle',
};

let frames = 0;

describe('Kalshi websocket conformance (AsyncAPI 2.0.0 payloads)', () => {
  test('the samples are complete: every field each payload schema defines is present', () => {
    for (const [name, sample] of Object.entries(WS_SAMPLES)) assert.deepEqual(missingFields(sample, name, lookup), [], name);
  });

  for (const name of Object.keys(WS_SAMPLES)) {
    test(`${name}: spec-allowed frames are applied, bad ones skipped and counted`, () => {
      for (const v of VARIANTS) {
        const r = feed(name, makeVariant(WS_SAMPLES[name], name, lookup, v));
        frames++;
        assert.equal(r.rejected, 0, `${name} ${v} rejected: ${r.lines.filter((l) => l.includes('rejected')).join(' | ')}`);
        const kind = EXPECTED_EVENT[name];
        if (kind) assert.ok(r.fresh.some((e) => e.kind === kind), `${name} ${v}: no ${kind} event`);
      }
      for (const [path, frame] of nullRequiredVariants(WS_SAMPLES[name], name, lookup)) {
        const r = feed(name, frame);
        frames++;
        if (r.rejected > 0) {
          assert.equal(r.rejected, 1, `${name} ${path}`);
          const channel = Object.keys(r.ws.stats.rejectedByChannel)[0]!;
          assert.ok(r.lines.some((l) => l.includes('frame rejected') && l.includes(`"channel":"${channel}"`) && l.includes('"reason"')), `${name} ${path}: not logged with channel and reason`);
        }
      }
    });
  }

  test('the 6-decimal fill keeps its exact fee in micro-dollars; null STP and null book sides are fine', () => {
    const r = feed('fillPayload', WS_SAMPLES.fillPayload);
    const fill = r.fresh.find((e) => e.kind === 'fill');
    assert.ok(fill?.kind === 'fill', 'no fill event');
    assert.equal(fill.fill.feeMicros, 10_097);
    assert.equal(fill.fill.price, 3301);
    assert.equal(fill.fill.size, 3);
    const o = feed('userOrderPayload', { ...WS_SAMPLES.userOrderPayload, msg: { ...WS_SAMPLES.userOrderPayload!.msg as object, self_trade_prevention_type: null } });
    assert.equal(o.rejected, 0, 'null STP on user_order');
    const b = feed('orderbookSnapshotPayload', { ...WS_SAMPLES.orderbookSnapshotPayload, msg: { market_ticker: WS_TICKER, market_id: 'x', yes_dollars_fp: null, no_dollars_fp: null } });
    assert.equal(b.rejected, 0, 'null book sides');
    assert.deepEqual(b.ws.book(WS_TICKER)?.yesBids, []);
    frames += 3;
  });

  test('garbage, seven-decimal fees and off-grid prices are skipped and counted per channel; a rejected book frame resyncs the book', () => {
    const c = client();
    c.ws.receive(JSON.stringify(WS_SAMPLES.orderbookSnapshotPayload));
    assert.ok(c.ws.book(WS_TICKER), 'book synced');
    const bad: [string, string][] = [
      ['not json', 'unknown'],
      ['42', 'unknown'],
      ['{"msg":{}}', 'unknown'],
      [JSON.stringify({ ...WS_SAMPLES.fillPayload, msg: { ...(WS_SAMPLES.fillPayload!.msg as object), fee_cost: '0.0100971' } }), 'fill'],
      [JSON.stringify({ ...WS_SAMPLES.tradePayload, msg: { ...(WS_SAMPLES.tradePayload!.msg as object), yes_price_dollars: '0.45001' } }), 'trade'],
      [JSON.stringify({ type: 'error', msg: { code: 'x' } }), 'control'],
      [JSON.stringify({ ...WS_SAMPLES.orderbookDeltaPayload, seq: 2, msg: { ...(WS_SAMPLES.orderbookDeltaPayload!.msg as object), delta_fp: 'lots' } }), 'orderbook_delta'],
    ];
    for (const [text] of bad) assert.doesNotThrow(() => c.ws.receive(text));
    frames += bad.length;
    assert.equal(c.ws.stats.rejectedFrames, bad.length);
    assert.deepEqual(c.ws.stats.rejectedByChannel, { unknown: 3, fill: 1, trade: 1, control: 1, orderbook_delta: 1 });
    assert.equal(c.ws.book(WS_TICKER), undefined, 'the book is withheld after a lost delta');
    assert.ok(c.events.some((e) => e.kind === 'book_stale'), 'book_stale emitted');
    // Unknown types (channels we do not use) are ignored, not rejected.
    c.ws.receive(JSON.stringify({ type: 'event_lifecycle', sid: 3, msg: {} }));
    assert.equal(c.ws.stats.ignoredFrames, 1);
    // The next snapshot brings the book back.
    c.ws.receive(JSON.stringify({ ...WS_SAMPLES.orderbookSnapshotPayload, seq: 3 }));
    assert.ok(c.ws.book(WS_TICKER), 'book back after the snapshot');
  });

  test('a listener that throws is contained', () => {
    const c = client();
    c.ws.on(() => {
      throw new Error('listener bug');
    });
    assert.doesNotThrow(() => c.ws.receive(JSON.stringify(WS_SAMPLES.tradePayload)));
    assert.ok(c.lines.some((l) => l.includes('listener threw')), 'logged');
  });

  test('frame count', (t) => {
    t.diagnostic(`${frames} websocket frames over ${Object.keys(WS_SAMPLES).length} payload types`);
    assert.ok(frames >= 100, `only ${frames}`);
  });
});
