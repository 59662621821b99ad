/**
 * Kill at every step (SPEC §7.4): for each step k of a housekeeping run, a child process runs it and
 * SIGKILLs itself at step k (inside the swap's critical section too, leaving the ledger lock behind).
 * After each kill the reader sees every record exactly once; a rerun completes the job and ends in exactly
 * the state of an uninterrupted run: nothing lost, nothing duplicated, no leftovers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempHome } from '../helpers/cli.ts';
import { housekeep } from '../../src/app/housekeep.ts';
import { LedgerWriter } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedger } from '../../src/adapters/ledger/ledger-reader.ts';
import { parseInstant } from '../../src/core/time/et.ts';
import { archiveDir, artifactsDir, duplicates, ledgerPath, lineOf, NOW_A, quoteOn, tree, writeArchive, writeFile } from './fixtures/data.ts';
import { tempDir } from '../helpers/tmp.ts';
import { TS_EXEC_ARGV } from '../helpers/ts-child.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const KEEP = 31;

const pathsOf = (home: string) => ({ ledger: ledgerPath(home), archiveDir: archiveDir(home), artifactsDir: artifactsDir(home) });
const run = (home: string, step?: (name: string) => void) =>
  housekeep({ paths: pathsOf(home), nowMs: parseInstant(NOW_A), keepDays: KEEP, ...(step ? { hooks: { step } } : {}) });

/**
 * One of each kind of step: a closed day merged into its archive, a new archive, an expired day, today's
 * records, an invalid line, a torn tail (a writer crashed mid-record: carried over verbatim), an expired
 * archive and an expired artifact folder.
 */
function seed(home: string): string[] {
  const L = [
    lineOf(1, quoteOn('2025-12-31', 1)),
    lineOf(2, quoteOn('2026-01-30', 2)),
    lineOf(3, quoteOn('2026-01-30', 3)),
    lineOf(4, quoteOn('2026-02-01', 4)),
    'not a record\n',
    lineOf(6, quoteOn('2026-02-02', 6)),
    '{"seq":7,"type":"quo',
  ];
  writeFile(ledgerPath(home), L.join(''));
  writeArchive(home, '2026-01-30', [L[1]!, lineOf(900, quoteOn('2026-01-30', 900))]);
  writeArchive(home, '2025-12-30', [lineOf(901, quoteOn('2025-12-30', 901))]);
  writeFile(path.join(artifactsDir(home), 'monitors', '2025-12-31', 'freshness.json'), '{}');
  writeFile(path.join(artifactsDir(home), 'monitors', '2026-02-02', 'freshness.json'), '{}');
  return L;
}

function crashChild(home: string, k: number): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'fixtures', 'crash-child.ts'), [home, NOW_A, String(KEEP), String(k)], {
      execArgv: [...TS_EXEC_ARGV],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(signal) : reject(new Error(`step ${k}: child exited ${code}/${signal}: ${stderr}`))));
  });
}

/** Records as the reader returns them, as JSON text. */
const readable = (home: string) => readLedger(ledgerPath(home), { archiveDir: archiveDir(home) }).records.map((r) => JSON.stringify(r));

test('a kill at every step of a housekeeping run loses nothing and duplicates nothing after a rerun', async () => {
  // The uninterrupted run: its steps and its end state.
  const ref = tempHome('hk-crash-ref-');
  seed(ref);
  const before = new Set(readable(ref));
  const steps: string[] = [];
  await run(ref, (name) => steps.push(name));
  const want = tree(ref);
  const wantRecords = readable(ref);
  assert.ok(wantRecords.every((r) => before.has(r)));
  assert.deepEqual(steps, [
    'start',
    'scanned',
    'archive-written:2026-01-30',
    'archive-renamed:2026-01-30',
    'archive-written:2026-02-01',
    'archive-renamed:2026-02-01',
    'high-water',
    'live-written',
    'swap-locked',
    'tail-copied',
    'swapped',
    'unlocked',
    'deleted:archive/2025-12-30.jsonl.gz',
    'deleted:monitors/2025-12-31',
    'done',
  ]);
  assert.equal(fs.readFileSync(ledgerPath(ref), 'utf8'), 'not a record\n' + lineOf(6, quoteOn('2026-02-02', 6)) + '{"seq":7,"type":"quo');

  const work = tempDir('hk-crash-');
  const homes = steps.map((_, k) => {
    const h = path.join(work, `k${k}`);
    fs.mkdirSync(h);
    seed(h);
    return h;
  });
  // Two children at a time (each is a fresh node process running the TypeScript through TS_EXEC_ARGV).
  let next = 0;
  const worker = async () => {
    while (next < homes.length) {
      const k = next++;
      await crashChild(homes[k]!, k);
    }
  };
  await Promise.all([worker(), worker()]);

  for (const [k, home] of homes.entries()) {
    const at = `killed at step ${k} (${steps[k]})`;
    // Right after the kill: every record the finished run keeps is readable, none twice.
    const mid = readable(home);
    assert.equal(new Set(mid).size, mid.length, `${at}: a record visible twice`);
    const midSet = new Set(mid);
    for (const r of wantRecords) assert.ok(midSet.has(r), `${at}: record lost ${r.slice(0, 60)}`);
    for (const r of mid) assert.ok(before.has(r), `${at}: a record that never existed`);

    // The rerun completes the job: exactly the uninterrupted end state, nothing duplicated, no leftovers.
    await run(home);
    assert.deepEqual(tree(home), want, `${at}: end state after the rerun`);
    assert.deepEqual(duplicates(home), [], `${at}: duplicated lines`);
    const w = LedgerWriter.open(ledgerPath(home), { archiveDir: archiveDir(home), lockWaitMs: 100 });
    assert.equal(w.append(quoteOn('2026-02-02', 500)).seq, 902, `${at}: seq continues above everything`);
    w.close();
  }
  fs.rmSync(work, { recursive: true });
  fs.rmSync(ref, { recursive: true });
});
