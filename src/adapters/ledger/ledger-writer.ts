/**
 * Append-only JSONL writer of the paper ledger (SPEC §7.1).
 *
 * Durability policy:
 * - The file is opened O_APPEND; every `append` (or `appendBatch`) is validated, serialised, written
 *   with one `write` call (looped only on a short write) and then `fdatasync`ed **before it returns**.
 *   A record is acknowledged when `append` returns: a crash after that cannot lose it. A crash before
 *   it can leave at most one torn (newline-less) last line.
 * - `appendBatch` writes many records with one write + one fdatasync (group commit): none of them is
 *   acknowledged until all are durable.
 * - Creating the file fsyncs its directory too, so the file itself survives a crash.
 * - `durability: 'none'` skips fdatasync (replays and benches only — never for the real ledger).
 *
 * `seq` (strictly increasing, never reused): on open it starts above every seq ever written — the largest
 * `"seq": N` anywhere in the live file (a byte scan of every line, valid or not, not just the last valid
 * one: see seq-scan.ts) and, with `archiveDir`, the archives' high-water mark (`seq_high_water.json`, which
 * housekeeping raises before it moves records out of the live file; every archive is scanned without it).
 * Gaps are allowed (a failed write burns its seqs), duplicates never.
 *
 * Recovery on open: a tail without a final newline (torn write) gets a newline appended, so the next
 * record starts on a fresh line and is never glued to the fragment; the fragment stays as an invalid
 * line that readers skip and report. (If the fragment is in fact a complete record that only lost its
 * newline, it becomes a valid line — it was written, just never acknowledged.) The file is never
 * rewritten in place.
 *
 * Coordination with housekeeping (`coordination: 'lock'`, the default): housekeeping rotates closed days
 * out of the live file while this writer (in another process) keeps appending. It never rewrites the
 * file: it writes a new file (the records it keeps + everything appended since it started reading) and
 * renames it over the path. The two meet at the advisory lock `<file>.lock` (ledger-lock.ts):
 * - the writer holds it around each append batch: under the lock it `stat`s the path and, if the path
 *   now names another inode than its descriptor (housekeeping swapped the file) or nothing, reopens the
 *   path before writing (keeping its in-memory seq, raised to the new file's max if that is higher);
 *   then it writes and fdatasyncs, and releases;
 * - housekeeping holds it only for the swap: copy the bytes appended to the old inode since its snapshot
 *   into the new file, fsync, rename over the path, fsync the directory, release.
 * So every append lands either in the old inode before the tail copy (and is copied) or in the new file
 * after the rename: none lost, none copied twice. A writer that dies holding the lock leaves a stale
 * lock that the next taker breaks (its owner process is gone). Opening takes the lock too (the torn-tail
 * repair writes). `coordination: 'none'` is for files no other process touches (replay, benches).
 *
 * One writer per ledger file at a time (the supervisor / replay process that owns it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../fs/atomic-write.ts';
import {
  LedgerRecordStrictSchema,
  type LedgerRecord,
  type LedgerRecordInput,
} from '../../core/ledger/record.ts';
import { FileLock } from '../fs/file-lock.ts';
import { afterLedgerWrite, dieNow, tearThisLedgerWrite } from '../fs/fault-injection.ts';
import { archivesMaxSeq, scanMaxSeqFd } from './seq-scan.ts';

export { LedgerLockTimeout } from '../fs/file-lock.ts';

export type LedgerDurability = 'fdatasync' | 'none';
export type LedgerCoordination = 'lock' | 'none';

export interface LedgerWriterOptions {
  durability?: LedgerDurability;
  /** Where housekeeping keeps rotated days (`YYYY-MM-DD.jsonl[.gz]`): their seqs count for the starting `seq`. */
  archiveDir?: string;
  /** `lock` (default): coordinate with housekeeping through `<file>.lock`; `none`: nobody else touches the file. */
  coordination?: LedgerCoordination;
  /** Longest wait for the lock before an append fails with LedgerLockTimeout (default 10 000 ms). */
  lockWaitMs?: number;
}

export interface LedgerRecovery {
  /** The file ended without a newline (a torn last write) and a newline was appended. */
  tornTail: boolean;
  /** Bytes of that torn fragment. */
  tornBytes: number;
  /** Where the starting `seq` came from: the live file, the archives, or neither (0). */
  seqSource: 'ledger' | 'archive' | 'empty';
  /** Largest seq ever written; the next record gets lastSeq + 1. */
  lastSeq: number;
}

export class LedgerValidationError extends Error {
  override name = 'LedgerValidationError';
}

const TAIL_CHUNK = 64 * 1024;

/** Path of the advisory lock housekeeping and the writer share. */
export const ledgerLockPath = (file: string): string => `${file}.lock`;

export class LedgerWriter {
  private fd: number | undefined;
  private ino: number;
  private dev: number;
  private seq: number;
  private reopenCount = 0;
  /** A failed write may have left a partial line: check the tail before the next one. */
  private tailSuspect = false;

  private constructor(
    readonly file: string,
    fd: number,
    readonly recovery: LedgerRecovery,
    private readonly durability: LedgerDurability,
    private readonly lock: FileLock | undefined,
  ) {
    this.fd = fd;
    const st = fs.fstatSync(fd);
    this.ino = st.ino;
    this.dev = st.dev;
    this.seq = recovery.lastSeq;
  }

