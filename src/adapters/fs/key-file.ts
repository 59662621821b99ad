/**
 * The Kalshi private key file's permissions (SPEC §6.2 `kalshi_private_key_permissions`): a key readable
 * by group or others is refused for any signed use, before any network, not only reported by preflight.
 */
import fs from 'node:fs';

export class KeyFileError extends Error {
  override name = 'KeyFileError';
  constructor(
    message: string,
    /** The preflight reason string this failure maps to. */
    readonly reason: 'kalshi_private_key_missing' | 'kalshi_private_key_permissions',
  ) {
    super(message);
  }
}

/** Throws unless the file exists, is a regular file, and has no group/other permission bits. */
export function assertPrivateKeyFile(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new KeyFileError(`kalshi_private_key_missing: KALSHI_PRIVATE_KEY_PEM_PATH cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'kalshi_private_key_missing');
  }
  if (!st.isFile()) throw new KeyFileError('kalshi_private_key_missing: KALSHI_PRIVATE_KEY_PEM_PATH is not a regular file', 'kalshi_private_key_missing');
  if ((st.mode & 0o077) !== 0) {
    throw new KeyFileError(
      `kalshi_private_key_permissions: the private key file is readable by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
      'kalshi_private_key_permissions',
    );
  }
}
