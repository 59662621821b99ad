/**
 * The largest `seq` ever written to a ledger, found cheaply (SPEC §7.1: `seq` is monotonic).
 *
 * - `scanMaxSeqFd` / `scanMaxSeqBuffer`: a byte scan for every `"seq"` key followed by `:` and digits, on
 *   every line — valid, invalid, torn or of the wrong shape — without JSON parsing or schema validation. It
 *   can only over-estimate (a key inside a broken line still counts), never miss a record's seq: inside a
 *   JSON string a quote is escaped, so `"seq":` in raw bytes is a key. Numbers longer than 15 digits are
 *   ignored (no valid record has one; they would push seq past the safe-integer range).
 * - `seq_high_water.json` in the archive directory: housekeeping writes `{"max_seq": N}` (atomically) before
 *   it removes archived records from the live file, so the writer never has to decompress every archive
 *   when it opens. Without a valid high-water file every archive is scanned instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/atomic-write.ts';

export const SEQ_HIGH_WATER_FILE = 'seq_high_water.json';
export const ARCHIVE_NAME = /^(\d{4}-\d{2}-\d{2})\.jsonl(\.gz)?$/;

const KEY = Buffer.from('"seq"');
const CHUNK = 4 << 20;
const MAX_DIGITS = 15;

const isWs = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/** Largest `"seq": N` in `buf` (0 if none), counting keys that start before `keyLimit`. */
export function scanMaxSeqBuffer(buf: Buffer, keyLimit = buf.length): number {
  let max = 0;
  const end = buf.length;
  for (let i = buf.indexOf(KEY); i >= 0 && i < keyLimit; i = buf.indexOf(KEY, i + KEY.length)) {
    let j = i + KEY.length;
    while (j < end && isWs(buf[j]!)) j++;
    if (j >= end || buf[j] !== 0x3a) continue;
    j++;
    while (j < end && isWs(buf[j]!)) j++;
    let n = 0;
    let digits = 0;
    while (j < end && digits <= MAX_DIGITS) {
      const c = buf[j]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
      digits++;
      j++;
    }
    if (digits > 0 && digits <= MAX_DIGITS && n > max) max = n;
  }
  return max;
}

/** Largest `seq` in the bytes [0, size) of an open file, read in chunks (4 MB) split at newlines. */
export function scanMaxSeqFd(fd: number, size = fs.fstatSync(fd).size, chunk = CHUNK): number {
  let max = 0;
  const buf = Buffer.alloc(chunk);
  let carry: Buffer = Buffer.alloc(0);
  let pos = 0;
  while (pos < size) {
    const n = fs.readSync(fd, buf, 0, Math.min(chunk, size - pos), pos);
    if (n === 0) break;
    pos += n;
    const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let cut = data.lastIndexOf(0x0a) + 1;
    // A line longer than a chunk: scan all but a short tail that may hold a split key.
    if (cut === 0 && data.length > chunk) cut = Math.max(0, data.length - 64);
    max = Math.max(max, scanMaxSeqBuffer(data, cut));
    carry = Buffer.from(data.subarray(cut));
  }
  return Math.max(max, scanMaxSeqBuffer(carry));
}

export function scanMaxSeqFile(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  try {
    return scanMaxSeqFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const HighWaterSchema = z.object({ max_seq: z.number().int().nonnegative() });

/** The recorded high-water mark, or null when the file is missing or invalid. */
export function readSeqHighWater(archiveDir: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(archiveDir, SEQ_HIGH_WATER_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const r = HighWaterSchema.safeParse(JSON.parse(text));
    return r.success ? r.data.max_seq : null;
  } catch {
    return null;
  }
}

/** Raises the high-water mark to at least `seq` (never lowers it); atomic. */
export function raiseSeqHighWater(archiveDir: string, seq: number): number {
  const recorded = readSeqHighWater(archiveDir);
  if (recorded !== null && seq <= recorded) return recorded;
  // Missing or invalid: what the archives hold counts too.
  const next = Math.max(recorded ?? scanArchivesMaxSeq(archiveDir), seq);
  writeJsonAtomic(path.join(archiveDir, SEQ_HIGH_WATER_FILE), { max_seq: next });
  return next;
}

/** Largest seq in every archive (`YYYY-MM-DD.jsonl[.gz]`); unreadable archives are skipped. */
export function scanArchivesMaxSeq(archiveDir: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(archiveDir).filter((n) => ARCHIVE_NAME.test(n));
  } catch {
    return 0;
  }
  let max = 0;
  for (const name of names) {
    const file = path.join(archiveDir, name);
    if (!name.endsWith('.gz')) {
      max = Math.max(max, scanMaxSeqFile(file));
      continue;
    }
    try {
      max = Math.max(max, scanMaxSeqBuffer(zlib.gunzipSync(fs.readFileSync(file))));
    } catch {
      // an unreadable archive is reported by readers
    }
  }
  return max;
}

/** Largest seq the archives hold: the high-water file, or a scan of every archive without one. */
export function archivesMaxSeq(archiveDir: string): number {
  return readSeqHighWater(archiveDir) ?? scanArchivesMaxSeq(archiveDir);
}
