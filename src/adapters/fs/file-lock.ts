/**
 * A synchronous advisory lock between processes on one host: the lock file `<path>` exists while held and
 * holds its owner's identity (`pid starttime boot_id`). It is taken with one `link(2)` of a per-process
 * owner file (`<path>.<pid>`, written once, removed at exit) onto `<path>`: `link` fails with EEXIST when
 * the lock is held, and the lock never exists half-written. Release is one `unlink(2)`.
 *
 * The one lock for every file two processes share: the ledger writer around every append batch and
 * housekeeping around the live-file swap (see the header of ledger-writer.ts), so a hold lasts one write +
 * fdatasync, or one tail copy + rename; the orders store around each read-modify-write of orders.json; and
 * the supervisor for its whole life (one supervisor per working root: a second one is refused).
 *
 * - Waiting: `acquire()` retries with short synchronous sleeps (Atomics.wait; no clock is read) up to
 *   `waitMs` of accumulated sleep, then throws `LedgerLockTimeout`.
 * - A process that dies holding the lock (SIGKILL, power loss) leaves the file behind. It is stale when its
 *   owner is gone: on Linux, no `/proc/<pid>` with that start time, a zombie, or a different boot id (so a pid
 *   reused after a reboot or by another process does not keep it alive); elsewhere `kill(pid, 0)` says ESRCH.
 *   A stale lock is broken by renaming it to a private name, checking that what was renamed is the stale
 *   owner's file (if a live owner slipped in meanwhile, its file is linked back), and unlinking it.
 * - Not re-entrant: a process must not acquire a lock it already holds (it would wait for itself), which is
 *   detected and refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class LedgerLockTimeout extends Error {
  override name = 'LedgerLockTimeout';
}

export interface LockOwner {
  pid: number;
  /** Process start time in clock ticks since boot (Linux), or null. */
  start: string | null;
  bootId: string | null;
}

