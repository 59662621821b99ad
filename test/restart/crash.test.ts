/**
 * The crash drill in-process (SPEC §6.6: "kill -9 at any point loses nothing, duplicates nothing, and quotes
 * again within a second"), on the discrete-event clock: a supervisor over the in-process generated day is
 * abandoned mid-window without any cleanup — no cancel, no last snapshot, its timers never fire again — and a
 * new one starts on the same working root 150 ms later, through the one crash-only start-up path (lock,
 * snapshot, orders.json, ledger recovery, resume). Start-up costs no virtual time, so "quoting again within
 * 1 s of virtual time" is a deterministic bound here, measured at every restart inside the window.
 *
 * The real-process drill (drill.test.ts) kills a child with SIGKILL at fewer points — the ones only a real
 * process can give: a write torn half-way, a kill in the middle of a cancel-all, the stale lock of a dead
 * process — and asserts nothing lost and nothing duplicated over them. Between them every kind of point is
 * covered: the in-process drill crashes at many more instants (seeded, right after a quote, in the final
 * minute, at the freeze, during settlement) in a fraction of the time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { seededRandom } from '../../src/sim/day/index-path.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { at, startInProcess, type InProcessHandle } from '../helpers/supervise.ts';
import { tempHome } from '../helpers/cli.ts';

// A 5-minute hourly window, as in the process drill.
const config = defaultIndexOps();
config.windows.hourly_start_offset_minutes = 5;
const WINDOW = { start: at('09:55:00'), stopQuoting: at('09:59:57.500'), freeze: at('09:59:58'), target: at('10:00:00') };
const RESTART_AFTER_MS = 150;

type Point = { kind: 'time'; at: number; label: string } | { kind: 'after_quote'; label: string };

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Fires the clock's batches one by one (each followed by its turn) until `stop()` or nothing is due by `limit`. */
async function runUntil(h: InProcessHandle, stop: () => boolean, limit: number): Promise<void> {
  await turn();
  while (!stop()) {
    const next = h.clock.nextTimerAt();
    if (next === undefined || next > limit) break;
    h.clock.step();
    await turn();
  }
}

/** The first `quoting` line of a run (json log lines), as a virtual instant. */
function firstQuotingAt(lines: string[]): number | undefined {
  for (const l of lines) {
    const j = JSON.parse(l) as { msg?: string; ts_ms?: number };
    if (j.msg === 'quoting') return j.ts_ms;
  }
  return undefined;
}

