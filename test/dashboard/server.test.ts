/**
 * The dashboard server and command: loopback by default, a token required off loopback and enforced on
 * every request when given, Host checks without a token, the page and uPlot served with no build step,
 * server-sent updates carrying only changed sections, corrupt files shown as errors while the server
 * keeps serving, and the command's lifecycle (bound URL printed, clean stop on abort).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { runCli } from '../../src/cli/program.ts';
import { startDashboard } from '../../src/dashboard/server.ts';
import { armKillSwitch } from '../../src/adapters/fs/kill-switch.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { cli, tempHome } from '../helpers/cli.ts';
import { homePaths, putSnapshot, syntheticSnapshot, waitFor, writeText } from './helpers.ts';

const start = (home: string, extra: { token?: string; pushIntervalMs?: number } = {}) =>
  startDashboard({ paths: homePaths(home), calendar: createCalendar(), now: () => Date.now(), host: '127.0.0.1', port: 0, defaultMetrics: false, ...extra });

test('dashboard refuses a non-loopback host without --token (exit 2) and bad ports', async () => {
  for (const host of ['0.0.0.0', '192.0.2.10', '::']) {
    const r = await cli(['dashboard', '--host', host, '--port', '0']);
    assert.equal(r.code, 2, `${host}: ${r.stderr}`);
    assert.match(r.stderr, /not a loopback address: give --token/);
  }
  const bad = await cli(['dashboard', '--port', '70000']);
  assert.equal(bad.code, 2);
  const empty = await cli(['dashboard', '--port', '0', '--token', '']);
  assert.equal(empty.code, 2);
});

test('dashboard command: prints the bound URL, serves the page, uPlot and state, stops cleanly on abort', async () => {
  const home = tempHome('dash-cli-');
  const ac = new AbortController();
  let stdout = '';
  let stderr = '';
  const run = runCli(['dashboard', '--port', '0'], { env: { KALSHI_ALPHA_HOME: home }, cwd: home, out: (s) => (stdout += s), err: (s) => (stderr += s), signal: ac.signal });
  try {
    const url = await waitFor('the bound URL', () => /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1], 20_000);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>kalshi-alpha dashboard<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const uplot = await fetch(url + 'assets/uPlot.iife.min.js');
    assert.equal(uplot.status, 200);
    assert.match(uplot.headers.get('content-type') ?? '', /javascript/);
    assert.match(await uplot.text(), /uPlot/);
    assert.equal((await fetch(url + 'assets/uPlot.min.css')).status, 200);
    assert.equal((await fetch(url + 'assets/app.js')).status, 200);
    assert.equal((await fetch(url + 'assets/../../package.json')).status, 404);
    const state = (await (await fetch(url + 'api/state')).json()) as { supervisor: { running: boolean; code: string } };
    assert.deepEqual([state.supervisor.running, state.supervisor.code], [false, 'missing']);
  } finally {
    ac.abort();
  }
  assert.equal(await run, 0, stderr);
  assert.match(stdout, /dashboard stopped/);
});

test('token: every request must carry it (Bearer header or ?token=); the page passes it on to its assets', async () => {
  const home = tempHome('dash-token-');
  const dash = await start(home, { token: 's3cret&<x>' });
  try {
    const enc = encodeURIComponent('s3cret&<x>');
    for (const p of ['', 'api/state', 'metrics', 'assets/app.js', 'events', 'healthz']) {
      assert.equal((await fetch(dash.url + p)).status, 401, `${p} without token`);
      assert.equal((await fetch(dash.url + p + '?token=wrong')).status, 401, `${p} wrong token`);
    }
    assert.equal((await fetch(dash.url + 'api/state', { headers: { Authorization: 'Bearer s3cret&<x>' } })).status, 200);
    assert.equal((await fetch(dash.url + 'metrics', { headers: { Authorization: 'Bearer s3cret&<x>' } })).status, 200);
    const page = await fetch(dash.url + '?token=' + enc);
    assert.equal(page.status, 200);
    const html = await page.text();
    // Asset URLs carry the token, HTML-escaped in the attribute.
    assert.ok(html.includes(`/assets/app.js?token=${enc}`), 'asset URLs carry the token');
    assert.equal((await fetch(dash.url + `assets/app.js?token=${enc}`)).status, 200);
  } finally {
    await dash.close();
  }
});

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

test('without a token only loopback Host headers are served (DNS rebinding)', async () => {
  const dash = await start(tempHome('dash-host-'));
  try {
    assert.equal(await getWithHost(dash.url + 'api/state', `localhost:${dash.port}`), 200);
    assert.equal(await getWithHost(dash.url + 'api/state', `127.0.0.1:${dash.port}`), 200);
    assert.equal(await getWithHost(dash.url + 'api/state', `attacker.example:${dash.port}`), 403);
  } finally {
    await dash.close();
  }
});

/** Reads server-sent events from /events until `until` returns true for the merged state. */
async function readEvents(url: string, until: (merged: Record<string, unknown>, events: Record<string, unknown>[]) => boolean, timeoutMs = 20_000) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('timed out waiting for events')), timeoutMs);
  const events: Record<string, unknown>[] = [];
  const merged: Record<string, unknown> = {};
  try {
    const res = await fetch(url + 'events', { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(frame)?.[1];
        const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (ev !== 'update') continue;
        const upd = JSON.parse(data) as Record<string, unknown>;
        events.push(upd);
        Object.assign(merged, upd);
        if (until(merged, events)) {
          await reader.cancel();
          return { merged, events };
        }
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

test('events: the first update carries every section, later ones only what changed; a kill switch shows up', async () => {
  const home = tempHome('dash-sse-');
  const paths = homePaths(home);
  putSnapshot(paths, syntheticSnapshot());
  const dash = await start(home, { pushIntervalMs: 100 });
  try {
    let armed = false;
    const { events, merged } = await readEvents(dash.url, (m, evs) => {
      if (evs.length === 3 && !armed) {
        armKillSwitch(paths.killSwitch, Date.now(), 'test');
        armed = true;
      }
      return (m.safety as { kill_switch: { engaged: boolean } } | undefined)?.kill_switch.engaged === true;
    });
    assert.deepEqual(Object.keys(events[0]!).sort(), ['errors', 'feeds', 'incidents', 'ledger', 'meta', 'monitors', 'orders', 'pnl', 'reliability', 'safety', 'supervisor', 'timeline'].sort());
    // Between the first update and the arming, nothing but meta/supervisor (snapshot age) changed.
    for (const e of events.slice(1, 3)) assert.ok(Object.keys(e).every((k) => k === 'meta' || k === 'supervisor'), JSON.stringify(Object.keys(e)));
    assert.equal((merged.safety as { kill_switch: { reason: string } }).kill_switch.reason, 'test');
    assert.ok(dash.clients() <= 1);
  } finally {
    await dash.close();
  }
});

test('a corrupt snapshot or orders file is an error on the page; the server keeps serving', async () => {
  const home = tempHome('dash-corrupt-');
  const paths = homePaths(home);
  putSnapshot(paths, syntheticSnapshot());
  const dash = await start(home);
  try {
    let s = (await (await fetch(dash.url + 'api/state')).json()) as { supervisor: { running: boolean }; errors: unknown[] };
    assert.equal(s.supervisor.running, true);
    writeText(paths.hotRestart, '\u0000\u0001 not json');
    writeText(paths.ordersState, '{"version":1,"updated_ms":1,"updated_et":"x","modes":{"dry":{"orders":{"a":{"client_order_id":"b"}},"cancel_all":null},"live":{"orders":{},"cancel_all":null}}}');
    await new Promise((r) => setTimeout(r, 300)); // past the state cache (250 ms)
    s = (await (await fetch(dash.url + 'api/state')).json()) as typeof s;
    assert.equal(s.supervisor.running, false);
    const errs = s.errors as { source: string; message: string }[];
    assert.ok(errs.some((e) => e.source === 'snapshot' && /not valid JSON/.test(e.message)), JSON.stringify(errs));
    assert.ok(errs.some((e) => e.source === 'orders'), JSON.stringify(errs));
    assert.equal((await fetch(dash.url + 'metrics')).status, 200);
    assert.equal((await fetch(dash.url)).status, 200);
  } finally {
    await dash.close();
  }
});
