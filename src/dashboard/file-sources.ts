/**
 * Read-only views of the files the supervisor and the operator's tools write (SPEC §7): the snapshot,
 * orders.json, the kill-switch sentinel, the monitors and REPORT.md. The dashboard runs in its own
 * process, so files are all it has: each source re-reads its file only when the file changed (inode,
 * size or mtime), validates every byte with zod, and turns anything unreadable into an error value that
 * the page shows — never an exception that could take the server down, and never a write: the dashboard
 * takes no lock, renames nothing and sets nothing aside (that is the owners' job).
 *
 * Every schema is its writer's, imported from beside the writer (app/snapshot.ts, adapters/state/orders-file.ts,
 * adapters/monitors/*): the dashboard sits at the top with the CLI, so these arrows all point down, and a
 * reader can never drift from what is written.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { SnapshotSchema, type Snapshot } from '../app/snapshot.ts';
import { OrdersFileSchema, type OrdersFile } from '../adapters/state/orders-file.ts';
import { FreshnessReportSchema, type FreshnessFile } from '../adapters/monitors/freshness.ts';
import { EvGapReportSchema, type EvGapFile } from '../adapters/monitors/ev-gap.ts';
import { killSwitchStatus, type KillSwitchStatus } from '../adapters/fs/kill-switch.ts';

/** What identifies one version of a file: a rename (atomic write) changes the inode, an append the size. */
export interface FileSig {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function statSig(file: string): FileSig | null {
  try {
    const st = fs.statSync(file);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

const sameSig = (a: FileSig | null, b: FileSig | null) =>
  a === b || (a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);

export type Read<T> =
  | { kind: 'missing' }
  | { kind: 'ok'; value: T; sig: FileSig }
  | { kind: 'invalid'; reason: string; sig: FileSig | null };

/** First zod issue as `path: message`. */
export function zodReason(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid';
}

/** A JSON file re-read and re-validated only when it changed. */
export class JsonFileSource<T> {
  private sig: FileSig | null = null;
  private last: Read<T> = { kind: 'missing' };
  private checked = false;

  constructor(
    readonly file: string,
    private readonly parse: (doc: unknown) => { ok: true; value: T } | { ok: false; reason: string },
  ) {}

  read(): Read<T> {
    const sig = statSig(this.file);
    if (this.checked && sameSig(sig, this.sig)) return this.last;
    this.checked = true;
    this.sig = sig;
    if (!sig) return (this.last = { kind: 'missing' });
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return (this.last = { kind: 'missing' });
      return (this.last = { kind: 'invalid', reason: `unreadable (${code ?? 'error'})`, sig });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return (this.last = { kind: 'invalid', reason: `not valid JSON (${(e as Error).message.split('\n')[0]})`, sig });
    }
    try {
      const r = this.parse(doc);
      this.last = r.ok ? { kind: 'ok', value: r.value, sig } : { kind: 'invalid', reason: r.reason, sig };
    } catch (e) {
      this.last = { kind: 'invalid', reason: (e as Error).message, sig };
    }
    return this.last;
  }
}

const fromSchema =
  <S extends z.ZodType>(schema: S) =>
  (doc: unknown): { ok: true; value: z.infer<S> } | { ok: false; reason: string } => {
    const r = schema.safeParse(doc);
    return r.success ? { ok: true, value: r.data } : { ok: false, reason: zodReason(r.error) };
  };

// ---- the snapshot: its writer's schema (app/snapshot.ts) ----

/** The snapshot as written; its `captured_ms` may be virtual time (a simulated supervisor). */
export const snapshotSource = (file: string) => new JsonFileSource<Snapshot>(file, fromSchema(SnapshotSchema));

// ---- orders.json: its writer's schema (adapters/state/orders-file.ts) ----
// The store's own reader takes the state lock and sets a corrupt file aside; a viewer must do neither, so
// it validates with the schema alone. The store writes atomically (rename): a plain read sees one version.

export type { OrdersFile };
export const ordersSource = (file: string) => new JsonFileSource<OrdersFile>(file, fromSchema(OrdersFileSchema));

// ---- monitors: their writers' schemas (adapters/monitors/freshness.ts, ev-gap.ts) ----

export type { EvGapFile, FreshnessFile };
export const freshnessSource = (file: string) => new JsonFileSource<FreshnessFile>(file, fromSchema(FreshnessReportSchema));
export const evGapSource = (file: string) => new JsonFileSource<EvGapFile>(file, fromSchema(EvGapReportSchema));

// ---- the kill switch ----

export function readKillSwitch(file: string): { kind: 'ok'; value: KillSwitchStatus } | { kind: 'invalid'; reason: string } {
  try {
    return { kind: 'ok', value: killSwitchStatus(file) };
  } catch (e) {
    // Removed between the existence check and the read: disengaged; otherwise unreadable: report, never guess.
    if (!fs.existsSync(file)) return { kind: 'ok', value: { engaged: false, path: file } };
    return { kind: 'invalid', reason: (e as Error).message };
  }
}
