/**
 * Turns raw websocket frames from the Massive indices cluster into validated events, counting what it
 * skips. A frame is a JSON array that may mix status and data events for several tickers; each element is
 * validated on its own, so one bad element never costs the good ones next to it. Never throws.
 * (zod alone handles well over a million events/s here — see bench/ingest.bench.ts — so no hand-written
 * fast path is needed.)
 */
import { FrameSchema, ServerEventSchema, type AggregateEvent, type ServerEvent, type StatusEvent, type ValueEvent } from './schemas.ts';

export interface DecoderCounters {
  frames: number;
  /** Events seen (elements of frames), valid or not; an unparsable frame counts as one. */
  messages: number;
  /** Events that failed validation, plus unparsable frames. */
  malformed: number;
  /** Well-formed events of a kind we do not consume (unknown `ev`). */
  ignored: number;
}

export interface DecodedFrameSink {
  status(e: StatusEvent): void;
  value(e: ValueEvent): void;
  aggregate(e: AggregateEvent): void;
  /** Called once per malformed element/frame with a short reason (never the raw payload, which is untrusted). */
  malformed?(reason: string): void;
}

const KNOWN_EV = new Set(['status', 'V', 'A', 'AM']);

export class MassiveFrameDecoder {
  readonly counters: DecoderCounters = { frames: 0, messages: 0, malformed: 0, ignored: 0 };

  decode(text: string, sink: DecodedFrameSink): void {
    this.counters.frames++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.badFrame(sink, 'frame is not JSON');
      return;
    }
    const frame = FrameSchema.safeParse(raw);
    if (!frame.success) {
      this.badFrame(sink, 'frame is not a JSON array');
      return;
    }
    for (const element of frame.data) {
      this.counters.messages++;
      const ev = (element as { ev?: unknown } | null)?.ev;
      if (typeof ev === 'string' && !KNOWN_EV.has(ev)) {
        this.counters.ignored++;
        continue;
      }
      const r = ServerEventSchema.safeParse(element);
      if (!r.success) {
        this.counters.malformed++;
        const issue = r.error.issues[0];
        sink.malformed?.(`invalid ${typeof ev === 'string' ? ev : 'event'}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'}`);
        continue;
      }
      dispatch(r.data, sink);
    }
  }

  private badFrame(sink: DecodedFrameSink, reason: string): void {
    this.counters.messages++;
    this.counters.malformed++;
    sink.malformed?.(reason);
  }
}

function dispatch(e: ServerEvent, sink: DecodedFrameSink): void {
  switch (e.ev) {
    case 'status':
      sink.status(e);
      break;
    case 'V':
      sink.value(e);
      break;
    case 'A':
    case 'AM':
      sink.aggregate(e);
      break;
  }
}
