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
 *
 * This file runs the steps in order; the scan that plans them is housekeep/plan.ts, the archive and swap
 * housekeep/archive.ts, what retention deletes housekeep/retention.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../adapters/fs/atomic-write.ts';
import { FileLock, describeOwner, staleOwnerFiles } from '../adapters/fs/file-lock.ts';
import { ledgerLockPath } from '../adapters/ledger/ledger-writer.ts';
import { raiseSeqHighWater } from '../adapters/ledger/seq-scan.ts';
import { addDays, etDateOf } from '../core/time/et.ts';
import { KEEP, scanLedger, statOrNull } from './housekeep/plan.ts';
import { archiveDay, swap, writeKept, type ArchivedDay } from './housekeep/archive.ts';
import { datedArtifacts, listArchiveFiles, type DatedDeletion } from './housekeep/retention.ts';

export type { ArchivedDay } from './housekeep/archive.ts';
export { datedArtifacts, type DatedDeletion } from './housekeep/retention.ts';

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

export const MAX_KEEP_DAYS = 36_500;

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
