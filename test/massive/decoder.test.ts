import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MassiveFrameDecoder } from '../../src/adapters/massive/decoder.ts';
import { normalizeEpochMs, ValueEventSchema } from '../../src/adapters/massive/schemas.ts';

test('timestamp magnitude guard: ms kept, s/µs/ns converted, implausible rejected', () => {
  assert.equal(normalizeEpochMs(1763650801123), 1763650801123);
  assert.equal(normalizeEpochMs(1763650801), 1763650801000);
  assert.equal(normalizeEpochMs(1763650801123456), 1763650801123);
  assert.equal(normalizeEpochMs(1763650801123456789), 1763650801123);
  for (const bad of [0, -5, 12, 1e11, 5e13, 1e17, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(normalizeEpochMs(bad), undefined, String(bad));
});

test('V events: val as number or decimal text; ticker needs the I: prefix', () => {
  assert.equal(ValueEventSchema.parse({ ev: 'V', val: '6801.50', T: 'I:SPX', t: 1763650801000 }).val, 6801.5);
  assert.equal(ValueEventSchema.safeParse({ ev: 'V', val: '6801,50', T: 'I:SPX', t: 1763650801000 }).success, false);
  assert.equal(ValueEventSchema.safeParse({ ev: 'V', val: 0, T: 'I:SPX', t: 1763650801000 }).success, false);
  assert.equal(ValueEventSchema.safeParse({ ev: 'V', val: 1, T: 'SPX', t: 1763650801000 }).success, false);
  assert.equal(ValueEventSchema.safeParse({ ev: 'V', val: 1, sym: 'I:SPX', t: 1763650801000 }).success, false, 'V uses T, not sym');
});

test('unknown event kinds are ignored, not malformed; counters add up', () => {
  const d = new MassiveFrameDecoder();
  const seen: string[] = [];
  d.decode(JSON.stringify([{ ev: 'XQ', foo: 1 }, { ev: 'V', val: 1, T: 'I:SPX', t: 1763650801000 }, { ev: 'status', status: 'success' }, { ev: 'V' }]), {
    status: (e) => seen.push(`status:${e.status}`),
    value: (e) => seen.push(`V:${e.T}`),
    aggregate: () => seen.push('agg'),
  });
  assert.deepEqual(seen, ['V:I:SPX', 'status:success']);
  assert.deepEqual(d.counters, { frames: 1, messages: 4, malformed: 1, ignored: 1, malformedByChannel: { V: 1 }, failed: 0 });
});

test('property: the decoder never throws, and every message is delivered, ignored or counted malformed', () => {
  const event = fc.oneof(
    fc.record({ ev: fc.constant('V'), val: fc.oneof(fc.double(), fc.string(), fc.integer()), T: fc.oneof(fc.constant('I:SPX'), fc.string()), t: fc.oneof(fc.integer(), fc.double(), fc.constant(1763650801000)) }, { requiredKeys: [] }),
    fc.record({ ev: fc.constantFrom('A', 'AM'), sym: fc.constant('I:NDX'), o: fc.double(), h: fc.double(), l: fc.double(), c: fc.double(), s: fc.integer(), e: fc.integer() }, { requiredKeys: ['ev'] }),
    fc.record({ ev: fc.constant('status'), status: fc.string(), message: fc.string() }, { requiredKeys: ['ev'] }),
    fc.jsonValue(),
  );
  const frame = fc.oneof(fc.array(event, { maxLength: 8 }).map((a) => JSON.stringify(a)), fc.string(), fc.json());
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 10 }), (frames) => {
      const d = new MassiveFrameDecoder();
      let delivered = 0;
      const sink = { status: () => delivered++, value: () => delivered++, aggregate: () => delivered++ };
      for (const f of frames) d.decode(f, sink);
      assert.equal(d.counters.frames, frames.length);
      assert.equal(delivered + d.counters.ignored + d.counters.malformed, d.counters.messages);
    }),
    { numRuns: 500 },
  );
});
