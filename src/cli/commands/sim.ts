/**
 * `kalshi-alpha sim` (SPEC §2, §9): the simulator's servers standalone on loopback — Kalshi REST and
 * websocket (signed requests verified against a throwaway key whose private half it writes, 0600, for the
 * client), and two Massive index feeds (websocket + REST each) — printing the URLs and the environment to
 * point a real run at them, until Ctrl-C. Time is the process clock (a run on real time talks to it as to
 * the exchange), or a virtual clock from `--now` at `--speed`. `--world classic` serves the old simulated
 * world (default: the regime world, sim/day/world.ts).
 *
 * `kalshi-alpha sim bars` writes a simulated world's 1-minute bars (the trading days from `--from`) as the
 * CSV `calibrate --bars` reads — `timestamp,close`, ET offset in the timestamp, stamped at the bar's start
 * (Massive's convention, `--bar-stamp start`) — so anyone can look at the world and calibrate on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { parseNonNegativeNumber, parseWorldArg } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { etDateOf, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { VirtualClock } from '../../adapters/clock/virtual-clock.ts';
import { SystemClock } from '../../adapters/clock/system-clock.ts';
import { startSimEnv } from '../../app/sim-env.ts';
import { SIM_TICK_MS, simWorldFor } from '../../app/market-adapters.ts';
import { CalendarRangeError } from '../../core/calendar/calendar.ts';
import { assertDate, formatEt } from '../../core/time/et.ts';
import type { IndexSymbol } from '../../core/series.ts';
import { writeFileAtomic } from '../../adapters/fs/atomic-write.ts';
import { checkOutputFile } from '../../config/user-file.ts';
import { ConfigError } from '../../config/index-ops.ts';
import type { SimWorld, SimWorldKind } from '../../sim/day/world.ts';
import { simMinuteBars } from '../../sim/day/bars.ts';
import { parseSymbolArg } from './calibrate.ts';

interface SimFlags {
  seed: string;
  now?: string;
  speed?: number;
  kalshiPort?: number;
  polygonPort?: number;
  massivePort?: number;
  world: SimWorldKind;
  json?: boolean;
}

interface BarsFlags {
  symbol: IndexSymbol;
  from: string;
  days: number;
  seed: string;
  world: SimWorldKind;
  out: string;
  json?: boolean;
}

/** The longest run `sim bars` writes (the calendar's three years hold ~750 trading days). */
const MAX_BAR_DAYS = 800;

