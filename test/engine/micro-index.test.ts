/**
 * micro-index end to end through the real adapters: offline fixtures on a manual virtual clock, the
 * kill switch mid-window, and the embedded simulator (signed Kalshi REST + WS, Massive feeds) on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { microIndexWindow, runMicroIndex, virtualStart, type MicroIndexOptions } from '../../src/app/micro-index.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { simClock } from '../../src/app/market-adapters.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import type { SeriesCode } from '../../src/core/series.ts';
import { tempHome, cli } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log.ts';

const repoFixtures = path.resolve(import.meta.dirname, '../../fixtures');

const config = defaultIndexOps();
const calendar = createCalendar();

/** A run at `nowIso` on a virtual clock the test owns (speed 0: driven as fast as possible). */
function setup(o: { series?: SeriesCode; nowIso?: string; speed?: number; source?: 'offline' | 'sim' } = {}) {
  const home = tempHome('ka-mi-');
  const paths = { ...resolvePaths(home), fixturesDir: repoFixtures };
  const refNow = Date.parse(o.nowIso ?? '2026-11-20T09:40:00-05:00');
  const series = o.series ?? 'INXU';
  const window = microIndexWindow(refNow, series, { calendar, config });
  const start = virtualStart(refNow, window, o.source === 'sim' ? 20_000 : 1_000);
  const clock = o.source === 'sim' ? simClock(start, o.speed ?? 20) : new VirtualClock(start, { speed: o.speed ?? 0 });
  const { log, lines } = captureLog(clock);
  const ctx = { paths, config, calendar, env: {}, rawEnv: {}, clock, log };
  const options = (over: Partial<MicroIndexOptions> = {}): MicroIndexOptions => ({
    series,
    source: o.source ?? 'offline',
    window,
    broker: 'dry',
    seed: 20261120,
    killSwitchFile: '/nonexistent/kill_switch',
    settle: true,
    ...over,
  });
  return { home, paths, ctx, lines, clock, options };
}

test('offline: one window end to end; every quote is cancelled by the freeze; nothing rests past it', async () => {
  const { ctx, paths, options } = setup();
  const out = await runMicroIndex(options(), ctx);
  const r = out.result;
  assert.equal(r.status, 'completed');
  assert.equal(out.window.id, '2026-11-20/hourly-1000');
  assert.equal(r.eventTicker, 'KXINXU-26NOV20H1000');
  assert.ok(r.quotesPlaced > 0, 'quotes were placed');
  const { records, skipped } = readLedgerFile(paths.ledger);
  assert.equal(skipped.length, 0);
  const quotes = records.filter((x) => x.type === 'quote');
  const cancels = records.filter((x) => x.type === 'cancel');
  assert.equal(quotes.length, r.quotesPlaced);
  // seq strictly increasing; ids unique per quote.
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.seq > records[i - 1]!.seq);
  assert.equal(new Set(quotes.map((q) => q.client_order_id)).size, quotes.length);
  // Every quote was withdrawn (cancelled, or filled to completion: the offline day trades), and no quote
  // was placed at or after the freeze (target − 2 s).
  const cancelled = new Set(cancels.map((c) => c.client_order_id));
  for (const f of records) if (f.type === 'paper_fill' && f.filled_total >= f.size && f.ts_ms <= out.window.freezeMs) cancelled.add(f.client_order_id);
  for (const q of quotes) assert.ok(cancelled.has(q.client_order_id), `quote ${q.client_order_id} never cancelled`);
  const freeze = out.window.freezeMs;
  for (const q of quotes) assert.ok(q.ts_ms < freeze && q.ts_ms >= out.window.startMs);
  for (const c of cancels) assert.ok(c.ts_ms <= freeze);
  // Records carry the SPEC §7.1 fields.
  const q = quotes[0]!;
  assert.equal(q.mode, 'dry');
  assert.equal(q.series, 'INXU');
  assert.equal(q.window, '2026-11-20/hourly-1000');
  assert.equal(q.strike_type, 'greater_or_equal');
  assert.ok(typeof q.model_prob === 'number' && q.model_prob > 0 && q.model_prob < 1);
  assert.ok(q.ev_after_fees_cents! >= 5 - 1e-9, 'EV after fees clears min_ev_usd');
});

