/**
 * Deliberate crashes for the kill -9 drills (issue: "kill at any point, mid-ledger-write included"): a
 * SIGKILL from outside cannot aim at the microseconds of one write, so the drill asks the process to kill
 * itself there. Inert unless `KALSHI_ALPHA_FAULT` is set (only tests set it), read once at start-up:
 *   KALSHI_ALPHA_FAULT=ledger_torn_write:N   the Nth ledger write stops half-way and the process dies (SIGKILL).
 */
const spec = process.env.KALSHI_ALPHA_FAULT?.trim();
const m = spec ? /^ledger_torn_write:(\d+)$/.exec(spec) : null;
let ledgerWritesLeft = m ? Number(m[1]) : 0;

/** True when this ledger write is the one that must be torn (the caller writes half, then `dieNow()`). */
export function tearThisLedgerWrite(): boolean {
  if (ledgerWritesLeft <= 0) return false;
  ledgerWritesLeft--;
  return ledgerWritesLeft === 0;
}

export function dieNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent to self');
}
