/**
 * `REPORT.md` at the root (SPEC §7.5): the operator's incident log — stand-downs, NO-GO windows with their
 * reasons, maintenance slots, cancel-alls, a ledger that refused writes — one timestamped line each,
 * appended (O_APPEND, fsync), never rewritten. Text passes through the caller's logger redaction rules: callers never put secrets here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatEt } from '../../core/time/et.ts';

/** Every kind a line may carry (the dashboard exports a counter per kind, each from zero). */
export const INCIDENT_KINDS = ['stand_down', 'feed_resumed', 'no_go', 'maintenance', 'cancel_all', 'kill_switch', 'ledger_error', 'error', 'shutdown'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

const HEADER = '# kalshi-alpha incident report\n\nOne line per incident (ET time, kind, details), appended by the supervisor.\n\n';

export function appendIncident(file: string, atMs: number, kind: IncidentKind, text: string): string {
  const line = `- ${formatEt(atMs)} [${kind}] ${text.replace(/\s*\n\s*/g, ' ')}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a', 0o644);
  try {
    if (fs.fstatSync(fd).size === 0) fs.writeSync(fd, HEADER);
    fs.writeSync(fd, line);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return line;
}

/** One incident line (`- <ET time> [<kind>] <text>`), else null (the header, blank lines): every reader's parse. */
export function parseIncidentLine(line: string): { atEt: string; kind: string; text: string } | null {
  const m = /^- (\S+) \[([a-z_]+)\] (.*)$/.exec(line);
  return m ? { atEt: m[1]!, kind: m[2]!, text: m[3]! } : null;
}

/** Incident lines of the report (for tests; the dashboard follows the file with parseIncidentLine). */
export function readIncidents(file: string): { atEt: string; kind: string; text: string }[] {
  if (!fs.existsSync(file)) return [];
  const out: { atEt: string; kind: string; text: string }[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const i = parseIncidentLine(line);
    if (i) out.push(i);
  }
  return out;
}
