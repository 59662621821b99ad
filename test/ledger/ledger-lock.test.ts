/** The advisory lock the ledger writer and housekeeping share, and the writer following a swapped file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { LedgerWriter, LedgerLockTimeout, ledgerLockPath } from '../../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../../src/adapters/ledger/ledger-reader.ts';
import { FileLock, formatOwner, ownerAlive, parseOwner, selfOwner, staleOwnerFiles } from '../../src/adapters/fs/file-lock.ts';
import { quoteInput } from './fixtures/records.ts';
import { tempDir } from '../helpers/tmp.ts';

const tmpDir = () => tempDir('ledger-lock-');

/** The identity of a process that has exited (and been reaped). */
function deadOwnerText(): string {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const pid = Number(r.stdout.toString());
  assert.ok(pid > 0);
  return formatOwner({ pid, start: '12345', bootId: selfOwner().bootId });
}

test('a lock left by a dead process is broken; junk in the lock file too', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'index_paper.jsonl');
  const lock = ledgerLockPath(file);
  fs.writeFileSync(lock, deadOwnerText());
  assert.equal(ownerAlive(parseOwner(fs.readFileSync(lock, 'utf8'))!), false);
  const w = LedgerWriter.open(file);
  assert.equal(fs.existsSync(lock), false, 'released after open');
  fs.writeFileSync(lock, 'not an owner');
  assert.equal(w.append(quoteInput(1)).seq, 1);
  assert.equal(fs.existsSync(lock), false);
  // A lock from another boot is stale whatever its pid.
  fs.writeFileSync(lock, formatOwner({ pid: process.ppid, start: null, bootId: 'another-boot' }));
  assert.equal(w.append(quoteInput(2)).seq, 2);
  w.close();
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [1, 2]);
  fs.rmSync(dir, { recursive: true });
});

test('a lock held by a live process makes the append wait, then fail cleanly without writing or burning a seq', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'index_paper.jsonl');
  const w = LedgerWriter.open(file, { lockWaitMs: 5 });
  w.append(quoteInput(1));
  // The parent process (the test runner) is alive: its identity holds the lock.
  fs.writeFileSync(ledgerLockPath(file), formatOwner({ pid: process.ppid, start: null, bootId: selfOwner().bootId }));
  assert.throws(() => w.append(quoteInput(2)), LedgerLockTimeout);
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [1]);
  fs.rmSync(ledgerLockPath(file));
  assert.equal(w.append(quoteInput(2)).seq, 2);
  w.close();
  fs.rmSync(dir, { recursive: true });
});

test('FileLock: exclusive, not re-entrant, released by unlink; owner files of dead processes are found', () => {
  const dir = tmpDir();
  const p = path.join(dir, 'x.lock');
  const a = new FileLock(p, { waitMs: 0 });
  assert.deepEqual(a.tryAcquire(), { ok: true });
  assert.equal(a.isHeld, true);
  assert.throws(() => a.tryAcquire(), /not re-entrant/);
  assert.equal(parseOwner(fs.readFileSync(p, 'utf8'))!.pid, process.pid);
  a.release();
  assert.equal(fs.existsSync(p), false);
  assert.equal(a.with(() => 7), 7);
  fs.writeFileSync(`${p}.999999999`, deadOwnerText());
  assert.deepEqual(staleOwnerFiles(p), [`${p}.999999999`]);
  fs.rmSync(dir, { recursive: true });
});

test('the writer follows the path to the file housekeeping swapped in, under the lock; nothing lands in the old inode', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'index_paper.jsonl');
  const w = LedgerWriter.open(file);
  w.appendBatch([quoteInput(1), quoteInput(2)]);
  const oldLink = path.join(dir, 'old-inode');
  fs.linkSync(file, oldLink); // keep the old inode visible
  // What housekeeping does: a new file with what it keeps (here: the last record), renamed over the path.
  new FileLock(ledgerLockPath(file)).with(() => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(path.join(dir, 'new'), lines[1] + '\n');
    fs.renameSync(path.join(dir, 'new'), file);
  });
  assert.equal(w.append(quoteInput(3)).seq, 3);
  assert.equal(w.reopens, 1);
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [2, 3]);
  assert.deepEqual(readLedgerFile(oldLink).records.map((r) => r.seq), [1, 2]);
  // The path removed altogether: the next append recreates it.
  fs.rmSync(file);
  assert.equal(w.append(quoteInput(4)).seq, 4);
  assert.equal(w.reopens, 2);
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [4]);
  // A swapped-in file ending in a fragment: the next record starts on its own line.
  fs.writeFileSync(path.join(dir, 'new'), '{"seq":9,"ty');
  fs.renameSync(path.join(dir, 'new'), file);
  assert.equal(w.append(quoteInput(5)).seq, 10, 'never below what the new file names');
  w.close();
  assert.deepEqual(readLedgerFile(file).records.map((r) => r.seq), [10]);
  assert.equal(readLedgerFile(file).skipped.length, 1);
  fs.rmSync(dir, { recursive: true });
});
