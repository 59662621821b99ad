/**
 * The supervisor's time bounds, asserted where virtual time cannot be stretched by real I/O (issue 18): the
 * real Supervisor, session, engine, quoting state, dry broker, paper exchange and files over the in-process
 * generated day of `replay`, on the discrete-event clock (helpers/supervise.ts `superviseInProcess`). Each
 * scenario is the one of a loopback test (supervisor.test.ts, faults.test.ts), which asserts protocol, order
 * and outcome over real sockets; here the bounds — within a cycle, within a second, failover within the SLO,
 * back 5–6 s after recovery, no grace after a cap — hold or fail the same on any machine, however loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { readIncidents } from '../../src/adapters/monitors/report.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import type { LedgerSink } from '../../src/adapters/ledger/paper-recorder.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { allWithdrawnBy, at, quotes, repoRoot, superviseInProcess } from '../helpers/supervise.ts';

const inSlot = (r: LedgerRecord, from: number, to: number) => r.ts_ms >= from && r.ts_ms < to;
/** The engine's refresh period (SeriesWindowOptions.requoteIntervalMs): "one cycle". */
const CYCLE_MS = 1_000;

test('close window: no quote at or after the freeze, every quote withdrawn by it, every quoted market settled, no failover in a calm session', async () => {
  const r = await superviseInProcess({ nowIso: '2026-11-20T15:57:30-05:00', opts: { settle: true } });
  const [w] = r.out.windows;
  assert.equal(w!.state, 'done', JSON.stringify(w!.results.map((x) => x.error)));
  const q = quotes(r.records);
  assert.deepEqual(new Set(q.map((x) => x.series)), new Set(['INX', 'NASDAQ100', 'INXU', 'NASDAQ100U']));
  const freeze = w!.window.freezeMs;
  assert.ok(q.every((x) => x.ts_ms < freeze), 'no quote at or after the freeze');
  assert.deepEqual(allWithdrawnBy(r.records, freeze, 0), [], 'everything withdrawn by the freeze itself');
  for (const res of w!.results) assert.equal(res.outstandingAfterFreeze, 0);
  const settled = new Set(r.records.filter((x) => x.type === 'settlement').map((x) => x.kalshi_market_id));
  for (const m of new Set(q.map((x) => x.kalshi_market_id))) assert.ok(settled.has(m), `market ${m} settled`);
  const during = r.out.transitions.filter((t) => t.from !== 'stand_down' && t.at < w!.window.targetMs);
  assert.deepEqual(during, [], 'no failover in a calm session');
  // After the target the day's feeds end (nobody looks at an index until the next window): the failover
  // stands down for the end of the data — no outage, no ERROR line, no stand-down in REPORT.md.
  const after = r.out.transitions.filter((t) => t.at >= w!.window.targetMs);
  assert.deepEqual(after.map((t) => `${t.from}→${t.to}:${t.reason}`), ['polygon→stand_down:data_ended']);
  assert.deepEqual(r.lines.filter((l) => / ERROR /.test(l)), [], 'no ERROR line');
  assert.deepEqual(readIncidents(r.paths.reportMd), [], 'no incident in REPORT.md');
});

test('feed stall → failover to massive within the SLO (+1 tick) → back to polygon 5–6 s after it recovers', async () => {
  const stallAt = at('09:58:10');
  const resumeAt = at('09:58:14');
  const r = await superviseInProcess({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ atT, controls }) => {
      atT(stallAt, () => controls.stallFeed('polygon'));
      atT(resumeAt, () => controls.resumeFeed('polygon'));
    },
  });
  const t = r.out.transitions.filter((x) => x.from !== 'stand_down');
  assert.deepEqual(t.map((x) => `${x.from}→${x.to}:${x.reason}`), ['polygon→massive:primary_stale', 'massive→polygon:primary_recovered']);
  assert.ok(t[0]!.at > stallAt && t[0]!.at - stallAt <= 1_500, `failover within the SLO (+1 tick): ${t[0]!.at - stallAt} ms`);
  assert.ok(t[1]!.at - resumeAt >= 5_000 && t[1]!.at - resumeAt <= 6_000, `return ${t[1]!.at - resumeAt} ms after resume`);
  assert.ok(quotes(r.records).some((q) => q.active_feed === 'massive' && q.ts_ms > t[0]!.at && q.ts_ms < t[1]!.at), 'quoted on massive');
  assert.equal(r.out.windows[0]!.state, 'done');
});

