/**
 * Massive REST client, snapshot poller and market status against the simulator over loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { MassiveHttpError, MassiveRestClient } from '../../src/adapters/massive/rest.ts';
import { MassiveRestPoller } from '../../src/adapters/massive/rest-poller.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { captureLogger, waitFor } from './helpers.ts';

const KEY = 'rest-sim-key-0123456789';
const FRI_1000_ET = Date.parse('2026-11-20T15:00:00.250Z');

async function withSim<T>(start: number, fn: (x: { clock: VirtualClock; sim: Awaited<ReturnType<typeof startMassiveSim>>; client: MassiveRestClient }) => Promise<T>) {
  const clock = new VirtualClock(start);
  const sim = await startMassiveSim({ clock, seed: 11, apiKey: KEY });
  const client = new MassiveRestClient({ baseUrl: sim.restUrl, apiKey: KEY, clock });
  try {
    return await fn({ clock, sim, client });
  } finally {
    await sim.close();
    clock.dispose();
  }
}

test('snapshot: values with ns last_updated normalised to ms; per-ticker error rows inside a 200', async () => {
  await withSim(FRI_1000_ET, async ({ clock, sim, client }) => {
    sim.setNotEntitled('I:NDX', true);
    const snap = await client.getIndexSnapshot(['I:SPX', 'I:NDX', 'I:NOPE']);
    const lastTick = Math.floor(clock.now() / 1000) * 1000;
    assert.deepEqual(snap.values, [{ ticker: 'I:SPX', value: sim.valueAt('I:SPX', lastTick), lastUpdatedMs: lastTick }]);
    assert.deepEqual(
      snap.errors.map((e) => [e.ticker, e.error]),
      [['I:NDX', 'NOT_ENTITLED'], ['I:NOPE', 'NOT_FOUND']],
    );
    assert.equal(snap.malformed, 0);
  });
});

test('REST auth: no Bearer header → 401; a wrong key → MassiveHttpError without the key in it', async () => {
  await withSim(FRI_1000_ET, async ({ clock, sim }) => {
    const res = await fetch(`${sim.restUrl}/v1/marketstatus/now`);
    assert.equal(res.status, 401);
    await res.text();
    const wrong = 'wrong-key-zzzzzzzz';
    const bad = new MassiveRestClient({ baseUrl: sim.restUrl, apiKey: wrong, clock });
    await assert.rejects(bad.getMarketStatus(), (e: Error) => e instanceof MassiveHttpError && e.status === 401 && !e.message.includes(wrong));
  });
});

test('market status: validated, serverTime parsed for drift checks, open on a Friday 10:00 ET, closed on Saturday', async () => {
  await withSim(FRI_1000_ET, async ({ clock, client }) => {
    const st = await client.getMarketStatus();
    assert.equal(st.market, 'open');
    assert.equal(st.serverTimeMs, Math.floor(clock.now() / 1000) * 1000);
    assert.match(st.serverTime ?? '', /-05:00$/);
    assert.equal(st.indicesGroups?.s_and_p, 'open');
  });
  await withSim(Date.parse('2026-11-21T15:00:00Z'), async ({ client }) => {
    const st = await client.getMarketStatus();
    assert.equal(st.market, 'closed');
  });
});

test('market status without indicesGroups (older responses) still validates; an unreadable serverTime is no time; a bad body is a clear error', async () => {
  const clock = new VirtualClock(FRI_1000_ET);
  const body = { market: 'closed', serverTime: '2020-11-10T17:37:37-05:00', earlyHours: false, afterHours: false, exchanges: { nyse: 'closed', nasdaq: 'closed', otc: 'closed' }, currencies: { fx: 'open', crypto: 'open' } };
  const fake = (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch;
  const client = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: fake });
  const st = await client.getMarketStatus();
  assert.equal(st.indicesGroups, undefined);
  assert.equal(st.serverTimeMs, Date.parse('2020-11-10T22:37:37Z'));
  // Every field is optional in the spec and serverTime is a plain string: unreadable → no serverTimeMs.
  const odd = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response('{"market":"open","serverTime":"yesterday"}')) as typeof fetch });
  const o = await odd.getMarketStatus();
  assert.equal(o.market, 'open');
  assert.equal(o.serverTimeMs, undefined);
  const broken = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response('{"market":42}')) as typeof fetch });
  await assert.rejects(broken.getMarketStatus(), (e: Error) => e instanceof MassiveHttpError && /unexpected response shape at market/.test(e.message));
});

test('an unreachable REST server is a transient MassiveHttpError (status 0)', async () => {
  const clock = new VirtualClock(FRI_1000_ET);
  const client = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'secret-abc', clock });
  await assert.rejects(client.getMarketStatus(), (e: Error) => e instanceof MassiveHttpError && e.status === 0 && e.transient && !e.message.includes('secret-abc'));
});

test('minute aggregates: one bar per session minute, OHLC consistent, t at the minute start', async () => {
  await withSim(FRI_1000_ET, async ({ client }) => {
    const bars = await client.getIndexAggregates('I:SPX', 1, 'minute', '2026-11-19', '2026-11-20');
    assert.equal(bars.length, 2 * 390);
    const first = bars[0]!;
    assert.equal(first.t, Date.parse('2026-11-19T14:30:00Z'));
    for (const b of bars) {
      assert.equal(b.t % 60_000, 0);
      assert.ok(b.l <= Math.min(b.o, b.c) && b.h >= Math.max(b.o, b.c));
    }
    const weekend = await client.getIndexAggregates('I:NDX', 5, 'minute', '2026-11-21', '2026-11-22');
    assert.equal(weekend.length, 0);
  });
});

test('poller: ticks only when last_updated advances; a stall stops ticks', async () => {
  await withSim(FRI_1000_ET, async ({ clock, sim, client }) => {
    const poller = new MassiveRestPoller({ clock, client, pollIntervalMs: 1000 });
    const ticks: IndexTick[] = [];
    poller.onTick((t) => ticks.push(t));
    await poller.start();
    await clock.advance(0);
    await waitFor(() => ticks.length === 2, 'first two ticks');
    assert.equal(ticks[0]!.receivedTs, FRI_1000_ET);
    assert.equal(ticks[0]!.eventTs, FRI_1000_ET - 250);
    await waitFor(() => poller.nextPollAt !== null, 'next poll scheduled');
    await clock.advance(1000);
    await waitFor(() => ticks.length === 4, 'ticks of the second poll');
    sim.stall();
    for (let i = 0; i < 3; i++) {
      await waitFor(() => poller.nextPollAt !== null, 'next poll scheduled');
      await clock.advance(1000);
    }
    await waitFor(() => poller.counters().polls === 5 && poller.nextPollAt !== null, 'three polls while stalled');
    assert.equal(ticks.length, 4, 'the stall froze last_updated: no new ticks');
    assert.equal(poller.counters().ticks, 4);
    sim.resume();
    await clock.advance(1000);
    await waitFor(() => ticks.length === 6, 'ticks after resume');
    await poller.stop();
  });
});

test('poller: 429 with Retry-After and 5xx back off, then recover; 401 is fatal', async () => {
  await withSim(FRI_1000_ET, async ({ clock, sim, client }) => {
    const logger = captureLogger();
    const poller = new MassiveRestPoller({ clock, client, pollIntervalMs: 1000, backoffBaseMs: 1000, backoffMaxMs: 8000, random: () => 0, logger });
    sim.failRest(429, 1, 7);
    await poller.start();
    await clock.advance(0);
    await waitFor(() => poller.nextPollAt !== null, 'retry scheduled');
    assert.equal(poller.counters().lastStatus, 'http_429');
    assert.equal(poller.nextPollAt! - clock.now(), 7000);
    sim.failRest(503, 2);
    await clock.advanceTo(poller.nextPollAt!);
    await waitFor(() => poller.nextPollAt !== null && poller.counters().polls === 2, 'second retry scheduled');
    assert.equal(poller.counters().lastStatus, 'http_503');
    assert.equal(poller.nextPollAt! - clock.now(), 1000); // 2nd failure: d = 2000, equal jitter with random 0 → 1000
    await clock.advanceTo(poller.nextPollAt!);
    await waitFor(() => poller.nextPollAt !== null && poller.counters().polls === 3, 'third retry scheduled');
    assert.equal(poller.nextPollAt! - clock.now(), 2000);
    await clock.advanceTo(poller.nextPollAt!);
    await waitFor(() => poller.counters().lastStatus === 'ok', 'recovered');
    assert.equal(poller.counters().reconnects, 1);
    assert.equal(poller.counters().failedPolls, 3);
    await poller.stop();

    const bad = new MassiveRestPoller({ clock, baseUrl: sim.restUrl, apiKey: 'nope-nope-nope', pollIntervalMs: 1000 });
    await bad.start();
    await clock.advance(0);
    await waitFor(() => bad.fatalError !== undefined, 'fatal on 401');
    assert.match(bad.fatalError!.message, /HTTP 401/);
    assert.equal(bad.nextPollAt, null);
    await bad.stop();
    assert.ok(!logger.lines.some((l) => l.includes(KEY)));
  });
});

test('poller: malformed snapshot rows are counted and skipped; bare and unstamped rows are accepted', async () => {
  const clock = new VirtualClock(FRI_1000_ET);
  const body = {
    status: 'OK',
    results: [
      { ticker: 'I:SPX', value: 'not-a-number', last_updated: 1763650800000000000 },
      { ticker: 'I:NDX', value: 25010.5, last_updated: 1763650800000000000 },
      { ticker: 'I:SPX', value: 6800, last_updated: 17 },
    ],
  };
  const client = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response(JSON.stringify(body))) as typeof fetch });
  const poller = new MassiveRestPoller({ clock, client });
  const ticks: IndexTick[] = [];
  poller.onTick((t) => ticks.push(t));
  await poller.pollOnce();
  assert.equal(poller.counters().malformed, 2);
  assert.deepEqual(ticks, [{ symbol: 'I:NDX', value: 25010.5, eventTs: 1763650800000, receivedTs: FRI_1000_ET }]);

  // Only `ticker` is required by the spec: a row without last_updated is stamped with its receipt time and
  // ticks when its value changes; a bare row is valid and carries nothing.
  let rows: unknown[] = [{ ticker: 'I:SPX', value: 6800.5 }, { ticker: 'I:NDX' }];
  const unstamped = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response(JSON.stringify({ status: 'OK', request_id: 'r', results: rows }))) as typeof fetch });
  const snap = await unstamped.getIndexSnapshot(['I:SPX', 'I:NDX']);
  assert.deepEqual([snap.values, snap.empty, snap.malformed], [[{ ticker: 'I:SPX', value: 6800.5 }], 1, 0]);
  const p2 = new MassiveRestPoller({ clock, client: unstamped });
  const t2: IndexTick[] = [];
  p2.onTick((t) => t2.push(t));
  await p2.pollOnce();
  await clock.advance(1000);
  await p2.pollOnce(); // same value: no evidence of a new message
  rows = [{ ticker: 'I:SPX', value: 6801 }];
  await clock.advance(1000);
  await p2.pollOnce();
  assert.deepEqual(t2, [
    { symbol: 'I:SPX', value: 6800.5, eventTs: FRI_1000_ET, receivedTs: FRI_1000_ET },
    { symbol: 'I:SPX', value: 6801, eventTs: FRI_1000_ET + 2000, receivedTs: FRI_1000_ET + 2000 },
  ]);
  assert.equal(p2.counters().malformed, 0);
});

test('REST error bodies: only status / error / message / request_id, capped and with the key masked — never the raw body', async () => {
  const clock = new VirtualClock(FRI_1000_ET);
  const secret = 'massive-secret-key-0123456789';
  const reflected = { status: 'ERROR', request_id: 'req-1', error: `bad key ${secret} Authorization: Bearer ${secret}`, echo: { headers: { authorization: `Bearer ${secret}` } }, pad: 'x'.repeat(5000) };
  const client = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: secret, clock, fetch: (async () => new Response(JSON.stringify(reflected), { status: 403 })) as typeof fetch });
  await assert.rejects(client.getIndexSnapshot(['I:SPX']), (e: Error) => {
    assert.ok(e instanceof MassiveHttpError && e.status === 403);
    assert.ok(!e.message.includes(secret), e.message);
    assert.ok(!e.message.includes('echo') && !e.message.includes('xxxx'), 'no raw body');
    assert.match(e.message, /HTTP 403: ERROR bad key \*\*\*/);
    assert.ok(e.message.length < 300);
    return true;
  });
  const html = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: secret, clock, fetch: (async () => new Response(`<html>${secret}</html>`, { status: 502 })) as typeof fetch });
  await assert.rejects(html.getMarketStatus(), (e: Error) => e.message === 'Massive REST /v1/marketstatus/now answered HTTP 502');
});

