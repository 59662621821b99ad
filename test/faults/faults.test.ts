/**
 * The fault suite (SPEC §10, issue 14): each test breaks something on purpose during a simulated session
 * through the real adapters and asserts that nothing acknowledged is lost, nothing unintended is sent, and
 * the operator is told (log lines, REPORT.md). Faults that do not interfere share one window, each in its
 * own time slot, to keep the suite fast.
 *
 * Over real sockets on a flowing clock real latency becomes virtual time, so what is asserted here is order
 * and outcome, each measured from the instant the session itself noticed the fault (its log line): withdrawn
 * before quoting resumed, nothing quoted meanwhile, the operator told. How soon (within a status poll, three
 * drift checks, a cycle of the first failed write) is asserted in-process on the discrete-event clock, on the
 * same faults: test/supervisor/bounds.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import type { LedgerSink } from '../../src/adapters/ledger/paper-recorder.ts';
import { readIncidents } from '../../src/adapters/monitors/report.ts';
import type { KalshiWsClient } from '../../src/adapters/kalshi/ws-client.ts';
import type { LedgerRecord } from '../../src/core/ledger/record.ts';
import { allWithdrawnBy, at, count, loggedAt, quotes, supervise } from '../helpers/supervise.ts';
import { cli, tempHome } from '../helpers/cli.ts';

/** A ledger sink over the real writer whose disk "fills up" between two instants (ENOSPC). */
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

const inSlot = (r: LedgerRecord, from: number, to: number) => r.ts_ms >= from && r.ts_ms < to;

