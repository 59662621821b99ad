import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, tempHome } from '../helpers/cli.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';

test('windows --series --now --json prints scheduler_window in ET and UTC', async () => {
  const r = await cli(['windows', '--series', 'KXINXU', '--now', '2026-11-20T10:50:00-05:00', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const w = JSON.parse(r.stdout).scheduler_window;
  assert.equal(w.label, 'hourly-1100');
  assert.equal(w.target_type, 'hourly');
  assert.equal(w.phase, 'quoting');
  assert.equal(w.start_et, '2026-11-20T10:45:00-05:00');
  assert.equal(w.strict_et, '2026-11-20T10:59:00-05:00');
  assert.equal(w.freeze_et, '2026-11-20T10:59:58-05:00');
  assert.equal(w.target_et, '2026-11-20T11:00:00-05:00');
  assert.equal(w.target_utc, '2026-11-20T16:00:00Z');
});

test('windows: before, inside and after a window (text)', async () => {
  const before = await cli(['windows', '--series', 'INX', '--now', '2026-11-20T15:00:00-05:00']);
  assert.match(before.stdout, /^next: close-1600/);
  const inside = await cli(['windows', '--series', 'INX', '--now', '2026-11-20T15:59:30-05:00']);
  assert.match(inside.stdout, /^active \(strict\): close-1600/);
  const after = await cli(['windows', '--series', 'INX', '--now', '2026-11-20T16:00:01-05:00']);
  assert.match(after.stdout, /^next: close-1600 .* target 2026-11-23T16:00:00-05:00/);
});

test('windows without --now uses the injected clock', async () => {
  const clock = new VirtualClock(Date.parse('2026-11-20T14:50:00Z'));
  const r = await cli(['windows', '--json'], { clock });
  assert.equal(JSON.parse(r.stdout).scheduler_window.id, '2026-11-20/hourly-1000');
});

test('windows --date: early close, holiday, json list', async () => {
  const early = await cli(['windows', '--date', '2026-11-27', '--json']);
  assert.deepEqual(JSON.parse(early.stdout).map((w: { label: string }) => w.label), ['hourly-1000', 'hourly-1100', 'hourly-1200', 'close-1300']);
  const closed = await cli(['windows', '--date', '2026-11-26']);
  assert.equal(closed.code, 0);
  assert.match(closed.stdout, /closed \(Thanksgiving Day\)/);
  const filtered = await cli(['windows', '--date', '2026-11-20', '--series', 'NASDAQ100', '--json']);
  assert.deepEqual(JSON.parse(filtered.stdout).map((w: { label: string }) => w.label), ['close-1600']);
});

test('windows: bad input exits 2 with a one-line reason, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['windows', '--series', 'SPY'], /unknown series "SPY"/],
    [['windows', '--now', '2026-03-08T02:30'], /does not exist in New York/],
    [['windows', '--now', '2026-11-01T01:30:00'], /ambiguous in New York .*-04:00 or -05:00/],
    [['windows', '--now', 'tomorrow'], /invalid time/],
    [['windows', '--date', '2026-13-01'], /invalid date/],
    [['windows', '--date', '2030-01-02'], /outside the trading calendar/],
    [['windows', '--date', '2026-11-20', '--now', '2026-11-20T10:00:00Z'], /either --now or --date/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('config: a bad index_ops.yaml value exits 2 naming the key; a good override applies', async () => {
  const home = tempHome();
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'index_ops.yaml'), 'windows:\n  freeze_offset_seconds: -3\n');
  const bad = await cli(['windows', '--date', '2026-11-20'], { home });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /configs\/index_ops\.yaml:2:26: windows\.freeze_offset_seconds:/);
  fs.writeFileSync(path.join(home, 'configs', 'index_ops.yaml'), 'windows:\n  freeze_offset_seconds: 5\n  hourly_targets: ["10:00", "14:00"]\n');
  const good = await cli(['windows', '--date', '2026-11-20', '--json'], { home });
  const ws = JSON.parse(good.stdout);
  assert.deepEqual(ws.map((w: { label: string }) => w.label), ['hourly-1000', 'hourly-1400', 'close-1600']);
  assert.equal(ws[0].freeze_et, '2026-11-20T09:59:55-05:00');
});

test('config: calendar.yaml closure is honoured; a bad one exits 2', async () => {
  const home = tempHome();
  fs.mkdirSync(path.join(home, 'configs'));
  fs.writeFileSync(path.join(home, 'configs', 'calendar.yaml'), 'closures:\n  - date: 2026-12-28\n    reason: day of mourning\n');
  const r = await cli(['windows', '--date', '2026-12-28'], { home });
  assert.match(r.stdout, /closed \(day of mourning\)/);
  fs.writeFileSync(path.join(home, 'configs', 'calendar.yaml'), 'closures: nope\n');
  const bad = await cli(['windows', '--date', '2026-12-28'], { home });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^kalshi-alpha: configs\/calendar\.yaml:\d+:\d+: closures/);
});

