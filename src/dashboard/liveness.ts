/**
 * Is the supervisor running? Judged from the snapshot file alone (the dashboard shares no memory with
 * it), in real time: the file must exist and validate, say `running: true`, name a pid that is alive on
 * this machine, and have been rewritten recently — by the file's **mtime** against the wall clock, never
 * `captured_ms` (a simulated supervisor stamps virtual time, which may run days ahead or behind).
 * Pure: the caller gives the stat, the clock and the pid probe.
 */
import type { Snapshot } from '../app/snapshot.ts';

/** The supervisor rewrites the snapshot at least every second; a file older than this means it stopped. */
export const DEFAULT_STALE_AFTER_MS = 5000;

export type Liveness =
  | { running: true; pid: number; snapshotAgeMs: number }
  | { running: false; reason: string; code: 'missing' | 'invalid' | 'stopped' | 'pid_gone' | 'stale'; pid?: number; snapshotAgeMs?: number };

export interface LivenessInput {
  snapshot: { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; value: Snapshot; mtimeMs: number };
  wallNowMs: number;
  pidAlive: (pid: number) => boolean;
  staleAfterMs?: number;
}

export function judgeLiveness(i: LivenessInput): Liveness {
  const s = i.snapshot;
  if (s.kind === 'missing') return { running: false, code: 'missing', reason: 'no snapshot file: the supervisor has not run in this home' };
  if (s.kind === 'invalid') return { running: false, code: 'invalid', reason: `snapshot unreadable (${s.reason})` };
  const ageMs = Math.max(0, Math.round(i.wallNowMs - s.mtimeMs));
  const pid = s.value.pid;
  if (!s.value.running) return { running: false, code: 'stopped', reason: `supervisor stopped (its last snapshot says running: false)`, pid, snapshotAgeMs: ageMs };
  if (!i.pidAlive(pid)) return { running: false, code: 'pid_gone', reason: `supervisor process ${pid} is gone (it did not stop cleanly)`, pid, snapshotAgeMs: ageMs };
  const stale = i.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (ageMs > stale) return { running: false, code: 'stale', reason: `snapshot not rewritten for ${(ageMs / 1000).toFixed(1)} s (process ${pid} alive but not writing)`, pid, snapshotAgeMs: ageMs };
  return { running: true, pid, snapshotAgeMs: ageMs };
}

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
