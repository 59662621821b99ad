/**
 * What `micro-index` and `supervisor-index` share on the command line: the data source, the run's clock
 * (the command owns it: system online, virtual with --sim / --offline), the logger, --now parsing.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { VirtualClock } from '../adapters/clock/virtual-clock.ts';
import { LOG_FORMATS, type LogFormat } from '../adapters/log/logger.ts';
import { parseInstant, TimeParseError } from '../core/time/et.ts';
import { simClock, type DataSource } from '../app/market-adapters.ts';
import type { CliContext } from './context.ts';
import { parseNonNegativeNumber } from './command.ts';
import { UsageError } from './errors.ts';

/** A faster virtual clock only multiplies loopback latency into virtual feed age; beyond this it is noise. */
export const MAX_SPEED = 1000;

export interface RunFlags {
  now?: string;
  sim?: boolean;
  offline?: boolean;
  speed?: number;
  broker: 'dry' | 'live';
  seed: string;
  killSwitchFile?: string;
  wsListen: boolean;
  quiet?: boolean;
  logFormat: LogFormat;
  json?: boolean;
  startupTimeout?: number;
}

export function addRunOptions(cmd: Command, o: { defaultSimSpeed: number }): Command {
  return cmd
    .option('--now <iso>', 'reference instant: the window active then, or the next one (default: now)')
    .option('--sim', 'run against the embedded simulator on loopback (no credentials, no internet)')
    .option('--offline', 'run from recorded fixture files (no network; WS gating bypassed)')
    .option('--speed <n>', `virtual-clock speed with --sim/--offline (default ${o.defaultSimSpeed} for --sim; 0 = as fast as possible, offline only; at most ${MAX_SPEED})`, parseNonNegativeNumber)
    .addOption(new Option('--broker <mode>', 'dry (paper) or live; live also needs KALSHI_LIVE_APPROVED=yes').choices(['dry', 'live']).default('dry'))
    .option('--seed <n>', 'simulator seed', '20261120')
    .option('--kill-switch-file <path>', 'kill-switch sentinel (default data/proc/state/kill_switch)')
    .option('--no-ws-listen', 'no index feed listener (WS gating bypassed; the simulator path prices)')
    .option('--startup-timeout <seconds>', 'give up connecting after this long (exit 1)', parseNonNegativeNumber, 60)
    .option('--quiet', 'only warnings and errors in the log')
    .addOption(new Option('--log-format <format>', 'text lines, or JSON lines (journald, CloudWatch)').choices([...LOG_FORMATS]).default('text'))
    .option('--json', 'print the result as JSON on stdout (log lines go to stderr)');
}

export interface RunSetup {
  source: DataSource;
  speed: number;
  seed: number;
  refNowMs: number;
  killSwitchFile: string;
}

export function parseRunFlags(opt: RunFlags, c: CliContext): RunSetup {
  if (opt.sim && opt.offline) throw new UsageError('give either --sim or --offline, not both');
  const source: DataSource = opt.sim ? 'sim' : opt.offline ? 'offline' : 'online';
  const speed = opt.speed ?? (source === 'sim' ? 10 : source === 'offline' ? 0 : 1);
  if (source === 'sim' && speed === 0) throw new UsageError('--speed 0 needs --offline (the simulator runs on real sockets, so its clock must flow)');
  if (source === 'online' && opt.speed !== undefined) throw new UsageError('--speed needs --sim or --offline');
  if (speed > MAX_SPEED) throw new UsageError(`--speed: at most ${MAX_SPEED} (got ${speed}): faster clocks turn loopback latency into virtual outages`);
  const seed = Number(opt.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${opt.seed}"`);
  let refNowMs: number;
  try {
    refNowMs = opt.now !== undefined ? parseInstant(opt.now) : c.clock.now();
  } catch (e) {
    if (e instanceof TimeParseError) throw new UsageError(e.message);
    throw e;
  }
  const killSwitchFile = opt.killSwitchFile ? path.resolve(c.home, opt.killSwitchFile) : c.paths.killSwitch;
  return { source, speed, seed, refNowMs, killSwitchFile };
}

/** The run's clock: the process clock online; a virtual one starting at `startMs` otherwise. */
export function runClock(c: CliContext, s: RunSetup, startMs: number): Clock {
  if (s.source === 'online') return c.clock;
  // A simulated clock stands still through start-up (simulator, connections, recovery, first preflight) and
  // flows from the first moment anything waits for time: real start-up costs no virtual time.
  return s.source === 'sim' ? simClock(startMs, s.speed, { holdUntilFirstSleep: true }) : new VirtualClock(startMs, { speed: s.speed });
}

export function runLogger(c: CliContext, opt: RunFlags, clock: () => Clock): Logger {
  return c.logger({ clock, format: opt.logFormat, quiet: opt.quiet, toStderr: Boolean(opt.json) });
}
