/**
 * Files the operator names — `configs/*.yaml|json`, `.env`, `--markets`, `--bars`, `--calibration`,
 * `--ledger`, `--out` … — are bad input when they cannot be read, never a crash: every failure is a
 * `UserFileError` with a one-line reason that names the file (`configs/index_ops.yaml: is a directory,
 * expected a file`), never a raw errno or stack. The CLI maps it to exit 2 (SPEC §2).
 */
import fs from 'node:fs';

export type UserFileProblem = 'missing' | 'directory' | 'not_directory' | 'permission' | 'unreadable';

export class UserFileError extends Error {
  override name = 'UserFileError';
  constructor(
    message: string,
    readonly problem: UserFileProblem,
  ) {
    super(message);
  }
}

const REASONS: Record<string, [UserFileProblem, string]> = {
  ENOENT: ['missing', 'no such file'],
  EISDIR: ['directory', 'is a directory, expected a file'],
  ENOTDIR: ['not_directory', 'a parent of this path is not a directory'],
  EACCES: ['permission', 'permission denied'],
  EPERM: ['permission', 'permission denied'],
  ELOOP: ['unreadable', 'too many levels of symbolic links'],
  ENAMETOOLONG: ['unreadable', 'path is too long'],
};

/** The one-line reason for a failed file-system call on a user-named file. */
export function userFileError(displayName: string, e: unknown): UserFileError {
  if (e instanceof UserFileError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? REASONS[code] : undefined;
  if (known) return new UserFileError(`${displayName}: ${known[1]}`, known[0]);
  return new UserFileError(`${displayName}: cannot read${code ? ` (${code})` : ''}`, 'unreadable');
}

/** Text of a user-named file (UTF-8, a leading byte-order mark dropped). */
export function readUserFile(file: string, displayName: string = file): string {
  const text = readOptionalUserFile(file, displayName);
  if (text === undefined) throw new UserFileError(`${displayName}: no such file`, 'missing');
  return text;
}

/**
 * Text of an optional user-named file, or undefined when nothing is there (a dangling symlink counts as
 * nothing). Anything else in the way — a directory, no permission, a parent that is a file — is an error.
 */
export function readOptionalUserFile(file: string, displayName: string = file): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw userFileError(displayName, e);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * For readers that open the file themselves: checks that `file` is something that can be read as a file.
 * Returns false when it does not exist and `optional` is set; throws a UserFileError otherwise.
 */
export function checkUserFile(file: string, displayName: string = file, options: { optional?: boolean } = {}): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && options.optional) return false;
    throw userFileError(displayName, e);
  }
  if (st.isDirectory()) throw new UserFileError(`${displayName}: is a directory, expected a file`, 'directory');
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    throw userFileError(displayName, e);
  }
  return true;
}

/** For a file about to be written: it may be absent, but must not be a directory or sit under a file. */
export function checkOutputFile(file: string, displayName: string = file): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw userFileError(displayName, e);
  }
  if (st.isDirectory()) throw new UserFileError(`${displayName}: is a directory, expected a file`, 'directory');
}

/** A user-named directory (e.g. `--fixtures DIR`): must exist and be a directory. */
export function checkUserDirectory(dir: string, displayName: string = dir): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserFileError(`${displayName}: no such directory`, 'missing');
    throw userFileError(displayName, e);
  }
  if (!st.isDirectory()) throw new UserFileError(`${displayName}: is a file, expected a directory`, 'not_directory');
}
