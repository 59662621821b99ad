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
 * Recovery on open: a tail without a final newline (torn write) gets a newline appended, so the next
 * record starts on a fresh line and is never glued to the fragment; the fragment stays as an invalid
 * line that readers skip and report. (If the fragment is in fact a complete record that only lost its
 * newline, it becomes a valid line — it was written, just never acknowledged.) `seq` continues from the
 * last valid record of the file — or, if the file has none (e.g. housekeeping rotated every line away),
 * from the newest archive in `archiveDir`. The file is never rewritten in place.
 *
 * One writer per ledger file at a time (the supervisor / replay process that owns it).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fsyncDir } from '../fs/atomic-write.ts';
import {
  LedgerRecordSchema,
  LedgerRecordStrictSchema,
  type LedgerRecord,
  type LedgerRecordInput,
} from '../../core/ledger/record.ts';

export type LedgerDurability = 'fdatasync' | 'none';

export interface LedgerWriterOptions {
  durability?: LedgerDurability;
  /** Where housekeeping keeps rotated days (`YYYY-MM-DD.jsonl[.gz]`): consulted for `seq` if the file has no record. */
  archiveDir?: string;
}

export interface LedgerRecovery {
  /** The file ended without a newline (a torn last write) and a newline was appended. */
  tornTail: boolean;
  /** Bytes of that torn fragment. */
  tornBytes: number;
  /** Where the starting `seq` came from. */
  seqSource: 'ledger' | 'archive' | 'empty';
  lastSeq: number;
}

export class LedgerValidationError extends Error {
  override name = 'LedgerValidationError';
}

const TAIL_CHUNK = 64 * 1024;
const ARCHIVE_NAME = /^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/;

export class LedgerWriter {
  private fd: number | undefined;
  private seq: number;
  /** A failed write may have left a partial line: check the tail before the next one. */
  private tailSuspect = false;

  private constructor(
    readonly file: string,
    fd: number,
    readonly recovery: LedgerRecovery,
    private readonly durability: LedgerDurability,
  ) {
    this.fd = fd;
    this.seq = recovery.lastSeq;
  }

  static open(file: string, options: LedgerWriterOptions = {}): LedgerWriter {
    const durability = options.durability ?? 'fdatasync';
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, 'a+', 0o644);
    try {
      if (!existed) fsyncDir(dir);
      const size = fs.fstatSync(fd).size;
      let tornBytes = 0;
      if (size > 0 && readByte(fd, size - 1) !== 0x0a) {
        tornBytes = size - lastNewlineBefore(fd, size) - 1;
        writeAll(fd, Buffer.from('\n'));
        if (durability === 'fdatasync') fs.fdatasyncSync(fd);
      }
      let lastSeq = lastValidSeq(fd);
      let seqSource: LedgerRecovery['seqSource'] = lastSeq > 0 ? 'ledger' : 'empty';
      if (lastSeq === 0 && options.archiveDir) {
        lastSeq = lastArchivedSeq(options.archiveDir);
        if (lastSeq > 0) seqSource = 'archive';
      }
      return new LedgerWriter(file, fd, { tornTail: tornBytes > 0, tornBytes, seqSource, lastSeq }, durability);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** `seq` of the last record written (or recovered). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Validates, writes and (by default) fdatasyncs one record; returns it once durable. */
  append(input: LedgerRecordInput): LedgerRecord {
    return this.appendBatch([input])[0]!;
  }

  /** Group commit: one write and one fdatasync for all; none acknowledged before all are durable. */
  appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[] {
    const fd = this.requireOpen();
    if (inputs.length === 0) return [];
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
      writeAll(fd, Buffer.from(text, 'utf8'));
      if (this.durability === 'fdatasync') fs.fdatasyncSync(fd);
    } catch (e) {
      this.tailSuspect = true;
      throw e;
    }
    return records;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`ledger writer for ${this.file} is closed`);
    return this.fd;
  }

  private repairTail(fd: number): void {
    const size = fs.fstatSync(fd).size;
    if (size > 0 && readByte(fd, size - 1) !== 0x0a) writeAll(fd, Buffer.from('\n'));
    this.tailSuspect = false;
  }
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

/** The largest `seq` among the last valid lines, scanning back from the end in growing windows. */
function lastValidSeq(fd: number): number {
  const size = fs.fstatSync(fd).size;
  let window = Math.min(size, TAIL_CHUNK);
  while (window > 0) {
    const start = size - window;
    const buf = Buffer.alloc(window);
    fs.readSync(fd, buf, 0, window, start);
    const lines = buf.toString('utf8').split('\n');
    // The first piece may be cut by the window unless the window reaches the file start.
    const from = start === 0 ? 0 : 1;
    for (let i = lines.length - 1; i >= from; i--) {
      const seq = seqOfLine(lines[i]!);
      if (seq !== undefined) return seq;
    }
    if (start === 0) return 0;
    window = Math.min(size, window * 4);
  }
  return 0;
}

function seqOfLine(line: string): number | undefined {
  if (line.trim() === '') return undefined;
  try {
    const r = LedgerRecordSchema.safeParse(JSON.parse(line));
    return r.success ? r.data.seq : undefined;
  } catch {
    return undefined;
  }
}

/** Highest `seq` in the newest archive file that holds a valid record. */
function lastArchivedSeq(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  const names = fs
    .readdirSync(dir)
    .filter((n) => ARCHIVE_NAME.test(n))
    .sort()
    .reverse();
  for (const name of names) {
    const raw = fs.readFileSync(path.join(dir, name));
    let text: string;
    try {
      text = (name.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    } catch {
      continue; // an unreadable archive is reported by readers; look at the previous day
    }
    let max = 0;
    for (const line of text.split('\n')) max = Math.max(max, seqOfLine(line) ?? 0);
    if (max > 0) return max;
  }
  return 0;
}