  static open(file: string, options: LedgerWriterOptions = {}): LedgerWriter {
    const durability = options.durability ?? 'fdatasync';
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    const lock = (options.coordination ?? 'lock') === 'lock' ? new FileLock(ledgerLockPath(file), { waitMs: options.lockWaitMs ?? 10_000 }) : undefined;
    lock?.acquire();
    try {
      const existed = fs.existsSync(file);
      const fd = fs.openSync(file, 'a+', 0o644);
      try {
        if (!existed) fsyncDir(dir);
        const tornBytes = repairTornTail(fd, durability);
        const fileSeq = scanMaxSeqFd(fd);
        const archiveSeq = options.archiveDir ? archivesMaxSeq(options.archiveDir) : 0;
        const lastSeq = Math.max(fileSeq, archiveSeq);
        const seqSource: LedgerRecovery['seqSource'] = lastSeq === 0 ? 'empty' : fileSeq >= archiveSeq ? 'ledger' : 'archive';
        return new LedgerWriter(file, fd, { tornTail: tornBytes > 0, tornBytes, seqSource, lastSeq }, durability, lock);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
    } catch (e) {
      lock?.release();
      lock?.dispose();
      throw e;
    } finally {
      lock?.release();
    }
  }

  /** `seq` of the last record written (or recovered). */
  get lastSeq(): number {
    return this.seq;
  }

  /** How many times the writer followed the path to a new file (housekeeping swapped it). */
  get reopens(): number {
    return this.reopenCount;
  }

  /** Validates, writes and (by default) fdatasyncs one record; returns it once durable. */
  append(input: LedgerRecordInput): LedgerRecord {
    return this.appendBatch([input])[0]!;
  }

  /** Group commit: one write and one fdatasync for all; none acknowledged before all are durable. */
  appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[] {
    this.requireOpen();
    if (inputs.length === 0) return [];
    this.lock?.acquire();
    try {
      // Under the lock: the file we write to is the one the path names (housekeeping may have swapped it).
      const fd = this.lock ? this.followPath() : this.requireOpen();
      const records: LedgerRecord[] = [];
      let text = '';
      let seq = this.seq;
      for (const input of inputs) {
        const candidate = { seq: ++seq, ...input };
        const r = LedgerRecordStrictSchema.safeParse(candidate);
        if (!r.success) {
          const issue = r.error.issues[0]!;
          throw new LedgerValidationError(`ledger record rejected: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
        }
        records.push(r.data);
        // Key order for humans and grep: seq and type first, then the schema's order.
        const { seq: recordSeq, type, ...rest } = r.data;
        text += JSON.stringify({ seq: recordSeq, type, ...rest }) + '\n';
      }
      if (this.tailSuspect) this.repairTail(fd);
      // From here a seq may be on disk even if we fail: never hand it out twice (gaps are fine, duplicates not).
      this.seq = seq;
      try {
        const bytes = Buffer.from(text, 'utf8');
        if (tearThisLedgerWrite()) {
          writeAll(fd, bytes.subarray(0, Math.max(1, bytes.length >> 1)));
          dieNow();
        }
        writeAll(fd, bytes);
        if (this.durability === 'fdatasync') fs.fdatasyncSync(fd);
        afterLedgerWrite();
      } catch (e) {
        this.tailSuspect = true;
        throw e;
      }
      return records;
    } finally {
      this.lock?.release();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
    this.lock?.dispose();
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`ledger writer for ${this.file} is closed`);
    return this.fd;
  }

  /** Reopens the path if it no longer names our file (call with the lock held). */
  private followPath(): number {
    const fd = this.requireOpen();
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st && st.ino === this.ino && st.dev === this.dev) return fd;
    const next = fs.openSync(this.file, 'a+', 0o644);
    try {
      if (!st) fsyncDir(path.dirname(this.file));
      const nst = fs.fstatSync(next);
      // Whatever the new file holds, never go below it (it is normally what we already wrote).
      this.seq = Math.max(this.seq, scanMaxSeqFd(next, nst.size));
      this.ino = nst.ino;
      this.dev = nst.dev;
    } catch (e) {
      fs.closeSync(next);
      throw e;
    }
    this.fd = next;
    fs.closeSync(fd);
    this.reopenCount++;
    this.tailSuspect = true; // the new file may end with a fragment carried over: start on a fresh line
    return next;
  }

  private repairTail(fd: number): void {
    const size = fs.fstatSync(fd).size;
    if (size > 0 && readByte(fd, size - 1) !== 0x0a) writeAll(fd, Buffer.from('\n'));
    this.tailSuspect = false;
  }
}

/** Appends a newline after a torn tail; returns the fragment's length (0 when the tail is whole). */
function repairTornTail(fd: number, durability: LedgerDurability): number {
  const size = fs.fstatSync(fd).size;
  if (size === 0 || readByte(fd, size - 1) === 0x0a) return 0;
  const tornBytes = size - lastNewlineBefore(fd, size) - 1;
  writeAll(fd, Buffer.from('\n'));
  if (durability === 'fdatasync') fs.fdatasyncSync(fd);
  return tornBytes;
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function readByte(fd: number, pos: number): number {
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, pos);
  return b[0]!;
}

/** Offset of the last '\n' before `end`, or -1. */
function lastNewlineBefore(fd: number, end: number): number {
  let pos = end;
  const buf = Buffer.alloc(TAIL_CHUNK);
  while (pos > 0) {
    const start = Math.max(0, pos - TAIL_CHUNK);
    const n = fs.readSync(fd, buf, 0, pos - start, start);
    const i = buf.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) return start + i;
    pos = start;
  }
  return -1;
}
