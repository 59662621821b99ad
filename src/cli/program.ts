/**
 * The `kalshi-alpha` command tree and its in-process runner. Commands are listed in `manifest.ts` (name,
 * description, module); only the module of the command being run is loaded — `kalshi-alpha --help` loads
 * none, and no command pays for another's imports. Each module exports a `CommandRegistrar`.
 */
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { CheckFailed, UsageError } from './errors.ts';
import { UserFileError } from '../config/user-file.ts';
import { COMMANDS } from './manifest.ts';

type RunState = { exitCode: number; ctx?: CliContext };

/** The command a command line runs (`help X` runs X's help), if it names one. */
function invokedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program for `argv`: the invoked command fully registered, every other one as a name and description
 * (enough for the top-level help). `'all'` registers every command (tools that inspect the whole tree).
 */
export async function buildProgram(io: CliIO, state: RunState, argv: readonly string[] | 'all'): Promise<Command> {
  const program = new Command('kalshi-alpha');
  program
    .description("Maker-only paper trading of Kalshi's S&P 500 and Nasdaq-100 index ladders")
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const wanted = argv === 'all' ? undefined : invokedCommand(argv);
  const load = (name: string) => argv === 'all' || name === wanted;
  let getCtx: () => CliContext = () => {
    throw new Error('internal: no command context loaded');
  };
  if (COMMANDS.some((c) => load(c.name))) {
    const { CliContext } = await import('./context.ts');
    getCtx = () => (state.ctx ??= new CliContext(io, Boolean(program.opts().debug)));
  }
  for (const c of COMMANDS) {
    if (load(c.name)) (await c.load())(program, getCtx, state);
    else program.command(c.name).description(c.description);
  }
  return program;
}

/** Runs the CLI in-process and returns the exit code (SPEC §2: 0 ok, 1 NO-GO/failed, 2 bad usage/input). */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const state: RunState = { exitCode: 0 };
  try {
    const program = await buildProgram(io, state, argv);
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // `--help` / `help` exit 0; help shown because no (sub)command was given is bad usage, printed on stderr.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return e.exitCode === 0 ? 0 : 2;
      return 2; // commander already printed its one-line reason
    }
    const debug = argv.includes('--debug');
    const err = e as Error;
    // Every error text passes the secret redaction (an error may quote what a server sent back).
    const { secretsRedactor } = await import('./context.ts');
    let redactor;
    try {
      redactor = state.ctx?.redactor ?? secretsRedactor(io.env);
    } catch {
      redactor = secretsRedactor(io.env);
    }
    // A directory that refuses writes is named as such (not the temporary file the code tried first): bad input.
    const { unwritableDirectoryReason } = await import('./fs-error.ts');
    const unwritable = unwritableDirectoryReason(e, state.ctx ? path.join(state.ctx.home, 'data') : undefined);
    io.err(redactor.mask(`kalshi-alpha: ${unwritable ?? err.message}\n`));
    if (debug && err.stack) io.err(redactor.mask(err.stack + '\n'));
    if (unwritable) return 2;
    if (e instanceof UsageError || e instanceof InvalidArgumentError || e instanceof UserFileError) return 2;
    if (e instanceof CheckFailed) return 1;
    return 1;
  }
}
