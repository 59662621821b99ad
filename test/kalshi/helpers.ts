/** Shared test plumbing for the Kalshi adapter/simulator tests (not a test file itself). */
import crypto from 'node:crypto';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { KalshiSigner } from '../../src/adapters/kalshi/auth.ts';
import { KalshiRestClient, type KalshiRestOptions } from '../../src/adapters/kalshi/rest-client.ts';
import { startKalshiSim, type KalshiSim, type KalshiSimOptions } from '../../src/sim/kalshi/server.ts';
import { etToMs } from '../../src/core/time/et.ts';
import type { LogFields, Logger } from '../../src/ports/logger.ts';

export const SIM_DATE = '2026-11-20';
export const KEY_ID = 'a952bcbe-ec3b-4b5b-b8f9-11dae589608c';

let cached: { privatePem: string; privatePkcs8Pem: string; publicPem: string } | undefined;

/** One RSA key pair per test process (generation is the slow part). */
export function testKeys() {
  if (!cached) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    cached = {
      privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      privatePkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return cached;
}

export interface Rig {
  clock: VirtualClock;
  sim: KalshiSim;
  signer: KalshiSigner;
  rest: KalshiRestClient;
  close(): Promise<void>;
}

export async function startRig(
  opts: Partial<Omit<KalshiSimOptions, 'clock' | 'publicKeyPem'>> & { startEt?: string; rest?: Partial<KalshiRestOptions> } = {},
): Promise<Rig> {
  const keys = testKeys();
  const clock = new VirtualClock(etToMs(opts.dateEt ?? SIM_DATE, opts.startEt ?? '09:45'));
  const sim = await startKalshiSim({ seed: 7, dateEt: SIM_DATE, thresholdStrikes: 9, rangeBins: 6, ...opts, clock, publicKeyPem: keys.publicPem, apiKeyId: KEY_ID });
  const signer = KalshiSigner.fromPem(KEY_ID, keys.privatePem, clock);
  const rest = new KalshiRestClient({ baseUrl: sim.restBase, clock, signer, retry: { baseDelayMs: 100, maxDelayMs: 400 }, random: () => 0.5, ...opts.rest });
  return { clock, sim, signer, rest, close: () => sim.close() };
}

/** Awaits `p` while moving virtual time forward in small steps (for clock-driven backoff/reconnects). */
export async function drive<T>(clock: VirtualClock, p: Promise<T>, stepMs = 50): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await new Promise((r) => setTimeout(r, 2));
    if (!done) await clock.advance(stepMs);
  }
  return p;
}

/** Waits (real time, bounded) until `cond()` holds, advancing virtual time by `stepMs` between checks. */
export async function until(clock: VirtualClock, cond: () => boolean, what: string, stepMs = 0, maxIterations = 2000): Promise<void> {
  for (let i = 0; i < maxIterations; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
    if (stepMs > 0) await clock.advance(stepMs);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** A Logger that appends every line (`<level> <msg> <fields as JSON>`) to `lines`, to assert on. */
export function captureLogger(lines: string[] = []): Logger & { lines: string[] } {
  const put = (level: string) => (obj: LogFields | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? `${level} ${obj}` : `${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  };
  const logger: Logger & { lines: string[] } = { lines, debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error'), child: () => logger };
  return logger;
}
