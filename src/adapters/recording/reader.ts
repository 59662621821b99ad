/**
 * Reads a recording (format.ts), validating every line on its own: a bad line is reported with its number
 * and skipped (or, `strict`, the recording is refused before anything runs); a file cut short — a gzip
 * stream that ends abruptly, or no `end` line — is reported too, and what it holds is replayed. Nothing is
 * ever silently truncated. Entries stream (bounded memory); `scanRecording` reads the file once up front to
 * report every problem before the replay starts.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { EntrySchema, HeaderSchema, RecordingMetaSchema, isEnd, isMeta, type Entry, type RecordingHeader, type RecordingMeta } from './format.ts';

export class RecordingError extends Error {
  override name = 'RecordingError';
}

export interface BadLine {
  line: number;
  reason: string;
}

export interface RecordingScan {
  file: string;
  header: RecordingHeader;
  meta: RecordingMeta;
  /** Message entries (ws and http). */
  entries: number;
  lines: number;
  bad: BadLine[];
  /** Why the file ends early (gzip cut, or no end line), if it does. */
  truncated: string | undefined;
  firstMs: number | undefined;
  lastMs: number | undefined;
  /** When the run opened the day (its first meta line), else the first message's time. */
  openedMs: number | undefined;
}

const MAX_REASON = 160;

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s+/g, ' ').slice(0, MAX_REASON);
}

/** Parses one line; `{ ok: false, reason }` when it is not JSON or not a documented entry. */
export function parseEntryLine(text: string): { ok: true; entry: Entry } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON (${describe(e)})` };
  }
  const r = EntrySchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, reason: `not a recording entry: ${issue.path.join('.') || '(root)'}: ${describe(issue.message)}` };
  }
  return { ok: true, entry: r.data };
}

/** Lines of a gzip (or plain) file, numbered from 1; `onCut` is told if the gzip stream ends abruptly. */
async function* lines(file: string, onCut: (reason: string) => void): AsyncGenerator<{ n: number; text: string }> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new RecordingError(`--recording ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? describe(e)})`);
  }
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file);
  const gz = magic[0] === 0x1f && magic[1] === 0x8b;
  const input = gz ? raw.pipe(zlib.createGunzip()) : raw;
  let cut: string | undefined;
  // A stream that ends abruptly (a recording cut by a crash) fails the line reader: what was read counts.
  input.on('error', (e: Error) => {
    cut ??= describe(e);
  });
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of rl) yield { n: ++n, text };
  } catch (e) {
    cut ??= describe(e);
  } finally {
    rl.close();
    raw.destroy();
    if (input !== raw) input.destroy();
  }
  if (cut !== undefined) onCut(`the compressed stream ends abruptly after line ${n} (${cut})`);
}

/** Reads the header line (line 1) and validates it. */
function header(text: string | undefined, file: string): RecordingHeader {
  if (text === undefined) throw new RecordingError(`--recording ${file}: empty file`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RecordingError(`--recording ${file}: line 1: not a kalshi-alpha recording (not JSON)`);
  }
  const r = HeaderSchema.safeParse(doc);
  if (!r.success) throw new RecordingError(`--recording ${file}: line 1: not a kalshi-alpha recording header (${describe(r.error.issues[0]!.message)})`);
  return r.data;
}

/** One pass over the whole file: header, merged meta, counts, every bad line, truncation. */
export async function scanRecording(file: string): Promise<RecordingScan> {
  let truncated: string | undefined;
  let head: RecordingHeader | undefined;
  const metas: Record<string, unknown>[] = [];
  const bad: BadLine[] = [];
  let entries = 0;
  let count = 0;
  let ended = false;
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  let openedMs: number | undefined;
  for await (const { n, text } of lines(file, (r) => (truncated = r))) {
    count = n;
    if (n === 1) {
      head = header(text, file);
      continue;
    }
    if (text.trim() === '') continue;
    const r = parseEntryLine(text);
    if (!r.ok) {
      bad.push({ line: n, reason: r.reason });
      continue;
    }
    const e = r.entry;
    if (isMeta(e)) {
      metas.push(e.meta);
      openedMs ??= e.t;
    }
    else if (isEnd(e)) ended = true;
    else {
      entries++;
      firstMs ??= e.t;
      if (lastMs !== undefined && e.t < lastMs) bad.push({ line: n, reason: `time goes backwards (${e.t} after ${lastMs})` });
      lastMs = Math.max(lastMs ?? e.t, e.t);
    }
  }
  if (!head) throw new RecordingError(`--recording ${file}: empty file`);
  if (!truncated && !ended) truncated = `no end line after line ${count}: the recording was cut short (the run did not close it)`;
  const merged = Object.assign({}, ...metas) as Record<string, unknown>;
  const m = RecordingMetaSchema.safeParse(merged);
  if (!m.success) throw new RecordingError(`--recording ${file}: its run description is invalid (${m.error.issues[0]!.path.join('.')}: ${describe(m.error.issues[0]!.message)})`);
  return { file, header: head, meta: m.data, entries, lines: count, bad, truncated, firstMs, lastMs, openedMs: openedMs ?? firstMs };
}

/**
 * The message entries in order (meta and end lines skipped), with their line numbers. Bad lines are passed
 * to `onBad` and skipped (a scan has reported them already).
 */
export async function* recordingEntries(file: string, onBad?: (b: BadLine) => void): AsyncGenerator<{ line: number; entry: Entry }> {
  let last = Number.NEGATIVE_INFINITY;
  for await (const { n, text } of lines(file, () => {})) {
    if (n === 1 || text.trim() === '') continue;
    const r = parseEntryLine(text);
    if (!r.ok) {
      onBad?.({ line: n, reason: r.reason });
      continue;
    }
    if (isMeta(r.entry) || isEnd(r.entry)) continue;
    if (r.entry.t < last) {
      onBad?.({ line: n, reason: `time goes backwards (${r.entry.t} after ${last})` });
      continue;
    }
    last = r.entry.t;
    yield { line: n, entry: r.entry };
  }
}
