/**
 * Massive conformance. Shapes transcribed (field names, required or not) from Massive's official clients:
 * - websocket: `.massive/websocket.json` ("Massive Websocket Spec") of massive-com/client-python @481e5c2,
 *   `IndicesValueEvent`, `IndicesSecondAggregateEvent`, `IndicesMinuteAggregateEvent`, and the status events
 *   (`ConnectEvent`, `AuthEvent`, `SubscribeEvent`, `DisconnectEvent`): no field is required;
 * - REST: `src/openapi.json` of massive-com/client-js @ac59b97: `GET /v3/snapshot/indices` (response requires
 *   `status`, `request_id`; a row requires only `ticker`), `GET /v1/marketstatus/now` (nothing required),
 *   `GET /v2/aggs/ticker/{indicesTicker}/range/...` (requires `ticker`, `status`, `queryCount`,
 *   `resultsCount`, `request_id`; a bar requires `o`, `h`, `l`, `c`, `t`).
 * Full, minimal, extra-field and nulled-field variants go through the frame decoder, the real websocket
 * feed (against the simulator) and the REST client: each is used, ignored, or counted as malformed, and
 * nothing throws. Values are made up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { MassiveFrameDecoder } from '../../src/adapters/massive/decoder.ts';
import { MassiveHttpError, MassiveRestClient } from '../../src/adapters/massive/rest.ts';
import { MassiveWsFeed } from '../../src/adapters/massive/ws-client.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { waitFor } from '../massive/helpers.ts';
import { makeVariant, missingFields, nullRequiredVariants, type ModelLookup, type VField, type VModel } from './variants.ts';

const model = (required: string[], optional: string[], refs: Record<string, string> = {}): VModel =>
  new Map<string, VField>([
    ...required.map((n): [string, VField] => [n, { optional: false, nullable: false, refs: refs[n] ? [refs[n]!] : [] }]),
    ...optional.map((n): [string, VField] => [n, { optional: true, nullable: false, refs: refs[n] ? [refs[n]!] : [] }]),
  ]);

const MODELS: Record<string, VModel> = {
  IndicesValueEvent: model([], ['ev', 'val', 'T', 't']),
  IndicesAggregateEvent: model([], ['ev', 'sym', 'op', 'o', 'c', 'h', 'l', 's', 'e']),
  StatusEvent: model([], ['ev', 'status', 'message']),
  SnapshotResponse: model(['status', 'request_id'], ['next_url', 'results'], { results: 'IndicesSnapshotResult' }),
  IndicesSnapshotResult: model(['ticker'], ['error', 'last_updated', 'market_status', 'message', 'name', 'session', 'timeframe', 'type', 'value'], { session: 'IndicesSession' }),
  IndicesSession: model([], ['change', 'change_percent', 'close', 'high', 'low', 'open', 'previous_close']),
  MarketStatus: model([], ['afterHours', 'currencies', 'earlyHours', 'exchanges', 'indicesGroups', 'market', 'serverTime']),
  AggsResponse: model(['ticker', 'status', 'queryCount', 'resultsCount', 'request_id'], ['results'], { results: 'IndicesBar' }),
  IndicesBar: model(['o', 'h', 'l', 'c', 't'], []),
};
const lookup: ModelLookup = (n) => MODELS[n];
const VARIANTS = ['full', 'minimal', 'extras', 'minimal+extras'] as const;

const T = 1763650801000;
const SAMPLES = {
  IndicesValueEvent: { ev: 'V', val: 6801.25, T: 'I:SPX', t: T },
  IndicesAggregateEvent: { ev: 'AM', sym: 'I:SPX', op: 6790.1, o: 6800.1, c: 6802.8, h: 6803.4, l: 6799.2, s: T - 60_000, e: T },
  StatusEvent: { ev: 'status', status: 'success', message: 'subscribed to: V.I:SPX' },
  SnapshotResponse: {
    status: 'OK',
    request_id: 'req-1',
    next_url: 'https://example.invalid/next',
    results: [
      {
        ticker: 'I:SPX',
        error: undefined,
        last_updated: T * 1e6,
        market_status: 'open',
        message: undefined,
        name: 'S&P 500',
        session: { change: 1.5, change_percent: 0.02, close: 6801.25, high: 6810, low: 6790, open: 6795, previous_close: 6799.75 },
        timeframe: 'REAL-TIME',
        type: 'indices',
        value: 6801.25,
      },
      { ticker: 'I:NOPE', error: 'NOT_FOUND', message: 'Ticker not found.' },
    ],
  },
  MarketStatus: {
    afterHours: false,
    currencies: { crypto: 'open', fx: 'open' },
    earlyHours: false,
    exchanges: { nasdaq: 'open', nyse: 'open', otc: 'open' },
    indicesGroups: { s_and_p: 'open', nasdaq: 'open', dow_jones: 'open' },
    market: 'open',
    serverTime: '2026-11-20T10:00:01-05:00',
  },
  AggsResponse: { ticker: 'I:SPX', status: 'OK', queryCount: 1, resultsCount: 1, request_id: 'req-2', results: [{ o: 6800.1, h: 6803.4, l: 6799.2, c: 6802.8, t: T - 60_000 }] },
} as const;

let count = 0;

function decode(frame: unknown) {
  const d = new MassiveFrameDecoder();
  const seen: string[] = [];
  assert.doesNotThrow(() =>
    d.decode(typeof frame === 'string' ? frame : JSON.stringify(frame), {
      status: () => seen.push('status'),
      value: () => seen.push('V'),
      aggregate: () => seen.push('agg'),
      malformed: () => seen.push('malformed'),
    }),
  );
  const c = d.counters;
  assert.equal(seen.filter((s) => s !== 'malformed').length + c.ignored + c.malformed, c.messages, 'every event delivered, ignored or counted');
  count++;
  return { seen, c };
}

describe('Massive conformance (official client definitions)', () => {
  test('samples are complete', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) assert.deepEqual(missingFields(JSON.parse(JSON.stringify(sample)), name, lookup), name === 'SnapshotResponse' ? ['results[0].error', 'results[0].message'] : [], name);
  });

  test('websocket events: used when they carry what a tick needs, else counted — never a throw', () => {
    for (const name of ['IndicesValueEvent', 'IndicesAggregateEvent', 'StatusEvent'] as const) {
      for (const v of VARIANTS) {
        const e = makeVariant(SAMPLES[name], name, lookup, v);
        const r = decode([e]);
        if (v === 'full' || v === 'extras') assert.equal(r.c.malformed, 0, `${name} ${v}`);
        else if (name !== 'StatusEvent') assert.ok(r.c.malformed + r.c.ignored === 1, `${name} ${v}: ${JSON.stringify(r.c)}`);
      }
      // Each field omitted alone (all are optional in the spec).
      for (const k of Object.keys(SAMPLES[name])) {
        const e: Record<string, unknown> = { ...SAMPLES[name] };
        delete e[k];
        const r = decode([e]);
        const usable = k === 't' || k === 'op' || k === 'o' || k === 'h' || k === 'l' || k === 's' || k === 'e' || k === 'message' || k === 'status';
        if (usable) assert.equal(r.c.malformed, 0, `${name} without ${k} must still be used (or ignored)`);
      }
      for (const [path, e] of nullRequiredVariants(SAMPLES[name], name, lookup)) decode([e]).c.frames === 1 || assert.fail(path);
    }
    // Frames that are not arrays, not JSON, or hold non-objects.
    for (const f of ['', 'null', '{}', '[null, 1, "x", []]', '[{"ev":"V","val":"6801.5","T":"I:SPX"}]', '[{"ev":"XQ"}]']) decode(f);
  });

  test('the real websocket feed: untimestamped events are stamped at receipt; a bad element costs nothing else', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
    const sim = await startMassiveSim({ clock, seed: 3, apiKey: 'conformance-key-1234' });
    const feed = new MassiveWsFeed({ clock, url: sim.wsUrl, apiKey: 'conformance-key-1234', random: () => 0.5, silenceRecycleMs: 0 });
    const ticks: IndexTick[] = [];
    feed.onTick((t) => ticks.push(t));
    try {
      await feed.start();
      await feed.ready();
      await waitFor(() => sim.clients().some((c) => c.subscriptions.length === 2), 'subscribed');
      const noTime = makeVariant(SAMPLES.IndicesValueEvent, 'IndicesValueEvent', lookup, 'extras') as Record<string, unknown>;
      delete noTime.t;
      sim.sendRaw(JSON.stringify([noTime, { ev: 'V', T: 'I:SPX' }, { ev: 'status' }, { ...SAMPLES.IndicesValueEvent, T: 'I:NDX', val: '25010.5' }]));
      await waitFor(() => ticks.length === 2, 'two ticks');
      assert.deepEqual(ticks.map((t) => [t.symbol, t.value, t.eventTs === clock.now()]), [['I:SPX', 6801.25, true], ['I:NDX', 25010.5, false]]);
      assert.equal(feed.counters().malformed, 1);
      assert.deepEqual(feed.counters().malformedByChannel, { V: 1 });
      assert.equal(feed.state, 'streaming');
      count += 1;
    } finally {
      await feed.stop();
      await sim.close();
      clock.dispose();
    }
  });

  const rest = (body: unknown, status = 200) =>
    new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'conformance-key-1234', fetch: (async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })) as typeof fetch });

  test('REST bodies: every spec-allowed variant parses; negatives are rejected with a clear MassiveHttpError', async () => {
    const calls = {
      SnapshotResponse: (c: MassiveRestClient) => c.getIndexSnapshot(['I:SPX', 'I:NOPE']),
      MarketStatus: (c: MassiveRestClient) => c.getMarketStatus(),
      AggsResponse: (c: MassiveRestClient) => c.getIndexAggregates('I:SPX', 1, 'minute', '2026-11-20', '2026-11-20'),
    };
    for (const [name, call] of Object.entries(calls)) {
      const sample = JSON.parse(JSON.stringify(SAMPLES[name as keyof typeof SAMPLES]));
      for (const v of VARIANTS) {
        await assert.doesNotReject(call(rest(makeVariant(sample, name, lookup, v))), `${name} ${v}`);
        count++;
      }
      for (const [path, body] of nullRequiredVariants(sample, name, lookup)) {
        try {
          await call(rest(body));
        } catch (e) {
          assert.ok(e instanceof MassiveHttpError && /unexpected response shape at /.test(e.message), `${name} ${path}: ${String(e)}`);
        }
        count++;
      }
    }
    // A row with only a ticker is valid: counted as empty, not malformed.
    const bare = await rest({ status: 'OK', request_id: 'r', results: [{ ticker: 'I:SPX' }] }).getIndexSnapshot(['I:SPX']);
    assert.deepEqual([bare.values.length, bare.empty, bare.malformed], [0, 1, 0]);
    // Status with nothing in it is valid too; its serverTime is unknown.
    const empty = await rest({}).getMarketStatus();
    assert.equal(empty.serverTimeMs, undefined);
    count += 2;
  });

  test('conformance payload count', (t) => {
    t.diagnostic(`${count} Massive payloads`);
    assert.ok(count >= 50, `only ${count}`);
  });
});
