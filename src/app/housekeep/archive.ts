/**
 * Housekeeping's archive and swap (see ../housekeep.ts, crash-safety steps 3, 5 and 6): a closed day merged
 * into `archive/YYYY-MM-DD.jsonl.gz` (existing lines ∪ the day's, de-duplicated by exact line, ordered by
 * seq, temp + fsync + rename + directory fsync); the kept lines written to the new live file; and, under
 * the ledger lock, the bytes appended meanwhile carried over and the new file renamed over the live path.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fsyncDir } from '../../adapters/fs/atomic-write.ts';
import { FileLock } from '../../adapters/fs/file-lock.ts';
import { ledgerLockPath } from '../../adapters/ledger/ledger-writer.ts';
import { KEEP, readRange, SCAN_CHUNK, statOrNull, type LedgerSnapshot } from './plan.ts';

export interface ArchivedDay {
  date: string;
  file: string;
  /** Records of that day in the live file. */
  records: number;
  /** Of those, how many the archive did not hold yet. */
  added: number;
  /** Lines in the archive afterwards. */
  total: number;
  /** An archive of that day existed and was merged with. */
  merged: boolean;
}

const seqOf = (line: string): number => {
  const m = /"seq"\s*:\s*(\d{1,15})/.exec(line);
  return m ? Number(m[1]) : -1;
};

export function archiveDay(
  snap: LedgerSnapshot,
  date: string,
  dayIndex: number,
  archiveDir: string,
  dryRun: boolean,
  step: (name: string) => void,
): ArchivedDay | { error: string } {
  const file = path.join(archiveDir, `${date}.jsonl.gz`);
  let existing: string[] = [];
  const merged = fs.existsSync(file);
  if (merged) {
    try {
      existing = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter((l) => l !== '');
    } catch (e) {
      return { error: `archive ${file} is unreadable (${(e as Error).message}): ${date} left in the live ledger; repair or move the archive aside and rerun` };
    }
  }
  const have = new Set(existing);
  const added: string[] = [];
  for (let i = 0; i < snap.cls.length; i++) {
    if (snap.cls[i] !== dayIndex) continue;
    const line = readRange(snap.fd, snap.starts[i]!, snap.ends[i]! - 1).toString('utf8');
    if (have.has(line)) continue;
    have.add(line);
    added.push(line);
  }
  const records = snap.dayCounts[dayIndex]!;
  const lines = existing.concat(added);
  if (added.length > 0 && !dryRun) {
    // Stable by seq (existing archives are already in order; lines without a seq first).
    const keyed = lines.map((l, i) => ({ l, i, s: seqOf(l) }));
    keyed.sort((a, b) => a.s - b.s || a.i - b.i);
    const body = zlib.gzipSync(Buffer.from(keyed.map((k) => k.l).join('\n') + '\n', 'utf8'));
    const tmp = path.join(archiveDir, `.${date}.jsonl.gz.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      writeAll(fd, body);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    step(`archive-written:${date}`);
    fs.renameSync(tmp, file);
    fsyncDir(archiveDir);
    step(`archive-renamed:${date}`);
  }
  return { date, file, records, added: added.length, total: lines.length, merged };
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

/** Writes the kept lines of the snapshot (in order, contiguous runs copied as one range) and fsyncs. */
export function writeKept(snap: LedgerSnapshot, tmp: string): void {
  const out = fs.openSync(tmp, 'w', 0o644);
  try {
    let runStart = -1;
    let runEnd = -1;
    const flush = () => {
      if (runStart < 0) return;
      for (let p = runStart; p < runEnd; p += SCAN_CHUNK) writeAll(out, readRange(snap.fd, p, Math.min(runEnd, p + SCAN_CHUNK)));
      runStart = runEnd = -1;
    };
    for (let i = 0; i < snap.cls.length; i++) {
      if (snap.cls[i] !== KEEP) {
        flush();
        continue;
      }
      if (runStart >= 0 && snap.starts[i] === runEnd) runEnd = snap.ends[i]!;
      else {
        flush();
        runStart = snap.starts[i]!;
        runEnd = snap.ends[i]!;
      }
    }
    flush();
    fs.fsyncSync(out);
  } catch (e) {
    fs.closeSync(out);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(out);
}

/**
 * Under the ledger lock: carry what was appended since the snapshot into the new file, fsync, rename it
 * over the live path, fsync the directory. Returns the bytes carried.
 */
export function swap(snap: LedgerSnapshot, ledger: string, tmp: string, lockWaitMs: number, step: (name: string) => void): number {
  const lock = new FileLock(ledgerLockPath(ledger), { waitMs: lockWaitMs });
  lock.acquire();
  try {
    step('swap-locked');
    const st = statOrNull(ledger);
    if (!st || st.ino !== snap.ino || st.dev !== snap.dev) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`${ledger} was replaced while housekeeping ran; nothing was removed from it — rerun`);
    }
    const size = fs.fstatSync(snap.fd).size;
    const out = fs.openSync(tmp, 'a', 0o644);
    try {
      for (let p = snap.end; p < size; p += SCAN_CHUNK) writeAll(out, readRange(snap.fd, p, Math.min(size, p + SCAN_CHUNK)));
      fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    step('tail-copied');
    fs.renameSync(tmp, ledger);
    fsyncDir(path.dirname(ledger));
    step('swapped');
    return size - snap.end;
  } finally {
    lock.release();
    step('unlocked');
  }
}
