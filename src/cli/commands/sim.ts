/**
 * `kalshi-alpha sim` (SPEC §2, §9): the simulator's servers standalone on loopback — Kalshi REST and
 * websocket (signed requests verified against a throwaway key whose private half it writes, 0600, for the
 * client), and two Massive index feeds (websocket + REST each) — printing the URLs and the environment to
 * point a real run at them, until Ctrl-C. Time is the process clock (a run on real time talks to it as to
 * the exchange), or a virtual clock from `--now` at `--speed`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseNonNegativeNumber } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { etDateOf, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { startSimEnv } from '../../app/sim-env.ts';
import { SIM_TICK_MS } from '../../app/market-adapters.ts';

interface SimFlags {
  seed: string;
  now?: string;
  speed?: number;
  kalshiPort?: number;
  polygonPort?: number;
  massivePort?: number;
  json?: boolean;
}

const parsePort = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0–65535, got "${v}"`);
  return n;
};

export const registerSim: CommandRegistrar = (program, ctx) => {
  program
    .command('sim')
    .description(describeCommand('sim'))
    .option('--seed <n>', 'simulator seed', '20261120')
    .option('--now <iso>', 'run on a virtual clock starting here (default: the real clock)')
    .option('--speed <n>', 'with --now: virtual-clock speed (default 1)', parseNonNegativeNumber)
    .option('--kalshi-port <port>', 'fixed port for the Kalshi REST + websocket server (default: any free port)', parsePort)
    .option('--polygon-port <port>', 'fixed port for the primary index feed (websocket + REST)', parsePort)
    .option('--massive-port <port>', 'fixed port for the secondary index feed (websocket + REST)', parsePort)
    .option('--json', 'print the URLs and environment as JSON')
    .action(async (opt: SimFlags) => {
      const c = ctx();
      const seed = Number(opt.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${opt.seed}"`);
      if (opt.speed !== undefined && opt.now === undefined) throw new UsageError('--speed needs --now (the real clock runs at speed 1)');
      if (opt.speed === 0) throw new UsageError('--speed: the simulator serves sockets, so its clock must flow (> 0)');
      let clock: Clock = c.clock;
      let virtual: VirtualClock | undefined;
      if (opt.now !== undefined) {
        let start: number;
        try {
          start = parseInstant(opt.now);
        } catch (e) {
          if (e instanceof TimeParseError) throw new UsageError(`--now: ${e.message}`);
          throw e;
        }
        clock = virtual = new VirtualClock(start, { speed: opt.speed ?? 1, maxStepVirtualMs: 200 });
      }
      const dateEt = etDateOf(clock.now());
      const sim = await startSimEnv({
        clock,
        seed,
        dateEt,
        tickIntervalMs: SIM_TICK_MS,
        kalshiPort: opt.kalshiPort,
        polygonPort: opt.polygonPort,
        massivePort: opt.massivePort,
        // Clients sign with their own (real) clock, whatever time the simulator shows.
        kalshi: virtual ? { signatureClock: new SystemClock() } : {},
      });
      const keyDir = path.join(c.home, 'data', 'proc', 'sim');
      const keyFile = path.join(keyDir, `kalshi-sim-key-${sim.kalshi.port}.pem`);
      try {
        fs.mkdirSync(keyDir, { recursive: true });
        fs.writeFileSync(keyFile, sim.kalshiPrivateKeyPem, { mode: 0o600, flag: 'wx' });
        const env = {
          KALSHI_API_BASE: sim.kalshi.restBase,
          KALSHI_WS_URL: sim.kalshi.wsUrl,
          KALSHI_API_KEY_ID: sim.kalshiKeyId,
          KALSHI_PRIVATE_KEY_PEM_PATH: keyFile,
          POLYGON_API_KEY: sim.massiveApiKey,
          MASSIVE_WS_URL: sim.polygon.wsUrl,
          MASSIVE_REST_BASE: sim.massive.restUrl,
        };
        const servers = {
          kalshi: { rest: sim.kalshi.restBase, ws: sim.kalshi.wsUrl },
          polygon: { ws: sim.polygon.wsUrl, rest: sim.polygon.restUrl },
          massive: { ws: sim.massive.wsUrl, rest: sim.massive.restUrl },
        };
        if (opt.json) c.json({ date: dateEt, seed, clock: virtual ? { start: opt.now, speed: opt.speed ?? 1 } : 'real', servers, env });
        else {
          c.out(`simulator for ${dateEt} (seed ${seed}) on loopback${virtual ? `, virtual clock from ${opt.now} at ${opt.speed ?? 1}×` : ''} — Ctrl-C to stop`);
          c.out(`  Kalshi REST        ${servers.kalshi.rest}`);
          c.out(`  Kalshi websocket   ${servers.kalshi.ws}`);
          c.out(`  polygon feed       ${servers.polygon.ws}  (REST ${servers.polygon.rest})`);
          c.out(`  massive feed       ${servers.massive.ws}  (REST ${servers.massive.rest})`);
          c.out('point a run at it (feeds per configs/index_ops.yaml: websocket feeds use MASSIVE_WS_URL, REST feeds MASSIVE_REST_BASE):');
          for (const [k, v] of Object.entries(env)) c.out(`  export ${k}=${v}`);
        }
        await new Promise<void>((resolve) => {
          const signal = c.io.signal;
          if (!signal) return; // no way to be stopped but the process ending
          if (signal.aborted) return resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (!opt.json) c.out('simulator stopped');
      } finally {
        await sim.close();
        virtual?.dispose();
        fs.rmSync(keyFile, { force: true });
      }
    });
};