test('both feeds stale → stand-down: everything cancelled within one cycle, nothing quoted during it, quoting resumes', async () => {
  const stallAt = at('09:58:10');
  const resumeAt = at('09:58:20');
  const r = await superviseInProcess({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ atT, controls }) => {
      atT(stallAt, () => {
        controls.stallFeed('polygon');
        controls.stallFeed('massive');
      });
      atT(resumeAt, () => {
        controls.resumeFeed('polygon');
        controls.resumeFeed('massive');
      });
    },
  });
  const down = r.out.transitions.find((x) => x.to === 'stand_down' && x.at > stallAt);
  assert.ok(down, 'stood down');
  assert.ok(down.at - stallAt <= 1_500, `stood down within the SLO (+1 tick): ${down.at - stallAt} ms`);
  const up = r.out.transitions.find((x) => x.from === 'stand_down' && x.at > down.at);
  assert.ok(up && up.at >= resumeAt, 'resumed after the feeds did');
  assert.ok(quotes(r.records).some((q) => q.ts_ms < down.at), 'quotes rested before the stand-down');
  assert.deepEqual(allWithdrawnBy(r.records, down.at, CYCLE_MS), []);
  assert.ok(quotes(r.records).every((q) => q.ts_ms < down.at || q.ts_ms >= up!.at), 'nothing quoted while standing down');
  assert.ok(quotes(r.records).some((q) => q.ts_ms >= up!.at && q.ts_ms <= up!.at + CYCLE_MS), 'quoting again within a cycle of the resume');
  const inc = readIncidents(r.paths.reportMd);
  assert.ok(inc.some((i) => i.kind === 'stand_down') && inc.some((i) => i.kind === 'feed_resumed'), JSON.stringify(inc));
});

test('kill switch armed mid-window: everything cancelled within 1 s, nothing placed after it, REPORT.md entry', async () => {
  const armAt = at('09:58:30.400'); // between two guard ticks
  const r = await superviseInProcess({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ atT, paths }) => atT(armAt, () => fs.writeFileSync(paths.killSwitch, 'drill')),
  });
  const q = quotes(r.records);
  assert.ok(q.some((x) => x.ts_ms < armAt), 'quoted before');
  assert.ok(q.every((x) => x.ts_ms < armAt), 'nothing placed after the kill switch');
  assert.deepEqual(allWithdrawnBy(r.records, armAt, 1_000), []);
  assert.ok(r.records.some((x) => x.type === 'cancel' && x.reason === 'kill_switch'), 'cancelled for the kill switch');
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'kill_switch'), 'REPORT.md entry');
});

test('orders cancel-all from another process (a real child process) is executed within a second and cleared', async () => {
  let markedAt = 0;
  const r = await superviseInProcess({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ clock, atT, home, session }) => {
      // Once orders rest, a real second process writes the marker (a locked read-modify-write of orders.json).
      // It runs synchronously: no virtual time passes while it does, as if it were instantaneous.
      const attempt = async () => {
        if ((await session.broker.openOrders()).length === 0) return void clock.setTimeout(() => void attempt(), 500);
        const p = spawnSync(process.execPath, [path.join(repoRoot, 'bin/kalshi-alpha.js'), 'orders', 'cancel-all', '--reason', 'operator_drill', '--mode', 'dry'], {
          env: { ...process.env, KALSHI_ALPHA_HOME: home },
          encoding: 'utf8',
        });
        assert.equal(p.status, 0, p.stderr);
        markedAt = clock.now();
      };
      atT(at('09:58:20.300'), () => void attempt());
    },
  });
  assert.ok(markedAt > 0, 'the marker was written while orders rested');
  const drill = r.records.filter((x) => x.type === 'cancel' && x.reason === 'operator_drill');
  assert.ok(drill.length > 0, 'orders cancelled with the operator reason');
  assert.ok(drill.every((c) => c.ts_ms >= markedAt && c.ts_ms - markedAt <= 1_000), `within 1 s of the marker: ${drill.map((c) => c.ts_ms - markedAt).join(',')}`);
  assert.deepEqual(allWithdrawnBy(r.records, markedAt, 1_000), [], 'nothing rests a second after the marker');
  const orders = JSON.parse(fs.readFileSync(r.paths.ordersState, 'utf8'));
  assert.equal(orders.modes.dry.cancel_all, null, 'marker cleared');
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'cancel_all' && /operator_drill/.test(i.text)), 'REPORT.md entry');
});

