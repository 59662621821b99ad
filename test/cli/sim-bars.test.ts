/**
 * `kalshi-alpha sim bars`: a simulated world's minute bars as the CSV `calibrate --bars` reads (and
 * `evaluate --bars`): the bars are the world's paths (stamped at the minute's start, ET offset), the options
 * after `bars` are its own, and bad arguments exit 2 with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { worldPath } from '../../src/sim/day/world.ts';
import { simWorldFor } from '../../src/app/market-adapters.ts';

const FROM = '2026-09-01';
const DAYS = 25;

test('sim bars writes the world’s minute bars; calibrate --bars and evaluate --bars read them', async () => {
  const home = tempHome();
  const r = await cli(['sim', 'bars', '--symbol', 'I:SPX', '--from', FROM, '--days', String(DAYS), '--seed', '11', '--out', 'out/spx.csv', '--json'], { home });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual({ ...doc, file: path.relative(home, doc.file) }, { file: path.join('out', 'spx.csv'), symbol: 'I:SPX', seed: 11, world: 'regime', days: DAYS, from: FROM, to: '2026-10-06', bars: DAYS * 390 });
  const lines = fs.readFileSync(path.join(home, 'out/spx.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,close');
  assert.equal(lines.length, 1 + DAYS * 390);
  assert.match(lines[1]!, /^2026-09-01T09:30:00-04:00,\d+\.\d\d$/);
  assert.match(lines.at(-1)!, /^2026-10-06T15:59:00-04:00,/);
  assert.ok(!lines.some((l) => l.startsWith('2026-09-07')), 'Labor Day is not a session');
  // the bar stamped 10:15 closes at the world's path one minute later (the run's world: this root's events)
  const p = worldPath('I:SPX', { seed: 11, dateEt: '2026-09-02', world: simWorldFor('regime', path.join(home, 'configs/events.yaml')) });
  const row = lines.find((l) => l.startsWith('2026-09-02T10:15:00-04:00,'))!;
  assert.equal(row.split(',')[1], p.valueAt(etToMs('2026-09-02', '10:16')).toFixed(2));

  const cal = await cli(['calibrate', '--symbol', 'I:SPX', '--horizon', 'hourly', '--bars', 'out/spx.csv', '--json'], { home });
  assert.equal(cal.code, 0, cal.stderr);
  const params = JSON.parse(fs.readFileSync(path.join(home, 'data/proc/calib/index/spx/hourly/params.json'), 'utf8'));
  assert.equal(params.days, DAYS);
  assert.deepEqual([params.fitted_on.from, params.fitted_on.to], [FROM, '2026-10-06']);

  const ev = await cli(['evaluate', '--bars', 'out/spx.csv', '--symbol', 'I:SPX', '--min-days', '20', '--horizons', '10,1', '--json'], { home });
  assert.equal(ev.code, 0, ev.stderr);
  const e = JSON.parse(ev.stdout);
  assert.deepEqual([e.days.sessions, e.days.evaluated], [DAYS, DAYS - 20]);
  assert.ok(e.total.scores.model.n > 0);
});

test('sim bars: --seed and --world after the subcommand are its own; the worlds and seeds differ', async () => {
  const home = tempHome();
  const write = async (out: string, ...extra: string[]) => {
    const r = await cli(['sim', 'bars', '--symbol', 'I:NDX', '--from', '2026-03-02', '--days', '2', '--out', out, ...extra], { home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 780 bars of I:NDX \(2 trading days 2026-03-02 … 2026-03-03, seed \d+, (regime|classic) world\)/);
    return { text: fs.readFileSync(path.join(home, out), 'utf8'), say: r.stdout };
  };
  const base = await write('a.csv');
  const again = await write('b.csv');
  const seed = await write('c.csv', '--seed', '3');
  const classic = await write('d.csv', '--world', 'classic');
  assert.equal(again.text, base.text, 'deterministic');
  assert.match(base.say, /seed 20261120, regime world/);
  assert.match(seed.say, /seed 3, regime world/);
  assert.match(classic.say, /seed 20261120, classic world/);
  assert.notEqual(seed.text, base.text);
  assert.notEqual(classic.text, base.text);
});

test('sim bars: bad arguments exit 2 with a one-line reason', async () => {
  const home = tempHome();
  const ok = ['sim', 'bars', '--symbol', 'I:SPX', '--from', '2026-03-02', '--days', '2', '--out', 'x.csv'];
  const set = (flag: string, v: string) => {
    const a = [...ok];
    const i = a.indexOf(flag);
    if (i >= 0) a[i + 1] = v;
    else a.push(flag, v);
    return a;
  };
  for (const [argv, re] of [
    [set('--days', '0'), /--days <n>' argument '0' is invalid\. expected a whole number of trading days 1–800/],
    [set('--days', '2.5'), /expected a whole number of trading days/],
    [set('--from', '2026-02-30'), /--from <date>' argument '2026-02-30' is invalid/],
    [set('--from', '2035-01-05'), /--from 2035-01-05 --days 2: .*outside the trading calendar/],
    [set('--symbol', 'I:DJI'), /unknown symbol "I:DJI"/],
    [set('--seed', 'x'), /--seed: expected an integer, got "x"/],
    [set('--world', 'flat'), /expected regime or classic, got "flat"/],
    [set('--now', '2026-03-02T10:00:00-05:00'), /sim bars: --now is an option of the simulator server \(sim\), not of sim bars/],
    [ok.slice(0, -2), /required option '--out <file>' not specified/],
  ] as const) {
    const r = await cli([...argv], { home });
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    const first = r.stderr.split('\n')[0]!;
    assert.match(first, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  }
  assert.ok(!fs.existsSync(path.join(home, 'x.csv')), 'nothing written');
});
