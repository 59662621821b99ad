/**
 * Security (issue 14): a session run with recognisable canary credentials — the Kalshi key id, the private
 * key's material, the Massive key — against the simulators on loopback, with faults that make the adapters
 * log and fail (5xx, a refused Massive auth); then every file written under the working root and every
 * byte of output is searched for the canaries. None may appear. Plus the live gate's exactness and the key
 * file's permissions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Supervisor } from '../../src/app/supervisor.ts';
import { simClock } from '../../src/app/market-adapters.ts';
import { startKalshiSim } from '../../src/sim/kalshi/server.ts';
import { startMassiveSim } from '../../src/sim/massive/server.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { parseAppEnv } from '../../src/config/env.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import type { LogFields, LogFn, Logger } from '../../src/ports/logger.ts';
import { secretsRedactor } from '../../src/cli/context.ts';
import { writeCalibration, calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { pemSecrets } from '../../src/adapters/log/redact.ts';
import { tempHome, cli } from '../helpers/cli.ts';

const DATE = '2026-11-20';
const KEY_ID = 'KEYID-CANARY-7f3a9c21-5d0e-4b6a-9e1f-0c2d4b6f8a10';
const MASSIVE_KEY = 'MASSIVECANARY91b2c7d4e5f60718';

/** Every file under `dir`, recursively (gzip archives unpacked). */
function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allFiles(p) : [p];
  });
}

test('a session with canary credentials leaves them in no file, log line or output', async () => {
  const home = tempHome('ka-secrets-');
  const paths = resolvePaths(home);
  const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = path.join(home, 'canary.pem');
  fs.writeFileSync(keyFile, privatePem, { mode: 0o600 });
  const canaries = [KEY_ID, MASSIVE_KEY, ...pemSecrets(privatePem)];

  const clock = simClock(etToMs(DATE, '09:58:30'), 20);
  const kalshi = await startKalshiSim({ clock, seed: 5, dateEt: DATE, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), apiKeyId: KEY_ID, host: '127.0.0.1', port: 0 });
  const polygon = await startMassiveSim({ clock, seed: 5, dateEt: DATE, apiKey: MASSIVE_KEY, host: '127.0.0.1', port: 0, tickIntervalMs: 250 });
  const massive = await startMassiveSim({ clock, seed: 5, dateEt: DATE, apiKey: MASSIVE_KEY, host: '127.0.0.1', port: 0, tickIntervalMs: 250 });
  const rawEnv = {
    KALSHI_API_KEY_ID: KEY_ID,
    KALSHI_PRIVATE_KEY_PEM_PATH: keyFile,
    KALSHI_API_BASE: kalshi.restBase,
    KALSHI_WS_URL: kalshi.wsUrl,
    MASSIVE_API_KEY: MASSIVE_KEY,
    MASSIVE_WS_URL: polygon.wsUrl,
    MASSIVE_REST_BASE: massive.restUrl,
  };
  for (const symbol of ['I:SPX', 'I:NDX'] as const) {
    writeCalibration(calibrationPath(paths.calibDir, symbol, 'hourly'), {
      symbol, horizon: 'hourly', generated_at: new Date(clock.now() - 86_400_000).toISOString(), sample_count: 60, days: 60,
      minutes_to_target: { '1': { sigma: symbol === 'I:SPX' ? 3 : 12, drift: 0 }, '15': { sigma: symbol === 'I:SPX' ? 11.6 : 46, drift: 0 } },
      residual_std: 0.1, event_tail: { tags: [], kappa: 1 },
    });
  }
  // Output of both log formats, through the same redaction the CLI builds from the environment.
  let output = '';
  const redactor = secretsRedactor(rawEnv);
  const textLog = createLogger({ clock, format: 'text', level: 'debug', write: (s) => (output += s), redactor });
  const jsonLog = createLogger({ clock, format: 'json', level: 'debug', write: (s) => (output += s), redactor });
  const both = tee(textLog, jsonLog);
  try {
    // Faults that make adapters log and fail: 5xx on REST reads, a Massive key refused mid-window.
    clock.setTimeout(() => kalshi.controls.inject5xx(3, { pathPrefix: '/markets' }), 15_000);
    clock.setTimeout(() => {
      polygon.rejectAuth(true);
      polygon.dropAll();
    }, 30_000);
    const sup = new Supervisor(
      {
        source: 'online', broker: 'dry', seed: 5, refNowMs: clock.now(), loop: false, sleepSeconds: 30, killSwitchFile: paths.killSwitch,
        preflightRetryMs: 60_000, settle: false, noWsListen: false, startupTimeoutMs: 60_000, openLeadMs: 20_000,
      },
      { paths, config: defaultIndexOps(), calendar: createCalendar(), env: parseAppEnv(rawEnv), rawEnv, clock, log: both, signal: undefined },
    );
    const out = await sup.run();
    assert.equal(out.windows[0]!.state, 'done', 'the session ran');
    assert.ok(output.includes('fresh WS ok'), 'the logs were captured');
    // CLI commands with the same environment, their stdout and stderr included (one fails on purpose).
    for (const argv of [['preflight', '--json'], ['orders', 'reconcile', '--mode', 'live', '--json'], ['hot-restart', 'status', '--json'], ['monitors', '--json']]) {
      const r = await cli(argv, { home, env: rawEnv, clock });
      output += r.stdout + r.stderr;
    }
    kalshi.controls.inject5xx(20, { status: 401 });
    const failing = await cli(['scan-ladders', '--discover', '--date', DATE], { home, env: rawEnv, clock });
    assert.notEqual(failing.code, 0, 'the 401 run failed');
    output += failing.stdout + failing.stderr;
  } finally {
    await Promise.allSettled([kalshi.close(), polygon.close(), massive.close()]);
    clock.dispose();
  }
  const files = allFiles(home).filter((f) => f !== keyFile);
  assert.ok(files.some((f) => f.endsWith('index_paper.jsonl')) && files.some((f) => f.endsWith('hot_restart.json')), 'the session wrote its files');
  for (const f of files) {
    const text = fs.readFileSync(f).toString('utf8');
    for (const c of canaries) assert.ok(!text.includes(c), `${path.relative(home, f)} holds a secret (${c.slice(0, 12)}…)`);
  }
  for (const c of canaries) assert.ok(!output.includes(c), `output holds a secret (${c.slice(0, 12)}…)`);
});

