/**
 * The process around the product: `preflight` on a fresh root, and the last-resort handler — a bug that
 * escapes every handler must not kill the process silently with orders resting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { readSnapshot, writeSnapshot, type Snapshot } from '../../src/app/snapshot.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { tempHome, cli } from '../helpers/cli.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/kalshi-alpha.js');

test('preflight --json on a fresh root with no environment: exit 1 with missing_env and calibration_missing; a group-readable key adds kalshi_private_key_permissions', async () => {
  const home = tempHome('ka-pf-');
  const r = await cli(['preflight', '--json', '--now', '2026-11-20T09:50:00-05:00'], { home });
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.go, false);
  assert.ok(j.reasons.some((x: string) => x.startsWith('missing_env:') && x.includes('KALSHI_API_KEY_ID')), JSON.stringify(j.reasons));
  assert.ok(j.reasons.includes('calibration_missing:INXU:hourly') && j.reasons.includes('calibration_missing:NASDAQ100U:hourly'), JSON.stringify(j.reasons));
  assert.ok(j.skipped.some((x: string) => /network/.test(x)), 'no network without an environment');
  const key = path.join(home, 'key.pem');
  fs.writeFileSync(key, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o644 });
  fs.chmodSync(key, 0o644);
  const r2 = await cli(['preflight', '--json', '--now', '2026-11-20T09:50:00-05:00'], { home, env: { KALSHI_API_KEY_ID: 'some-key', KALSHI_PRIVATE_KEY_PEM_PATH: key } });
  assert.ok(JSON.parse(r2.stdout).reasons.includes('kalshi_private_key_permissions'), r2.stdout);
});

test('a snapshot dated in the future is set aside, never trusted', () => {
  const home = tempHome('ka-future-');
  const p = resolvePaths(home);
  const now = Date.parse('2026-11-20T09:50:00-05:00');
  writeSnapshot(p.hotRestart, { version: 1, captured_at: 'x', captured_ms: now + 60_000, pid: 1, running: true, source: 'sim', mode: 'dry', day: null, active_window: null, upcoming_windows: [], windows_today: [], outstanding: { count: 0, client_order_ids: [] }, feeds: null, kill_switch: false, maintenance: null, quoting: [], ev_gap: {} } satisfies Snapshot);
  const r = readSnapshot(p.hotRestart, now, { setAside: true });
  assert.equal(r.kind, 'invalid');
  assert.match(r.kind === 'invalid' ? r.reason : '', /in the future/);
  assert.ok(r.kind === 'invalid' && r.setAsidePath && fs.existsSync(r.setAsidePath), 'set aside');
  assert.equal(fs.existsSync(p.hotRestart), false);
});

test('a bug that escapes every handler: logged, every resting order cancelled (fatal_error), exit 70 — never a silent death', async () => {
  const home = tempHome('ka-lastresort-');
  // (self-calibrated, the quotes' true edge is thin and they flicker; a 2¢ bar keeps orders resting at the crash)
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs/index_ops.yaml'), 'quotes:\n  min_ev_usd: 0.02\n');
  const proc = spawn(process.execPath, [bin, 'supervisor-index', '--sim', '--speed', '10', '--now', '2026-11-20T09:50:00-05:00'], {
    env: { ...process.env, KALSHI_ALPHA_HOME: home, KALSHI_ALPHA_FAULT: 'crash_after_write:6' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  proc.stdout.resume();
  const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
  assert.equal(code, 70, `exit code (stderr: ${err.slice(-800)})`);
  assert.match(err, /fatal uncaught exception: injected bug/);
  assert.match(err, /emergency cancel-all completed/);
  const records = readLedgerFile(resolvePaths(home).ledger).records;
  const quotes = records.filter((r) => r.type === 'quote');
  const closed = new Set(records.filter((r) => r.type === 'cancel' || (r.type === 'paper_fill' && r.filled_total >= r.size)).map((r) => r.client_order_id));
  assert.ok(quotes.length > 0, 'it had quoted');
  for (const q of quotes) assert.ok(closed.has(q.client_order_id), `quote ${q.client_order_id} left resting`);
  assert.ok(records.some((r) => r.type === 'cancel' && r.reason === 'fatal_error'), 'cancelled by the last resort');
});