test('probeMassive: reachability and a clock drift that allows for whole-second serverTime', async () => {
  const { probeMassive } = await import('../../src/adapters/massive/rest.ts');
  await withSim(FRI_1000_ET, async ({ clock, client }) => {
    const p = await probeMassive(client, clock);
    assert.ok(p.ok);
    assert.equal(p.resolutionMs, 1000);
    assert.equal(p.rawDriftMs, 250, 'serverTime is truncated to the second');
    assert.equal(p.driftMs, 0);
  });
  const clock = new VirtualClock(Date.parse('2026-11-20T15:00:03.500Z'));
  const body = { market: 'open', serverTime: '2026-11-20T10:00:01-05:00' };
  const skewed = new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response(JSON.stringify(body))) as typeof fetch });
  const p = await probeMassive(skewed, clock);
  assert.ok(p.ok);
  assert.equal(p.driftMs, 1501);
  const down = await probeMassive(new MassiveRestClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', clock }), clock);
  assert.deepEqual([down.ok, !down.ok && down.reason], [false, 'polygon_unreachable']);
});

test('a server that never answers: the request deadline (real time) turns it into a transient error', async () => {
  const http = await import('node:http');
  const server = http.createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (server.address() as import('node:net').AddressInfo).port;
    const client = new MassiveRestClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 50 });
    await assert.rejects(client.getMarketStatus(), (e: Error) => e instanceof MassiveHttpError && e.status === 0 && /timed out after 50 ms/.test(e.message));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
