/**
 * The `kalshi-alpha` command tree and its in-process runner. Each subcommand lives in
 * `commands/<name>.ts` and exports `register(program, ctx)`; add one line below per command.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CliContext, secretsRedactor, type CliIO } from './context.ts';
import { CheckFailed, UsageError } from './errors.ts';
import { UserFileError } from '../config/user-file.ts';
import type { CommandRegistrar } from './command.ts';
import { registerKillSwitch } from './commands/kill-switch.ts';
import { registerScanLadders } from './commands/scan-ladders.ts';
import { registerCalibrate } from './commands/calibrate.ts';
import { registerPrice } from './commands/price.ts';
import { registerWindows } from './commands/windows.ts';
import { registerMicroIndex } from './commands/micro-index.ts';
import { registerFailoverSmoke } from './commands/failover-smoke.ts';
import { registerOrders } from './commands/orders.ts';
import { registerScoreboard } from './commands/scoreboard.ts';
import { registerSupervisorIndex } from './commands/supervisor-index.ts';
import { registerPreflight } from './commands/preflight.ts';
import { registerMonitors } from './commands/monitors.ts';
import { registerHousekeep } from './commands/housekeep.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerEvaluate } from './commands/evaluate.ts';

const REGISTRARS: CommandRegistrar[] = [
  registerScanLadders,
  registerOrders,
  registerScoreboard,
  registerFailoverSmoke,
  registerWindows,
  registerSupervisorIndex,
  registerPreflight,
  registerMonitors,
  registerMicroIndex,
  registerKillSwitch,
  registerCalibrate,
  registerPrice,
  registerHousekeep,
  registerDashboard,
  registerEvaluate,
];

export function buildProgram(io: CliIO, state: { exitCode: number; ctx?: CliContext }): Command {
  const program = new Command('kalshi-alpha');
  const getCtx = () => (state.ctx ??= new CliContext(io, Boolean(program.opts().debug)));
  program
    .description("Maker-only paper trading of Kalshi's S&P 500 and Nasdaq-100 index ladders")
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const register of REGISTRARS) register(program, getCtx, state);
  return program;
}

/** Runs the CLI in-process and returns the exit code (SPEC §2: 0 ok, 1 NO-GO/failed, 2 bad usage/input). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const state: { exitCode: number; ctx?: CliContext } = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      return 2; // commander already printed its one-line reason
    }
    const debug = argv.includes('--debug');
    const err = e as Error;
    // Every error text passes the secret redaction (an error may quote what a server sent back).
    let redactor;
    try {
      redactor = state.ctx?.redactor ?? secretsRedactor(io.env);
    } catch {
      redactor = secretsRedactor(io.env);
    }
    io.err(redactor.mask(`kalshi-alpha: ${err.message}\n`));
    if (debug && err.stack) io.err(redactor.mask(err.stack + '\n'));
    if (e instanceof UsageError || e instanceof InvalidArgumentError || e instanceof UserFileError) return 2;
    if (e instanceof CheckFailed) return 1;
    return 1;
  }
}