test('maintenance approaching: cancel-all within 1 s of its 5-minute lead, no quotes after it', async () => {
  // A 3-minute close window (15:57–16:00) and a slot whose 5-minute lead begins inside it, at 15:59.
  const config = defaultIndexOps();
  config.windows.close_start_offset_minutes = 3;
  const slot = { startMs: at('16:04:00'), endMs: at('16:30:00') };
  const blockAt = slot.startMs - 5 * 60_000;
  const r = await superviseInProcess({ nowIso: '2026-11-20T15:57:00-05:00', config, day: { exchange: { maintenance: [slot] } } });
  const q = quotes(r.records);
  assert.ok(q.some((x) => x.ts_ms < blockAt), 'quoted before the lead time');
  assert.ok(q.every((x) => x.ts_ms < blockAt), 'nothing quoted once maintenance is 5 minutes away');
  assert.ok(r.records.some((x) => x.type === 'cancel' && x.reason === 'kalshi_maintenance'), 'cancelled with reason kalshi_maintenance');
  assert.deepEqual(allWithdrawnBy(r.records, blockAt, 1_000), []);
  assert.ok(readIncidents(r.paths.reportMd).some((i) => i.kind === 'maintenance'), 'REPORT.md entry');
});

test('the per-market contract cap binds from fill events: no quote in a market after the fill that reached its cap', async () => {
  const config = defaultIndexOps();
  config.risk.max_contracts_per_market = 1;
  config.quotes.min_ev_usd = 0.01;
  const r = await superviseInProcess({ nowIso: '2026-11-20T15:56:30-05:00', config, day: { exchange: { takerProbability: 0.5 } } });
  assert.equal(r.out.windows[0]!.state, 'done');
  const byMarket = new Map<string, { filled: number; capAt?: number }>();
  for (const f of r.records.filter((x) => x.type === 'paper_fill')) {
    const m = byMarket.get(f.kalshi_market_id) ?? { filled: 0 };
    m.filled += f.fill_size;
    if (m.filled >= 1 && m.capAt === undefined) m.capAt = f.ts_ms;
    byMarket.set(f.kalshi_market_id, m);
  }
  assert.ok([...byMarket.values()].some((m) => m.capAt !== undefined), 'some market reached its cap');
  // No grace: the fill event updates the exposure before the next order is decided.
  for (const q of quotes(r.records)) {
    const m = byMarket.get(q.kalshi_market_id);
    if (m?.capAt !== undefined) assert.ok(q.ts_ms <= m.capAt, `quote in ${q.kalshi_market_id} ${q.ts_ms - m.capAt} ms after its cap`);
  }
  for (const [t, m] of byMarket) assert.ok(m.filled <= 1, `${t}: ${m.filled} contracts filled over a cap of 1`);
});

/** A ledger sink over the real writer whose disk "fills up" while `failing()` (ENOSPC). */
function fullDiskSink(file: string, archiveDir: string, failing: () => boolean): LedgerSink & { close(): void } {
  let w: LedgerWriter | undefined;
  return {
    appendBatch(inputs) {
      if (failing()) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      w ??= LedgerWriter.open(file, { archiveDir });
      return w.appendBatch(inputs);
    },
    close: () => w?.close(),
  };
}

