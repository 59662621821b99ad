/**
 * `feeds.silence_recycle_ms` (configs/index_ops.yaml): default, validation, and that the feed factory hands it
 * to the websocket feed (observed through the recycle it causes against the simulator).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIndexOps, parseIndexOps } from '../../src/config/index-ops.ts';
import { createIndexFeed } from '../../src/adapters/feeds/from-config.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import type { MassiveWsFeed } from '../../src/adapters/massive/ws-client.ts';
import { pump, waitFor } from './helpers.ts';

test('feeds.silence_recycle_ms: 10 s by default, 0 allowed (off), negatives rejected naming the key', () => {
  assert.equal(defaultIndexOps().feeds.silence_recycle_ms, 10_000);
  assert.equal(parseIndexOps('feeds:\n  silence_recycle_ms: 0\n').feeds.silence_recycle_ms, 0);
  assert.throws(() => parseIndexOps('feeds:\n  silence_recycle_ms: -1\n'), /feeds\.silence_recycle_ms/);
});

test('the feed factory passes feeds.silence_recycle_ms to the websocket feed', async () => {
  const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
  const key = 'silence-cfg-key-1234';
  const sim = await startMassiveSim({ clock, seed: 5, apiKey: key });
  const feeds = defaultIndexOps().feeds;
  feeds.silence_recycle_ms = 4_000;
  feeds.ping_interval_ms = 1_000;
  const feed = createIndexFeed('polygon', { clock, apiKey: key, feeds, urlOverride: { polygon: sim.wsUrl }, random: () => 0.5 }) as MassiveWsFeed;
  try {
    await feed.start();
    await feed.ready();
    await waitFor(() => sim.clients().some((c) => c.subscriptions.length === 2), 'subscribed');
    sim.stall({ keepPongs: true });
    await pump(clock, 3_000, 500);
    assert.equal(feed.counters().silenceRecycles, 0);
    await pump(clock, 1_500, 500);
    await waitFor(() => feed.counters().silenceRecycles === 1, 'recycled after the configured 4 s');
  } finally {
    sim.resume();
    await feed.stop();
    await sim.close();
    clock.dispose();
  }
});
