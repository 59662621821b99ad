/**
 * The DualFeed adapter on virtual time: scripted in-process feeds (exact instants), the failover-smoke
 * command, and the real websocket + REST feeds against two simulator instances over loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { DualFeed } from '../../src/adapters/feeds/dual-feed.ts';
import { InMemoryIndexFeed } from '../../src/adapters/feeds/in-memory-feed.ts';
import { createDualFeedFromConfig } from '../../src/adapters/feeds/from-config.ts';
import { runFailoverScenario } from '../../src/app/failover-scenario.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { runCli } from '../../src/cli/program.ts';
import type { FailoverTransition } from '../../src/core/feed/failover.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { pump, waitFor } from '../massive/helpers.ts';
import { captureLog } from '../helpers/log.ts';
import { tempDir } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T15:00:00Z');

test('the scripted rehearsal: every transition at its exact virtual instant (defaults)', async () => {
  const r = await runFailoverScenario({ sloMs: 1200, returnAfterMs: 5000 });
  assert.deepEqual(r.mismatches, []);
  assert.deepEqual(
    r.actual.map((t) => [t.at - r.startMs, t.from, t.to, t.reason]),
    [
      [0, 'stand_down', 'polygon', 'feed_fresh'],
      [11_201, 'polygon', 'massive', 'primary_stale'],
      [21_600, 'massive', 'polygon', 'primary_recovered'],
      [27_801, 'polygon', 'stand_down', 'both_stale'],
      [33_200, 'stand_down', 'massive', 'feed_fresh'],
      [40_400, 'massive', 'polygon', 'primary_recovered'],
    ],
  );
});

test('property: the rehearsal holds for any SLO, return period and tick interval', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 300, max: 3000 }), fc.integer({ min: 1000, max: 10_000 }), fc.integer({ min: 2, max: 280 }), async (slo, ret, interval) => {
      const r = await runFailoverScenario({ sloMs: slo, returnAfterMs: ret, tickIntervalMs: interval });
      assert.deepEqual(r.mismatches, []);
    }),
    { numRuns: 25 },
  );
});

function io(home: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env: { KALSHI_ALPHA_HOME: home }, cwd: home, out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

test('failover-smoke --dry-run prints each transition in ET and UTC and exits 0; --json; no --dry-run → 2', async () => {
  const home = tempDir('ka-smoke-');
  try {
    const a = io(home);
    assert.equal(await runCli(['failover-smoke', '--dry-run'], a.io), 0);
    const text = a.out.join('');
    assert.match(text, /#2 +\+11\.201s {2}2026-11-20T10:00:11\.201-05:00 {2}2026-11-20T15:00:11\.201Z {2}polygon → massive {2}primary_stale/);
    assert.match(text, /OK — 6\/6 transitions/);

    const b = io(home);
    assert.equal(await runCli(['failover-smoke', '--dry-run', '--json'], b.io), 0);
    const json = JSON.parse(b.out.join(''));
    assert.equal(json.ok, true);
    assert.equal(json.transitions.length, 6);
    assert.equal(json.transitions[3].to, 'stand_down');
    assert.equal(json.transitions[3].at_utc, '2026-11-20T15:00:27.801Z');

    const c = io(home);
    assert.equal(await runCli(['failover-smoke'], c.io), 2);
    assert.match(c.err.join(''), /only the offline rehearsal exists; run it with --dry-run/);

    // Configured timings are honoured: a 2 s SLO moves the flip to +12.001 s.
    fs.mkdirSync(path.join(home, 'configs'));
    fs.writeFileSync(path.join(home, 'configs', 'index_ops.yaml'), 'feeds:\n  failover_slo_ms: 2000\n  return_after_ms: 3000\n');
    const d = io(home);
    assert.equal(await runCli(['failover-smoke', '--dry-run', '--json'], d.io), 0);
    assert.equal(JSON.parse(d.out.join('')).transitions[1].offset_ms, 12_001);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('DualFeed: forwards only the active feed, latest() follows it, nothing while standing down', async () => {
  const clock = new VirtualClock(T0);
  const p = new InMemoryIndexFeed('polygon');
  const m = new InMemoryIndexFeed('massive');
  const { log, lines } = captureLog(clock);
  const dual = new DualFeed({ clock, polygon: p, massive: m, symbols: ['I:SPX'], sloMs: 1200, returnAfterMs: 5000, logger: log });
  const forwarded: IndexTick[] = [];
  const transitions: FailoverTransition[] = [];
  dual.onTick((t) => forwarded.push(t));
  dual.onTransition((t) => transitions.push(t));
  await dual.start();
  const tick = (feed: InMemoryIndexFeed, value: number) => feed.push({ symbol: 'I:SPX', value, eventTs: clock.now() - 3, receivedTs: clock.now() });
  try {
    tick(p, 100);
    tick(m, 200);
    assert.equal(dual.active, 'polygon');
    assert.deepEqual(forwarded.map((t) => t.value), [100]);
    assert.equal(dual.latest('I:SPX')!.value, 100);
    assert.equal(dual.latestFrom('massive', 'I:SPX')!.value, 200);
    assert.equal(dual.view('polygon').lagMs, 3);

    // Polygon goes quiet; massive keeps ticking every 500 ms. The timer flips exactly at +1201.
    for (let i = 1; i <= 4; i++) {
      await clock.advanceTo(T0 + i * 500);
      tick(m, 200 + i);
    }
    assert.equal(dual.active, 'massive');
    assert.equal(transitions.at(-1)!.at, T0 + 1201);
    assert.equal(dual.latest('I:SPX')!.value, 204);
    assert.equal(dual.switches, 2);
    assert.equal(dual.lastSwitchAt, T0 + 1201);

    await clock.advance(5000);
    assert.equal(dual.active, 'stand_down');
    assert.equal(dual.latest('I:SPX'), undefined);
    const v = dual.activeVerdict({ softMs: 1500, strictMs: 800 }, false);
    assert.equal(v.stale, true);
    const before = forwarded.length;
    tick(p, 300);
    assert.equal(dual.active, 'polygon');
    assert.equal(forwarded.length, before + 1);
    // Leaving the initial stand-down is start-up, not an outage; every later transition is a failover line.
    assert.deepEqual(
      lines.map((l) => / (INFO|WARN|ERROR) (feed [^=]*?) reason=/.exec(l)?.slice(1, 3).join(' ')),
      ['INFO feed up: polygon active', 'WARN feed failover polygon → massive', 'ERROR feed failover massive → stand_down', 'INFO feed failover stand_down → polygon'],
    );
  } finally {
    await dual.stop();
    dual.dispose();
    clock.dispose();
  }
});

test('DualFeed: feeds whose data ended stand down quietly (INFO, reason data_ended); data again is a start-up, not a recovery', async () => {
  const clock = new VirtualClock(T0);
  const p = new InMemoryIndexFeed('polygon');
  const m = new InMemoryIndexFeed('massive');
  const { log, lines } = captureLog(clock);
  const dual = new DualFeed({ clock, polygon: p, massive: m, symbols: ['I:SPX'], sloMs: 1200, returnAfterMs: 5000, logger: log });
  await dual.start();
  const tick = (feed: InMemoryIndexFeed) => feed.push({ symbol: 'I:SPX', value: 100, eventTs: clock.now(), receivedTs: clock.now() });
  try {
    tick(p);
    tick(m);
    assert.equal(dual.active, 'polygon');
    // The day's last tick, then the end of its data: still polygon until the SLO, then a quiet stand-down.
    await clock.advance(250);
    tick(p);
    tick(m);
    p.end();
    m.end();
    assert.equal(dual.active, 'polygon', 'the last value stays fresh for the SLO');
    await clock.advance(1201);
    assert.equal(dual.active, 'stand_down');
    assert.deepEqual(dual.transitions.map((t) => t.reason), ['feed_fresh', 'data_ended']);
    // The next window's data: the feed comes up as at start-up.
    await clock.advance(60_000);
    tick(p);
    assert.equal(dual.active, 'polygon');
    assert.deepEqual(
      lines.map((l) => / (INFO|WARN|ERROR) (feed[^=]*?) (component|reason)=/.exec(l)?.slice(1, 3).join(' ')),
      ['INFO feed up: polygon active', 'INFO feeds ended: their data is over, standing down (not an outage)', 'INFO feed up: polygon active'],
    );
  } finally {
    await dual.stop();
    dual.dispose();
    clock.dispose();
  }
});

test('real feeds from config (polygon = websocket, massive = REST poller) against two simulators: flip and return', async () => {
  const clock = new VirtualClock(T0);
  const key = 'dual-sim-key-123';
  const simP = await startMassiveSim({ clock, seed: 3, apiKey: key, tickIntervalMs: 250 });
  const simM = await startMassiveSim({ clock, seed: 3, apiKey: key, tickIntervalMs: 250 });
  const cfg = defaultIndexOps();
  cfg.feeds.massive.poll_interval_ms = 250;
  const { dual, polygon, massive } = createDualFeedFromConfig({
    clock,
    apiKey: key,
    feeds: cfg.feeds,
    urlOverride: { polygon: simP.wsUrl, massive: simM.restUrl },
    random: () => 0.5,
  });
  try {
    await dual.start();
    await waitFor(() => simP.clients().some((c) => c.subscriptions.length === 2), 'polygon subscribed');
    // The REST poll may answer before the websocket has subscribed: then massive is active first and
    // polygon takes over after 5 s of continuous freshness. Either way polygon is active by +6 s.
    await pump(clock, 6000, 125);
    assert.equal(dual.active, 'polygon');
    assert.ok(polygon.counters().ticks > 0 && massive.counters().ticks > 0);

    simP.stall({ keepPongs: true });
    const stalledAt = clock.now();
    await pump(clock, 3000, 125);
    assert.equal(dual.active, 'massive');
    const flip = dual.transitions.find((t) => t.reason === 'primary_stale')!;
    assert.ok(flip.at - stalledAt <= 1200 + 250 + 1, 'flipped later than SLO after the last polygon tick');
    assert.ok(dual.latest('I:SPX')!.value > 0);

    simP.resume();
    const resumedAt = clock.now();
    await pump(clock, 7000, 125);
    assert.equal(dual.active, 'polygon');
    const back = dual.transitions.find((t) => t.reason === 'primary_recovered' && t.at > resumedAt)!;
    assert.ok(back.at - resumedAt >= 5000, 'returned to polygon before 5 s of continuous freshness');
  } finally {
    await dual.stop();
    dual.dispose();
    await simP.close();
    await simM.close();
    clock.dispose();
  }
});
