/** The kill-switch sentinel file (SPEC §6.5): its existence halts quoting. */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';

export interface KillSwitchStatus {
  engaged: boolean;
  path: string;
  armedAt?: string;
  reason?: string;
}

export function killSwitchEngaged(file: string): boolean {
  return fs.existsSync(file);
}

export function armKillSwitch(file: string, nowMs: number, reason: string): KillSwitchStatus {
  const armedAt = new Date(nowMs).toISOString();
  writeFileAtomic(file, JSON.stringify({ armed_at: armedAt, reason }) + '\n');
  return { engaged: true, path: file, armedAt, reason };
}

/** Returns whether a sentinel was removed. */
export function disarmKillSwitch(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  fs.rmSync(file);
  return true;
}

export function killSwitchStatus(file: string): KillSwitchStatus {
  if (!fs.existsSync(file)) return { engaged: false, path: path.resolve(file) };
  // Any file counts as engaged, whatever its content: an operator may `touch` it by hand.
  let armedAt: string | undefined;
  let reason: string | undefined;
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { armed_at?: unknown; reason?: unknown };
    if (typeof doc.armed_at === 'string') armedAt = doc.armed_at;
    if (typeof doc.reason === 'string') reason = doc.reason;
  } catch {
    armedAt = fs.statSync(file).mtime.toISOString();
  }
  return { engaged: true, path: path.resolve(file), armedAt, reason };
}
