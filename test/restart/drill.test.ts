/**
 * The kill -9 drill (SPEC §6.6, issue: "kill -9 at any point loses nothing, duplicates nothing, and quotes
 * again within a second"): `supervisor-index --sim` in a child process is killed with SIGKILL at 22 points
 * spread over a window — before its start, at seeded instants, right after a quote, during a kill-switch
 * cancel-all, half-way through a ledger write, in the final minute, at the freeze, during settlement — and
 * restarted each time at the virtual instant it died. Then the whole history is checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolvePaths } from '../../src/config/paths.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { seededRandom } from '../../src/sim/day/index-path.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { tempHome } from '../helpers/cli.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repoRoot, 'bin/kalshi-alpha.js');
const DATE = '2026-11-20';
const at = (t: string) => etToMs(DATE, t);
const SPEED = 30;
// A 5-minute hourly window (configs/index_ops.yaml in the drill's home) keeps the drill to a few minutes of virtual time.
const WINDOW = { start: at('09:55:00'), stopQuoting: at('09:59:57.500'), target: at('10:00:00') };

interface Child {
  proc: ChildProcess;
  startMs: number;
  out: string[];
  exited: Promise<number | null>;
}

function start(home: string, nowMs: number, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [bin, 'supervisor-index', '--sim', '--speed', String(SPEED), '--now', new Date(nowMs).toISOString(), '--log-format', 'json', '--seed', '7'], {
    env: { ...process.env, KALSHI_ALPHA_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    const lines = buf.split('\n');
    buf = lines.pop()!;
    out.push(...lines);
  });
  proc.stderr!.on('data', (d: Buffer) => out.push(d.toString('utf8')));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, startMs: nowMs, out, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The child's virtual now, as far as its files tell: the snapshot's capture or the last ledger record. */
function progress(home: string): number {
  const p = resolvePaths(home);
  let t = 0;
  try {
    t = JSON.parse(fs.readFileSync(p.hotRestart, 'utf8')).captured_ms as number;
  } catch {
    // not written yet, or being replaced
  }
  if (fs.existsSync(p.ledger)) {
    const recs = readLedgerFile(p.ledger).records;
    if (recs.length) t = Math.max(t, recs[recs.length - 1]!.ts_ms);
  }
  return t;
}

/** Polls (bounded, real time) until `cond` or the child exits; returns whether `cond` held. */
async function until(c: Child, cond: () => boolean, what: string, limitMs = 60_000): Promise<boolean> {
  let exited = false;
  void c.exited.then(() => (exited = true));
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if (cond()) return true;
    if (exited) return false;
    await sleep(15);
  }
  throw new Error(`drill: timed out waiting for ${what}\n${c.out.slice(-20).join('\n')}`);
}

