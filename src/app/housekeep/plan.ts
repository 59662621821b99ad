/**
 * Housekeeping's plan (see ../housekeep.ts): one pass over the live ledger up to its last complete line — a
 * snapshot; the writer keeps appending meanwhile — classifying every line: a closed day to archive (its
 * index in `days`), kept in the live file (today and later, invalid or undated lines), or dropped (blank
 * lines, days past the retention). A record's day is `groupOf`'s (core/scoreboard.ts), the scoreboard's.
 */
import fs from 'node:fs';
import { LedgerRecordSchema, type LedgerRecord } from '../../core/ledger/record.ts';
import { groupOf } from '../../core/scoreboard.ts';
import { assertDate } from '../../core/time/et.ts';

export const SCAN_CHUNK = 4 << 20;
const PROGRESS_BYTES = 32 << 20;

export const isDate = (s: string): boolean => {
  try {
    assertDate(s);
    return true;
  } catch {
    return false;
  }
};

/** Line classes: ≥ 0 index of the day to archive; negative: what happens to the line. */
export const KEEP = -1; // stays in the live file
export const DROP = -2; // leaves the live file without an archive (blank lines, expired days)

export interface LedgerSnapshot {
  fd: number;
  ino: number;
  dev: number;
  /** End of the last complete line at snapshot time. */
  end: number;
  starts: number[];
  ends: number[];
  cls: number[];
  days: string[];
  dayCounts: number[];
  expired: Map<string, number>;
  records: number;
  kept: number;
  invalid: number;
  undated: number;
  /** Largest seq among records leaving the live file. */
  maxRemovedSeq: number;
}

export function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Reads the live file up to its last complete line and classifies every line. */
export function scanLedger(file: string, today: string, expired: (d: string) => boolean, progress: (l: string) => void): LedgerSnapshot {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const snap: LedgerSnapshot = {
      fd,
      ino: st.ino,
      dev: st.dev,
      end: 0,
      starts: [],
      ends: [],
      cls: [],
      days: [],
      dayCounts: [],
      expired: new Map(),
      records: 0,
      kept: 0,
      invalid: 0,
      undated: 0,
      maxRemovedSeq: 0,
    };
    const dayIndex = new Map<string, number>();
    const size = st.size;
    const buf = Buffer.alloc(SCAN_CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = 0;
    let pos = 0;
    let nextProgress = PROGRESS_BYTES;
    while (pos < size) {
      const n = fs.readSync(fd, buf, 0, Math.min(SCAN_CHUNK, size - pos), pos);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const dataStart = carry.length ? carryStart : pos;
      pos += n;
      let s = 0;
      for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, s)) {
        classify(snap, dayIndex, data.subarray(s, i).toString('utf8'), dataStart + s, dataStart + i + 1, today, expired);
        s = i + 1;
      }
      snap.end = dataStart + s;
      carry = Buffer.from(data.subarray(s));
      carryStart = dataStart + s;
      if (pos >= nextProgress) {
        progress(`housekeep: scanned ${(pos / 1048576).toFixed(1)} of ${(size / 1048576).toFixed(1)} MB of the ledger`);
        nextProgress += PROGRESS_BYTES;
      }
    }
    return snap;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

function classify(snap: LedgerSnapshot, dayIndex: Map<string, number>, line: string, start: number, end: number, today: string, expired: (d: string) => boolean): void {
  snap.starts.push(start);
  snap.ends.push(end);
  if (line.trim() === '') {
    snap.cls.push(DROP);
    return;
  }
  let record: LedgerRecord | undefined;
  try {
    const r = LedgerRecordSchema.safeParse(JSON.parse(line));
    if (r.success) record = r.data as LedgerRecord;
  } catch {
    // not JSON
  }
  if (!record) {
    snap.invalid++;
    snap.cls.push(KEEP);
    return;
  }
  snap.records++;
  const day = groupOf(record).day;
  if (!isDate(day)) {
    snap.undated++;
    snap.cls.push(KEEP);
    return;
  }
  if (day >= today) {
    snap.kept++;
    snap.cls.push(KEEP);
    return;
  }
  snap.maxRemovedSeq = Math.max(snap.maxRemovedSeq, record.seq);
  if (expired(day)) {
    snap.expired.set(day, (snap.expired.get(day) ?? 0) + 1);
    snap.cls.push(DROP);
    return;
  }
  let idx = dayIndex.get(day);
  if (idx === undefined) {
    idx = snap.days.length;
    dayIndex.set(day, idx);
    snap.days.push(day);
    snap.dayCounts.push(0);
  }
  snap.dayCounts[idx]!++;
  snap.cls.push(idx);
}

/** The bytes [start, end) of the snapshot's file (a shrinking file is an error: it was not ours to shrink). */
export function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, start + off);
    if (n === 0) throw new Error(`ledger shrank while housekeeping read it (offset ${start + off})`);
    off += n;
  }
  return buf;
}
