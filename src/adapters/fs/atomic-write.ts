/**
 * Crash-safe file replacement (SPEC §7.2): write a temp file, fsync it, rename over, fsync the dir.
 * `durable: false` keeps the atomic rename (a killed process never leaves a torn file: the page cache
 * survives it) but skips the fsyncs; only for files rewritten every second whose content is worthless
 * after a machine crash anyway (the hot-restart snapshot is restored only when younger than 5 s).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  durable?: boolean;
}

export function writeFileAtomic(file: string, data: string | Uint8Array, o: AtomicWriteOptions = {}): void {
  const durable = o.durable ?? true;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (durable) fsyncDir(dir);
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function writeJsonAtomic(file: string, value: unknown, o: AtomicWriteOptions = {}): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', o);
}
