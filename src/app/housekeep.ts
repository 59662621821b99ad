/**
 * Housekeeping (SPEC §7.4): rotate the ledger's closed days into `archive/YYYY-MM-DD.jsonl.gz`, delete
 * archives and monitor/report artifacts older than `keepDays` by the date they record, never touch today.
 *
 * Dates:
 * - a ledger record's day is its window id's `YYYY-MM-DD/` prefix, else the ET date of `ts_ms` (the rule of
 *   `groupOf` in core/scoreboard.ts, so an archive holds exactly the records the scoreboard files under that
 *   day); a record whose prefix is not a real date stays in the live file and is reported;
 * - "today" is the ET date of the injected clock's now; days ≥ today stay in the live file. A running window
 *   is always on today's ET date (windows lie inside 09:45–16:00 ET), so it is never touched;
 * - kept: dates ≥ today − keepDays. Older ledger days are dropped from the live file without an archive (the
 *   archive would be deleted in the same run), older archives deleted by their file name's date;
 * - an artifact under `reports/_artifacts/` is dated by a `YYYY-MM-DD` folder on its path (the whole folder goes),
 *   else a `YYYY-MM-DD` in its file name, else a JSON file's own `generated_at`. Never by mtime: a file with no
 *   recorded date is left alone and reported.
 *
 * Crash safety (kill -9 at any step; a rerun completes the job, nothing lost, nothing duplicated):
 * 1. one housekeep at a time (`<ledger>.housekeep.lock`); leftovers of a killed run (temp files) are removed;
 * 2. the live file is read up to its last complete line (a snapshot; the writer keeps appending meanwhile);
 * 3. each closed day is merged into its archive: existing archive lines ∪ the day's lines, de-duplicated by
 *    exact line, ordered by seq, written to a temp name, fsynced, renamed over, directory fsynced — a rerun
 *    after a crash finds the lines already there and adds nothing (no write at all when nothing is new);
 * 4. the archives' seq high-water mark is raised to every seq leaving the live file (the writer starts
 *    above it, see ledger-writer.ts);
 * 5. the new live file (kept lines of the snapshot, in order) is written to a temp name and fsynced;
 * 6. under the ledger lock (`<ledger>.lock`, which the writer holds around each append): the bytes appended
 *    since the snapshot are copied in, fsync, rename over the live path, fsync the directory, unlock. The live
 *    file is never rewritten in place; the writer sees the new inode at its next append and reopens;
 * 7. retention deletes (each idempotent).
 * Until step 6 the live file is untouched, so a crash leaves every record in it (some also archived: readers
 * keep one copy — same seq, same content). After step 6 the job is done but for deletions.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Temporal } from 'temporal-polyfill';
import { fsyncDir } from '../adapters/fs/atomic-write.ts';
import { FileLock, describeOwner, staleOwnerFiles } from '../adapters/fs/file-lock.ts';
import { ledgerLockPath } from '../adapters/ledger/ledger-writer.ts';
import { ARCHIVE_NAME, raiseSeqHighWater } from '../adapters/ledger/seq-scan.ts';
import { LedgerRecordSchema, type LedgerRecord } from '../core/ledger/record.ts';
import { groupOf } from '../core/scoreboard.ts';
import { addDays, assertDate, etDateOf } from '../core/time/et.ts';

export interface HousekeepPaths {
  ledger: string;
  archiveDir: string;
  /** `reports/_artifacts`: monitor and report artifacts. */
  artifactsDir: string;
}

export interface HousekeepHooks {
  /** Called at every step, synchronously (also inside the swap's critical section): crash injection. */
  step?: (name: string) => void;
  /** Awaited at a few points outside any lock (`scanned`, `before-swap`, `after-swap`): test coordination. */
  pause?: (name: string) => Promise<void>;
}

