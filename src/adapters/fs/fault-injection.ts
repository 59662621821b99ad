/**
 * Deliberate crashes for the kill -9 drills (issue: "kill at any point, mid-ledger-write included"): a
 * SIGKILL from outside cannot aim at the microseconds of one write, so the drill asks the process to kill
 * itself there. Inert unless `KALSHI_ALPHA_FAULT` is set (only tests set it), read once at start-up:
 *   KALSHI_ALPHA_FAULT=ledger_torn_write:N   the Nth ledger write stops half-way and the process dies (SIGKILL).
 *   KALSHI_ALPHA_FAULT=crash_after_write:N   after the Nth ledger write a bug escapes every handler (an
 *                                            uncaught exception): the last-resort handler must act.
 */
const spec = process.env.KALSHI_ALPHA_FAULT?.trim();
const m = spec ? /^(ledger_torn_write|crash_after_write):(\d+)$/.exec(spec) : null;
const kind = m?.[1];
let ledgerWritesLeft = m ? Number(m[2]) : 0;

/** True when this ledger write is the one that must be torn (the caller writes half, then `dieNow()`). */
export function tearThisLedgerWrite(): boolean {
  if (kind !== 'ledger_torn_write' || ledgerWritesLeft <= 0) return false;
  ledgerWritesLeft--;
  return ledgerWritesLeft === 0;
}

/** After a completed ledger write: the Nth one throws an uncaught error on the next turn of the loop. */
export function afterLedgerWrite(): void {
  if (kind !== 'crash_after_write' || ledgerWritesLeft <= 0) return;
  ledgerWritesLeft--;
  if (ledgerWritesLeft === 0) {
    setImmediate(() => {
      throw new Error('injected bug (KALSHI_ALPHA_FAULT=crash_after_write)');
    });
  }
}

export function dieNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent to self');
}
