/**
 * Exchange maintenance (SPEC §6.5): the announced slots from `GET /exchange/schedule` plus the standing
 * Thursday 03:00–05:00 ET pause. Quoting stops `leadMs` before a slot starts (cancel-all) until it ends.
 * Pure: instants in, slots out.
 */
import { addDays, etDateOf, etToMs, weekday } from './time/et.ts';

export interface MaintenanceSlot {
  startMs: number;
  endMs: number;
}

/** Cancel-all this long before a slot (SPEC §6.5: 5 minutes). */
export const MAINTENANCE_LEAD_MS = 5 * 60_000;

/** The standing weekly pause: Thursday 03:00–05:00 ET, for the weeks around `nowMs`. */
export function standingMaintenance(nowMs: number): MaintenanceSlot[] {
  const today = etDateOf(nowMs);
  // The slots depend on the ET date only, and the guard asks before every order: remember the last date's.
  if (standingMemo.date !== today) standingMemo = { date: today, slots: standingSlots(today) };
  return standingMemo.slots.map((s) => ({ ...s }));
}

let standingMemo: { date: string; slots: MaintenanceSlot[] } = { date: '', slots: [] };

function standingSlots(today: string): MaintenanceSlot[] {
  const out: MaintenanceSlot[] = [];
  for (let d = -7; d <= 7; d++) {
    const date = addDays(today, d);
    if (weekday(date) === 4) out.push({ startMs: etToMs(date, '03:00'), endMs: etToMs(date, '05:00') });
  }
  return out;
}

/** The slot (announced or standing) that blocks quoting at `nowMs`, lead time included. */
export function maintenanceCovering(announced: readonly MaintenanceSlot[], nowMs: number, leadMs = MAINTENANCE_LEAD_MS): MaintenanceSlot | undefined {
  const all = [...announced, ...standingMaintenance(nowMs)].sort((a, b) => a.startMs - b.startMs);
  return all.find((w) => nowMs >= w.startMs - leadMs && nowMs < w.endMs);
}