export interface HousekeepOptions {
  paths: HousekeepPaths;
  nowMs: number;
  keepDays: number;
  dryRun?: boolean;
  hooks?: HousekeepHooks;
  /** Progress lines for long runs (the CLI prints them on stderr). */
  progress?: (line: string) => void;
  /** Longest wait for the ledger lock at the swap (default 30 s). */
  lockWaitMs?: number;
}

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

export interface DatedDeletion {
  path: string;
  date: string;
  /** Where the date came from. */
  source: 'archive_name' | 'folder' | 'file_name' | 'generated_at';
  /** Files removed (a day folder counts its files). */
  files: number;
}

export interface HousekeepResult {
  dry_run: boolean;
  now_et_date: string;
  keep_days: number;
  /** Oldest date kept. */
  keep_from: string;
  ledger: {
    file: string;
    scanned_bytes: number;
    records: number;
    /** Today's and later records, staying in the live file. */
    kept_records: number;
    /** Lines that are not valid records (torn, corrupt, wrong shape): left in the live file. */
    invalid_lines_kept: number;
    /** Valid records whose window prefix is not a real date: left in the live file. */
    undated_records_kept: number;
    archived: ArchivedDay[];
    /** Records of days older than the retention, dropped from the live file. */
    expired: { date: string; records: number }[];
    /** Whether the live file was replaced (false when nothing left it). */
    rotated: boolean;
    /** Bytes appended by the writer while housekeeping ran, carried into the new live file. */
    tail_bytes_carried: number;
  };
  archives_deleted: DatedDeletion[];
  artifacts_deleted: DatedDeletion[];
  /** Artifact files with no recorded date: left alone. */
  artifacts_undated: string[];
  /** Temp files and stale lock-owner files of killed runs, removed. */
  leftovers_removed: string[];
  errors: string[];
}

export class HousekeepBusy extends Error {
  override name = 'HousekeepBusy';
}

export class HousekeepInputError extends Error {
  override name = 'HousekeepInputError';
}

const DATE_IN_NAME = /(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)/;
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const SCAN_CHUNK = 4 << 20;
const MAX_JSON_ARTIFACT = 16 << 20;
const PROGRESS_BYTES = 32 << 20;
export const MAX_KEEP_DAYS = 36_500;

const isDate = (s: string): boolean => {
  try {
    assertDate(s);
    return true;
  } catch {
    return false;
  }
};

/** Line classes: ≥ 0 index of the day to archive; negative: what happens to the line. */
const KEEP = -1; // stays in the live file
const DROP = -2; // leaves the live file without an archive (blank lines, expired days)

