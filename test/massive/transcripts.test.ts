/**
 * Replays the hand-written websocket transcripts in fixtures/massive/ to the real client over loopback,
 * on virtual time: server frames go out at their offsets, and every line the client must send is checked
 * in order (so the handshake order is asserted against the fixture itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { MassiveWsFeed, type MassiveWsOptions } from '../../src/adapters/massive/ws-client.ts';
import { MassiveRestClient } from '../../src/adapters/massive/rest.ts';
import type { IndexTick } from '../../src/ports/index-feed.ts';
import { settleIo, waitFor } from './helpers.ts';

const DIR = path.join(import.meta.dirname, '..', '..', 'fixtures', 'massive');
const KEY = 'transcript-key-42';
const T0 = Date.parse('2026-11-20T15:00:00Z');

type Step = { t: number; server?: string; client?: { action: string; params: string }; close?: number };
const load = (name: string): Step[] =>
  fs
    .readFileSync(path.join(DIR, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Step);

async function replay(name: string, opts: Partial<MassiveWsOptions> = {}, stopBeforeMs = Number.POSITIVE_INFINITY, pongs = true) {
  const clock = new VirtualClock(T0);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: pongs });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const inbox: string[] = [];
  const socket = new Promise<WebSocket>((resolve) =>
    wss.once('connection', (ws: WebSocket) => {
      ws.on('message', (d: Buffer) => inbox.push(d.toString('utf8')));
      resolve(ws);
    }),
  );
  const feed = new MassiveWsFeed({ clock, url: `ws://127.0.0.1:${port}/indices`, apiKey: KEY, random: () => 0.5, idleTimeoutMs: 30_000, pingIntervalMs: 10_000, handshakeTimeoutMs: 10_000, ...opts });
  const ticks: IndexTick[] = [];
  feed.onTick((t) => ticks.push(t));
  await feed.start();
  const ws = await socket;
  let frames = 0;
  let received = 0;
  for (const step of load(name).filter((s) => s.t < stopBeforeMs)) {
    // Step time forward so ping/pong round trips complete on loopback between virtual instants.
    while (clock.now() < T0 + step.t) {
      await clock.advanceTo(Math.min(T0 + step.t, clock.now() + 2000));
      await settleIo(3);
    }
    if (step.server !== undefined) {
      ws.send(step.server);
      frames++;
      await waitFor(() => feed.counters().frames === frames, `frame ${frames} of ${name}`);
    } else if (step.client) {
      await waitFor(() => inbox.length > received, `client message ${step.client.action}`);
      const got = JSON.parse(inbox[received++]!);
      assert.deepEqual(got, { ...step.client, params: step.client.params.replace('<API_KEY>', KEY) });
    } else if (step.close !== undefined) {
      ws.close(step.close, 'transcript');
      await waitFor(() => feed.state !== 'streaming', 'client saw the close');
    }
  }
  assert.equal(inbox.length, received, `client sent unexpected messages: ${inbox.slice(received).join(' | ')}`);
  const done = async () => {
    await feed.stop();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    clock.dispose();
  };
  return { clock, feed, ticks, done };
}

test('normal handshake transcript: exact client messages, bursts, mixed status+data, text values', async () => {
  const { feed, ticks, done } = await replay('ws-handshake-normal.jsonl');
  try {
    assert.equal(ticks.length, 8);
    assert.deepEqual(ticks.at(-2), { symbol: 'I:SPX', value: 6802, eventTs: 1763650803000, receivedTs: T0 + 3000 });
    assert.equal(feed.counters().malformed, 0);
    assert.equal(feed.state, 'streaming');
  } finally {
    await done();
  }
});

test('max_connections transcript: close 1008 → the long cool-down', async () => {
  const { clock, feed, done } = await replay('ws-max-connections.jsonl', { maxConnectionsCooldownMs: 60_000 });
  try {
    await waitFor(() => feed.state === 'backoff', 'backoff');
    assert.ok(feed.nextReconnectAt! - clock.now() >= 60_000);
    assert.equal(feed.counters().maxConnectionKicks, 1);
  } finally {
    await done();
  }
});

test('auth_failed transcript: fatal, no retry', async () => {
  const { feed, done } = await replay('ws-auth-failed.jsonl');
  try {
    assert.equal(feed.state, 'fatal');
    assert.equal(feed.nextReconnectAt, null);
    assert.match(feed.fatalError!.message, /auth_failed/);
  } finally {
    await done();
  }
});

test('AM transcript: bar close at the window end; a silent minute is fine; a re-sent bar repeats its window', async () => {
  const { ticks, done } = await replay('ws-am-bars.jsonl', { channel: 'AM', symbols: ['I:SPX'] });
  try {
    assert.deepEqual(ticks.map((t) => [t.value, t.eventTs]), [
      [6802.8, 1763650860000],
      [6803.3, 1763650980000],
      [6803.6, 1763650980000],
    ]);
  } finally {
    await done();
  }
});

test('malformed transcript: 4 bad messages counted and skipped, the good ones delivered', async () => {
  const { feed, ticks, done } = await replay('ws-malformed.jsonl');
  try {
    assert.equal(feed.counters().malformed, 4);
    assert.deepEqual(ticks.map((t) => [t.symbol, t.value]), [['I:SPX', 6801.25], ['I:NDX', 6801.5], ['I:SPX', 6801.75]]);
  } finally {
    await done();
  }
});

test('silent-stall transcript: no frames and no pongs for 30 s → idle timeout, before the late frame', async () => {
  const late = load('ws-silent-stall.jsonl').at(-1)!.t;
  const { clock, feed, done } = await replay('ws-silent-stall.jsonl', { silenceRecycleMs: 0 }, late, false);
  try {
    // Last frame at +1000 ms: the socket is declared dead at +31000, ten seconds before the late frame.
    await clock.advanceTo(T0 + 30_999);
    assert.equal(feed.state, 'streaming');
    await clock.advanceTo(T0 + 31_000);
    await waitFor(() => feed.state === 'backoff', 'idle timeout');
    assert.equal(feed.counters().idleTimeouts, 1);
    assert.ok(T0 + 31_000 < T0 + late);
  } finally {
    await done();
  }
});

test('REST fixtures validate: snapshot rows and both market-status shapes', async () => {
  const clock = new VirtualClock(T0);
  const body = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
  const client = (f: string) => new MassiveRestClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', clock, fetch: (async () => new Response(body(f))) as typeof fetch });
  const snap = await client('snapshot-indices.json').getIndexSnapshot(['I:SPX', 'I:NDX', 'I:NOPE', 'I:DJI']);
  assert.deepEqual(snap.values.map((v) => [v.ticker, v.lastUpdatedMs]), [['I:SPX', 1763650801000], ['I:NDX', 1763650801000]]);
  assert.deepEqual(snap.errors.map((e) => e.error), ['NOT_FOUND', 'NOT_ENTITLED']);
  assert.equal((await client('marketstatus-now.json').getMarketStatus()).indicesGroups?.s_and_p, 'open');
  assert.equal((await client('marketstatus-now-legacy.json').getMarketStatus()).indicesGroups, undefined);
});
