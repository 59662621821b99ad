/**
 * Minute-bar files for `calibrate --bars` (SPEC §5.3), validated line by line:
 * - CSV with a header naming a timestamp column (`timestamp` or `t`) and a close column (`close` or `c`);
 *   other columns are ignored. Timestamps: epoch milliseconds, or ISO 8601 (a bare local time is New York).
 * - JSONL: one object per line, `{"t": ms, "c": x}` or the Massive aggregate shape `{o, h, l, c, t}`.
 * - JSON: a Massive aggregates response (`{results: [...]}`) or an array of bar objects.
 * Output is ascending by time; a repeated stamp replaces the earlier bar (re-sent aggregates).
 * Any bad row is an error naming the file, line and field.
 *
 * Official closes for `calibrate --closes` (the settlement print, to fit residual_std): the same forms
 * holding **daily** bars — a Massive daily aggregates response (`range/1/day`), JSONL or CSV `timestamp,close`
 * — or a CSV `date,close` (ET dates). A daily bar's date is the ET date of its stamp + 6 h, so a day stamped
 * at midnight ET (Massive), at midnight UTC (the previous evening in New York), at the open or at the close
 * lands on its own trading day.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Bar } from '../../core/calibration/fit.ts';
import { assertDate, etDateOf, parseInstant, TimeParseError } from '../../core/time/et.ts';

export class BarsFileError extends Error {
  override name = 'BarsFileError';
}

/** 2001-09-09 … 2286-11-20 in ms: anything else is seconds, nanoseconds or garbage. */
const MS_MIN = 1e12;
const MS_MAX = 1e13;

const EpochMs = z
  .number()
  .int('must be an integer of epoch milliseconds')
  .refine((t) => t >= MS_MIN && t < MS_MAX, 'must be epoch milliseconds (13 digits)');
const Close = z.number().refine((c) => Number.isFinite(c) && c > 0, 'must be a positive number');
const BarObject = z.object({ t: EpochMs, c: Close }).loose();
const AggsDoc = z.object({ results: z.array(BarObject) }).loose();

function issueText(e: z.ZodError): string {
  const i = e.issues[0]!;
  return `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`;
}

function finish(rows: Bar[]): Bar[] {
  rows.sort((a, b) => a.t - b.t);
  const out: Bar[] = [];
  for (const r of rows) {
    if (out.length && out[out.length - 1]!.t === r.t) out[out.length - 1] = r;
    else out.push(r);
  }
  return out;
}

function parseTimestamp(text: string, where: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) {
    const t = Number(s);
    const r = EpochMs.safeParse(t);
    if (!r.success) throw new BarsFileError(`${where}: timestamp "${s}" ${r.error.issues[0]!.message}`);
    return t;
  }
  try {
    return parseInstant(s);
  } catch (e) {
    if (e instanceof TimeParseError) throw new BarsFileError(`${where}: timestamp: ${e.message}`);
    throw e;
  }
}

