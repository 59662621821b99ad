/**
 * Which maintenance slot blocks quoting (SPEC §6.5): the standing Thursday 03:00–05:00 ET pause and the
 * announced slots, lead time included. `maintenanceCovering` and `nextMaintenanceLeadAt` are asked before
 * every cycle and order, so they walk the slots without joining and sorting them; here they are held to
 * the plain definition — all slots joined, sorted by start (stable: announced first on a tie), the first
 * that covers — on seeded random slots around standing ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAINTENANCE_LEAD_MS, maintenanceCovering, nextMaintenanceLeadAt, type MaintenanceSlot } from '../../src/core/maintenance.ts';
import { etToMs } from '../../src/core/time/et.ts';

const MIN = 60_000;
// Thursday 2026-11-19, 03:00 ET: a standing slot (until 05:00).
const THU_3AM = etToMs('2026-11-19', '03:00');

/** The standing slots of the weeks around `nowMs` as the definition has them: every Thursday 03:00–05:00 ET within a week either side. */
function standingAround(nowMs: number): MaintenanceSlot[] {
  const out: MaintenanceSlot[] = [];
  for (let d = -8; d <= 8; d++) {
    const date = new Date(THU_3AM + d * 7 * 86_400_000).toISOString().slice(0, 10);
    const start = etToMs(date, '03:00');
    if (Math.abs(start - nowMs) <= 8 * 86_400_000) out.push({ startMs: start, endMs: etToMs(date, '05:00') });
  }
  return out;
}

function reference(announced: readonly MaintenanceSlot[], nowMs: number, leadMs: number): MaintenanceSlot | undefined {
  const all = [...announced, ...standingAround(nowMs)].sort((a, b) => a.startMs - b.startMs);
  return all.find((w) => nowMs >= w.startMs - leadMs && nowMs < w.endMs);
}

function referenceNext(announced: readonly MaintenanceSlot[], nowMs: number, leadMs: number): number | undefined {
  const starts = [...announced, ...standingAround(nowMs)].map((w) => w.startMs - leadMs).filter((t) => t > nowMs);
  return starts.length ? Math.min(...starts) : undefined;
}

test('maintenance: the standing Thursday pause blocks from its lead to its end, an announced slot too', () => {
  assert.equal(maintenanceCovering([], THU_3AM - MAINTENANCE_LEAD_MS - 1), undefined);
  assert.deepEqual(maintenanceCovering([], THU_3AM - MAINTENANCE_LEAD_MS), { startMs: THU_3AM, endMs: THU_3AM + 120 * MIN });
  assert.deepEqual(maintenanceCovering([], THU_3AM + 119 * MIN), { startMs: THU_3AM, endMs: THU_3AM + 120 * MIN });
  assert.equal(maintenanceCovering([], THU_3AM + 120 * MIN), undefined);
  const noon = etToMs('2026-11-18', '12:00');
  const slot = { startMs: noon, endMs: noon + 30 * MIN };
  assert.equal(maintenanceCovering([slot], noon - 10 * MIN, 5 * MIN), undefined);
  assert.equal(maintenanceCovering([slot], noon - 5 * MIN, 5 * MIN), slot);
  assert.equal(nextMaintenanceLeadAt([slot], noon - 10 * MIN, 5 * MIN), noon - 5 * MIN);
  assert.equal(nextMaintenanceLeadAt([], noon), THU_3AM - MAINTENANCE_LEAD_MS);
  // a standing slot is handed out as a copy: changing it changes no later answer
  const got = maintenanceCovering([], THU_3AM)!;
  got.endMs = 0;
  assert.equal(maintenanceCovering([], THU_3AM)!.endMs, THU_3AM + 120 * MIN);
});

test('maintenance: the covering slot and the next lead equal the joined-and-sorted definition (property)', () => {
  const offset = fc.integer({ min: -300, max: 300 }).map((m) => m * MIN);
  const slotArb = fc.tuple(offset, fc.integer({ min: 1, max: 240 })).map(([o, len]) => ({ startMs: THU_3AM + o, endMs: THU_3AM + o + len * MIN }));
  fc.assert(
    fc.property(fc.array(slotArb, { maxLength: 5 }), offset, fc.integer({ min: 0, max: 30 }), (announced, now, leadMin) => {
      const nowMs = THU_3AM + now;
      const lead = leadMin * MIN;
      const want = reference(announced, nowMs, lead);
      const got = maintenanceCovering(announced, nowMs, lead);
      assert.deepEqual(got, want);
      // an announced slot is the very object passed (the caller's), a standing one equal by value
      if (want && announced.includes(want)) assert.equal(got, want);
      assert.equal(nextMaintenanceLeadAt(announced, nowMs, lead), referenceNext(announced, nowMs, lead));
    }),
    { numRuns: 2000, seed: 20261207 },
  );
});