export interface FileLockOptions {
  /** Longest accumulated sleep while waiting, ms (default 10 000). */
  waitMs?: number;
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
const held = new Set<string>();

/** Sleeps the thread synchronously (no clock read: the wait itself is the measure). */
function sleepSync(ms: number): void {
  Atomics.wait(SLEEP_CELL, 0, 0, ms);
}

let cachedSelf: LockOwner | undefined;
let cachedBootId: string | null | undefined;

function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** `/proc/<pid>/stat`: state and start time (field 22), or null when not readable. */
function procStat(pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may contain spaces and parentheses; fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const start = rest[19];
  return state && start ? { state, start } : null;
}

export function selfOwner(): LockOwner {
  if (!cachedSelf || cachedSelf.pid !== process.pid) {
    cachedSelf = { pid: process.pid, start: procStat(process.pid)?.start ?? null, bootId: bootId() };
  }
  return cachedSelf;
}

export function formatOwner(o: LockOwner): string {
  return `${o.pid} ${o.start ?? '-'} ${o.bootId ?? '-'}\n`;
}

/**
 * An owner record: `pid starttime boot_id`, or a bare `pid` — what the orders store's own lock wrote before it
 * became a FileLock, so a supervisor of the previous release still running through an upgrade keeps its
 * `orders.json.lock` (a bare pid is alive while that pid is).
 */
export function parseOwner(text: string): LockOwner | null {
  const m = /^(\d{1,10})(?: (\S+) (\S+))?\n?$/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const field = (v: string | undefined) => (v === undefined || v === '-' ? null : v);
  return { pid, start: field(m[2]), bootId: field(m[3]) };
}

/** Whether the process that wrote this owner record is still running. */
export function ownerAlive(o: LockOwner): boolean {
  const self = selfOwner();
  if (o.bootId && self.bootId && o.bootId !== self.bootId) return false;
  if (o.pid === self.pid && (o.start === self.start || o.start === null)) return true;
  if (self.bootId) {
    // Linux: /proc is authoritative.
    const st = procStat(o.pid);
    if (!st) return false;
    if (st.state === 'Z' || st.state === 'X') return false;
    return o.start === null || st.start === o.start;
  }
  try {
    process.kill(o.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ownerFiles = new Set<string>();
let exitHookInstalled = false;

function removeOwnerFiles(): void {
  for (const f of ownerFiles) {
    try {
      fs.unlinkSync(f);
    } catch {
      // already gone
    }
  }
  ownerFiles.clear();
}

/** `<lock>.<pid>` files of processes that are gone (left by a SIGKILL): safe to delete. */
export function staleOwnerFiles(lockPath: string): string[] {
  const dir = path.dirname(lockPath);
  const prefix = path.basename(lockPath) + '.';
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+$/.test(name.slice(prefix.length))) continue;
    const file = path.join(dir, name);
    const owner = parseOwner(readOrNull(file) ?? '');
    if (owner && ownerAlive(owner)) continue;
    out.push(file);
  }
  return out;
}

export class FileLock {
  private readonly waitMs: number;

  constructor(
    readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 10_000;
  }

  /** Whether this process holds the lock now. */
  get isHeld(): boolean {
    return held.has(this.path);
  }

  /**
   * Takes the lock or returns the live owner that holds it. Breaks a stale lock on the way.
   */
  tryAcquire(): { ok: true } | { ok: false; owner: LockOwner | null } {
    if (held.has(this.path)) throw new Error(`lock ${this.path} is already held by this process (not re-entrant)`);
    const mine = this.ownerFile();
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        fs.linkSync(mine, this.path);
        held.add(this.path);
        return { ok: true };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && !fs.existsSync(mine)) {
          ownerFiles.delete(mine); // someone removed our owner file: write it again
          this.ownerFile();
          continue;
        }
        if (code !== 'EEXIST') throw e;
      }
      const text = readOrNull(this.path);
      if (text === null) continue; // released meanwhile: try again
      const owner = parseOwner(text);
      const mineButNotHeld = owner !== null && owner.pid === process.pid; // held is checked above
      if (owner && !mineButNotHeld && ownerAlive(owner)) return { ok: false, owner };
      this.breakStale(text); // a dead owner's lock, or junk that no owner wrote
    }
    return { ok: false, owner: parseOwner(readOrNull(this.path) ?? '') };
  }

  /** Takes the lock, waiting (synchronously) while a live process holds it. */
  acquire(): void {
    let slept = 0;
    let delay = 1;
    for (;;) {
      const r = this.tryAcquire();
      if (r.ok) return;
      if (slept >= this.waitMs) {
        throw new LedgerLockTimeout(`lock ${this.path} still held by pid ${r.owner?.pid ?? '?'} after waiting ${slept} ms`);
      }
      sleepSync(delay);
      slept += delay;
      delay = Math.min(delay * 2, 25);
    }
  }

  release(): void {
    if (!held.delete(this.path)) return;
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** This process's owner file next to the lock (created once, removed at exit). */
  private ownerFile(): string {
    const file = `${this.path}.${process.pid}`;
    if (ownerFiles.has(file)) return file;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A new inode (temp + rename), never a rewrite: a dead process with our pid may have left this name
    // hard-linked as the lock itself, and that lock must keep saying who really held it.
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, formatOwner(selfOwner()), { mode: 0o644 });
    fs.renameSync(tmp, file);
    ownerFiles.add(file);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', removeOwnerFiles);
    }
    return file;
  }

  /**
   * Removes this process's owner file (when done with the lock for a while: the writer's close, the end of
   * a housekeep run). Harmless if another user in this process still needs it: it is written again.
   */
  dispose(): void {
    if (held.has(this.path)) return;
    const file = `${this.path}.${process.pid}`;
    if (!ownerFiles.delete(file)) return;
    fs.rmSync(file, { force: true });
  }

  /** Runs `fn` holding the lock. */
  with<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /** Removes a stale lock file whose content was `staleText`, never a live owner's. */
  private breakStale(staleText: string): void {
    const aside = `${this.path}.stale.${process.pid}`;
    try {
      fs.renameSync(this.path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke or released it
      throw e;
    }
    const moved = readOrNull(aside);
    if (moved !== null && moved !== staleText) {
      // A live owner took the lock between our read and our rename: give it back.
      try {
        fs.linkSync(aside, this.path);
      } catch {
        // Someone created a new lock meanwhile; the owner we displaced is mid-hold and will release by unlink.
      }
    }
    fs.rmSync(aside, { force: true });
  }
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** For messages: `pid 123 on this host`. */
export function describeOwner(o: LockOwner | null): string {
  return o ? `pid ${o.pid} on ${os.hostname()}` : 'an unknown process';
}
