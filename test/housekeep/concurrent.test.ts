/**
 * Housekeeping while another process appends (SPEC §7.4): a real second process appends through
 * LedgerWriter in a loop; housekeeping pauses at its snapshot, before its swap and after it until the
 * appender has acknowledged more records each time (coordination by counts, never by sleeps). Every
 * acknowledged record ends up exactly once in the archives or the live file.
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
import { etToMs } from '../../src/core/time/et.ts';
import { allLines, archiveDir, artifactsDir, duplicates, ledgerPath, quoteOn } from './fixtures/data.ts';
import { TS_EXEC_ARGV } from '../helpers/ts-child.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const TODAY = '2026-03-10';
const YESTERDAY = '2026-03-09';
const NOW = etToMs(TODAY, '17:30');

function seqCounts(home: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { line } of allLines(home)) {
    const seq = (JSON.parse(line) as { seq: number }).seq;
    counts.set(seq, (counts.get(seq) ?? 0) + 1);
  }
  return counts;
}

test('a concurrent appender (a second process) loses nothing and duplicates nothing while housekeep rotates', async () => {
  const home = tempHome('hk-conc-');
  const file = ledgerPath(home);
  const paths = { ledger: file, archiveDir: archiveDir(home), artifactsDir: artifactsDir(home) };
  // 3 closed days of 800 records and 100 of today, written through the writer.
  const seed = LedgerWriter.open(file, { durability: 'none' });
  const seeded = seed
    .appendBatch([
      ...['2026-03-05', '2026-03-06', YESTERDAY].flatMap((d) => Array.from({ length: 800 }, (_, i) => quoteOn(d, i))),
      ...Array.from({ length: 100 }, (_, i) => quoteOn(TODAY, i)),
    ])
    .map((r) => r.seq);
  seed.close();

  const child = fork(path.join(here, 'fixtures', 'appender.ts'), [file, paths.archiveDir, TODAY, YESTERDAY], {
    execArgv: [...TS_EXEC_ARGV],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const acked: number[] = [];
  let reopens = 0;
  let ackedAtReopen = -1;
  let waiter: { pred: () => boolean; resolve: () => void } | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const failed = exited.then((code) => {
    throw new Error(`appender exited early (${code}): ${stderr}`);
  });
  failed.catch(() => {}); // observed through the races below
  child.on('message', (m: { acked?: number; reopens?: number }) => {
    if (m.acked !== undefined) acked.push(m.acked);
    if (m.reopens !== undefined && m.reopens > reopens) {
      reopens = m.reopens;
      ackedAtReopen = acked.length;
    }
    if (waiter?.pred()) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  });
  const until = (pred: () => boolean) =>
    pred() ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => (waiter = { pred, resolve })), failed]);
  const more = (n: number) => {
    const target = acked.length + n;
    return until(() => acked.length >= target);
  };

  try {
    await more(20);
    const first = await housekeep({
      paths,
      nowMs: NOW,
      keepDays: 30,
      hooks: {
        // Appends land after the snapshot (carried by the tail copy) …
        pause: async (name) => {
          if (name === 'scanned' || name === 'before-swap') await more(30);
          // … and after the swap (the writer must follow the new file).
          if (name === 'after-swap') await until(() => reopens >= 1 && acked.length >= ackedAtReopen + 30);
        },
      },
    });
    assert.equal(first.ledger.rotated, true);
    assert.ok(first.ledger.tail_bytes_carried > 0, 'appends happened between the snapshot and the swap');
    assert.deepEqual(first.ledger.archived.map((a) => a.date), ['2026-03-05', '2026-03-06', YESTERDAY]);
    assert.ok(reopens >= 1);

    // A second run while it keeps appending: yesterday's late records merge into the existing archive.
    await more(20);
    const second = await housekeep({ paths, nowMs: NOW, keepDays: 30, hooks: { pause: async (n) => (n === 'before-swap' ? more(10) : undefined) } });
    assert.deepEqual(second.ledger.archived.map((a) => [a.date, a.merged]), [[YESTERDAY, true]]);
    await more(10);
  } finally {
    child.send('stop');
    await exited;
  }

  assert.ok(acked.length >= 150);
  const counts = seqCounts(home);
  for (const s of [...seeded, ...acked]) assert.equal(counts.get(s), 1, `seq ${s} exactly once`);
  assert.equal(counts.size, seeded.length + acked.length, 'nothing that was not written');
  assert.deepEqual(duplicates(home), []);
  // Through the reader (archives + live): every record, nothing skipped.
  const read = readLedger(file, { archiveDir: paths.archiveDir });
  assert.equal(read.records.length, seeded.length + acked.length);
  assert.deepEqual(read.skipped, []);
  // The live file holds today's records, and yesterday's only if appended after the second run's snapshot.
  const live = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { window: string; seq: number });
  const archivedYesterday = readLedger(path.join(home, 'none'), { archiveDir: paths.archiveDir, fromDate: YESTERDAY, toDate: YESTERDAY }).records;
  const maxArchived = Math.max(...archivedYesterday.map((r) => r.seq));
  for (const r of live) assert.ok(r.window.startsWith(TODAY) || (r.window.startsWith(YESTERDAY) && r.seq > maxArchived), `live ${r.seq} ${r.window}`);
  fs.rmSync(home, { recursive: true });
});
