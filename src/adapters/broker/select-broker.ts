/**
 * The live-trading gate (SPEC §3, ARCHITECTURE "Safety"): the broker is `dry` unless the operator asked
 * for `--broker live` AND the environment carries `KALSHI_LIVE_APPROVED` exactly `yes`. Nothing here
 * ever sets or implies the approval; a refusal is a clear error, never a silent fall-back to dry.
 */
import type { Broker, BrokerMode } from '../../ports/broker.ts';

export class LiveBrokerRefused extends Error {
  override name = 'LiveBrokerRefused';
}

export const LIVE_APPROVAL_VAR = 'KALSHI_LIVE_APPROVED';

/**
 * Throws unless live trading is explicitly approved. Pass the *raw* environment value: `yes` must be
 * exact (not `YES`, `true`, ` yes`). `asked` is what the operator typed that needs the approval, in the
 * flags of the command at hand (`--broker live`, `--mode live --apply`).
 */
export function assertLiveApproved(approval: string | undefined, asked = '--broker live'): void {
  if (approval !== 'yes') {
    throw new LiveBrokerRefused(
      `${asked} refused: live trading needs explicit human approval; set ${LIVE_APPROVAL_VAR}=yes (exactly) in the environment` +
        (approval === undefined ? '' : ' (the current value is not "yes")'),
    );
  }
}

export interface SelectBrokerOptions {
  /** The `--broker` flag; undefined means the default, dry. */
  requested: BrokerMode | string | undefined;
  /** Raw value of KALSHI_LIVE_APPROVED (untrimmed). */
  liveApproval: string | undefined;
  makeDry: () => Broker;
  /** Only called once the gate has passed. */
  makeLive: () => Broker;
}

export function selectBroker(o: SelectBrokerOptions): Broker {
  const requested = o.requested ?? 'dry';
  if (requested === 'dry') return o.makeDry();
  if (requested !== 'live') throw new LiveBrokerRefused(`unknown broker "${requested}" (expected dry or live)`);
  assertLiveApproved(o.liveApproval);
  return o.makeLive();
}