const parseDate = (v: string): string => {
  try {
    return assertDate(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

const parseDays = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BAR_DAYS) throw new InvalidArgumentError(`expected a whole number of trading days 1–${MAX_BAR_DAYS}, got "${v}"`);
  return n;
};

const parseSeed = (text: string): number => {
  const seed = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${text}"`);
  return seed;
};

const parsePort = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0–65535, got "${v}"`);
  return n;
};

/** Options `sim bars` shares with the server command `sim`. */
const SHARED = new Set(['seed', 'world', 'json']);

/**
 * The flags of `sim bars`. Commander hands an option the parent command knows to the parent wherever it
 * stands (`sim bars --seed 3` sets `sim`'s --seed), so a shared option the parent took from the command line
 * is this subcommand's, and a server-only option (--now, ports) is refused rather than silently ignored.
 */
function barsFlags(own: BarsFlags, cmd: Command): BarsFlags {
  const parent = cmd.parent!;
  const out = { ...own } as unknown as Record<string, unknown>;
  for (const o of parent.options) {
    const key = o.attributeName();
    if (parent.getOptionValueSource(key) !== 'cli') continue;
    if (!SHARED.has(key)) throw new UsageError(`sim bars: ${o.long} is an option of the simulator server (sim), not of sim bars`);
    out[key] = parent.getOptionValue(key);
  }
  return out as unknown as BarsFlags;
}

export const registerSim: CommandRegistrar = (program, ctx) => {
  /** The world of a run: the kind, with the events of the home's `configs/events.yaml` (else the simulator's calendar). */
  const worldOf = (kind: SimWorldKind): SimWorld => {
    try {
      return simWorldFor(kind, ctx().paths.eventsConfig);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
  };
  const sim = program
    .command('sim')
    .description(describeCommand('sim'))
    .option('--seed <n>', 'simulator seed', '20261120')
    .option('--now <iso>', 'run on a virtual clock starting here (default: the real clock)')
    .option('--speed <n>', 'with --now: virtual-clock speed (default 1)', parseNonNegativeNumber)
    .option('--kalshi-port <port>', 'fixed port for the Kalshi REST + websocket server (default: any free port)', parsePort)
    .option('--polygon-port <port>', 'fixed port for the primary index feed (websocket + REST)', parsePort)
    .option('--massive-port <port>', 'fixed port for the secondary index feed (websocket + REST)', parsePort)
    .option('--world <regime|classic>', 'the simulated world: regime (vol regimes, clustering, events, jumps) or classic (the old constant-vol walk)', parseWorldArg, 'regime')
    .option('--json', 'print the URLs and environment as JSON')
    .action(async (opt: SimFlags) => {
      const c = ctx();
      const seed = parseSeed(opt.seed);
      const world = worldOf(opt.world);
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
        world,
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
        if (opt.json) c.json({ date: dateEt, seed, world: world.kind, clock: virtual ? { start: opt.now, speed: opt.speed ?? 1 } : 'real', servers, env });
        else {
          c.out(`simulator for ${dateEt} (seed ${seed}, ${world.kind} world) on loopback${virtual ? `, virtual clock from ${opt.now} at ${opt.speed ?? 1}×` : ''} — Ctrl-C to stop`);
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
  sim
    .command('bars')
    .description("write a simulated world's 1-minute bars (the trading days from --from) as the CSV calibrate --bars reads")
    .requiredOption('--symbol <symbol>', 'index: I:SPX or I:NDX', parseSymbolArg)
    .requiredOption('--from <date>', 'first ET date (YYYY-MM-DD; the run starts at the first trading day on or after it)', parseDate)
    .requiredOption('--days <n>', `number of trading days (1–${MAX_BAR_DAYS})`, parseDays)
    .requiredOption('--out <file>', 'output CSV (timestamp,close; stamped at the bar start, ET offset)')
    .option('--seed <n>', 'simulator seed', '20261120')
    .option('--world <regime|classic>', 'the simulated world: regime or classic', parseWorldArg, 'regime')
    .option('--json', 'print what was written as JSON')
    .action((own: BarsFlags, cmd: Command) => {
      const c = ctx();
      const opt = barsFlags(own, cmd);
      const seed = parseSeed(opt.seed);
      const out = path.resolve(c.home, opt.out);
      checkOutputFile(out, `--out ${opt.out}`);
      const world = worldOf(opt.world);
      let days;
      try {
        days = simMinuteBars({ symbol: opt.symbol, from: opt.from, days: opt.days, seed, world, calendar: c.calendar });
      } catch (e) {
        if (e instanceof CalendarRangeError || e instanceof RangeError) throw new UsageError(`--from ${opt.from} --days ${opt.days}: ${(e as Error).message}`);
        throw e;
      }
      const lines = ['timestamp,close'];
      let bars = 0;
      for (const d of days) {
        for (const b of d.bars) lines.push(`${formatEt(b.t)},${b.c.toFixed(2)}`);
        bars += d.bars.length;
      }
      writeFileAtomic(out, lines.join('\n') + '\n');
      const first = days[0]!.dateEt;
      const last = days[days.length - 1]!.dateEt;
      if (opt.json) c.json({ file: out, symbol: opt.symbol, seed, world: world.kind, days: days.length, from: first, to: last, bars });
      else c.out(`wrote ${bars} bars of ${opt.symbol} (${days.length} trading days ${first} … ${last}, seed ${seed}, ${world.kind} world) to ${opt.out}`);
    });
};
