/**
 * Issue 12, item 5: against a server that reflects the request's headers into its error bodies, no error,
 * log line or CLI output carries the key id, the signature, or a raw body — through the REST client, the
 * websocket client, and `scan-ladders` end to end. Errors keep the exchange's `code` and a capped message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { KalshiApiError } from '../../src/adapters/kalshi/errors.ts';
import { KalshiRestClient } from '../../src/adapters/kalshi/rest-client.ts';
import { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import { runCli } from '../../src/cli/program.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { captureLogger, KEY_ID, SIM_DATE, testKeys, until } from '../kalshi/helpers.ts';
import { tempDir } from '../helpers/tmp.ts';

/** Reflections the server answers with, by request path (after /trade-api/v2). */
function body(pathname: string, headers: http.IncomingHttpHeaders): [number, string] {
  const echo = JSON.stringify(headers);
  if (pathname.includes('/portfolio/balance')) return [401, JSON.stringify({ error: { code: 'unauthorized', message: `bad signature for ${echo}`, details: echo } })];
  if (pathname.includes('/exchange/status')) return [400, JSON.stringify({ error: `rejected: ${echo}` })];
  if (pathname.includes('/exchange/schedule')) return [500, JSON.stringify({ code: 'internal', message: echo, details: echo })];
  if (pathname.includes('/markets/')) return [403, `<html><pre>${echo}</pre></html>`];
  return [401, JSON.stringify({ error: { code: `unauthorized ${headers['kalshi-access-key']}`, message: `key ${headers['kalshi-access-key']} sig ${headers['kalshi-access-signature']}` } })];
}

describe('no secret in errors, logs or CLI output against a header-reflecting server', () => {
  let server: http.Server;
  let wss: WebSocketServer;
  let base: string;
  let wsUrl: string;
  let lastSignature = '';

  before(async () => {
    server = http.createServer((req, res) => {
      lastSignature = String(req.headers['kalshi-access-signature'] ?? '');
      const [status, text] = body(new URL(req.url ?? '/', 'http://x').pathname, req.headers);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    });
    wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      // Accept, then send an error frame carrying the handshake headers.
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({ id: 1, type: 'error', msg: { code: 17, msg: `internal: ${JSON.stringify(req.headers)}` } })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}/trade-api/v2`;
    wsUrl = `ws://127.0.0.1:${port}/trade-api/ws/v2`;
  });
  after(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const clean = (text: string, what: string) => {
    assert.ok(!text.includes(KEY_ID), `${what} carries the key id: ${text}`);
    assert.ok(!lastSignature || !text.includes(lastSignature), `${what} carries the signature: ${text}`);
    assert.ok(!/KALSHI-ACCESS-(KEY|SIGNATURE)["']?\s*[:=]\s*["']?[A-Za-z0-9+/=-]{6,}/i.test(text), `${what} carries an auth header value: ${text}`);
    assert.ok(!text.includes('<html>'), `${what} carries a raw body: ${text}`);
  };

  test('REST: 401, string errors, flat errors, HTML — code kept, message capped, no key/signature/body', async () => {
    const clock = new VirtualClock(Date.now());
    const lines: string[] = [];
    const rest = new KalshiRestClient({ baseUrl: base, clock, signer: KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, clock), logger: captureLogger(lines), retry: { maxAttempts: 1 } });
    const calls: [() => Promise<unknown>, number, string][] = [
      [() => rest.getBalance(), 401, 'unauthorized'],
      [() => rest.getExchangeStatus(), 400, 'error'],
      [() => rest.getExchangeSchedule(), 500, 'internal'],
      [() => rest.getMarket('KXINXU-26NOV20H1100-T6800'), 403, 'http_403'],
      [() => rest.getSeries('KXINXU'), 401, 'unauthorized_'],
    ];
    for (const [call, status, code] of calls) {
      await assert.rejects(call(), (e: unknown) => {
        assert.ok(e instanceof KalshiApiError, `not an API error: ${String(e)}`);
        assert.equal(e.status, status);
        assert.equal(e.code, code);
        for (const t of [e.message, e.exchangeMessage, e.details ?? '', String(e.stack), JSON.stringify(e)]) clean(t, `HTTP ${status} error`);
        assert.ok(e.exchangeMessage.length <= 200 && (e.details ?? '').length <= 200, 'capped');
        return true;
      });
    }
    for (const l of lines) clean(l, 'log line');
  });

  test('websocket: an error frame echoing the handshake headers is logged without them', async () => {
    const clock = new VirtualClock(Date.now());
    const lines: string[] = [];
    const ws = new KalshiWsClient({ url: wsUrl, signer: KalshiSigner.fromPem(KEY_ID, testKeys().privatePem, clock), clock, logger: captureLogger(lines) });
    try {
      ws.watchLifecycle();
      await ws.start();
      await until(clock, () => lines.some((l) => l.includes('error frame')), 'error frame logged');
      for (const l of lines) clean(l, 'ws log line');
      assert.ok(lines.some((l) => l.includes('"code":17')), 'the code is kept');
    } finally {
      await ws.stop();
    }
  });

  test('scan-ladders against it: the one-line reason names the endpoint and code, never the key', async () => {
    const dir = tempDir('secret-');
    const pem = path.join(dir, 'kalshi.pem');
    fs.writeFileSync(pem, testKeys().privatePem, { mode: 0o600 });
    let out = '';
    let err = '';
    const code = await runCli(['scan-ladders', '--discover', '--date', SIM_DATE, '--series', 'INXU'], {
      env: { KALSHI_API_BASE: base, KALSHI_API_KEY_ID: KEY_ID, KALSHI_PRIVATE_KEY_PEM_PATH: pem },
      cwd: dir,
      out: (s) => (out += s),
      err: (s) => (err += s),
      clock: new VirtualClock(etToMs(SIM_DATE, '09:00')),
    });
    assert.equal(code, 1);
    assert.match(err, /HTTP 401 unauthorized/);
    clean(err, 'stderr');
    if (process.env.CONFORMANCE_VERBOSE) console.log(err);
    clean(out, 'stdout');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
