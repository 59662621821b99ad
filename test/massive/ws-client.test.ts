/**
 * The real Massive websocket client against the Massive simulator over loopback, on virtual time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { MassiveAuthError, MassiveWsFeed, type MassiveWsOptions } from '../../src/adapters/massive/ws-client.ts';
import { startMassiveSim, type MassiveSim } from '../../src/sim/massive/server.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { captureLogger, pump, settleIo, waitFor } from './helpers.ts';

const START = Date.parse('2026-11-20T15:00:00Z'); // Fri 10:00 ET
const KEY = 'sim-key-ABCDEF123456';

async function setup(opts: Partial<MassiveWsOptions> = {}, simOpts: { apiKey?: string } = {}) {
  const clock = new VirtualClock(START);
  const sim = await startMassiveSim({ clock, seed: 7, apiKey: simOpts.apiKey ?? KEY });
  const logger = captureLogger();
  const feed = new MassiveWsFeed({
    name: 'polygon',
    clock,
    url: sim.wsUrl,
    apiKey: KEY,
    reconnectBaseMs: 500,
    reconnectMaxMs: 8000,
    maxConnectionsCooldownMs: 60_000,
    idleTimeoutMs: 30_000,
    pingIntervalMs: 10_000,
    random: () => 0.5,
    logger,
    ...opts,
  });
  const ticks: IndexTick[] = [];
  feed.onTick((t) => ticks.push(t));
  const cleanup = async () => {
    await feed.stop();
    await sim.close();
    clock.dispose();
  };
  return { clock, sim, feed, ticks, logger, cleanup };
}

const subscribed = (sim: MassiveSim, n = 1) => () => sim.clients().filter((c) => c.subscriptions.length === 2).length >= n;

test('handshake: connected → auth → auth_success → subscribe; ticks carry value, event and receipt times', async () => {
  const { clock, sim, feed, ticks, logger, cleanup } = await setup();
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    assert.deepEqual(sim.log.map((e) => e.kind), ['open', 'auth', 'subscribe']);
    assert.equal(sim.log[2]!.detail, 'V.I:SPX,V.I:NDX');
    assert.deepEqual(sim.violations, []);

    await clock.advance(1000);
    await waitFor(() => ticks.length >= 2, 'two ticks');
    const now = clock.now();
    const bySym = new Map(ticks.map((t) => [t.symbol, t]));
    for (const sym of ['I:SPX', 'I:NDX'] as const) {
      const t = bySym.get(sym)!;
      assert.equal(t.value, sim.valueAt(sym, now));
      assert.equal(t.eventTs, now);
      assert.equal(t.receivedTs, now);
    }
    assert.equal(feed.counters().ticks, 2);
    assert.equal(feed.state, 'streaming');
    assert.ok(!logger.lines.some((l) => l.includes(KEY)), 'API key leaked into logs');
  } finally {
    await cleanup();
  }
});

test('a dropped connection reconnects with backoff, re-auths and re-subscribes the same set once', async () => {
  const { clock, sim, feed, ticks, cleanup } = await setup();
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.dropAll();
    await waitFor(() => feed.state === 'backoff', 'backoff after drop');
    const delay = feed.nextReconnectAt! - clock.now();
    assert.ok(delay >= 250 && delay <= 500, `first backoff in [base/2, base], got ${delay}`);
    await clock.advance(delay);
    await waitFor(() => feed.state === 'streaming', 'streaming again');
    await waitFor(subscribed(sim), 're-subscription');
    const subs = sim.log.filter((e) => e.kind === 'subscribe').map((e) => e.detail);
    assert.deepEqual(subs, ['V.I:SPX,V.I:NDX', 'V.I:SPX,V.I:NDX']);
    assert.equal(feed.counters().reconnects, 1);
    assert.equal(feed.counters().connectAttempts, 2);
    const before = ticks.length;
    await clock.advance(1000);
    await waitFor(() => ticks.length >= before + 2, 'ticks after reconnect');
  } finally {
    await cleanup();
  }
});

test('auth_failed is fatal: clear error without the key, no reconnect ever', async () => {
  const { clock, sim, feed, logger, cleanup } = await setup({}, { apiKey: 'a-different-key' });
  try {
    const fatal: Error[] = [];
    feed.onFatal((e) => fatal.push(e));
    await feed.start();
    await assert.rejects(feed.ready(), (e: Error) => e instanceof MassiveAuthError && /auth_failed/.test(e.message) && !e.message.includes(KEY));
    assert.equal(feed.state, 'fatal');
    assert.equal(fatal.length, 1);
    assert.ok(feed.fatalError instanceof MassiveAuthError);
    await pump(clock, 10 * 60_000, 30_000);
    assert.equal(sim.connectionTimes().length, 1);
    assert.equal(feed.counters().connectAttempts, 1);
    assert.equal(feed.nextReconnectAt, null);
    assert.ok(!logger.lines.some((l) => l.includes(KEY)), 'API key leaked into logs');
  } finally {
    await cleanup();
  }
});

test('max_connections: the next attempt waits the full cool-down; auth_success does not reset it (no kick-war)', async () => {
  const { clock, sim, feed, cleanup } = await setup();
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    const kickAt = clock.now();
    sim.kickMaxConnections();
    await waitFor(() => feed.state === 'backoff', 'backoff after kick');
    assert.equal(feed.counters().maxConnectionKicks, 1);
    assert.ok(feed.nextReconnectAt! - kickAt >= 60_000, 'cool-down shorter than configured');

    // Just before the cool-down ends nothing has tried to connect.
    await pump(clock, 60_000 - 1, 5_000);
    assert.equal(feed.connectAttemptTimes.length, 1);
    assert.equal(sim.connectionTimes().length, 1);

    await clock.advanceTo(feed.nextReconnectAt!);
    await waitFor(() => feed.state === 'streaming', 'streaming after cool-down');
    assert.ok(feed.connectAttemptTimes[1]! - kickAt >= 60_000);
    assert.ok(sim.connectionTimes()[1]! - kickAt >= 60_000);

    // Kicked again right after a successful auth: the cool-down doubles instead of resetting.
    await waitFor(subscribed(sim), 're-subscription');
    const kick2 = clock.now();
    sim.kickMaxConnections();
    await waitFor(() => feed.state === 'backoff', 'backoff after second kick');
    assert.ok(feed.nextReconnectAt! - kick2 >= 120_000, `second cool-down ${feed.nextReconnectAt! - kick2} < 120000`);
  } finally {
    await cleanup();
  }
});

test('malformed frames and events are counted and skipped; the stream continues', async () => {
  const { clock, sim, feed, ticks, cleanup } = await setup();
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    const expected = sim.sendMalformed();
    await waitFor(() => feed.counters().malformed === expected, `${expected} malformed messages`);
    // A frame mixing a status, a bad event and a good tick: the good tick still counts.
    sim.sendRaw(JSON.stringify([{ ev: 'status', status: 'success', message: 'subscribed to: V.I:SPX' }, { ev: 'V', T: 'I:SPX' }, { ev: 'V', val: '6801.25', T: 'I:SPX', t: clock.now() }]));
    await waitFor(() => ticks.length === 1, 'the good tick of the mixed frame');
    assert.equal(ticks[0]!.value, 6801.25);
    assert.equal(feed.counters().malformed, expected + 1);
    assert.equal(feed.state, 'streaming');
    await clock.advance(1000);
    await waitFor(() => ticks.length === 3, 'regular ticks after garbage');
  } finally {
    await cleanup();
  }
});

test('a silent socket (no data, no pongs) is detected by the idle timeout and replaced', async () => {
  // Silence recycling off, to see the idle timer on its own.
  const { clock, sim, feed, cleanup } = await setup({ idleTimeoutMs: 30_000, pingIntervalMs: 10_000, silenceRecycleMs: 0 });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.stall();
    await pump(clock, 29_000, 1000);
    assert.equal(feed.state, 'streaming', 'declared idle too early');
    assert.equal(feed.counters().idleTimeouts, 0);
    await pump(clock, 1_000, 1000);
    await waitFor(() => feed.state === 'backoff', 'idle timeout');
    assert.equal(feed.counters().idleTimeouts, 1);
    sim.resume();
    await clock.advanceTo(feed.nextReconnectAt!);
    await waitFor(() => feed.state === 'streaming', 'streaming after idle reconnect');
  } finally {
    await cleanup();
  }
});

test('with silence recycling off, a data stall with live pongs keeps the socket (freshness, not the idle timer, handles it)', async () => {
  const { clock, sim, feed, cleanup } = await setup({ idleTimeoutMs: 30_000, pingIntervalMs: 10_000, silenceRecycleMs: 0 });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.stall({ keepPongs: true });
    for (let i = 0; i < 12; i++) {
      await clock.advance(5_000);
      await settleIo(10);
    }
    assert.equal(feed.state, 'streaming');
    assert.equal(feed.counters().idleTimeouts, 0);
  } finally {
    await cleanup();
  }
});

test('a socket that answers pings but sends no ticks is recycled after the silence (reconnect, re-auth, re-subscribe)', async () => {
  const { clock, sim, feed, ticks, logger, cleanup } = await setup({ idleTimeoutMs: 30_000, pingIntervalMs: 3_000, silenceRecycleMs: 10_000 });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    await clock.advance(1000);
    await waitFor(() => ticks.length >= 2, 'ticks');
    const lastTick = clock.now();
    sim.stall({ keepPongs: true });
    await pump(clock, 9_000, 1000);
    assert.equal(feed.state, 'streaming', 'recycled before the silence elapsed');
    await pump(clock, 1_000, 1000);
    await waitFor(() => feed.state === 'backoff', 'recycled');
    assert.equal(clock.now() - lastTick, 10_000);
    assert.equal(feed.counters().silenceRecycles, 1);
    assert.equal(feed.counters().idleTimeouts, 0, 'the pongs kept the idle timer quiet');
    assert.ok(logger.lines.some((l) => l.includes('no_ticks')));
    sim.resume();
    await clock.advanceTo(feed.nextReconnectAt!);
    await waitFor(() => feed.state === 'streaming', 'streaming again');
    await waitFor(subscribed(sim), 're-subscribed');
    assert.deepEqual(sim.log.filter((e) => e.kind === 'auth' || e.kind === 'subscribe').map((e) => e.kind), ['auth', 'subscribe', 'auth', 'subscribe']);
    const before = ticks.length;
    await clock.advance(1000);
    await waitFor(() => ticks.length >= before + 2, 'ticks after the recycle');
  } finally {
    await cleanup();
  }
});

test('no pongs either: silence alone does not recycle (a stalled event loop looks the same); the idle timer decides', async () => {
  const { clock, sim, feed, cleanup } = await setup({ idleTimeoutMs: 30_000, pingIntervalMs: 3_000, silenceRecycleMs: 10_000 });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.stall();
    await pump(clock, 25_000, 1000);
    assert.equal(feed.counters().silenceRecycles, 0);
    await pump(clock, 6_000, 1000);
    await waitFor(() => feed.counters().idleTimeouts === 1, 'idle timeout');
    assert.equal(feed.counters().silenceRecycles, 0);
  } finally {
    sim.resume();
    await cleanup();
  }
});

test('silence counts only in market hours (injected predicate)', async () => {
  let open = false;
  const { clock, sim, feed, cleanup } = await setup({ idleTimeoutMs: 30_000, pingIntervalMs: 3_000, silenceRecycleMs: 10_000, isMarketHours: () => open });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.stall({ keepPongs: true });
    const stalledAt = clock.now();
    await pump(clock, 25_000, 1000);
    assert.equal(feed.state, 'streaming', 'outside market hours silence is normal');
    assert.equal(feed.counters().silenceRecycles, 0);
    open = true;
    // The window restarted at the last heartbeat before the open (pings every 3 s: at +24 s).
    await pump(clock, 8_000, 1000);
    assert.equal(feed.counters().silenceRecycles, 0, 'recycled before 10 s of market-hours silence');
    await pump(clock, 2_000, 1000);
    await waitFor(() => feed.counters().silenceRecycles === 1, 'recycled once the market is open');
    assert.ok(clock.now() - stalledAt >= 34_000);
  } finally {
    sim.resume();
    await cleanup();
  }
});

test('slow_consumer and force_disconnect lead to an ordinary backoff reconnect', async () => {
  const { clock, sim, feed, cleanup } = await setup();
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    sim.slowConsumer();
    await waitFor(() => feed.state === 'backoff', 'backoff after slow_consumer');
    assert.equal(feed.counters().lastStatus, 'slow_consumer');
    assert.ok(feed.nextReconnectAt! - clock.now() < 60_000, 'slow_consumer must not use the max_connections cool-down');
    await clock.advanceTo(feed.nextReconnectAt!);
    await waitFor(() => feed.state === 'streaming', 'streaming after slow_consumer');
    sim.forceDisconnect();
    await waitFor(() => feed.state === 'backoff', 'backoff after force_disconnect');
    await clock.advanceTo(feed.nextReconnectAt!);
    await waitFor(() => feed.state === 'streaming', 'streaming after force_disconnect');
    assert.equal(feed.counters().reconnects, 2);
  } finally {
    await cleanup();
  }
});

test('channel A: ticks are bar closes stamped with the window end', async () => {
  const { clock, sim, feed, ticks, cleanup } = await setup({ channel: 'A' });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    assert.equal(sim.log.find((e) => e.kind === 'subscribe')!.detail, 'A.I:SPX,A.I:NDX');
    await clock.advance(1000);
    await waitFor(() => ticks.length >= 2, 'bar ticks');
    const now = clock.now();
    assert.equal(ticks[0]!.eventTs, now);
    assert.equal(ticks[0]!.value, sim.valueAt(ticks[0]!.symbol, now));
  } finally {
    await cleanup();
  }
});

test('reconnect delays grow exponentially with jitter and are capped', async () => {
  const { clock, sim, feed, cleanup } = await setup({ reconnectBaseMs: 500, reconnectMaxMs: 4000, random: () => 0 });
  try {
    await feed.start();
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      sim.dropAll();
      await waitFor(() => feed.state === 'backoff', 'backoff');
      delays.push(feed.nextReconnectAt! - clock.now());
      await clock.advanceTo(feed.nextReconnectAt!);
      await waitFor(() => feed.state === 'streaming', 'streaming');
    }
    assert.deepEqual(delays, [250, 500, 1000, 2000, 2000]);
  } finally {
    await cleanup();
  }
});

test('a server that never says connected: the handshake times out and the client retries', async () => {
  const { clock, sim, feed, cleanup } = await setup({ handshakeTimeoutMs: 10_000 });
  try {
    sim.stall();
    await feed.start();
    await waitFor(() => sim.clients().length === 1, 'socket open');
    await pump(clock, 9_000, 1000);
    assert.equal(feed.state, 'awaiting_connected');
    await pump(clock, 1_000, 1000);
    await waitFor(() => feed.state === 'backoff', 'handshake timeout');
    assert.deepEqual(sim.log.map((e) => e.kind).filter((k) => k === 'auth' || k === 'subscribe'), [], 'nothing sent before connected');
    sim.resume();
    await clock.advanceTo(feed.nextReconnectAt!);
    await feed.ready();
    await waitFor(subscribed(sim), 'subscription after retry');
  } finally {
    await cleanup();
  }
});