async function kill(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

type Point = { kind: 'time'; at: number; label: string } | { kind: 'after_quote'; label: string } | { kind: 'kill_switch'; at: number; label: string } | { kind: 'torn_write'; label: string };

test('kill -9 at 22 points over a window: nothing lost, nothing duplicated, quoting again within 1 s of virtual time', { timeout: 240_000 }, async () => {
  const home = tempHome('ka-drill-');
  const paths = resolvePaths(home);
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'index_ops.yaml'), 'windows:\n  hourly_start_offset_minutes: 5\n');
  const rand = seededRandom(20261130);
  const seeded = Array.from({ length: 15 }, () => WINDOW.start + 5_000 + Math.floor(rand() * (at('09:58:40') - WINDOW.start - 5_000))).sort((a, b) => a - b);
  const points: Point[] = [
    { kind: 'time', at: at('09:54:50'), label: 'before start' },
    ...seeded.slice(0, 5).map((t) => ({ kind: 'time' as const, at: t, label: 'seeded' })),
    { kind: 'after_quote', label: 'mid-quote' },
    ...seeded.slice(5, 10).map((t) => ({ kind: 'time' as const, at: t, label: 'seeded' })),
    { kind: 'kill_switch', at: Math.max(seeded[10]!, 0), label: 'during a cancel-all' },
    { kind: 'torn_write', label: 'mid-ledger-write' },
    ...seeded.slice(11, 15).map((t) => ({ kind: 'time' as const, at: t, label: 'seeded' })),
    { kind: 'time', at: at('09:59:20'), label: 'final minute' },
    { kind: 'time', at: at('09:59:58.200'), label: 'at freeze' },
    { kind: 'time', at: at('10:00:40'), label: 'during settlement' },
  ];
  assert.ok(points.length >= 20, `at least 20 kill points (${points.length})`);

  let nowMs = at('09:54:30');
  const seen = new Map<number, string>(); // seq → line as read after a kill: never lost, never changed
  const restarts: { startMs: number; out: string[] }[] = [];
  let kills = 0;
  for (const p of points) {
    const env: Record<string, string> = p.kind === 'torn_write' ? { KALSHI_ALPHA_FAULT: 'ledger_torn_write:3' } : {};
    if (p.kind === 'torn_write') nowMs = Math.max(nowMs, WINDOW.start + 1_000); // writes happen once quoting
    const c = start(home, nowMs, env);
    restarts.push({ startMs: nowMs, out: c.out });
    if (p.kind === 'time') {
      await until(c, () => progress(home) >= p.at, `${p.label} at ${new Date(p.at).toISOString()}`);
    } else if (p.kind === 'after_quote') {
      const before = fs.existsSync(paths.ledger) ? readLedgerFile(paths.ledger).records.filter((r) => r.type === 'quote').length : 0;
      await until(c, () => fs.existsSync(paths.ledger) && readLedgerFile(paths.ledger).records.filter((r) => r.type === 'quote').length > before, 'a new quote');
    } else if (p.kind === 'kill_switch') {
      await until(c, () => progress(home) >= p.at, 'kill-switch instant');
      fs.writeFileSync(paths.killSwitch, 'drill');
      await until(c, () => readLedgerFile(paths.ledger).records.some((r) => r.type === 'cancel' && r.reason === 'kill_switch'), 'kill-switch cancels');
    } else {
      const code = await c.exited; // it kills itself half-way through its third ledger write
      assert.equal(code, null, 'the torn-write fault killed the process');
    }
    await kill(c);
    kills++;
    if (fs.existsSync(paths.killSwitch)) fs.rmSync(paths.killSwitch);
    const read = readLedgerFile(paths.ledger);
    for (const r of read.records) {
      const line = JSON.stringify(r);
      const prev = seen.get(r.seq);
      assert.ok(prev === undefined || prev === line, `seq ${r.seq} changed after a restart`);
      seen.set(r.seq, line);
    }
    // Restart where it died (the clock never goes back), a little after its last trace.
    nowMs = Math.max(nowMs, progress(home)) + 150;
  }
  // The last run goes to the end: settlement, exit.
  const last = start(home, nowMs);
  restarts.push({ startMs: nowMs, out: last.out });
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([last.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 120_000)))]);
  clearTimeout(timer);
  assert.equal(code, 0, `final run exit ${code}\n${last.out.slice(-15).join('\n')}`);

  const { records, skipped } = readLedgerFile(paths.ledger);
  // 1. Every record read after any kill is still there, unchanged.
  const final = new Map(records.map((r) => [r.seq, JSON.stringify(r)]));
  for (const [seq, line] of seen) assert.equal(final.get(seq), line, `record seq ${seq} lost or changed`);
  // 2. At most one torn line per crash.
  assert.ok(skipped.length <= kills, `${skipped.length} skipped lines for ${kills} kills`);
  assert.ok(skipped.length >= 1, 'the torn write left its fragment');
  // 3. seq strictly increasing in file order, across every restart.
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.seq > records[i - 1]!.seq, `seq not increasing at ${records[i]!.seq}`);
  // 4. No client_order_id placed twice.
  const quotes = records.filter((r): r is Extract<LedgerRecord, { type: 'quote' }> => r.type === 'quote');
  assert.equal(new Set(quotes.map((q) => q.client_order_id)).size, quotes.length, 'a client_order_id was reused');
  assert.ok(quotes.length > 20, `the drill quoted (${quotes.length} quotes)`);
  // 5. Nothing left open: every quote was cancelled or filled to completion, and every market settled.
  const closed = new Set<string>();
  for (const r of records) if (r.type === 'cancel' || (r.type === 'paper_fill' && r.filled_total >= r.size)) closed.add(r.client_order_id);
  for (const q of quotes) assert.ok(closed.has(q.client_order_id), `quote ${q.client_order_id} never closed`);
  const settled = new Set(records.filter((r) => r.type === 'settlement').map((r) => r.client_order_id));
  for (const q of quotes) assert.ok(settled.has(q.client_order_id), `quote ${q.client_order_id} never settled`);
  const orders = JSON.parse(fs.readFileSync(paths.ordersState, 'utf8'));
  assert.equal(Object.keys(orders.modes.dry.orders).length, 0, 'orders.json: nothing outstanding');
  // 6. Restarted inside the window, it quotes again within 1 s of virtual time.
  let measured = 0;
  for (const r of restarts) {
    if (r.startMs < WINDOW.start || r.startMs > WINDOW.stopQuoting - 3_000) continue;
    const firstQuoting = r.out
      .map((l) => {
        try {
          return JSON.parse(l) as { msg?: string; ts_ms?: number };
        } catch {
          return {};
        }
      })
      .find((j) => j.msg === 'quoting');
    if (!firstQuoting?.ts_ms) continue; // killed before it could quote (a point right after its start)
    measured++;
    assert.ok(firstQuoting.ts_ms - r.startMs <= 1_000, `restart at ${new Date(r.startMs).toISOString()} quoted after ${firstQuoting.ts_ms - r.startMs} ms`);
  }
  assert.ok(measured >= 10, `restart-to-quoting measured on ${measured} restarts`);
});
