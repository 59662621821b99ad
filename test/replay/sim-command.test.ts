/** `kalshi-alpha sim`: the simulator standalone on loopback, its environment printed, stopped by a signal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import WebSocket from 'ws';
import { runCli } from '../../src/cli/program.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { tempHome } from '../helpers/cli.ts';

test('sim prints the URLs and environment of servers that answer, and stops on the signal', async () => {
  const home = tempHome('ka-sim-');
  const ctrl = new AbortController();
  let out = '';
  let err = '';
  const clock = new VirtualClock(Date.parse('2026-11-20T10:30:00-05:00'), { speed: 1 });
  const done = runCli(['sim', '--seed', '7', '--json'], { env: {}, cwd: home, out: (s) => (out += s), err: (s) => (err += s), signal: ctrl.signal, clock });
  try {
    for (let i = 0; i < 200 && !out.includes('"env"'); i++) await new Promise((r) => setTimeout(r, 25));
    const j = JSON.parse(out);
    assert.equal(j.date, '2026-11-20');
    assert.equal(j.seed, 7);
    const env = j.env as Record<string, string>;
    for (const k of ['KALSHI_API_BASE', 'KALSHI_WS_URL', 'KALSHI_API_KEY_ID', 'KALSHI_PRIVATE_KEY_PEM_PATH', 'POLYGON_API_KEY', 'MASSIVE_WS_URL', 'MASSIVE_REST_BASE']) assert.ok(env[k], `${k} printed`);
    for (const u of [env.KALSHI_API_BASE!, env.MASSIVE_WS_URL!, env.MASSIVE_REST_BASE!]) assert.match(u, /^(http|ws):\/\/127\.0\.0\.1:\d+/, `${u} on loopback`);
    assert.equal(fs.statSync(env.KALSHI_PRIVATE_KEY_PEM_PATH!).mode & 0o077, 0, 'the key file is private');
    const status = await fetch(`${env.KALSHI_API_BASE}/exchange/status`);
    assert.equal(status.status, 200, 'Kalshi REST answers');
    const events = (await (await fetch(`${env.KALSHI_API_BASE}/events?series_ticker=KXINXU&with_nested_markets=true`)).json()) as { events: { event_ticker: string }[] };
    assert.ok(events.events.some((e) => e.event_ticker === 'KXINXU-26NOV20H1100'), 'the day\'s ladders are listed');
    const first = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(env.MASSIVE_WS_URL!);
      ws.once('message', (d) => {
        resolve(String(d));
        ws.close();
      });
      ws.once('error', reject);
    });
    assert.match(first, /"status":"connected"/, 'the index feed speaks the Massive handshake');
  } finally {
    ctrl.abort(new Error('test over'));
  }
  const code = await done;
  assert.equal(code, 0, err);
  clock.dispose();
  const keys = fs.readdirSync(`${home}/data/proc/sim`);
  assert.deepEqual(keys, [], 'the key file is removed on exit');
});

test('sim refuses bad flags with exit 2', async () => {
  const home = tempHome('ka-sim-bad-');
  for (const argv of [['sim', '--speed', '5'], ['sim', '--now', 'yesterday'], ['sim', '--kalshi-port', '70000'], ['sim', '--seed', 'x']]) {
    let err = '';
    const code = await runCli(argv, { env: {}, cwd: home, out: () => {}, err: (s) => (err += s) });
    assert.equal(code, 2, `${argv.join(' ')}: ${err}`);
  }
});
