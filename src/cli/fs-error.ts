/**
 * A file-system refusal that escapes a command, in the operator's terms. Writing into a directory the
 * process may not write (no permission, a read-only file system) surfaces as an errno on whatever file the
 * code happened to create first — often a temporary lock file (`supervisor.lock.12856.tmp`) the operator
 * has never heard of. What they need to know is which directory, so that is what the message names:
 * `data directory /srv/ka/data/proc/state is not writable (permission denied)` — bad input, exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';

const WRITE_REFUSED: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system' };
/** Calls that only ever write to the directory holding `path`. */
const WRITING_CALLS = new Set(['mkdir', 'rename', 'unlink', 'rmdir', 'link', 'symlink', 'copyfile', 'mkdtemp', 'utime']);

/** The nearest existing directory at or above `p`. */
function existingDir(p: string): string {
  let d = p;
  for (;;) {
    try {
      if (fs.statSync(d).isDirectory()) return d;
    } catch {
      // not there (yet): its parent is the one that refused
    }
    const up = path.dirname(d);
    if (up === d) return d;
    d = up;
  }
}

/**
 * The one-line reason for an errno error from writing under a directory that refuses it, or undefined
 * when `e` is not one (a read refused on an existing file is a different problem: left as it is).
 * `dataDir` (the working root's `data/`) makes the message say "data directory" for what lies under it.
 */
export function unwritableDirectoryReason(e: unknown, dataDir?: string): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const why = err?.code ? WRITE_REFUSED[err.code] : undefined;
  if (!why || typeof err?.path !== 'string') return undefined;
  const target = path.resolve(err.path);
  const creating = err.syscall !== undefined && (WRITING_CALLS.has(err.syscall) || (err.syscall === 'open' && !fs.existsSync(target)));
  if (!creating) return undefined;
  const dir = existingDir(err.syscall === 'mkdir' ? target : path.dirname(target));
  const underData = dataDir !== undefined && (dir === path.resolve(dataDir) || dir.startsWith(path.resolve(dataDir) + path.sep));
  return `${underData ? 'data directory' : 'directory'} ${dir} is not writable (${why})`;
}
