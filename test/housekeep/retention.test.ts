/**
 * `kalshi-alpha housekeep` (SPEC §7.4): rotation of closed days by the date each record carries, retention by
 * recorded date (never mtime) across year and month boundaries, today and a running window untouched,
 * --dry-run, idempotent reruns, and the scoreboard reading archives transparently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempHome } from '../helpers/cli.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { formatOwner, selfOwner } from '../../src/adapters/fs/file-lock.ts';
import { readSeqHighWater } from '../../src/adapters/ledger/seq-scan.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import { archiveDir, artifactsDir, duplicates, ledgerPath, lineOf, NOW_A, quoteOn, seedYearBoundary, tree, writeArchive, writeFile } from './fixtures/data.ts';


test('housekeep across the year boundary: dry run changes nothing and predicts the run; records go by their own date; retention by recorded date; rerun is a no-op', async () => {
  const home = tempHome('hk-year-');
  const L = seedYearBoundary(home);
  const board = async () => {
    const r = await cli(['scoreboard', '--json', '--from', '2026-01-02', '--to', '2026-02-03'], { home });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).rows;
  };
  const before = await board();
  const treeBefore = tree(home);

  const dry = await cli(['housekeep', '--keep-days', '31', '--now', NOW_A, '--dry-run', '--json'], { home });
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(tree(home), treeBefore, 'a dry run changes nothing');
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.dry_run, true);
  assert.equal(plan.keep_from, '2026-01-02');

  const run = await cli(['housekeep', '--keep-days', '31', '--now', NOW_A, '--json', '--quiet'], { home });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const res = JSON.parse(run.stdout);
  for (const k of ['archives_deleted', 'artifacts_deleted', 'artifacts_undated'] as const) assert.deepEqual(plan[k], res[k], k);
  for (const k of ['archived', 'expired', 'records', 'kept_records', 'invalid_lines_kept', 'undated_records_kept'] as const) assert.deepEqual(plan.ledger[k], res.ledger[k], k);

  assert.equal(res.now_et_date, '2026-02-02');
  assert.deepEqual(
    res.ledger.archived.map((a: { date: string; records: number; added: number; total: number; merged: boolean }) => [a.date, a.records, a.added, a.total, a.merged]),
    [
      ['2026-01-02', 1, 0, 1, true],
      ['2026-01-31', 2, 2, 3, true],
      ['2026-02-01', 2, 2, 2, false],
    ],
  );
  assert.deepEqual(res.ledger.expired, [
    { date: '2025-12-30', records: 1 },
    { date: '2025-12-31', records: 1 },
    { date: '2026-01-01', records: 1 },
  ]);
  assert.equal(res.ledger.rotated, true);
  assert.equal(res.ledger.invalid_lines_kept, 1);
  assert.equal(res.ledger.undated_records_kept, 1);

  // The live file: today's, tomorrow's, the invalid line and the undatable record, in their order.
  assert.equal(fs.readFileSync(ledgerPath(home), 'utf8'), [L[8], L[9], L[10], L[11], L[12]].join(''));
  const t = tree(home);
  const arch = (d: string) => t.get(`data/proc/ledger/archive/${d}.jsonl.gz`);
  assert.equal(arch('2026-01-02'), 'gz:' + L[3]);
  assert.equal(arch('2026-01-31'), 'gz:' + L[4] + L[5] + lineOf(1001, quoteOn('2026-01-31', 1001)));
  assert.equal(arch('2026-02-01'), 'gz:' + L[6] + L[7]);
  assert.equal(arch('2025-12-31'), undefined);
  assert.equal(arch('2026-01-01'), undefined);
  assert.ok(t.has('data/proc/ledger/archive/2026-01-15.jsonl'));
  assert.deepEqual(
    res.archives_deleted.map((d: { date: string }) => d.date),
    ['2025-12-31', '2026-01-01'],
  );
  const rel = (p: string) => path.relative(artifactsDir(home), p);
  assert.deepEqual(
    res.artifacts_deleted.map((d: { path: string; source: string; files: number }) => [rel(d.path), d.source, d.files]),
    [
      ['ev_gap-2025-12-31.json', 'file_name', 1],
      ['monitors/2026-01-01', 'folder', 2],
      ['monitors/freshness.json', 'generated_at', 1],
    ],
  );
  assert.deepEqual(res.artifacts_undated.map(rel), ['bad.json', 'nested/x.json', 'notes.txt']);
  for (const kept of ['monitors/2026-01-02/freshness.json', 'monitors/ev_gap.json', 'report-2026-02-02.md', 'notes.txt', 'bad.json', 'nested/x.json']) {
    assert.ok(t.has(`reports/_artifacts/${kept}`), kept);
  }
  assert.deepEqual(duplicates(home), []);
  assert.equal(readSeqHighWater(archiveDir(home)), 1001);
  assert.deepEqual([...t.keys()].filter((k) => /\.(tmp|lock)(\.|$)/.test(k)), [], 'no temp or lock files left');

  // The scoreboard reads the archives transparently: the kept days' numbers are unchanged.
  assert.deepEqual(await board(), before);

  // Idempotent: a second run finds nothing to do.
  const again = await cli(['housekeep', '--keep-days', '31', '--now', NOW_A, '--json'], { home });
  assert.equal(again.code, 0, again.stderr);
  const r2 = JSON.parse(again.stdout);
  assert.deepEqual([r2.ledger.archived, r2.ledger.expired, r2.ledger.rotated, r2.archives_deleted, r2.artifacts_deleted], [[], [], false, [], []]);
  assert.deepEqual(tree(home), t);

  // The writer continues above everything ever written (the archives' high-water mark).
  const w = LedgerWriter.open(ledgerPath(home), { archiveDir: archiveDir(home) });
  assert.equal(w.append(quoteOn('2026-02-02', 99)).seq, 1002);
  w.close();
  fs.rmSync(home, { recursive: true });
});

test('housekeep across a month boundary (keep 1 day on March 1): Feb 27 goes, Feb 28 is archived and kept', async () => {
  const home = tempHome('hk-month-');
  const L = [lineOf(1, quoteOn('2026-02-27', 1)), lineOf(2, quoteOn('2026-02-28', 2)), lineOf(3, quoteOn('2026-03-01', 3))];
  writeFile(ledgerPath(home), L.join(''));
  writeArchive(home, '2026-02-27', [lineOf(50, quoteOn('2026-02-27', 50))]);
  writeArchive(home, '2026-02-28', [lineOf(51, quoteOn('2026-02-28', 51))]);
  writeFile(path.join(artifactsDir(home), '2026-02-27', 'a.json'), '{}');
  writeFile(path.join(artifactsDir(home), '2026-02-28', 'a.json'), '{}');
  const r = await cli(['housekeep', '--keep-days', '1', '--now', '2026-03-01T10:00:00-05:00'], { home });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /keeping 2026-02-28 onward \(1 days\)/);
  assert.match(r.stdout, /archived 2026-02-28: 1 records \(1 new, merged with the existing 1\)/);
  assert.match(r.stdout, /dropped 2026-02-27: 1 records/);
  const t = tree(home);
  assert.deepEqual(
    [...t.keys()].filter((k) => !k.includes('seq_high_water')).sort(),
    ['data/proc/ledger/archive/2026-02-28.jsonl.gz', 'data/proc/ledger/index_paper.jsonl', 'reports/_artifacts/2026-02-28/a.json'],
  );
  assert.equal(t.get('data/proc/ledger/archive/2026-02-28.jsonl.gz'), 'gz:' + L[1] + lineOf(51, quoteOn('2026-02-28', 51)));
  assert.equal(t.get('data/proc/ledger/index_paper.jsonl'), L[2]);
  fs.rmSync(home, { recursive: true });
});

test("today and a running window are untouched even with --keep-days 0; the config's keep_days is the default", async () => {
  const home = tempHome('hk-today-');
  const now = '2026-02-02T10:05:00-05:00'; // hourly-1000 is running
  const L = [
    lineOf(1, quoteOn('2026-02-01', 1)),
    lineOf(2, quoteOn('2026-02-02', 2, { tsMs: etToMs('2026-02-02', '09:46') })),
    lineOf(3, quoteOn('2026-02-02', 3, { window: 'adhoc', tsMs: etToMs('2026-02-02', '00:00') })),
  ];
  writeFile(ledgerPath(home), L.join(''));
  writeArchive(home, '2026-02-02', [lineOf(40, quoteOn('2026-02-02', 40))]);
  const mon = path.join(artifactsDir(home), 'monitors', 'freshness.json');
  writeFile(mon, JSON.stringify({ generated_at: '2026-02-02T15:04:59Z', window: '2026-02-02/hourly-1000' }));
  writeFile(path.join(artifactsDir(home), 'monitors', '2026-02-02', 'window.json'), '{}');
  writeFile(path.join(home, 'configs', 'index_ops.yaml'), 'housekeeping:\n  keep_days: 0\n');
  const r = await cli(['housekeep', '--now', now, '--json'], { home });
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.keep_days, 0);
  assert.equal(res.keep_from, '2026-02-02');
  assert.deepEqual(res.ledger.expired, [{ date: '2026-02-01', records: 1 }]);
  assert.equal(fs.readFileSync(ledgerPath(home), 'utf8'), L[1]! + L[2]!);
  assert.deepEqual([res.archives_deleted, res.artifacts_deleted], [[], []]);
  assert.ok(fs.existsSync(path.join(archiveDir(home), '2026-02-02.jsonl.gz')));
  assert.ok(fs.existsSync(mon));
  assert.ok(fs.existsSync(path.join(artifactsDir(home), 'monitors', '2026-02-02', 'window.json')));
  fs.rmSync(home, { recursive: true });
});

test('housekeep: bad input exits 2 with a reason and changes nothing; a live run lock exits 1; progress goes to stderr', async () => {
  const home = tempHome('hk-bad-');
  writeFile(ledgerPath(home), lineOf(1, quoteOn('2026-01-05', 1)));
  const snapshot = tree(home);
  for (const argv of [
    ['housekeep', '--keep-days', '-1'],
    ['housekeep', '--keep-days', 'ten'],
    ['housekeep', '--keep-days', '1.5'],
    ['housekeep', '--now', 'yesterday'],
  ]) {
    const r = await cli(argv, { home });
    assert.equal(r.code, 2, argv.join(' '));
    assert.ok(r.stderr.trim().split('\n').length <= 2 && !/\n\s+at /.test(r.stderr), r.stderr);
  }
  assert.deepEqual(tree(home), snapshot);

  writeFile(path.join(home, 'configs', 'index_ops.yaml'), 'housekeeping:\n  keep_days: -3\n');
  const cfg = await cli(['housekeep', '--now', NOW_A], { home });
  assert.equal(cfg.code, 2);
  assert.match(cfg.stderr, /housekeeping\.keep_days/);
  fs.rmSync(path.join(home, 'configs'), { recursive: true });

  const dirHome = tempHome('hk-dir-');
  fs.mkdirSync(ledgerPath(dirHome), { recursive: true });
  const isDir = await cli(['housekeep', '--now', NOW_A], { home: dirHome });
  assert.equal(isDir.code, 2);
  assert.match(isDir.stderr, /is not a regular file/);
  fs.rmSync(dirHome, { recursive: true });

  const linkHome = tempHome('hk-link-');
  writeFile(path.join(linkHome, 'real.jsonl'), '');
  fs.mkdirSync(path.dirname(ledgerPath(linkHome)), { recursive: true });
  fs.symlinkSync(path.join(linkHome, 'real.jsonl'), ledgerPath(linkHome));
  const link = await cli(['housekeep', '--now', NOW_A], { home: linkHome });
  assert.equal(link.code, 2);
  assert.match(link.stderr, /is a symbolic link/);
  fs.rmSync(linkHome, { recursive: true });

  const huge = await cli(['housekeep', '--keep-days', '99999999', '--now', NOW_A], { home });
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /keep days must be a whole number from 0 to 36500/);

  const emptyHome = tempHome('hk-empty-');
  const empty = await cli(['housekeep', '--now', NOW_A], { home: emptyHome });
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /0 records; 0 stay[\s\S]*nothing to rotate/);
  fs.rmSync(emptyHome, { recursive: true });

  fs.writeFileSync(`${ledgerPath(home)}.housekeep.lock`, formatOwner({ pid: process.ppid, start: null, bootId: selfOwner().bootId }));
  const busy = await cli(['housekeep', '--now', NOW_A], { home });
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /another housekeep is running/);
  fs.rmSync(`${ledgerPath(home)}.housekeep.lock`);

  const ok = await cli(['housekeep', '--keep-days', '400', '--now', NOW_A], { home });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /housekeep: archived 2026-01-05: 1 records \(1 new\)/);
  assert.match(ok.stdout, /archived 2026-01-05: 1 records/);
  fs.rmSync(home, { recursive: true });
});

test('an unreadable archive is never overwritten: its day stays in the live file, exit 1, the rest proceeds', async () => {
  const home = tempHome('hk-corrupt-');
  const L = [lineOf(1, quoteOn('2026-01-30', 1)), lineOf(2, quoteOn('2026-01-31', 2)), lineOf(3, quoteOn('2026-02-02', 3))];
  writeFile(ledgerPath(home), L.join(''));
  writeFile(path.join(archiveDir(home), '2026-01-30.jsonl.gz'), 'not gzip at all');
  const r = await cli(['housekeep', '--now', NOW_A, '--json'], { home });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /2026-01-30\.jsonl\.gz is unreadable/);
  assert.equal(fs.readFileSync(path.join(archiveDir(home), '2026-01-30.jsonl.gz'), 'utf8'), 'not gzip at all');
  assert.equal(fs.readFileSync(ledgerPath(home), 'utf8'), L[0]! + L[2]!);
  assert.deepEqual(JSON.parse(r.stdout).ledger.archived.map((a: { date: string }) => a.date), ['2026-01-31']);
  fs.rmSync(home, { recursive: true });
});
