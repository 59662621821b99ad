/**
 * The ledger of a replay (SPEC §9): the very records a live run would write — validated by the same strict
 * schema and serialised byte for byte like LedgerWriter (`seq` and `type` first, then the schema's order) —
 * kept in memory and written with one durable flush at the end instead of a write + fdatasync per batch.
 *
 * The file is written whole and fresh (`seq` from 1): a temp file next to the target (chunks appended as the
 * buffer grows past `chunkBytes`, so memory stays bounded on long runs), fsynced and renamed over the target
 * on `close()`. A replay that dies leaves no half ledger under the target's name; the same seed gives the
 * same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LedgerRecordStrictSchema, type LedgerRecord, type LedgerRecordInput } from '../../core/ledger/record.ts';
import { LedgerValidationError } from '../../adapters/ledger/ledger-writer.ts';
import type { LedgerSink } from '../../adapters/ledger/paper-recorder.ts';
import { fsyncDir } from '../../adapters/fs/atomic-write.ts';

export interface BufferedLedgerOptions {
  /** Where the ledger lands on `close()`; none = records kept in memory only (workers, benches, tests). */
  file?: string;
  /** Spill to the temp file past this many buffered bytes (default 4 MiB). */
  chunkBytes?: number;
  /** Keep the records (the replay prints the day's scoreboard from them). Default true. */
  keepRecords?: boolean;
}

export class BufferedLedgerSink implements LedgerSink {
  readonly records: LedgerRecord[] = [];
  private seq = 0;
  private parts: string[] = [];
  private bufferedBytes = 0;
  private fd: number | undefined;
  private readonly tmp: string | undefined;
  private closed = false;
  /** Bytes of ledger text produced so far. */
  bytes = 0;

  constructor(private readonly o: BufferedLedgerOptions = {}) {
    if (o.file) {
      fs.mkdirSync(path.dirname(o.file), { recursive: true });
      this.tmp = path.join(path.dirname(o.file), `.${path.basename(o.file)}.${process.pid}.tmp`);
    }
  }

  get count(): number {
    return this.seq;
  }

  appendBatch(inputs: LedgerRecordInput[]): LedgerRecord[] {
    if (this.closed) throw new Error('replay ledger is closed');
    const out: LedgerRecord[] = [];
    let seq = this.seq;
    let text = '';
    for (const input of inputs) {
      const r = LedgerRecordStrictSchema.safeParse({ seq: ++seq, ...input });
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new LedgerValidationError(`ledger record rejected: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      out.push(r.data);
      const { seq: recordSeq, type, ...rest } = r.data;
      text += JSON.stringify({ seq: recordSeq, type, ...rest }) + '\n';
    }
    this.seq = seq;
    if (this.o.keepRecords !== false) for (const r of out) this.records.push(r);
    this.bytes += text.length;
    if (this.tmp) {
      this.parts.push(text);
      this.bufferedBytes += text.length;
      if (this.bufferedBytes >= (this.o.chunkBytes ?? 4 << 20)) this.spill();
    }
    return out;
  }

  /** Writes everything and makes it durable under the target name (one fsync). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.tmp || !this.o.file) return;
    this.spill();
    const fd = this.fd ?? fs.openSync(this.tmp, 'w', 0o644);
    this.fd = undefined;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.tmp, this.o.file);
    fsyncDir(path.dirname(this.o.file));
  }

  /** Drops the temp file (a failed replay leaves nothing behind). */
  discard(): void {
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.tmp) fs.rmSync(this.tmp, { force: true });
  }

  private spill(): void {
    if (!this.tmp) return;
    this.fd ??= fs.openSync(this.tmp, 'w', 0o644);
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.bufferedBytes = 0;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }
}
