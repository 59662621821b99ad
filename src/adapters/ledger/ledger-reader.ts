/**
 * Reads paper ledger files (SPEC §7.1): the live JSONL and housekeeping's archives
 * (`archive/YYYY-MM-DD.jsonl.gz`, plain `.jsonl` accepted too). Invalid lines are skipped and reported,
 * never fatal: a torn last line (no final newline: a write cut by a crash, or one still in progress)
 * and any corrupt or unknown line in the middle (e.g. a fragment a crash left before a restart).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { LedgerRecordSchema, type LedgerRecord } from '../../core/ledger/record.ts';
import { ARCHIVE_NAME } from './seq-scan.ts';

export interface SkippedLine {
  file: string;
  /** 1-based line number. */
  line: number;
  /** `torn`: the last line, without its newline. `invalid_json` / `invalid_record`: a complete bad line. */
  kind: 'torn' | 'invalid_json' | 'invalid_record';
  reason: string;
  /** First characters of the line, for the report. */
  preview: string;
}

export interface LedgerReadResult {
  records: LedgerRecord[];
  skipped: SkippedLine[];
  /** Files read, in order. */
  files: string[];
}

const CHUNK = 1 << 20;

/** Parses JSONL text; `text` may end without a newline (then its last line is torn). */
export function parseLedgerText(text: string, file: string): { records: LedgerRecord[]; skipped: SkippedLine[] } {
  const records: LedgerRecord[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split('\n');
  const tornTail = lines[lines.length - 1] !== '';
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    if (last && !tornTail) return;
    const r = parseLine(line, file, i + 1, last && tornTail);
    if (r?.ok) records.push(r.record);
    else if (r) skipped.push(r.skipped);
  });
  return { records, skipped };
}

type LineResult = { ok: true; record: LedgerRecord } | { ok: false; skipped: SkippedLine } | undefined;

function parseLine(line: string, file: string, lineNo: number, torn: boolean): LineResult {
  const preview = line.length > 80 ? line.slice(0, 80) + '…' : line;
  const skip = (kind: SkippedLine['kind'], reason: string): LineResult => ({ ok: false, skipped: { file, line: lineNo, kind, reason, preview } });
  if (torn) return skip('torn', 'last line has no newline (torn write)');
  if (line.trim() === '') return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (e) {
    return skip('invalid_json', (e as Error).message);
  }
  const r = LedgerRecordSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return skip('invalid_record', `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { ok: true, record: r.data as LedgerRecord };
}

/**
 * Streams one ledger file line by line (bounded memory for the live file), or decompresses an archive.
 * A missing file reads as empty.
 */
export function readLedgerFile(file: string): { records: LedgerRecord[]; skipped: SkippedLine[] } {
  if (!fs.existsSync(file)) return { records: [], skipped: [] };
  if (file.endsWith('.gz')) {
    let text: string;
    try {
      text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    } catch (e) {
      return { records: [], skipped: [{ file, line: 0, kind: 'invalid_json', reason: `unreadable archive: ${(e as Error).message}`, preview: '' }] };
    }
    return parseLedgerText(text, file);
  }
  const records: LedgerRecord[] = [];
  const skipped: SkippedLine[] = [];
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let carry = Buffer.alloc(0);
    let lineNo = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      const chunk = Buffer.concat([carry, buf.subarray(0, n)]);
      let start = 0;
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
        lineNo++;
        const r = parseLine(chunk.subarray(start, i).toString('utf8'), file, lineNo, false);
        if (r?.ok) records.push(r.record);
        else if (r) skipped.push(r.skipped);
        start = i + 1;
      }
      carry = Buffer.from(chunk.subarray(start));
    }
    if (carry.length > 0) {
      const r = parseLine(carry.toString('utf8'), file, lineNo + 1, true);
      if (r && !r.ok) skipped.push(r.skipped);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { records, skipped };
}

/** Archive files in `dir` with their dates, oldest first. */
export function listArchives(dir: string): { date: string; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .flatMap((name) => {
      const m = ARCHIVE_NAME.exec(name);
      return m ? [{ date: m[1]!, file: path.join(dir, name) }] : [];
    })
    .sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file));
}

/**
 * Reads the archives whose date lies in [fromDate, toDate] (all when unbounded) and then the live ledger.
 * A record present twice (a rotation interrupted by a crash: archived and still in the live file) is kept
 * once — same `seq` and same content; records are returned in `seq` order.
 */
export function readLedger(liveFile: string, options: { archiveDir?: string; fromDate?: string; toDate?: string } = {}): LedgerReadResult {
  const files: string[] = [];
  if (options.archiveDir) {
    for (const a of listArchives(options.archiveDir)) {
      if (options.fromDate && a.date < options.fromDate) continue;
      if (options.toDate && a.date > options.toDate) continue;
      files.push(a.file);
    }
  }
  files.push(liveFile);
  // The same record twice (same seq, same content) is a copy; two different records under one seq (left
  // by an old writer bug) are both kept.
  const seen = new Map<number, string | Set<string>>();
  const records: LedgerRecord[] = [];
  const skipped: SkippedLine[] = [];
  for (const f of files) {
    const r = readLedgerFile(f);
    skipped.push(...r.skipped);
    for (const rec of r.records) {
      const prior = seen.get(rec.seq);
      if (prior === undefined) {
        seen.set(rec.seq, JSON.stringify(rec));
        records.push(rec);
        continue;
      }
      const text = JSON.stringify(rec);
      if (typeof prior === 'string') {
        if (prior === text) continue;
        seen.set(rec.seq, new Set([prior, text]));
      } else {
        if (prior.has(text)) continue;
        prior.add(text);
      }
      records.push(rec);
    }
  }
  records.sort((a, b) => a.seq - b.seq);
  return { records, skipped, files: files.filter((f) => fs.existsSync(f)) };
}

/** One line per skipped line, for stderr. */
export function describeSkipped(s: SkippedLine): string {
  return `ledger: skipped ${s.kind === 'torn' ? 'torn last line' : 'invalid line'} ${s.file}:${s.line} (${s.reason})`;
}
