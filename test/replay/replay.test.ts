/**
 * replay (SPEC §9): a generated day through the real supervisor in one process on a discrete-event clock —
 * deterministic ledgers, its own ledger path, sweeps, refused input — plus the pieces it is made of (the
 * event clock, the buffered ledger sink).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { EventClock } from '../../src/adapters/clock/event-clock.ts';
import { BufferedLedgerSink } from '../../src/app/replay/ledger-sink.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import type { LedgerRecordInput } from '../../src/core/ledger/record.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';

const DAY = '2026-11-20';
/** The close window alone keeps each replay to about a second: four series quoting concurrently. */
const WINDOWS = ['--only', 'close-1600'];

test('replay --date: two replays of one seed write byte-identical ledgers; another seed differs; never the paper ledger', async () => {
  const home = tempHome('ka-replay-');
  const a = await cli(['replay', '--date', DAY, '--seed', '7', ...WINDOWS, '--ledger', 'a.jsonl', '--json'], { home });
  assert.equal(a.code, 0, a.stderr);
  const b = await cli(['replay', '--date', DAY, '--seed', '7', ...WINDOWS, '--ledger', 'b.jsonl', '--json'], { home });
  assert.equal(b.code, 0, b.stderr);
  const la = fs.readFileSync(path.join(home, 'a.jsonl'), 'utf8');
  const lb = fs.readFileSync(path.join(home, 'b.jsonl'), 'utf8');
  assert.ok(la.length > 0, 'the replay wrote a ledger');
  assert.equal(la, lb, 'same seed, same bytes');
  const ja = JSON.parse(a.stdout);
  assert.deepEqual(ja.windows.map((w: { window: string; state: string }) => [w.window, w.state]), [[`${DAY}/close-1600`, 'done']]);
  const t = ja.scoreboard.total;
  assert.ok(t.quotes > 0, 'quotes were placed');
  assert.ok(t.settled_orders > 0 && t.unsettled_markets === 0, 'every quoted market settled');
  assert.ok(t.calibration.n > 0, 'forecasts were scored');
  const { records, skipped } = readLedgerFile(path.join(home, 'a.jsonl'));
  assert.equal(skipped.length, 0, 'every line is a valid ledger record');
  assert.deepEqual(records.map((r) => r.seq), records.map((_, i) => i + 1), 'seq from 1, no gaps');
  assert.ok(records.some((r) => r.type === 'settlement'), 'settlements recorded');
  // The default ledger path is the replay's own, never the paper ledger.
  const c = await cli(['replay', '--date', DAY, '--seed', '8', ...WINDOWS, '--series', 'INX,NASDAQ100'], { home });
  assert.equal(c.code, 0, c.stderr);
  const own = path.join(home, 'data', 'proc', 'replay', `${DAY}-seed8.jsonl`);
  assert.ok(fs.existsSync(own), 'ledger under data/proc/replay');
  assert.notEqual(fs.readFileSync(own, 'utf8'), la, 'another seed, another day');
  assert.ok(!fs.existsSync(path.join(home, 'data', 'proc', 'ledger', 'index_paper.jsonl')), 'the paper ledger is untouched');
  for (const f of ['orders.json', 'hot_restart.json']) assert.ok(!fs.existsSync(path.join(home, 'data', 'proc', 'state', f)), `no ${f}`);
  assert.ok(!fs.existsSync(path.join(home, 'reports')), 'no monitors');
  assert.ok(!fs.existsSync(path.join(home, 'REPORT.md')), 'no REPORT.md');
  assert.match(c.stdout, /replay 2026-11-20: 1 window\(s\) \(1 done\), quotes=\d+ fills=\d+ pnl=\$-?\d+\.\d{4} brier=/);
  const paper = await cli(['replay', '--date', DAY, '--ledger', 'data/proc/ledger/index_paper.jsonl'], { home });
  assert.equal(paper.code, 2, 'the paper ledger is refused');
  assert.match(paper.stderr, /that is the paper ledger/);
});