test('offline: the kill switch mid-window cancels within one cycle and no quote follows it', async () => {
  const { ctx, paths, home, lines, clock, options } = setup();
  const killFile = path.join(home, 'kill_switch');
  const armAt = Date.parse('2026-11-20T09:50:00-05:00');
  clock.setTimeout(() => fs.writeFileSync(killFile, 'drill'), armAt - clock.now());
  const out = await runMicroIndex(options({ killSwitchFile: killFile }), ctx);
  assert.ok((out.result.blockedCycles['kill_switch'] ?? 0) > 0);
  const { records } = readLedgerFile(paths.ledger);
  const quotes = records.filter((x) => x.type === 'quote');
  assert.ok(quotes.some((q) => q.ts_ms < armAt), 'quoted before the kill switch');
  assert.ok(quotes.every((q) => q.ts_ms < armAt), 'nothing quoted after the kill switch');
  const open = new Set(quotes.map((q) => q.client_order_id));
  for (const c of records.filter((x) => x.type === 'cancel')) {
    open.delete(c.client_order_id);
  }
  // The offline day trades: an order filled to completion before the switch has nothing left to cancel.
  for (const f of records) if (f.type === 'paper_fill' && f.filled_total >= f.size) open.delete(f.client_order_id);
  assert.equal(open.size, 0);
  const killCancels = records.filter((x) => x.type === 'cancel' && x.ts_ms >= armAt);
  assert.ok(killCancels.length > 0);
  assert.ok(killCancels.every((c) => c.ts_ms - armAt <= 1000), 'cancelled within 1 s');
  assert.ok(lines.some((l) => /kill switch engaged/.test(l)));
});

test('sim: real signed Kalshi REST+WS and Massive feeds on loopback; quotes, fresh gate, settlement', async () => {
  const { ctx, paths, lines, clock, options } = setup({ source: 'sim', speed: 20, nowIso: '2026-11-20T09:57:30-05:00', series: 'NASDAQ100U' });
  // The classic world: the default σ curve (no calibration in this home) is its law. In the regime world this
  // seed's day is calm (NDX ~13% against the curve's 20%) and no quote clears its EV bar.
  const out = await runMicroIndex(options({ sim: { world: 'classic' } }), ctx).finally(() => clock.dispose());
  const r = out.result;
  assert.equal(r.status, 'completed', r.error);
  assert.equal(r.eventTicker, 'KXNASDAQ100U-26NOV20H1000');
  assert.ok(r.freshPassed);
  assert.ok(lines.some((l) => / INFO fresh WS ok age=\d+ms strict=(true|false) window=hourly-1000( |$)/.test(l)), lines.join('\n'));
  assert.ok(r.quotesPlaced > 0);
  const { records } = readLedgerFile(paths.ledger);
  const quotes = records.filter((x) => x.type === 'quote');
  assert.ok(quotes.length > 0);
  assert.ok(quotes.every((q) => q.active_feed === 'polygon' || q.active_feed === 'massive'));
  assert.ok(quotes.every((q) => typeof q.feed_age_ms === 'number' && q.feed_age_ms <= 1500));
  // Settlement: every quoted order is settled against the sim's result after the target.
  const settlements = records.filter((x) => x.type === 'settlement');
  assert.equal(new Set(settlements.map((s) => s.client_order_id)).size, quotes.length);
  assert.ok(settlements.every((s) => s.ts_ms >= out.window.targetMs && (s.result === 'yes' || s.result === 'no')));
});

test('CLI: micro-index --offline --json; bad flags exit 2; live without approval is refused', async () => {
  const home = tempHome('ka-mi-cli-');
  const ok = await cli(['micro-index', '--series', 'KXINX', '--offline', '--now', '2026-11-20T15:55:00-05:00', '--json', '--quiet'], { home });
  assert.equal(ok.code, 0, ok.stderr);
  const j = JSON.parse(ok.stdout);
  assert.equal(j.window, '2026-11-20/close-1600');
  assert.equal(j.status, 'completed');
  assert.equal(j.series, 'INX');
  const both = await cli(['micro-index', '--series', 'INXU', '--sim', '--offline'], { home });
  assert.equal(both.code, 2);
  const missing = await cli(['micro-index', '--offline'], { home });
  assert.equal(missing.code, 2);
  const live = await cli(['micro-index', '--series', 'INXU', '--offline', '--broker', 'live', '--now', '2026-11-20T09:40:00-05:00'], {
    home,
    env: { KALSHI_LIVE_APPROVED: 'YES' },
  });
  assert.equal(live.code, 2);
  assert.match(live.stderr, /live trading needs explicit human approval/);
  // Only the earlier dry run wrote records; the refused live run added none.
  const ledger = readLedgerFile(path.join(home, 'data', 'proc', 'ledger', 'index_paper.jsonl')).records;
  assert.ok(ledger.length > 0 && ledger.every((x) => x.series === 'INX'));
});
