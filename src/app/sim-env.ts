/**
 * The embedded simulator environment (SPEC §9): a Kalshi exchange and two Massive index feeds on
 * loopback, sharing one clock and one seeded day, plus a throwaway RSA key pair so the real signed
 * adapters talk to them unchanged (only URLs differ). No credentials, no internet.
 */
import crypto from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import { startKalshiSim, type KalshiSim, type KalshiSimOptions } from '../sim/kalshi/server.ts';
import { startMassiveSim, type MassiveSim } from '../sim/massive/server.ts';
import type { SimParticipantsOverrides } from '../sim/market/participants.ts';
import type { SimWorld, SimWorldSetting } from '../sim/day/world.ts';

export const SIM_KALSHI_KEY_ID = 'sim-key-00000000-0000-4000-8000-000000000000';
export const SIM_MASSIVE_KEY = 'sim-massive-key';

export interface SimEnvOptions {
  clock: Clock;
  seed: number;
  dateEt: string;
  host?: string;
  /** Fixed ports for a standalone `sim` (0 = any free port). */
  kalshiPort?: number;
  polygonPort?: number;
  massivePort?: number;
  /** Index tick cadence of the feed servers in clock ms (default 250: leaves margin under the 1.2 s SLO at high --speed). */
  tickIntervalMs?: number;
  /** Chance per market per maker tick of a noise-taker trade (default 0.08: a lively near-the-money market). */
  takerProbability?: number;
  /**
   * The simulated market's participants (maker, informed takers, noise takers; sim/market/participants.ts),
   * merged into their defaults. `takerProbability`, when given, wins over `participants.noise.probability`.
   */
  participants?: SimParticipantsOverrides;
  /** Further exchange options (scenarios: maintenance slots, settlement timer, …). */
  kalshi?: Partial<Omit<KalshiSimOptions, 'clock' | 'seed' | 'dateEt' | 'publicKeyPem' | 'apiKeyId' | 'host' | 'port' | 'world'>>;
  /** The simulated world of the exchange and both feeds (default `regime`; sim/day/world.ts). */
  world?: SimWorldSetting | SimWorld;
}

export interface SimEnv {
  kalshi: KalshiSim;
  /** Primary index feed server. */
  polygon: MassiveSim;
  /** Secondary index feed server (same seeded path). */
  massive: MassiveSim;
  kalshiKeyId: string;
  /** PKCS#8 PEM of the throwaway key the sim trusts. Held in memory only. */
  kalshiPrivateKeyPem: string;
  massiveApiKey: string;
  close(): Promise<void>;
}

/**
 * The throwaway key pair the simulator trusts: made once per process (a 2048-bit RSA key costs 50–300 ms of
 * CPU, and a looping supervisor starts one simulated environment per day), held in memory only.
 */
let simKeys: { publicKeyPem: string; privateKeyPem: string } | undefined;
function throwawayKeys(): { publicKeyPem: string; privateKeyPem: string } {
  if (!simKeys) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    simKeys = { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  }
  return simKeys;
}

export async function startSimEnv(o: SimEnvOptions): Promise<SimEnv> {
  const { publicKeyPem, privateKeyPem: kalshiPrivateKeyPem } = throwawayKeys();
  const host = o.host ?? '127.0.0.1';
  const started: { close(): Promise<void> }[] = [];
  try {
    const kalshi = await startKalshiSim({
      ...o.kalshi,
      clock: o.clock,
      seed: o.seed,
      dateEt: o.dateEt,
      world: o.world,
      publicKeyPem,
      apiKeyId: SIM_KALSHI_KEY_ID,
      host,
      port: o.kalshiPort ?? 0,
      participants: mergeParticipants(o.kalshi?.participants, o.participants),
      takerProbability: o.takerProbability ?? o.participants?.noise?.probability ?? o.kalshi?.participants?.noise?.probability ?? 0.08,
    });
    started.push(kalshi);
    const polygon = await startMassiveSim({ clock: o.clock, seed: o.seed, dateEt: o.dateEt, world: o.world, apiKey: SIM_MASSIVE_KEY, host, port: o.polygonPort ?? 0, tickIntervalMs: o.tickIntervalMs ?? 250 });
    started.push(polygon);
    const massive = await startMassiveSim({ clock: o.clock, seed: o.seed, dateEt: o.dateEt, world: o.world, apiKey: SIM_MASSIVE_KEY, host, port: o.massivePort ?? 0, tickIntervalMs: o.tickIntervalMs ?? 250 });
    started.push(massive);
    return {
      kalshi,
      polygon,
      massive,
      kalshiKeyId: SIM_KALSHI_KEY_ID,
      kalshiPrivateKeyPem,
      massiveApiKey: SIM_MASSIVE_KEY,
      async close() {
        await Promise.allSettled(started.map((s) => s.close()));
      },
    };
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw e;
  }
}

/** Field-by-field merge of two participant overrides (the later wins). */
function mergeParticipants(a: SimParticipantsOverrides | undefined, b: SimParticipantsOverrides | undefined): SimParticipantsOverrides | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    marketMaker: { ...a.marketMaker, ...b.marketMaker },
    informed: { ...a.informed, ...b.informed },
    noise: { ...a.noise, ...b.noise },
  };
}