test('crash at 24 points over a window, restart on the same root: quoting again within 1 s of virtual time at every restart, nothing lost, nothing duplicated', async () => {
  const home = tempHome('ka-crash-');
  const rand = seededRandom(20261130);
  const seeded = Array.from({ length: 17 }, () => WINDOW.start + 2_000 + Math.floor(rand() * (at('09:59:40') - WINDOW.start - 2_000))).sort((a, b) => a - b);
  const points: Point[] = [
    { kind: 'time', at: at('09:54:50'), label: 'before start' },
    { kind: 'time', at: WINDOW.start + 150, label: 'right at the start' },
    ...seeded.slice(0, 9).map((t) => ({ kind: 'time' as const, at: t, label: 'seeded' })),
    { kind: 'after_quote', label: 'right after a quote' },
    ...seeded.slice(9).map((t) => ({ kind: 'time' as const, at: t, label: 'seeded' })),
    { kind: 'after_quote', label: 'right after a quote' },
    { kind: 'time', at: at('09:59:20'), label: 'final minute' },
    { kind: 'time', at: WINDOW.freeze + 200, label: 'at the freeze' },
    { kind: 'time', at: at('10:00:40'), label: 'during settlement' },
  ];
  assert.equal(points.length, 24);

  let nowMs = at('09:54:30');
  const seen = new Map<number, string>(); // seq → line as read after a crash: never lost, never changed
  const restarts: { startMs: number; label: string; lines: string[] }[] = [];
  let placed = 0;
  const start = (label: string) => {
    const h = startInProcess({
      home,
      nowIso: new Date(nowMs).toISOString(),
      config,
      opts: { seed: 7, settle: true },
      logFormat: 'json',
      during: ({ session }) => void session.broker.onEvent((e) => void (e.type === 'placed' && placed++)),
    });
    restarts.push({ startMs: nowMs, label, lines: h.lines });
    return h;
  };
  for (const p of points) {
    const h = start(p.label);
    if (p.kind === 'time') {
      await h.clock.advanceTo(p.at);
    } else {
      const before = placed;
      await runUntil(h, () => placed > before, WINDOW.stopQuoting);
      assert.ok(placed > before, `${p.label}: a new quote before the freeze`);
    }
    const diedAt = h.clock.now();
    await h.crash();
    const read = readLedgerFile(h.paths.ledger);
    for (const r of read.records) {
      const line = JSON.stringify(r);
      const prev = seen.get(r.seq);
      assert.ok(prev === undefined || prev === line, `seq ${r.seq} changed after a crash`);
      seen.set(r.seq, line);
    }
    nowMs = Math.max(nowMs, diedAt) + RESTART_AFTER_MS;
  }
  // The last run goes to the end: settlement, exit.
  const last = start('to the end');
  const out = await last.clock.drive(last.run);
  assert.equal(out.windows[0]?.state, 'done', JSON.stringify(out.windows.map((w) => [w.state, w.reasons])));

  const { records, skipped } = readLedgerFile(last.paths.ledger);
  assert.equal(skipped.length, 0, 'an in-process crash tears no write');
  // 1. Every record read after any crash is still there, unchanged.
  const final = new Map(records.map((r) => [r.seq, JSON.stringify(r)]));
  for (const [seq, line] of seen) assert.equal(final.get(seq), line, `record seq ${seq} lost or changed`);
  // 2. seq strictly increasing in file order, across every restart.
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.seq > records[i - 1]!.seq, `seq not increasing at ${records[i]!.seq}`);
  // 3. No client_order_id placed twice.
  const quotes = records.filter((r): r is Extract<LedgerRecord, { type: 'quote' }> => r.type === 'quote');
  assert.equal(new Set(quotes.map((q) => q.client_order_id)).size, quotes.length, 'a client_order_id was reused');
  assert.ok(quotes.length > 20, `the drill quoted (${quotes.length} quotes)`);
  // 4. Nothing left open: every quote cancelled or filled to completion, and settled.
  const closed = new Set<string>();
  for (const r of records) if (r.type === 'cancel' || (r.type === 'paper_fill' && r.filled_total >= r.size)) closed.add(r.client_order_id);
  for (const q of quotes) assert.ok(closed.has(q.client_order_id), `quote ${q.client_order_id} never closed`);
  const settled = new Set(records.filter((r) => r.type === 'settlement').map((r) => r.client_order_id));
  for (const q of quotes) assert.ok(settled.has(q.client_order_id), `quote ${q.client_order_id} never settled`);
  const orders = JSON.parse(fs.readFileSync(last.paths.ordersState, 'utf8'));
  assert.equal(Object.keys(orders.modes.dry.orders).length, 0, 'orders.json: nothing outstanding');
  // 5. Every restart inside the window (with time left to quote) quotes again within 1 s of virtual time.
  const inside = restarts.filter((r) => r.startMs >= WINDOW.start && r.startMs <= WINDOW.stopQuoting - 3_000);
  assert.ok(inside.length >= 20, `restarts inside the window: ${inside.length}`);
  for (const r of inside) {
    const q = firstQuotingAt(r.lines);
    assert.ok(q !== undefined, `restart at ${new Date(r.startMs).toISOString()} (${r.label}) never quoted`);
    assert.ok(q - r.startMs <= 1_000, `restart at ${new Date(r.startMs).toISOString()} (${r.label}) quoted after ${q - r.startMs} ms`);
  }
});
