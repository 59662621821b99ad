/**
 * Writes a day's recording (format.ts) while the day runs: every tap call becomes one JSON line, gzipped
 * in the background (a tap never blocks or throws; a write error is kept and reported on close). The
 * stream is flushed every few thousand lines, so a crash loses little; a file without its `end` line is
 * reported as cut short by the reader, and what it holds still replays.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Clock } from '../../ports/clock.ts';
import type { FrameTap, TapSource } from '../../ports/frame-tap.ts';
import { RECORDING_VERSION } from './format.ts';

/** The tap of one recorded day, with its run description and an orderly close. */
export interface DayRecorder extends FrameTap {
  readonly file: string;
  /** Adds to the run's description (merged by the reader). */
  meta(m: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** A clock that knows when it last fired a batch of timers (SteppedClock): messages after it are marked. */
interface FiringClock extends Clock {
  firedAt?: number;
}

const FLUSH_EVERY = 4096;

export class RecordingWriter implements DayRecorder {
  private readonly gzip: zlib.Gzip;
  private readonly out: fs.WriteStream;
  private entries = 0;
  private sinceFlush = 0;
  private error: Error | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly clock: FiringClock,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.out = fs.createWriteStream(file, { flags: 'wx', mode: 0o644 });
    this.gzip = zlib.createGzip({ level: 6 });
    this.gzip.pipe(this.out);
    const fail = (e: Error) => (this.error ??= e);
    this.out.on('error', fail);
    this.gzip.on('error', fail);
  }

  /** A new file `<dir>/<date>.rec.jsonl.gz` (`-2`, `-3`… when the day was recorded before). */
  static open(dir: string, dateEt: string, clock: Clock): RecordingWriter {
    let file = path.join(dir, `${dateEt}.rec.jsonl.gz`);
    for (let i = 2; fs.existsSync(file); i++) file = path.join(dir, `${dateEt}-${i}.rec.jsonl.gz`);
    const w = new RecordingWriter(file, clock);
    w.line({ kalshi_alpha_recording: RECORDING_VERSION, date: dateEt, created_ms: clock.now() });
    return w;
  }

  get count(): number {
    return this.entries;
  }

  meta(m: Record<string, unknown>): void {
    this.line({ t: this.clock.now(), meta: m });
  }

  ws(source: TapSource, text: string, receivedMs: number): void {
    const t = Math.floor(receivedMs);
    this.entry(this.after(t) ? { t, s: source, w: text, a: 1 } : { t, s: source, w: text });
  }

  http(source: TapSource, method: string, pathAndQuery: string, status: number, body: string, receivedMs: number): void {
    const t = Math.floor(receivedMs);
    const e = { t, s: source, m: method, p: pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`, c: status, b: body };
    this.entry(this.after(t) ? { ...e, a: 1 } : e);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.line({ t: this.clock.now(), end: true, entries: this.entries });
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.out.once('close', resolve);
      this.out.once('error', () => resolve());
      this.gzip.end();
    });
    if (this.error) throw new Error(`recording ${this.file} not fully written: ${this.error.message}`);
  }

  /** Received after the timers of its own millisecond had fired (only a stepping clock can tell). */
  private after(t: number): boolean {
    return this.clock.firedAt === t;
  }

  private entry(e: Record<string, unknown>): void {
    this.entries++;
    this.line(e);
  }

  private line(o: Record<string, unknown>): void {
    if (this.closed || this.error) return;
    try {
      this.gzip.write(JSON.stringify(o) + '\n');
      if (++this.sinceFlush >= FLUSH_EVERY) {
        this.sinceFlush = 0;
        this.gzip.flush(zlib.constants.Z_SYNC_FLUSH);
      }
    } catch (e) {
      this.error ??= e as Error;
    }
  }
}

/** `--record DIR`: one RecordingWriter per day, each told the run's description first. */
export function recordDir(dir: string, clock: Clock, describe: (dateEt: string) => Record<string, unknown>): { openDay(dateEt: string): DayRecorder } {
  return {
    openDay(dateEt) {
      const w = RecordingWriter.open(dir, dateEt, clock);
      w.meta(describe(dateEt));
      return w;
    },
  };
}
