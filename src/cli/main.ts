/** Process entry: wires the real process (argv, env, stdio, signals) to the in-process runner. */
import { runCli } from './program.ts';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => controller.abort(new Error(`received ${sig}`)));
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  signal: controller.signal,
});
process.exitCode = code;