test('replay refuses bad input with exit 2 and one line: unknown series, a date outside the calendar, a closed day, bad --set, mixed modes', async () => {
  const home = tempHome('ka-replay-bad-');
  const cases: [string[], RegExp][] = [
    [['replay', '--date', DAY, '--series', 'KXFOO'], /unknown series "KXFOO"/],
    [['replay', '--date', '2031-11-20'], /outside the trading calendar's years/],
    [['replay', '--date', '2026-11-26'], /2026-11-26 is not a trading day \(Thanksgiving/],
    [['replay', '--date', '2026-11-22'], /is not a trading day \(weekend\)/],
    [['replay', '--date', '2026-13-01'], /--date: invalid date/],
    [['replay', '--date', DAY, '--set', 'quotes.nope=1'], /--set quotes\.nope: unknown key/],
    [['replay', '--date', DAY, '--set', 'quotes.min_ev_usd=-1'], /quotes\.min_ev_usd/],
    [['replay', '--date', DAY, '--set', 'quotes.min_ev_usd=0.03,0.05'], /a sweep .* needs --days N --from D/],
    [['replay', '--date', DAY, '--days', '2', '--from', DAY], /give one of --date D, --recording FILE, or --days N --from D/],
    [['replay'], /give one of/],
    [['replay', '--days', '2'], /--days and --from go together/],
    [['replay', '--date', DAY, '--seed', 'x'], /--seed: expected an integer/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv, { home });
    assert.equal(r.code, 2, `${argv.join(' ')} → exit 2 (got ${r.code}: ${r.stderr})`);
    assert.match(r.stderr, re, argv.join(' '));
    assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace for ${argv.join(' ')}`);
  }
});

test('replay --days --from with a sweep of two settings: one row per setting, across worker threads', async () => {
  const home = tempHome('ka-replay-sweep-');
  const r = await cli(['replay', '--days', '1', '--from', DAY, '--only', 'hourly-1000', '--set', 'quotes.min_ev_usd=0.03,0.06', '--workers', '2', '--json'], { home });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.settings.length, 2, 'two settings, two rows');
  assert.deepEqual(j.settings.map((s: { setting: string }) => s.setting), ['quotes.min_ev_usd=0.03', 'quotes.min_ev_usd=0.06']);
  for (const s of j.settings) {
    assert.equal(s.days, 1, `${s.setting}: one day`);
    assert.equal(s.failed_days, 0, `${s.setting}: no failure`);
    assert.equal(s.windows, 1, `${s.setting}: one window`);
    assert.ok(typeof s.pnl_usd === 'number', `${s.setting}: pnl`);
  }
  // The setting reached the engine: the rows differ, and the lower EV bar (more marketable quotes) fills at least as much.
  // (Quote counts are not monotonic: a quote that clears a lower bar rests longer and is replaced less.)
  assert.ok(j.settings[0].quotes !== j.settings[1].quotes || j.settings[0].fills !== j.settings[1].fills, 'the two settings trade differently');
  // (One window of one day: the two bars may fill the same marketable quotes; fewer would be backwards.)
  assert.ok(j.settings[0].fills >= j.settings[1].fills, `a lower EV threshold fills no less (${j.settings[0].fills} vs ${j.settings[1].fills})`);
  const text = await cli(['replay', '--days', '1', '--from', DAY, '--only', 'hourly-1000', '--set', 'quotes.min_ev_usd=0.03', '--set', 'quotes.min_ev_usd=0.06'], { home });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^setting\s+days\s+windows\s+quotes\s+fills\s+fill_rate\s+pnl\s+brier\s+log_loss$/m);
  assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('quotes.min_ev_usd=')).length, 2, 'the key given twice is a sweep too');
});

test('EventClock: timers fire in (time, priority, creation) order; time stands still in between; a sync view takes no turn', async () => {
  const clock = new EventClock(1_000);
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now()}`), 10);
  clock.setTimeout(() => seen.push(`a@${clock.now()}`), 5);
  clock.setTimeout(() => seen.push(`c@${clock.now()}`), 10);
  clock.at(1_010, () => seen.push(`first@${clock.now()}`), 0);
  const cancelled = clock.setTimeout(() => seen.push('never'), 7);
  clock.clearTimeout(cancelled);
  const sync = clock.syncView();
  sync.setTimeout(() => seen.push(`sync@${clock.now()}`), 20);
  const run = (async () => {
    await clock.sleep(15);
    seen.push(`slept@${clock.now()}`);
    await Promise.resolve();
    seen.push(`still@${clock.now()}`);
  })();
  await clock.drive(run);
  assert.deepEqual(seen, ['a@1005', 'first@1010', 'b@1010', 'c@1010', 'slept@1015', 'still@1015']);
  await clock.advanceTo(2_000);
  assert.deepEqual(seen.slice(6), ['sync@1020']);
  assert.equal(clock.now(), 2_000);
  assert.equal(clock.pendingTimers, 0);
});

test('BufferedLedgerSink writes the very bytes LedgerWriter writes, once, at close', () => {
  const dir = tempHome('ka-sink-');
  const input = (i: number): LedgerRecordInput => ({
    type: 'quote',
    ts_ms: 1_795_000_000_000 + i,
    timestamp_et: '2026-11-20T10:00:00-05:00',
    mode: 'dry',
    series: 'INXU',
    window: '2026-11-20/hourly-1000',
    kalshi_market_id: `KXINXU-26NOV20H1000-T${6800 + i}`,
    event_ticker: 'KXINXU-26NOV20H1000',
    strike: 6800 + i,
    strike_type: 'greater_or_equal',
    side: i % 2 ? 'buy' : 'sell',
    price: 0.42,
    size: 1,
    ev_after_fees_cents: 6.5,
    fill_prob: null,
    model_prob: 0.5,
    client_order_id: `ka-${String(i).padStart(16, '0')}`,
    active_feed: 'polygon',
    feed_age_ms: 12,
  });
  const w = LedgerWriter.open(path.join(dir, 'writer.jsonl'), { durability: 'none', coordination: 'none' });
  const sink = new BufferedLedgerSink({ file: path.join(dir, 'sink.jsonl'), chunkBytes: 600 });
  for (let i = 0; i < 5; i++) {
    const batch = [input(2 * i), input(2 * i + 1)];
    w.appendBatch(batch);
    sink.appendBatch(batch);
  }
  w.close();
  assert.ok(!fs.existsSync(path.join(dir, 'sink.jsonl')), 'nothing under the target name before close');
  sink.close();
  assert.equal(fs.readFileSync(path.join(dir, 'sink.jsonl'), 'utf8'), fs.readFileSync(path.join(dir, 'writer.jsonl'), 'utf8'));
  assert.equal(sink.records.length, 10);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['sink.jsonl', 'writer.jsonl', 'writer.jsonl.lock'].filter((f) => fs.existsSync(path.join(dir, f))).sort(), 'no temp file left');
});