interface Snapshot {
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

export async function housekeep(opts: HousekeepOptions): Promise<HousekeepResult> {
  const { paths } = opts;
  if (!Number.isSafeInteger(opts.keepDays) || opts.keepDays < 0 || opts.keepDays > MAX_KEEP_DAYS) {
    throw new HousekeepInputError(`keep days must be a whole number from 0 to ${MAX_KEEP_DAYS}, got ${opts.keepDays}`);
  }
  const dryRun = opts.dryRun ?? false;
  const step = (name: string) => opts.hooks?.step?.(name);
  const pause = async (name: string) => {
    await opts.hooks?.pause?.(name);
  };
  const progress = (line: string) => opts.progress?.(line);
  const today = etDateOf(opts.nowMs);
  const keepFrom = addDays(today, -opts.keepDays);
  const expiredDate = (d: string) => d < keepFrom;

  const ledgerStat = statOrNull(paths.ledger);
  if (ledgerStat && !ledgerStat.isFile()) throw new HousekeepInputError(`${paths.ledger} is not a regular file`);
  // Renaming over a symlink would replace the link, not its target, and the writer's lock is named after the path.
  if (ledgerStat && fs.lstatSync(paths.ledger).isSymbolicLink()) {
    throw new HousekeepInputError(`${paths.ledger} is a symbolic link: point KALSHI_INDEX_PAPER_LEDGER_PATH at the real file`);
  }
  for (const [dir, what] of [[paths.archiveDir, 'archive directory'], [paths.artifactsDir, 'artifacts directory']] as const) {
    const st = statOrNull(dir);
    if (st && !st.isDirectory()) throw new HousekeepInputError(`${what} ${dir} is not a directory`);
  }

  const result: HousekeepResult = {
    dry_run: dryRun,
    now_et_date: today,
    keep_days: opts.keepDays,
    keep_from: keepFrom,
    ledger: {
      file: paths.ledger,
      scanned_bytes: 0,
      records: 0,
      kept_records: 0,
      invalid_lines_kept: 0,
      undated_records_kept: 0,
      archived: [],
      expired: [],
      rotated: false,
      tail_bytes_carried: 0,
    },
    archives_deleted: [],
    artifacts_deleted: [],
    artifacts_undated: [],
    leftovers_removed: [],
    errors: [],
  };

  const runLock = new FileLock(`${paths.ledger}.housekeep.lock`);
  if (!dryRun) {
    fs.mkdirSync(path.dirname(paths.ledger), { recursive: true });
    const got = runLock.tryAcquire();
    if (!got.ok) throw new HousekeepBusy(`another housekeep is running (${describeOwner(got.owner)}; lock ${runLock.path})`);
  }
  try {
    step('start');
    if (!dryRun) result.leftovers_removed = removeLeftovers(paths);

    // ---- 2. snapshot of the live file ----
    const snap = ledgerStat ? scanLedger(paths.ledger, today, expiredDate, progress) : undefined;
    try {
      if (snap) {
        result.ledger.scanned_bytes = snap.end;
        result.ledger.records = snap.records;
        result.ledger.kept_records = snap.kept;
        result.ledger.invalid_lines_kept = snap.invalid;
        result.ledger.undated_records_kept = snap.undated;
        result.ledger.expired = [...snap.expired].sort(([a], [b]) => a.localeCompare(b)).map(([date, records]) => ({ date, records }));
      }
      step('scanned');
      await pause('scanned');

      // ---- 3. closed days into their archives ----
      if (snap && snap.days.length > 0) {
        if (!dryRun) fs.mkdirSync(paths.archiveDir, { recursive: true });
        const order = snap.days.map((d, i) => [d, i] as const).sort(([a], [b]) => a.localeCompare(b));
        let k = 0;
        for (const [date, dayIndex] of order) {
          k++;
          const r = archiveDay(snap, date, dayIndex, paths.archiveDir, dryRun, step);
          if ('error' in r) {
            result.errors.push(r.error);
            // Its records stay in the live file until the archive is readable again.
            for (let i = 0; i < snap.cls.length; i++) if (snap.cls[i] === dayIndex) snap.cls[i] = KEEP;
            continue;
          }
          result.ledger.archived.push(r);
          progress(`housekeep: ${dryRun ? 'would archive' : 'archived'} ${date}: ${r.records} records (${r.added} new) → ${path.basename(r.file)} [${k}/${order.length}]`);
        }
      }

      // ---- 4–6. swap the live file ----
      const removes = snap ? snap.cls.some((c) => c !== KEEP) : false;
      if (snap && removes && !dryRun) {
        if (snap.maxRemovedSeq > 0) raiseSeqHighWater(paths.archiveDir, snap.maxRemovedSeq);
        step('high-water');
        const tmp = path.join(path.dirname(paths.ledger), `.${path.basename(paths.ledger)}.rotate.${process.pid}.tmp`);
        writeKept(snap, tmp);
        step('live-written');
        await pause('before-swap');
        result.ledger.tail_bytes_carried = swap(snap, paths.ledger, tmp, opts.lockWaitMs ?? 30_000, step);
        result.ledger.rotated = true;
        progress(`housekeep: live ledger rotated (${snap.kept + snap.invalid + snap.undated} lines kept, ${result.ledger.tail_bytes_carried} bytes appended meanwhile carried over)`);
        await pause('after-swap');
      }
    } finally {
      if (snap) fs.closeSync(snap.fd);
    }

    // ---- 7. retention ----
    for (const a of listArchiveFiles(paths.archiveDir)) {
      if (!expiredDate(a.date)) continue;
      if (!dryRun) {
        fs.rmSync(a.file, { force: true });
        step(`deleted:archive/${path.basename(a.file)}`);
      }
      result.archives_deleted.push({ path: a.file, date: a.date, source: 'archive_name', files: 1 });
    }
    if (!dryRun && result.archives_deleted.length) fsyncDir(paths.archiveDir);

    const artifacts = datedArtifacts(paths.artifactsDir);
    result.artifacts_undated = artifacts.undated;
    for (const a of artifacts.dated) {
      if (!expiredDate(a.date)) continue;
      if (!dryRun) {
        fs.rmSync(a.path, { recursive: true, force: true });
        step(`deleted:${path.relative(paths.artifactsDir, a.path)}`);
      }
      result.artifacts_deleted.push(a);
    }
    if (result.archives_deleted.length || result.artifacts_deleted.length) {
      progress(`housekeep: ${dryRun ? 'would delete' : 'deleted'} ${result.archives_deleted.length} archives and ${result.artifacts_deleted.length} artifacts older than ${keepFrom}`);
    }
    step('done');
    return result;
  } finally {
    runLock.release();
    runLock.dispose();
    new FileLock(ledgerLockPath(paths.ledger)).dispose();
  }
}

// ---------------------------------------------------------------------------------------------------

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Temp files and lock-owner files that a killed run or writer left (we hold the run lock: none is live). */
function removeLeftovers(paths: HousekeepPaths): string[] {
  const removed: string[] = [];
  const ledgerDir = path.dirname(paths.ledger);
  const base = path.basename(paths.ledger);
  const candidates: string[] = [];
  for (const [dir, test] of [
    [ledgerDir, (n: string) => n.startsWith(`.${base}.rotate.`) && n.endsWith('.tmp')],
    [paths.archiveDir, (n: string) => n.startsWith('.') && n.endsWith('.tmp')],
  ] as const) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (test(n)) candidates.push(path.join(dir, n));
  }
  // A ledger lock left by a process killed while holding it: taking and releasing it breaks it.
  const ledgerLock = new FileLock(ledgerLockPath(paths.ledger));
  if (fs.existsSync(ledgerLock.path) && ledgerLock.tryAcquire().ok) ledgerLock.release();
  candidates.push(...staleOwnerFiles(ledgerLock.path), ...staleOwnerFiles(`${paths.ledger}.housekeep.lock`));
  for (const f of candidates) {
    fs.rmSync(f, { force: true });
    removed.push(f);
  }
  return removed;
}

/** Reads the live file up to its last complete line and classifies every line. */
function scanLedger(file: string, today: string, expired: (d: string) => boolean, progress: (l: string) => void): Snapshot {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const snap: Snapshot = {
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

function classify(snap: Snapshot, dayIndex: Map<string, number>, line: string, start: number, end: number, today: string, expired: (d: string) => boolean): void {
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

function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, start + off);
    if (n === 0) throw new Error(`ledger shrank while housekeeping read it (offset ${start + off})`);
    off += n;
  }
  return buf;
}

const seqOf = (line: string): number => {
  const m = /"seq"\s*:\s*(\d{1,15})/.exec(line);
  return m ? Number(m[1]) : -1;
};

function archiveDay(
  snap: Snapshot,
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
function writeKept(snap: Snapshot, tmp: string): void {
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
function swap(snap: Snapshot, ledger: string, tmp: string, lockWaitMs: number, step: (name: string) => void): number {
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

function listArchiveFiles(dir: string): { date: string; file: string }[] {
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
