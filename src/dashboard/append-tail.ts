/**
 * Follows an append-only text file (the paper ledger, REPORT.md) by byte offset: each poll reads only what
 * was appended since the last one and hands back the complete lines. A line still being written (no
 * newline yet) is left for the next poll. When the file is replaced (housekeeping renames a new ledger
 * over the path: a new inode) or shrinks (truncated), the tail starts over from byte 0 and says so, so the
 * caller rebuilds whatever it derived from the old lines.
 */
import fs from 'node:fs';

export interface TailPoll {
  /** The file was replaced or truncated (or vanished): everything derived so far must be dropped. */
  reset: boolean;
  /** Complete lines appended since the last poll (without their newline), with 1-based line numbers. */
  lines: { lineNo: number; text: string }[];
  /** Bytes after the last newline (a write in progress, or a torn last line). */
  partialBytes: number;
  /** More appended bytes remain than this poll was allowed to read. */
  behind: boolean;
  exists: boolean;
}

const CHUNK = 1 << 20;

export class AppendTail {
  private ino: number | null = null;
  private offset = 0;
  private lineNo = 0;
  private partial = 0;
  /** Inside an over-long line that was reported already: drop bytes up to its newline. */
  private skipping = false;

  constructor(
    readonly file: string,
    /** At most this many bytes per poll (keeps one poll short on a large file; the rest follows). */
    private readonly maxBytesPerPoll = 16 << 20,
  ) {}

  get position(): number {
    return this.offset;
  }

  poll(): TailPoll {
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch {
      const reset = this.ino !== null;
      this.restart(null);
      return { reset, lines: [], partialBytes: 0, behind: false, exists: false };
    }
    let reset = false;
    if (this.ino !== st.ino || st.size < this.offset) {
      reset = this.ino !== null;
      this.restart(st.ino);
    }
    const lines: TailPoll['lines'] = [];
    if (st.size === this.offset) return { reset, lines, partialBytes: 0, behind: false, exists: true };
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return { reset, lines, partialBytes: this.partial, behind: true, exists: true };
    }
    try {
      // The inode we opened may be newer than the one we stat'ed (a rename in between): check again.
      const ost = fs.fstatSync(fd);
      if (ost.ino !== this.ino) {
        reset = reset || this.ino !== null;
        this.restart(ost.ino);
      }
      const end = Math.min(ost.size, this.offset + this.maxBytesPerPoll);
      let pos = this.offset;
      let carry = Buffer.alloc(0);
      const buf = Buffer.alloc(CHUNK);
      while (pos < end) {
        const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
        if (n === 0) break;
        pos += n;
        const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
        let start = 0;
        for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
          if (this.skipping) this.skipping = false;
          else lines.push({ lineNo: ++this.lineNo, text: chunk.subarray(start, i).toString('utf8') });
          start = i + 1;
        }
        carry = Buffer.from(chunk.subarray(start));
      }
      if (carry.length >= this.maxBytesPerPoll || (this.skipping && carry.length > 0)) {
        // A "line" longer than a whole poll: report its start once (as a line that will not parse) and skip
        // the rest of it, rather than re-reading the same bytes forever.
        if (!this.skipping) lines.push({ lineNo: ++this.lineNo, text: carry.subarray(0, 200).toString('utf8') + '…(over-long line)' });
        this.skipping = true;
        carry = Buffer.alloc(0);
      }
      // Consume only complete lines; an unfinished one is read again, whole, once its newline arrives.
      this.offset = pos - carry.length;
      this.partial = carry.length;
      return { reset, lines, partialBytes: carry.length, behind: ost.size > pos, exists: true };
    } finally {
      fs.closeSync(fd);
    }
  }

  private restart(ino: number | null): void {
    this.ino = ino;
    this.offset = 0;
    this.lineNo = 0;
    this.partial = 0;
    this.skipping = false;
  }
}
