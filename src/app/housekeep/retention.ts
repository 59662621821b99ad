/**
 * Housekeeping's retention (see ../housekeep.ts, step 7): what is old enough to delete, by the date it
 * records — an archive by its name; an artifact under `reports/_artifacts/` by a `YYYY-MM-DD` folder on
 * its path (the whole folder goes), else a `YYYY-MM-DD` in its file name, else a JSON file's own
 * `generated_at`. Never by mtime: a file with no recorded date is listed as undated and left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { ARCHIVE_NAME } from '../../adapters/ledger/seq-scan.ts';
import { etDateOf } from '../../core/time/et.ts';
import { isDate } from './plan.ts';

const DATE_IN_NAME = /(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)/;
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const MAX_JSON_ARTIFACT = 16 << 20;

export interface DatedDeletion {
  path: string;
  date: string;
  /** Where the date came from. */
  source: 'archive_name' | 'folder' | 'file_name' | 'generated_at';
  /** Files removed (a day folder counts its files). */
  files: number;
}

/** The day archives in `dir` with their dates, oldest first. */
export function listArchiveFiles(dir: string): { date: string; file: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .flatMap((n) => {
      const m = ARCHIVE_NAME.exec(n);
      return m && isDate(m[1]!) ? [{ date: m[1]!, file: path.join(dir, n) }] : [];
    })
    .sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file));
}

/** The recorded date of every artifact (day folders as a whole), and the files without one. */
export function datedArtifacts(root: string): { dated: DatedDeletion[]; undated: string[] } {
  const dated: DatedDeletion[] = [];
  const undated: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (DAY_FOLDER.test(e.name) && isDate(e.name)) dated.push({ path: p, date: e.name, source: 'folder', files: countFiles(p) });
        else walk(p);
        continue;
      }
      if (!e.isFile()) {
        undated.push(p); // symlinks, sockets…: never followed, never deleted
        continue;
      }
      const m = DATE_IN_NAME.exec(e.name);
      if (m && isDate(m[1]!)) {
        dated.push({ path: p, date: m[1]!, source: 'file_name', files: 1 });
        continue;
      }
      const g = e.name.endsWith('.json') ? generatedAtDate(p) : null;
      if (g) dated.push({ path: p, date: g, source: 'generated_at', files: 1 });
      else undated.push(p);
    }
  };
  walk(root);
  return { dated, undated };
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

/** The ET date of a JSON file's top-level `generated_at` (an ISO instant with offset or Z), else null. */
function generatedAtDate(file: string): string | null {
  try {
    if (fs.statSync(file).size > MAX_JSON_ARTIFACT) return null;
    const doc: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
    const g = (doc as Record<string, unknown>).generated_at;
    if (typeof g !== 'string' || !/T.*(Z|[+-]\d{2}:?\d{2})$/i.test(g)) return null;
    return etDateOf(Temporal.Instant.from(g).epochMilliseconds);
  } catch {
    return null;
  }
}
