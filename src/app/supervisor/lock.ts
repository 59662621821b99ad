/** One supervisor per working root: its lock (the one `FileLock`), and who holds it for the other tools. */
import fs from 'node:fs';
import path from 'node:path';
import { FileLock, type LockOwner } from '../../adapters/fs/file-lock.ts';
import type { Paths } from '../../config/paths.ts';

export const supervisorLockPath = (paths: Pick<Paths, 'stateDir'>): string => path.join(paths.stateDir, 'supervisor.lock');

/** The live supervisor holding this working root, if any (other tools refuse to act behind its back). */
export function supervisorHolder(paths: Pick<Paths, 'stateDir'>): LockOwner | null {
  const file = supervisorLockPath(paths);
  if (!fs.existsSync(file)) return null;
  const lock = new FileLock(file);
  const r = lock.tryAcquire();
  if (r.ok) {
    lock.release();
    lock.dispose();
    return null;
  }
  return r.owner ?? { pid: -1, start: null, bootId: null };
}

/** Another supervisor process holds the working root's lock. */
export class SupervisorLocked extends Error {
  override name = 'SupervisorLocked';
}