export function parseBarsCsv(text: string, name = 'bars.csv'): Bar[] {
  const lines = text.split(/\r?\n/);
  let h = 0;
  while (h < lines.length && lines[h]!.trim() === '') h++;
  if (h >= lines.length) throw new BarsFileError(`${name}: empty file`);
  const header = lines[h]!.split(',').map((x) => x.trim().toLowerCase());
  const ti = header.findIndex((x) => x === 'timestamp' || x === 't');
  const ci = header.findIndex((x) => x === 'close' || x === 'c');
  if (ti < 0 || ci < 0) throw new BarsFileError(`${name}:${h + 1}: header must name a timestamp column (timestamp or t) and a close column (close or c)`);
  const rows: Bar[] = [];
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const where = `${name}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length < header.length) throw new BarsFileError(`${where}: expected ${header.length} columns, got ${cells.length}`);
    const t = parseTimestamp(cells[ti]!, where);
    const cText = cells[ci]!.trim();
    const c = cText === '' ? NaN : Number(cText);
    if (!Close.safeParse(c).success) throw new BarsFileError(`${where}: close "${cText}" must be a positive number`);
    rows.push({ t, c });
  }
  if (rows.length === 0) throw new BarsFileError(`${name}: no bars`);
  return finish(rows);
}

export function parseBarsJsonl(text: string, name = 'bars.jsonl'): Bar[] {
  const rows: Bar[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw new BarsFileError(`${name}:${i + 1}: not valid JSON`);
    }
    const r = BarObject.safeParse(doc);
    if (!r.success) throw new BarsFileError(`${name}:${i + 1}: ${issueText(r.error)}`);
    rows.push({ t: r.data.t, c: r.data.c });
  }
  if (rows.length === 0) throw new BarsFileError(`${name}: no bars`);
  return finish(rows);
}

export function parseBarsJson(text: string, name = 'bars.json'): Bar[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BarsFileError(`${name}: not valid JSON`);
  }
  const r = Array.isArray(doc) ? z.array(BarObject).safeParse(doc) : AggsDoc.transform((d) => d.results).safeParse(doc);
  if (!r.success) throw new BarsFileError(`${name}: ${issueText(r.error)}`);
  if (r.data.length === 0) throw new BarsFileError(`${name}: no bars`);
  return finish(r.data.map((b) => ({ t: b.t, c: b.c })));
}

/** Parses by extension (.csv, .jsonl/.ndjson, .json), sniffing the content otherwise. */
export function parseBarsText(text: string, name: string): Bar[] {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.csv') return parseBarsCsv(text, name);
  if (ext === '.jsonl' || ext === '.ndjson') return parseBarsJsonl(text, name);
  if (ext === '.json') return parseBarsJson(text, name);
  const first = text.trimStart()[0];
  if (first === '[') return parseBarsJson(text, name);
  if (first === '{') {
    const firstLine = text.trimStart().split(/\r?\n/, 1)[0]!;
    try {
      JSON.parse(firstLine);
      return parseBarsJsonl(text, name);
    } catch {
      return parseBarsJson(text, name);
    }
  }
  return parseBarsCsv(text, name);
}

export function readBarsFile(file: string, displayName = file): Bar[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BarsFileError(`${displayName}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseBarsText(text, displayName);
}

const SIX_HOURS = 6 * 3_600_000;

/** Official closes by ET date from daily bars or a `date,close` CSV (see the header). */
export function parseClosesText(text: string, name: string): Map<string, number> {
  const firstLine = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  const header = firstLine.split(',').map((x) => x.trim().toLowerCase());
  const out = new Map<string, number>();
  if (!firstLine.startsWith('{') && !firstLine.startsWith('[') && header.includes('date')) {
    const di = header.indexOf('date');
    const ci = header.findIndex((x) => x === 'close' || x === 'c');
    if (ci < 0) throw new BarsFileError(`${name}:1: header must name a close column (close or c) next to date`);
    const lines = text.split(/\r?\n/);
    const h = lines.findIndex((l) => l.trim() !== '');
    for (let i = h + 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      const cells = line.split(',');
      const where = `${name}:${i + 1}`;
      if (cells.length < header.length) throw new BarsFileError(`${where}: expected ${header.length} columns, got ${cells.length}`);
      let date: string;
      try {
        date = assertDate(cells[di]!.trim());
      } catch (e) {
        throw new BarsFileError(`${where}: date: ${(e as Error).message}`);
      }
      const c = Number(cells[ci]!.trim());
      if (cells[ci]!.trim() === '' || !Close.safeParse(c).success) throw new BarsFileError(`${where}: close "${cells[ci]!.trim()}" must be a positive number`);
      out.set(date, c);
    }
    if (out.size === 0) throw new BarsFileError(`${name}: no closes`);
    return out;
  }
  for (const b of parseBarsText(text, name)) out.set(etDateOf(b.t + SIX_HOURS), b.c);
  return out;
}

export function readClosesFile(file: string, displayName = file): Map<string, number> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new BarsFileError(`${displayName}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseClosesText(text, displayName);
}