test('one window, many faults: max_connections, Kalshi socket drop, seq gap, exchange inactive, clock drift, full disk, 429 storm', async () => {
  const F = {
    maxConn: at('09:55:00'),
    drop: at('09:56:30'),
    seqGap: at('09:57:00'),
    inactive: [at('09:57:20'), at('09:57:45')] as const,
    drift: [at('09:58:00'), at('09:58:20')] as const,
    disk: [at('09:58:35'), at('09:58:50')] as const,
    storm: at('09:59:05'),
  };
  let diskFull = false;
  // (The instants the disk really filled and emptied: a flowing clock may read past a timer's instant before it runs.)
  const disk = { fullAt: 0, okAt: 0 };
  let ws: KalshiWsClient | undefined;
  let polygonConnections: () => number[] = () => [];
  let kalshiRequests: () => { path: string; status: number }[] = () => [];
  const r = await supervise({
    nowIso: '2026-11-20T09:54:30-05:00',
    optsFor: (paths) => ({ composition: { session: { ledgerSink: fullDiskSink(paths.ledger, paths.ledgerArchiveDir, () => diskFull) } } }),
    during: ({ clock, adapters }) => {
      const sim = adapters.sim!;
      ws = adapters.ws;
      polygonConnections = () => sim.polygon.connectionTimes();
      kalshiRequests = () => sim.kalshi.stats.requests;
      const atT = (t: number, fn: () => void) => clock.setTimeout(fn, t - clock.now());
      atT(F.maxConn, () => sim.polygon.kickMaxConnections());
      atT(F.drop, () => sim.kalshi.controls.dropSockets());
      atT(F.seqGap, () => sim.kalshi.controls.skipSeq({ channel: 'orderbook_delta' }));
      atT(F.inactive[0], () => sim.kalshi.controls.setTradingPaused(true));
      atT(F.inactive[1], () => sim.kalshi.controls.setTradingPaused(false));
      atT(F.drift[0], () => {
        sim.polygon.setClockOffset(2_500);
        sim.massive.setClockOffset(2_500);
      });
      atT(F.drift[1], () => {
        sim.polygon.setClockOffset(0);
        sim.massive.setClockOffset(0);
      });
      atT(F.disk[0], () => {
        diskFull = true;
        disk.fullAt = clock.now();
      });
      atT(F.disk[1], () => {
        diskFull = false;
        disk.okAt = clock.now();
      });
      atT(F.storm, () => sim.kalshi.controls.inject429(15));
    },
  });
  const q = quotes(r.records);
  const incidents = readIncidents(r.paths.reportMd);
  const log = r.lines.join('\n');
  assert.equal(r.out.windows[0]!.state, 'done', `window ${r.out.windows[0]!.state}`);

  // max_connections: failover to massive, a long cool-down (no tight reconnect loop), the operator told.
  // (The cool-down is a lower bound: latency can only make the reconnect later, never sooner.)
  const flip = r.out.transitions.find((t) => t.from === 'polygon' && t.to === 'massive' && t.at >= F.maxConn);
  assert.ok(flip, 'failed over to massive');
  const reconnects = polygonConnections().filter((t) => t > F.maxConn && t < F.maxConn + 50_000);
  assert.equal(reconnects.length, 0, `no reconnect inside the max_connections cool-down (${reconnects.length})`);
  assert.match(log, /max_connections/, 'max_connections logged');
  assert.ok(q.some((x) => x.active_feed === 'massive' && x.ts_ms > F.maxConn), 'quoting continued on massive');

  // Kalshi websocket dropped: reconnected, resubscribed, quoting again afterwards; the sequence gap resynced.
  assert.ok(ws!.stats.connects >= 2, `the Kalshi websocket reconnected (${ws!.stats.connects} connects)`);
  assert.ok(ws!.stats.seqGaps >= 1 && ws!.stats.resyncs >= 1, `seq gap detected and resynced (${ws!.stats.seqGaps}/${ws!.stats.resyncs})`);
  const reconnectedAt = loggedAt(r.lines, /kalshi websocket connected .*connects=2( |$)/);
  assert.ok(reconnectedAt !== undefined && reconnectedAt >= F.drop, 'the reconnect logged');
  assert.ok(q.some((x) => x.ts_ms > reconnectedAt), 'quoting after the reconnect');

  // A block the session noticed at `from` and lifted at `to` (its own log lines): nothing quoted in between, and
  // every quote resting when it began withdrawn before quoting resumed.
  const blocked = (what: string, from: number | undefined, to: number | undefined) => {
    assert.ok(from !== undefined && to !== undefined && to > from, `${what}: noticed and lifted (${from}, ${to})`);
    assert.ok(q.some((x) => x.ts_ms < from), `${what}: quotes before`);
    assert.ok(q.every((x) => !inSlot(x, from + 1, to)), `${what}: no quote while it lasted`);
    const resumed = q.find((x) => x.ts_ms >= to)?.ts_ms ?? Number.POSITIVE_INFINITY;
    assert.deepEqual(allWithdrawnBy(r.records, from + 1, resumed - from - 1), [], `${what}: withdrawn before quoting resumed`);
  };

  // Exchange inactive mid-window: seen at a status poll, everything cancelled, nothing quoted until it is back.
  const inactiveAt = loggedAt(r.lines, /exchange inactive: cancelling/, F.inactive[0]);
  blocked('exchange inactive', inactiveAt, loggedAt(r.lines, /exchange active again/, inactiveAt));
  assert.ok(incidents.some((i) => /exchange inactive/.test(i.text)), 'REPORT.md: exchange inactive');

  // Clock drift > 1 s against the feed's own times: blocked after three checks, cancelled, told, resumed after.
  const driftAt = loggedAt(r.lines, /clock_drift: the local clock disagrees/, F.drift[0]);
  blocked('clock drift', driftAt, loggedAt(r.lines, /clock agrees with the feed again/, driftAt));
  assert.ok(incidents.some((i) => /clock_drift/.test(i.text)), 'REPORT.md: clock drift');

  // Full disk: no quote record (so no resting paper order) while writes fail; what happened meanwhile is
  // written once the disk has room again, in order, with seq strictly increasing.
  // (A quote whose record could not be written was withdrawn at once: if its record reaches the ledger later,
  // its withdrawal does too, at the same instant.)
  const withdrawnAt = new Map(r.records.filter((x) => x.type === 'cancel' && x.reason === 'not recorded').map((x) => [x.client_order_id, x.ts_ms]));
  assert.ok(disk.fullAt > 0 && disk.okAt > disk.fullAt, 'the disk filled and emptied');
  for (const x of q.filter((x) => inSlot(x, disk.fullAt, disk.okAt))) {
    assert.equal(withdrawnAt.get(x.client_order_id), x.ts_ms, `quote ${x.client_order_id} during the full disk was withdrawn at once: ${JSON.stringify(r.records.filter((y) => y.client_order_id === x.client_order_id).map((y) => [y.seq, y.type, y.ts_ms, (y as { reason?: string }).reason]))} disk ${JSON.stringify(disk)}`);
  }
  for (let i = 1; i < r.records.length; i++) assert.ok(r.records[i]!.seq > r.records[i - 1]!.seq, 'seq increasing');
  // From the first write that failed (the guard learns it there) to the guard's all-clear: nothing quoted,
  // everything withdrawn before quoting resumed.
  const failAt = loggedAt(r.lines, /paper ledger not writable/);
  assert.ok(failAt !== undefined && failAt >= disk.fullAt && failAt < disk.okAt, 'the failure was seen while the disk was full: the operator is told');
  blocked('full disk', failAt, loggedAt(r.lines, /paper ledger writable again/, failAt));

  // 429 storm: the REST client backs off and the session carries on; the exchange saw the 429s.
  assert.ok(kalshiRequests().filter((x) => x.status === 429).length >= 1, 'the storm reached the client');
  // Everything closed at the end.
  for (const res of r.out.windows[0]!.results) assert.equal(res.outstandingAfterFreeze, 0, `${res.series}: zero outstanding at the freeze`);
  assert.ok(count(r.lines, / INFO fresh WS ok /) >= 2, 'both series passed the gate');
});

test('Massive auth_failed mid-window: the feed gives up for good, failover covers, the operator is told', async () => {
  const r = await supervise({
    nowIso: '2026-11-20T09:57:30-05:00',
    during: ({ clock, adapters }) => {
      clock.setTimeout(() => {
        adapters.sim!.polygon.rejectAuth(true);
        adapters.sim!.polygon.dropAll();
      }, at('09:58:00') - clock.now());
    },
  });
  assert.ok(r.out.transitions.some((t) => t.from === 'polygon' && t.to === 'massive'), 'failed over to massive');
  assert.match(r.lines.join('\n'), /auth_failed/, 'auth_failed logged');
  assert.ok(quotes(r.records).some((q) => q.active_feed === 'massive'), 'quoting continued on massive');
  assert.equal(r.out.windows[0]!.state, 'done');
});