test('faults in one window: exchange inactive withdrawn within a status poll + 1 s, clock drift within 5 s, a full disk within a cycle of the first failed write', async () => {
  const F = {
    inactive: [at('09:57:20'), at('09:57:45')] as const,
    drift: [at('09:58:00'), at('09:58:20')] as const,
    disk: [at('09:58:35'), at('09:58:50')] as const,
  };
  let diskFull = false;
  const r = await superviseInProcess({
    nowIso: '2026-11-20T09:56:30-05:00',
    optsFor: (paths) => ({ composition: { session: { ledgerSink: fullDiskSink(paths.ledger, paths.ledgerArchiveDir, () => diskFull) } } }),
    during: ({ atT, controls }) => {
      atT(F.inactive[0], () => controls.setTradingPaused(true));
      atT(F.inactive[1], () => controls.setTradingPaused(false));
      atT(F.drift[0], () => {
        controls.setFeedClockOffset('polygon', 2_500);
        controls.setFeedClockOffset('massive', 2_500);
      });
      atT(F.drift[1], () => {
        controls.setFeedClockOffset('polygon', 0);
        controls.setFeedClockOffset('massive', 0);
      });
      atT(F.disk[0], () => (diskFull = true));
      atT(F.disk[1], () => (diskFull = false));
    },
  });
  const q = quotes(r.records);
  const incidents = readIncidents(r.paths.reportMd);
  assert.equal(r.out.windows[0]!.state, 'done');
  const quotedIn = (from: number, to: number) => q.some((x) => inSlot(x, from, to));

  // Exchange inactive: the guard polls the status every 10 s; within a cycle of seeing it, nothing rests.
  const inactiveBlock = F.inactive[0] + 10_000 + CYCLE_MS;
  assert.ok(quotedIn(F.inactive[0] - 20_000, F.inactive[0]), 'quoting before the exchange paused');
  assert.deepEqual(allWithdrawnBy(r.records, inactiveBlock, 0), [], 'withdrawn once the exchange is seen inactive');
  assert.ok(q.every((x) => !inSlot(x, inactiveBlock, F.inactive[1])), 'no quote while the exchange is inactive');
  assert.ok(incidents.some((i) => /exchange inactive/.test(i.text)), 'REPORT.md: exchange inactive');
  assert.ok(quotedIn(F.inactive[1], F.drift[0]), 'quoting again once trading resumed');

  // Clock drift > 1 s against the feed's own times: blocked after three checks (one a second), cancelled within a cycle.
  const driftBlock = F.drift[0] + 3 * 1_000 + CYCLE_MS;
  assert.deepEqual(allWithdrawnBy(r.records, driftBlock, 0), [], 'withdrawn once the drift is confirmed');
  assert.ok(q.every((x) => !inSlot(x, driftBlock, F.drift[1])), 'no quote while the clock drifts');
  assert.ok(incidents.some((i) => /clock_drift/.test(i.text)), 'REPORT.md: clock drift');
  assert.ok(quotedIn(F.drift[1], F.disk[0]), 'quoting again once the clocks agree');

  // Full disk: from the first write that failed (the guard learns it there) everything is withdrawn within a
  // cycle (the withdrawals are written once the disk has room again, with their own instants).
  const failLine = r.lines.find((l) => /paper ledger not writable/.test(l));
  assert.ok(failLine, 'the operator is told');
  const failAt = Date.parse(failLine.split(' ')[0]!);
  assert.ok(failAt >= F.disk[0] && failAt < F.disk[1], 'the failure was seen while the disk was full');
  assert.deepEqual(allWithdrawnBy(r.records, failAt + 1_000 + CYCLE_MS, 0), [], 'nothing rests once the ledger is known down');
  for (let i = 1; i < r.records.length; i++) assert.ok(r.records[i]!.seq > r.records[i - 1]!.seq, 'seq increasing');
  for (const res of r.out.windows[0]!.results) assert.equal(res.outstandingAfterFreeze, 0, `${res.series}: zero outstanding at the freeze`);
});
