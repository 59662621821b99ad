/**
 * Fuzz: Massive frames and REST bodies (seeded fast-check, shrinking on failure, 10 000 inputs each).
 * Frames — arrays mixing mutated V / A / AM / status events, arbitrary JSON and text — go through the real
 * websocket feed's `receive` (decoder + handlers): it never throws, every event is delivered, ignored or
 * counted malformed, and every tick is a finite positive value with a plausible epoch-ms timestamp. REST
 * bodies go through `decodeMassiveResponse` and the row / status readers: a value or a MassiveHttpError.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { z } from 'zod';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { MassiveWsFeed } from '../../src/adapters/massive/ws-client.ts';
import { classifySnapshotRows, decodeMassiveResponse, MassiveHttpError, toMarketStatus } from '../../src/adapters/massive/rest.ts';
import { AggsResponseSchema, MarketStatusSchema, SnapshotResponseSchema } from '../../src/adapters/massive/schemas.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { FUZZ_RUNS, FUZZ_SEED, hostileText, withoutStacks } from './fuzz-arbitraries.ts';

const T = 1763650801000;
const EVENTS = [
  { ev: 'V', val: 6801.25, T: 'I:SPX', t: T },
  { ev: 'V', val: '25010.5', T: 'I:NDX', t: T },
  { ev: 'A', sym: 'I:SPX', op: 6790.1, o: 6800.1, c: 6802.8, h: 6803.4, l: 6799.2, s: T - 1000, e: T },
  { ev: 'AM', sym: 'I:NDX', op: 25000, o: 25001, c: 25002, h: 25003, l: 24999, s: T - 60_000, e: T },
  { ev: 'status', status: 'success', message: 'subscribed to: V.I:SPX' },
  { ev: 'status', status: 'max_connections', message: 'Maximum number of connections exceeded.' },
];
const FRAMES = [EVENTS.slice(0, 2), [EVENTS[2]], [EVENTS[3]], EVENTS.slice(4, 5), [EVENTS[0], EVENTS[4], EVENTS[1]], EVENTS];

const plausible = (ms: number) => Number.isSafeInteger(ms) && ms > 1e12 && ms < 1e13;

describe('fuzz: Massive (10 000 inputs each, seeded)', () => {
  for (const channel of ['V', 'A', 'AM'] as const) {
    test(`websocket frames through the feed (channel ${channel})`, () => {
      const clock = new VirtualClock(T);
      const feed = new MassiveWsFeed({ clock, url: 'ws://127.0.0.1:9/indices', apiKey: 'fuzz-key-123456', channel, random: () => 0.5 });
      const ticks: IndexTick[] = [];
      feed.onTick((t) => ticks.push(t));
      fc.assert(
        fc.property(hostileText(FRAMES), (text) => {
          const before = feed.counters();
          const n = ticks.length;
          assert.doesNotThrow(() => withoutStacks(() => feed.receive(text, T + 5)));
          const after = feed.counters();
          assert.equal(after.frames, before.frames + 1);
          assert.equal(after.failed, 0, 'a handler failed');
          for (const t of ticks.slice(n)) {
            assert.ok(Number.isFinite(t.value) && t.value > 0, `tick value ${t.value}`);
            assert.ok(plausible(t.eventTs) && t.receivedTs === T + 5, `tick times ${t.eventTs}/${t.receivedTs}`);
            assert.ok(t.symbol === 'I:SPX' || t.symbol === 'I:NDX', `symbol ${t.symbol}`);
          }
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
      const c = feed.counters();
      assert.equal(c.frames, FUZZ_RUNS);
      assert.ok(c.ticks > 0 && c.malformed > 0, `ticks ${c.ticks}, malformed ${c.malformed}`);
      assert.equal(Object.values(c.malformedByChannel).reduce((a, b) => a + b, 0), c.malformed, 'per-channel counters add up');
    });
  }

  const REST: [string, z.ZodType, unknown[], (b: never) => void][] = [
    [
      '/v3/snapshot/indices',
      SnapshotResponseSchema,
      [
        { status: 'OK', request_id: 'r', results: [{ ticker: 'I:SPX', value: 6801.25, last_updated: T * 1e6, session: { close: 6801.25 } }, { ticker: 'I:NOPE', error: 'NOT_FOUND', message: 'Ticker not found.' }, { ticker: 'I:NDX' }] },
        { status: 'ERROR', request_id: 'r', error: 'Unknown API Key' },
      ],
      (b: { results: unknown[] }) => {
        const snap = classifySnapshotRows(b.results);
        assert.equal(snap.values.length + snap.errors.length + snap.empty + snap.malformed, b.results.length);
        for (const v of snap.values) assert.ok(Number.isFinite(v.value) && v.value > 0 && (v.lastUpdatedMs === undefined || plausible(v.lastUpdatedMs)), JSON.stringify(v));
      },
    ],
    [
      '/v1/marketstatus/now',
      MarketStatusSchema,
      [{ market: 'open', serverTime: '2026-11-20T10:00:01-05:00', earlyHours: false, afterHours: null, exchanges: { nyse: 'open' }, indicesGroups: { s_and_p: 'open' } }, {}],
      (b: z.infer<typeof MarketStatusSchema>) => {
        const st = toMarketStatus(b);
        assert.ok(st.serverTimeMs === undefined || Number.isFinite(st.serverTimeMs), String(st.serverTimeMs));
      },
    ],
    [
      '/v2/aggs/ticker/I:SPX/range/1/minute/a/b',
      AggsResponseSchema,
      [{ ticker: 'I:SPX', status: 'OK', queryCount: 2, resultsCount: 2, request_id: 'r', results: [{ o: 1, h: 2, l: 0.5, c: 1.5, t: T }, { o: 1, h: 2, l: 0.5, c: 1.5, t: T + 60_000 }] }],
      (b: z.infer<typeof AggsResponseSchema>) => {
        for (const bar of b.results) assert.ok(plausible(bar.t) && [bar.o, bar.h, bar.l, bar.c].every(Number.isFinite), JSON.stringify(bar));
      },
    ],
  ];
  const status = fc.oneof({ weight: 9, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(401, 403, 429, 500, 502) });
  for (const [label, schema, samples, use] of REST) {
    test(`REST ${label}`, () => {
      const secret = 'fuzz-secret-key-0123456789';
      fc.assert(
        fc.property(hostileText(samples), status, (text, code) => {
          let body: unknown;
          try {
            body = withoutStacks(() => decodeMassiveResponse(label, code, text, schema, secret));
          } catch (e) {
            assert.ok(e instanceof MassiveHttpError, `escaped ${(e as Error)?.name}: ${(e as Error)?.message}`);
            assert.ok(e.message.length < 500 && !e.message.includes(secret) && !/[\u0000-\u001f]/.test(e.message), `unclean: ${e.message}`);
            return;
          }
          (use as (b: unknown) => void)(body);
        }),
        { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
      );
    });
  }
});
