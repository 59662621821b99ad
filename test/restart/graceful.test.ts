/**
 * Graceful stop and the operator's restart tools against a real `supervisor-index --sim` child process:
 * SIGTERM cancels everything (reason `shutdown`), writes the snapshot and exits 0 naming the signal; a
 * second signal exits at once; `hot-restart capture` gets a fresh snapshot from the running process and
 * `status`/`restore` read it; a second supervisor on the same root refuses. And in-process with the live
 * broker: a stop leaves nothing of ours resting at the simulated exchange.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolvePaths } from '../../src/config/paths.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { readSnapshot } from '../../src/app/snapshot.ts';
import { Supervisor } from '../../src/app/supervisor.ts';
import { simClock, type MarketAdapters } from '../../src/app/market-adapters.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { tempHome, cli } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repoRoot, 'bin/kalshi-alpha.js');

function supervisor(home: string, nowIso = '2026-11-20T09:50:00-05:00'): { proc: ChildProcess; out: () => string; err: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  // The run calibrates itself on the simulator's history: its quotes then carry the market's thin true edge
  // (≈ 5–6¢ against the 5¢ bar) and flicker in and out of the desired set. A 2¢ bar keeps orders resting, which
  // is what a stop has to clean up.
  fs.mkdirSync(path.join(home, 'configs'), { recursive: true });
  if (!fs.existsSync(path.join(home, 'configs/index_ops.yaml'))) fs.writeFileSync(path.join(home, 'configs/index_ops.yaml'), 'quotes:\n  min_ev_usd: 0.02\n');
  const proc = spawn(process.execPath, [bin, 'supervisor-index', '--sim', '--speed', '10', '--now', nowIso], { env: { ...process.env, KALSHI_ALPHA_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return { proc, out: () => out, err: () => err, exited };
}

/** Bounded real-time poll. */
async function until(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const outstanding = (home: string) => {
  const r = readSnapshot(resolvePaths(home).hotRestart, Number.MAX_SAFE_INTEGER);
  return r.kind === 'ok' ? r.snapshot.outstanding.count : 0;
};

test('SIGTERM: every resting order cancelled (reason shutdown), snapshot written, exit 0 naming the signal; capture/status/restore; a second supervisor refuses', async () => {
  const home = tempHome('ka-sigterm-');
  const paths = resolvePaths(home);
  const s = supervisor(home);
  await until(() => outstanding(home) > 0, 'orders resting');

  // The operator's tools while it runs.
  const second = await cli(['supervisor-index', '--sim', '--now', '2026-11-20T09:50:00-05:00'], { home });
  assert.equal(second.code, 1, `a second supervisor on the same root refuses (got ${second.code}: ${second.stderr})`);
  assert.match(second.stderr, /another supervisor holds this working root/);
  const cap = await cli(['hot-restart', 'capture', '--json'], { home });
  assert.equal(cap.code, 0, cap.stderr);
  const status = await cli(['hot-restart', 'status', '--json'], { home });
  assert.equal(status.code, 0, status.stderr);
  const st = JSON.parse(status.stdout);
  assert.equal(st.supervisor.running, true);
  assert.equal(st.active_window.id, '2026-11-20/hourly-1000');

  s.proc.kill('SIGTERM');
  const { code } = await s.exited;
  assert.equal(code, 0, `exit code (stderr: ${s.err().slice(-500)})`);
  assert.match(s.err(), /stopped \(received SIGTERM\): \d+ resting orders cancelled, snapshot written/);
  const snap = readSnapshot(paths.hotRestart, Number.MAX_SAFE_INTEGER);
  assert.equal(snap.kind, 'ok');
  if (snap.kind === 'ok') {
    assert.equal(snap.snapshot.running, false, 'the last snapshot says it stopped');
    assert.equal(snap.snapshot.outstanding.count, 0, 'nothing outstanding');
  }
  // Every quote is closed, the ones resting at the signal with reason `shutdown`.
  const records = readLedgerFile(paths.ledger).records;
  const closed = new Set(records.filter((r) => r.type === 'cancel' || (r.type === 'paper_fill' && r.filled_total >= r.size)).map((r) => r.client_order_id));
  for (const q of records.filter((r) => r.type === 'quote')) assert.ok(closed.has(q.client_order_id), `quote ${q.client_order_id} left open`);
  assert.ok(records.some((r) => r.type === 'cancel' && r.reason === 'shutdown'), 'cancelled for the shutdown');
  assert.equal(Object.keys(JSON.parse(fs.readFileSync(paths.ordersState, 'utf8')).modes.dry.orders).length, 0, 'orders.json empty');
  // restore: the stopped supervisor's snapshot, judged at its own clock.
  const restore = await cli(['hot-restart', 'restore', '--json', '--now', new Date((snap as { snapshot: { captured_ms: number } }).snapshot.captured_ms + 1000).toISOString()], { home });
  assert.equal(restore.code, 0, restore.stderr);
  assert.equal(JSON.parse(restore.stdout).window, '2026-11-20/hourly-1000');
  const tooLate = await cli(['hot-restart', 'restore', '--json', '--now', '2026-11-20T12:00:00-05:00'], { home });
  assert.equal(tooLate.code, 1, 'an old snapshot is not restorable');
});

test('a second signal exits at once', async () => {
  const home = tempHome('ka-sig2-');
  const s = supervisor(home);
  await until(() => outstanding(home) > 0, 'orders resting');
  // Two different signals (the kernel merges a pending duplicate of the same one): the second exits at once.
  s.proc.kill('SIGINT');
  s.proc.kill('SIGTERM');
  const { code, signal } = await s.exited;
  assert.ok(code === 143 || code === 130, `the second signal exits at once with 130/143, not a graceful 0 (exit ${code} ${signal})`);
  assert.match(s.err(), /second signal \((SIGINT|SIGTERM)\): exiting now/);
});

test('live broker: a stop leaves nothing of ours resting at the simulated exchange', async () => {
  const home = tempHome('ka-live-stop-');
  const paths = resolvePaths(home);
  const clock = simClock(etToMs('2026-11-20', '09:55:00'), 20);
  const { log, lines } = captureLog(clock);
  const ac = new AbortController();
  let adapters: MarketAdapters | undefined;
  const sup = new Supervisor(
    {
      source: 'sim', broker: 'live', seed: 20261120, refNowMs: clock.now(), loop: false, sleepSeconds: 30, killSwitchFile: paths.killSwitch,
      preflightRetryMs: 60_000, settle: false, noWsListen: false, startupTimeoutMs: 60_000, openLeadMs: 20_000,
      onDayOpen: (d) => {
        adapters = d.adapters;
        const ex = d.adapters.sim!.kalshi.exchange;
        // Stop (as SIGTERM does through the entry point's abort) once something of ours rests.
        const check = () => {
          if ([...ex.orders.values()].some((o) => o.owner === d.adapters.sim!.kalshiKeyId && o.status === 'resting')) ac.abort(new Error('received SIGTERM'));
          else clock.setTimeout(check, 500);
        };
        clock.setTimeout(check, 500);
      },
    },
    { paths, config: defaultIndexOps(), calendar: createCalendar(), env: {}, rawEnv: { KALSHI_LIVE_APPROVED: 'yes' }, clock, log, signal: ac.signal },
  );
  try {
    const out = await sup.run();
    assert.equal(out.stoppedBy, 'received SIGTERM');
    assert.ok(out.cancelledOnStop > 0, `orders cancelled on stop (${out.cancelledOnStop})\n${lines.filter((l) => /cancel|shutdown|WARN|ERROR/.test(l)).slice(-15).join('\n')}`);
    const ex = adapters!.sim!.kalshi.exchange;
    const ours = [...ex.orders.values()].filter((o) => o.owner === adapters!.sim!.kalshiKeyId);
    assert.ok(ours.length > 0, 'it had placed orders');
    assert.equal(ours.filter((o) => o.status === 'resting').length, 0, 'nothing of ours rests at the exchange');
  } finally {
    clock.dispose();
  }
});
