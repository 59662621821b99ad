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

/** The standing weekly pause: Thursday 03:00–05:00 ET, for the weeks around `nowMs`, ascending (the memo's own objects: not to be handed out). */
function standingOf(nowMs: number): readonly MaintenanceSlot[] {
  const today = etDateOf(nowMs);
  // The slots depend on the ET date only, and the guard asks before every order: remember the last date's.
  if (standingMemo.date !== today) standingMemo = { date: today, slots: standingSlots(today) };
  return standingMemo.slots;
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
  // The earliest-starting covering slot, an announced one first on a tie (asked before every cycle and
  // order: no list joined and sorted per call). A standing slot is handed out as a copy.
  const covers = (w: MaintenanceSlot) => nowMs >= w.startMs - leadMs && nowMs < w.endMs;
  let found: MaintenanceSlot | undefined;
  for (const w of announced) if (covers(w) && (found === undefined || w.startMs < found.startMs)) found = w;
  for (const w of standingOf(nowMs)) {
    if (!covers(w)) continue;
    if (found === undefined || w.startMs < found.startMs) return { ...w };
    break; // ascending: a later standing slot starts later still
  }
  return found;
}

/** When the lead time of the next slot (announced or standing) starts after `nowMs`, if one is known. */
export function nextMaintenanceLeadAt(announced: readonly MaintenanceSlot[], nowMs: number, leadMs = MAINTENANCE_LEAD_MS): number | undefined {
  let next: number | undefined;
  const consider = (w: MaintenanceSlot) => {
    const t = w.startMs - leadMs;
    if (t > nowMs && (next === undefined || t < next)) next = t;
  };
  for (const w of announced) consider(w);
  for (const w of standingOf(nowMs)) consider(w);
  return next;
}
