/**
 * REPORT.md incidents (src/adapters/monitors/report.ts, whose `parseIncidentLine` reads each line), followed
 * by byte offset like the ledger: the report is append-only, one `- <ET time> [<kind>] <text>` line per
 * incident; other lines (the header) are ignored. Keeps the last N, and counts every line per kind.
 */
import { parseIncidentLine } from '../adapters/monitors/report.ts';
import { AppendTail } from './append-tail.ts';

export interface Incident {
  at_et: string;
  kind: string;
  text: string;
}

export class IncidentsView {
  private readonly tail: AppendTail;
  private items: Incident[] = [];
  total = 0;
  /** Lines per kind in the file as read so far (a rotation starts them again). */
  byKind: Record<string, number> = {};
  version = 0;

  constructor(
    readonly file: string,
    private readonly keep = 30,
  ) {
    this.tail = new AppendTail(file, 4 << 20);
  }

  poll(): void {
    const p = this.tail.poll();
    if (p.reset) {
      this.items = [];
      this.total = 0;
      this.byKind = {};
      this.version++;
    }
    for (const { text } of p.lines) {
      const i = parseIncidentLine(text);
      if (!i) continue;
      this.items.push({ at_et: i.atEt, kind: i.kind, text: i.text.slice(0, 500) });
      this.total++;
      this.byKind[i.kind] = (this.byKind[i.kind] ?? 0) + 1;
      this.version++;
    }
    if (this.items.length > this.keep) this.items = this.items.slice(-this.keep);
  }

  /** Newest first. */
  recent(): Incident[] {
    return [...this.items].reverse();
  }
}
