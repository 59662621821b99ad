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
  /** `malformed` per channel: the event's `ev` (`V`, `A`, `AM`, `status`), or `frame` for a frame that is not a JSON array. */
  malformedByChannel: Record<string, number>;
  /** Valid events whose sink threw (counted, logged by the caller, skipped). */
  failed: number;
}

export interface DecodedFrameSink {
  status(e: StatusEvent): void;
  value(e: ValueEvent): void;
  aggregate(e: AggregateEvent): void;
  /** Called once per malformed element/frame with its channel and a short reason (never the raw payload, which is untrusted). */
  malformed?(reason: string, channel: string): void;
  /** Called when a sink callback threw for a valid event (the error is contained here). */
  failed?(reason: string, channel: string): void;
}

const KNOWN_EV = new Set(['status', 'V', 'A', 'AM']);

export class MassiveFrameDecoder {
  readonly counters: DecoderCounters = { frames: 0, messages: 0, malformed: 0, ignored: 0, malformedByChannel: {}, failed: 0 };

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
      const channel = typeof ev === 'string' ? ev : 'unknown';
      const r = ServerEventSchema.safeParse(element);
      if (!r.success) {
        this.counters.malformed++;
        this.counters.malformedByChannel[channel] = (this.counters.malformedByChannel[channel] ?? 0) + 1;
        const issue = r.error.issues[0];
        const at = issue ? issue.path.slice(0, 4).map((p) => String(p).slice(0, 40)).join('.') || '(root)' : '(root)';
        sink.malformed?.(`invalid ${channel === 'unknown' ? 'event' : channel}: ${issue ? `${at}: ${issue.message.slice(0, 120)}` : 'schema mismatch'}`, channel);
        continue;
      }
      try {
        dispatch(r.data, sink);
      } catch (e) {
        this.counters.failed++;
        sink.failed?.(String((e as Error)?.message ?? e).slice(0, 200), channel);
      }
    }
  }

  private badFrame(sink: DecodedFrameSink, reason: string): void {
    this.counters.messages++;
    this.counters.malformed++;
    this.counters.malformedByChannel.frame = (this.counters.malformedByChannel.frame ?? 0) + 1;
    sink.malformed?.(reason, 'frame');
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
