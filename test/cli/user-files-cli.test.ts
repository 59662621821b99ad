/**
 * A directory (or another wrong thing) where the operator names a file: exit 2 with one clear line
 * naming the file or flag, never a raw EISDIR, exit 1 or a stack trace (SPEC §2). Also the windows rules of
 * configs/index_ops.yaml through the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, tempHome, type CliRun } from '../helpers/cli.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MARKETS = path.join(REPO, 'fixtures/markets/kxinx-26nov20h1600.markets.json');

function assertBadInput(r: CliRun, line: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit 2 (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(lines[0]!, line, what);
  assert.doesNotMatch(r.stderr, /EISDIR|ENOTDIR|illegal operation|\n\s+at /, `${what}: no raw errno or stack`);
}

/** A working root with `d/` (a directory) and `f` (an empty file). */
function home(): string {
  const h = tempHome();
  fs.mkdirSync(path.join(h, 'd'));
  fs.writeFileSync(path.join(h, 'f'), '');
  return h;
}

test('a config file that is a directory: exit 2 naming it (index_ops, calendar, events, fees, .env)', async () => {
  const cases: [string, string[]][] = [
    ['configs/index_ops.yaml', ['windows', '--date', '2026-11-20']],
    ['configs/calendar.yaml', ['windows', '--date', '2026-11-20']],
    ['configs/events.yaml', ['price', '--markets', MARKETS, '--spot', '6800', '--now', '2026-11-20T15:00:00-05:00']],
    ['configs/fees.json', ['price', '--markets', MARKETS, '--spot', '6800', '--now', '2026-11-20T15:00:00-05:00']],
    ['.env', ['windows', '--date', '2026-11-20']],
  ];
  for (const [file, argv] of cases) {
    const h = home();
    fs.mkdirSync(path.join(h, file), { recursive: true });
    const r = await cli(argv, { home: h });
    assertBadInput(r, new RegExp(`^kalshi-alpha: ${file.replace('.', '\\.')}: is a directory, expected a file$`), file);
  }
});

test('flags naming a file that is a directory: exit 2 with the flag and the reason', async () => {
  const h = home();
  const cases: [string[], RegExp][] = [
    [['scoreboard', '--ledger', 'd'], /^kalshi-alpha: --ledger d: is a directory, expected a file$/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'd'], /^kalshi-alpha: --bars d: is a directory, expected a file$/],
    [['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'f', '--out', 'd'], /^kalshi-alpha: --out d: is a directory, expected a file$/],
    [['price', '--markets', 'd', '--spot', '6800'], /^kalshi-alpha: --markets d: is a directory, expected a file$/],
    [['price', '--markets', MARKETS, '--spot', '6800', '--calibration', 'd'], /^kalshi-alpha: --calibration d: is a directory, expected a file$/],
    [['kill-switch', 'arm', '--kill-switch-file', 'd'], /^kalshi-alpha: --kill-switch-file d: is a directory, expected a file$/],
    [['kill-switch', 'disarm', '--kill-switch-file', 'd'], /^kalshi-alpha: --kill-switch-file d: is a directory, expected a file$/],
    [['kill-switch', 'arm', '--kill-switch-file', 'f/ks'], /^kalshi-alpha: --kill-switch-file f\/ks: a parent of this path is not a directory$/],
    [['scan-ladders', '--date', '2026-11-20', '--offline', '--fixtures', 'f'], /^kalshi-alpha: --fixtures f: is a file, expected a directory$/],
  ];
  for (const [argv, re] of cases) assertBadInput(await cli(argv, { home: h }), re, argv.join(' '));
  assert.ok(fs.statSync(path.join(h, 'd')).isDirectory(), 'the directory is left alone');
});

test('the ledger path from KALSHI_INDEX_PAPER_LEDGER_PATH being a directory: exit 2', async () => {
  const h = home();
  const r = await cli(['scoreboard'], { home: h, env: { KALSHI_INDEX_PAPER_LEDGER_PATH: 'd' } });
  assertBadInput(r, /^kalshi-alpha: .*\/d: is a directory, expected a file$/, 'scoreboard with a directory ledger');
  // Absent ledger still reads as empty.
  const empty = await cli(['scoreboard'], { home: h, env: { KALSHI_INDEX_PAPER_LEDGER_PATH: 'none.jsonl' } });
  assert.equal(empty.code, 0, empty.stderr);
});

test('configs/index_ops.yaml windows rules through the CLI: exit 2 naming the key', async () => {
  const cases: [string, RegExp][] = [
    ['windows:\n  hourly_targets: ["10:00", "10:00"]\n', /^kalshi-alpha: configs\/index_ops\.yaml:2:19: windows\.hourly_targets: 10:00 is listed twice$/],
    ['windows:\n  hourly_targets: ["09:00", "12:00"]\n', /^kalshi-alpha: configs\/index_ops\.yaml:2:19: windows\.hourly_targets: 09:00 is outside cash hours/],
    ['windows:\n  hourly_targets: ["12:00", "20:00"]\n', /^kalshi-alpha: configs\/index_ops\.yaml:2:19: windows\.hourly_targets: 20:00 is outside cash hours/],
    ['windows:\n  hourly_start_offset_minutes: 75\n  hourly_targets: ["11:00", "12:00"]\n', /windows\.hourly_start_offset_minutes: 75 is longer than the 60-minute gap/],
    ['windows:\n  close_start_offset_minutes: 1\n', /windows\.close_start_offset_minutes: 1 min must be longer than windows\.strict_offset_seconds/],
  ];
  for (const [yaml, re] of cases) {
    const h = home();
    fs.mkdirSync(path.join(h, 'configs'));
    fs.writeFileSync(path.join(h, 'configs', 'index_ops.yaml'), yaml);
    assertBadInput(await cli(['windows', '--date', '2026-11-20'], { home: h }), re, yaml);
  }
});

test('configs/calendar.yaml with a date outside the table years: exit 2 from calibrate too (was exit 1)', async () => {
  const h = home();
  fs.mkdirSync(path.join(h, 'configs'));
  fs.writeFileSync(path.join(h, 'configs', 'calendar.yaml'), 'closures:\n  - date: 2030-01-02\n');
  fs.writeFileSync(path.join(h, 'bars.csv'), 'timestamp,close\n');
  const r = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'bars.csv'], { home: h });
  assertBadInput(r, /^kalshi-alpha: configs\/calendar\.yaml:2:11: closures\.0\.date: 2030-01-02 is outside the trading calendar's years/, 'calibrate');
  const w = await cli(['windows', '--date', '2026-11-20'], { home: h });
  assertBadInput(w, /^kalshi-alpha: configs\/calendar\.yaml:2:11: closures\.0\.date: /, 'windows');
});