test('kill-switch arm / status / disarm on the sentinel; KALSHI_ALPHA_HOME and --kill-switch-file', async () => {
  const home = tempHome();
  const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
  const env = { KALSHI_ALPHA_HOME: home };
  const elsewhere = tempHome();
  const st0 = await cli(['kill-switch', 'status', '--json'], { home: elsewhere, env, clock });
  assert.equal(st0.code, 0);
  assert.equal(JSON.parse(st0.stdout).engaged, false);
  const arm = await cli(['kill-switch', 'arm', '--reason', 'drill'], { home: elsewhere, env, clock });
  assert.equal(arm.code, 0);
  const sentinel = path.join(home, 'data', 'proc', 'state', 'kill_switch');
  assert.ok(fs.existsSync(sentinel));
  const st1 = await cli(['kill-switch', 'status', '--json'], { home: elsewhere, env, clock });
  assert.equal(st1.code, 1, 'engaged status exits 1');
  assert.deepEqual(JSON.parse(st1.stdout), { engaged: true, path: sentinel, armedAt: '2026-11-20T15:00:00.000Z', reason: 'drill' });
  const dis = await cli(['kill-switch', 'disarm'], { home: elsewhere, env, clock });
  assert.match(dis.stdout, /disarmed/);
  assert.ok(!fs.existsSync(sentinel));
  const custom = path.join(home, 'ks');
  await cli(['kill-switch', 'arm', '--kill-switch-file', custom], { home, clock });
  assert.ok(fs.existsSync(custom));
  fs.writeFileSync(custom, 'hand-made'); // an operator's `touch` counts too
  assert.equal((await cli(['kill-switch', 'status', '--kill-switch-file', custom], { home })).code, 1);
});

test('.env in the root is loaded; the real environment wins; bad values name the variable, not the value', async () => {
  const home = tempHome();
  fs.writeFileSync(path.join(home, '.env'), 'KALSHI_ENV=staging\nMASSIVE_API_KEY=sekrit-value\n');
  const { CliContext } = await import('../../src/cli/context.ts');
  const ctx = new CliContext({ env: {}, cwd: home, out: () => {}, err: () => {} }, false);
  assert.throws(() => ctx.env, (e: Error) => /KALSHI_ENV/.test(e.message) && !/staging|sekrit/.test(e.message));
  const ok = new CliContext({ env: { KALSHI_ENV: 'demo' }, cwd: home, out: () => {}, err: () => {} }, false);
  assert.equal(ok.env.KALSHI_ENV, 'demo');
  assert.equal(ok.env.MASSIVE_API_KEY, 'sekrit-value');
  const ledger = new CliContext({ env: { KALSHI_INDEX_PAPER_LEDGER_PATH: 'x/ledger.jsonl' }, cwd: home, out: () => {}, err: () => {} }, false);
  assert.equal(ledger.paths.ledger, path.join(home, 'x', 'ledger.jsonl'));
});

test('results do not depend on the host time zone (real process under TZ=Asia/Kolkata and Australia/Sydney)', () => {
  const argv = ['bin/kalshi-alpha.js', 'windows', '--date', '2026-03-09', '--json'];
  const outs = ['UTC', 'Asia/Kolkata', 'Australia/Sydney', 'America/New_York'].map((tz) => {
    const r = spawnSync(process.execPath, argv, { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  });
  for (const o of outs) assert.equal(o, outs[0]);
  assert.equal(JSON.parse(outs[0]!)[0].target_utc, '2026-03-09T14:00:00Z');
});

test('--help works for the program and subcommands, exit 0', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /windows/);
  assert.match(r.stdout, /kill-switch/);
  const w = await cli(['windows', '--help']);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /--series/);
  const unknown = await cli(['no-such-command']);
  assert.equal(unknown.code, 2);
});
