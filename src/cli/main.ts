/**
 * Process entry: wires the real process (argv, env, stdio, signals) to the in-process runner.
 * - SIGINT / SIGTERM: the first aborts the running command (it cancels its orders, writes its state and
 *   exits 0); a second one exits at once.
 * - A crash that escapes every handler (uncaught exception, unhandled rejection) is logged (redacted),
 *   every registered cancel-all runs (bounded), and the process exits 70 — never silently.
 */
import { runCli } from './program.ts';
import { runCaptureRequests, runEmergency } from '../app/last-resort.ts';
// (Nothing else here: what this module imports, `kalshi-alpha --help` loads. The secret redaction — the
// environment, config and logger modules — is loaded only when a command or a fatal error needs it.)

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals++;
    if (signals === 1) {
      controller.abort(new Error(`received ${sig}`));
      return;
    }
    process.stderr.write(`kalshi-alpha: second signal (${sig}): exiting now\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

// `hot-restart capture` from another shell: write a snapshot now.
process.on('SIGUSR2', () => void runCaptureRequests());

let dying = false;
async function lastResort(kind: string, e: unknown): Promise<void> {
  if (dying) return;
  dying = true;
  const { secretsRedactor } = await import('./context.ts'); // loaded already by any command that runs
  const redactor = secretsRedactor(process.env);
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(redactor.mask(`kalshi-alpha: fatal ${kind}: ${err.message}\n${err.stack ?? ''}\n`));
  const r = await runEmergency(`fatal_error`, 2_000);
  process.stderr.write(`kalshi-alpha: emergency cancel-all ${r === 'done' ? 'completed' : 'timed out'}; exiting 70\n`);
  process.exit(70);
}
process.on('uncaughtException', (e) => void lastResort('uncaught exception', e));
process.on('unhandledRejection', (e) => void lastResort('unhandled rejection', e));

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  signal: controller.signal,
});
process.exitCode = code;
