/**
 * Index-message ingest on one core (SPEC §10: hundreds of thousands per second): raw websocket frames as
 * the Massive indices cluster sends them (JSON arrays, several V events per frame, some mixed with status
 * events) → JSON.parse + zod validation of every event → IndexTick → DualFeed (freshness sentry per feed +
 * failover machine step + deadline timer) → listener. Both feeds carry traffic, as in production.
 */
import type { Clock, TimerHandle } from '../src/ports/clock.ts';
import { MassiveFrameDecoder, type DecodedFrameSink } from '../src/adapters/massive/decoder.ts';
import { InMemoryIndexFeed } from '../src/adapters/feeds/in-memory-feed.ts';
import { DualFeed } from '../src/adapters/feeds/dual-feed.ts';
import type { IndexSymbol } from '../src/core/series.ts';
import { rate, type Report } from './harness.ts';

/** A clock whose time the bench moves by hand; timers are recorded, not fired (one per SLO period in real runs). */
class BenchClock implements Clock {
  t = Date.parse('2026-11-20T15:00:00Z');
  private id = 0;
  now(): number {
    return this.t;
  }
  setTimeout(): TimerHandle {
    return { id: ++this.id };
  }
  clearTimeout(): void {}
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

function makeFrames(n: number, startMs: number): { frames: string[]; events: number } {
  const frames: string[] = [];
  let events = 0;
  let spx = 6801.25;
  let ndx = 25012.5;
  for (let i = 0; i < n; i++) {
    const t = startMs + i * 250;
    spx = Math.round((spx + ((i * 7919) % 11) / 10 - 0.5) * 100) / 100;
    ndx = Math.round((ndx + ((i * 104729) % 13) / 10 - 0.6) * 100) / 100;
    const frame: object[] = [
      { ev: 'V', val: spx, T: 'I:SPX', t },
      { ev: 'V', val: ndx, T: 'I:NDX', t },
      { ev: 'V', val: spx + 0.05, T: 'I:SPX', t: t + 125 },
      { ev: 'V', val: String(ndx + 0.1), T: 'I:NDX', t: t + 125 }, // val as text, as one SDK types it
    ];
    if (i % 10 === 0) frame.unshift({ ev: 'status', status: 'success', message: 'subscribed to: V.I:SPX' });
    events += frame.length;
    frames.push(JSON.stringify(frame));
  }
  return { frames, events };
}

export default async function run(report: Report): Promise<void> {
  const clock = new BenchClock();
  const polygon = new InMemoryIndexFeed('polygon');
  const massive = new InMemoryIndexFeed('massive');
  const dual = new DualFeed({ clock, polygon, massive, sloMs: 1200, returnAfterMs: 5000 });
  let forwarded = 0;
  dual.onTick(() => forwarded++);
  await dual.start();
  await polygon.start();
  await massive.start();

  const sinkFor = (feed: InMemoryIndexFeed): DecodedFrameSink => ({
    status: () => {},
    value: (e) => feed.push({ symbol: e.T as IndexSymbol, value: e.val, eventTs: e.t ?? clock.t, receivedTs: clock.t }),
    aggregate: (e) => feed.push({ symbol: e.sym as IndexSymbol, value: e.c, eventTs: e.e ?? clock.t, receivedTs: clock.t }),
  });
  const decoder = new MassiveFrameDecoder();
  const sinks = [sinkFor(polygon), sinkFor(massive)];
  const { frames, events } = makeFrames(20_000, clock.t);

  const pipeline = () => {
    for (let i = 0; i < frames.length; i++) {
      clock.t += 125; // both feeds deliver a frame every 250 ms
      decoder.decode(frames[i]!, sinks[i & 1]!);
    }
  };
  const decodeOnly = rate('decode only', events, () => {
    for (const f of frames) decoder.decode(f, { status() {}, value() {}, aggregate() {} });
  }, { rounds: 7, unit: 'msg/s', target: '>= 500000 msg/s' });
  const perFrame = events / frames.length;
  const r = rate('ingest: parse + zod + freshness + failover (msg/s)', events, pipeline, {
    rounds: 15,
    unit: 'msg/s',
    target: '>= 500000 msg/s',
    extra: { events_per_frame: Math.round(perFrame * 10) / 10, decode_only_msg_s: decodeOnly.median },
  });
  if (decoder.counters.malformed !== 0) throw new Error('bench frames must all be valid');
  if (forwarded === 0) throw new Error('nothing reached the listener');
  report(r);
  await dual.stop();
  dual.dispose();
}