/** Writes every line to both loggers (text and JSON), so both formats are searched. */
function tee(a: Logger, b: Logger): Logger {
  const fn = (k: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    ((x: LogFields | string, m?: string) => {
      (a[k] as (x: LogFields | string, m?: string) => void)(x, m);
      (b[k] as (x: LogFields | string, m?: string) => void)(x, m);
    }) as LogFn;
  return { debug: fn('debug'), info: fn('info'), warn: fn('warn'), error: fn('error'), child: (bind) => tee(a.child(bind), b.child(bind)) };
}

test('--broker live is refused unless KALSHI_LIVE_APPROVED is exactly "yes", before any network; a readable key file is refused', async () => {
  const home = tempHome('ka-gate-');
  const keyFile = path.join(home, 'key.pem');
  fs.writeFileSync(keyFile, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  // Unroutable-by-design endpoints: a refused run must not even try them.
  const env = { KALSHI_API_KEY_ID: 'k', KALSHI_PRIVATE_KEY_PEM_PATH: keyFile, KALSHI_API_BASE: 'http://127.0.0.1:9/trade-api/v2', KALSHI_WS_URL: 'ws://127.0.0.1:9/', MASSIVE_API_KEY: 'm', MASSIVE_WS_URL: 'ws://127.0.0.1:9/', MASSIVE_REST_BASE: 'http://127.0.0.1:9' };
  for (const approval of ['YES', 'yes ', ' yes', '1', 'true', '']) {
    const r = await cli(['supervisor-index', '--broker', 'live', '--now', '2026-11-20T09:50:00-05:00', '--startup-timeout', '1'], { home, env: { ...env, KALSHI_LIVE_APPROVED: approval } });
    assert.equal(r.code, 2, `KALSHI_LIVE_APPROVED=${JSON.stringify(approval)} must be refused (exit ${r.code}: ${r.stderr})`);
    assert.match(r.stderr, /live trading needs explicit human approval/);
    assert.ok(!fs.existsSync(path.join(home, 'data')), 'nothing was started or written');
  }
  fs.chmodSync(keyFile, 0o640);
  const readable = await cli(['supervisor-index', '--now', '2026-11-20T09:50:00-05:00', '--startup-timeout', '1'], { home, env });
  assert.notEqual(readable.code, 0, 'a group-readable key is refused for signed use');
  assert.match(readable.stderr, /kalshi_private_key_permissions/);
  const pf = await cli(['preflight', '--json', '--now', '2026-11-20T09:50:00-05:00'], { home, env });
  assert.ok(JSON.parse(pf.stdout).reasons.includes('kalshi_private_key_permissions'), 'preflight reports it');
});