test('live broker, lost create responses (executed, then 500): looked up, never sent twice', async () => {
  const r = await supervise({
    nowIso: '2026-11-20T09:58:00-05:00',
    opts: { broker: 'live' },
    rawEnv: { KALSHI_LIVE_APPROVED: 'yes' },
    during: ({ clock, adapters }) => {
      (globalThis as { __ex?: unknown }).__ex = adapters.sim!;
      clock.setTimeout(() => adapters.sim!.kalshi.controls.inject5xx(6, { pathPrefix: '/portfolio/orders', when: 'after' }), at('09:58:20') - clock.now());
    },
  });
  const sim = (globalThis as { __ex?: { kalshi: { exchange: import('../../src/sim/kalshi/exchange.ts').SimExchange }; kalshiKeyId: string } }).__ex!;
  const ours = [...sim.kalshi.exchange.orders.values()].filter((o) => o.owner === sim.kalshiKeyId);
  const ids = ours.map((o) => o.clientOrderId);
  assert.ok(ours.length > 0, 'orders were placed');
  assert.equal(new Set(ids).size, ids.length, 'no client_order_id at the exchange twice');
  assert.equal(ours.filter((o) => o.status === 'resting').length, 0, 'nothing resting after the window');
  assert.equal(r.out.windows[0]!.state, 'done');
});

test('corrupt state at start-up: orders.json and hot_restart.json set aside and reported, a torn ledger tail and a wrong-shape line skipped; the day runs', async () => {
  let prepared: { ledgerLines: number } | undefined;
  const r = await supervise({
    nowIso: '2026-11-20T09:59:00-05:00',
    prepare: (_home, paths) => {
      fs.mkdirSync(paths.stateDir, { recursive: true });
      fs.writeFileSync(paths.ordersState, '{"version": 1, "modes": ');
      fs.writeFileSync(paths.hotRestart, '{"version": 1, "captured_ms": "yesterday"}');
      fs.mkdirSync(path.dirname(paths.ledger), { recursive: true });
      // A valid record, a valid-JSON line of the wrong shape, and a torn tail.
      const good = { seq: 7, type: 'quote', ts_ms: at('09:50:00'), timestamp_et: '2026-11-20T09:50:00-05:00', mode: 'dry', series: 'INXU', window: '2026-11-20/hourly-1000', kalshi_market_id: 'KXINXU-26NOV20H1000-T6700', event_ticker: 'KXINXU-26NOV20H1000', strike: 6700, strike_type: 'greater_or_equal', side: 'buy', price: 0.4, size: 1, ev_after_fees_cents: 6, fill_prob: null, model_prob: 0.46, client_order_id: 'ka-00000000000000aa', active_feed: 'polygon', feed_age_ms: 100 };
      fs.writeFileSync(paths.ledger, JSON.stringify(good) + '\n' + JSON.stringify({ seq: 8, type: 'quote', hello: 'world' }) + '\n{"seq": 9, "type": "canc');
      prepared = { ledgerLines: 3 };
    },
  });
  assert.ok(prepared);
  const stateFiles = fs.readdirSync(r.paths.stateDir);
  assert.ok(stateFiles.some((f) => f.startsWith('orders.json.corrupt-')), `orders.json set aside (${stateFiles.join(', ')})`);
  assert.ok(stateFiles.some((f) => f.startsWith('hot_restart.json.corrupt-')), 'hot_restart.json set aside');
  const log = r.lines.join('\n');
  assert.match(log, /orders\.json was corrupt: set aside/);
  assert.match(log, /hot_restart\.json is not trustworthy: set aside/);
  assert.match(log, /ledger lines skipped while recovering/);
  assert.equal(r.out.windows[0]!.state, 'done');
  // The old quote (no cancel in the ledger) was closed out at start-up, and new records continue above seq 9.
  const read = readLedgerFile(r.paths.ledger);
  assert.ok(read.skipped.length >= 2, 'the bad lines are reported');
  assert.ok(read.records.some((x) => x.type === 'cancel' && x.client_order_id === 'ka-00000000000000aa' && x.reason === 'restart'), 'the old resting quote was cancelled (restart)');
  assert.ok(read.records.filter((x) => x.seq > 7).every((x) => x.seq > 9), 'seq continues above everything on disk');
});

test('a bad configs/index_ops.yaml stops the supervisor before anything starts (exit 2, naming the key)', async () => {
  const home = tempHome('ka-badcfg-');
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'index_ops.yaml'), 'quotes:\n  min_ev_usd: -1\n');
  const r = await cli(['supervisor-index', '--sim', '--now', '2026-11-20T09:59:00-05:00'], { home });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /configs\/index_ops\.yaml:2:15: quotes\.min_ev_usd/);
  assert.equal(fs.existsSync(path.join(home, 'data')), false, 'nothing was written');
});
