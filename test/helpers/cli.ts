/** Runs the CLI in-process against a temporary working root. */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/program.ts';
import { tempDir } from './tmp.ts';
import type { Clock } from '../../src/ports/clock.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary working root, removed when the test process exits (helpers/tmp.ts). */
export function tempHome(prefix = 'ka-test-'): string {
  return tempDir(prefix);
}

export async function cli(argv: string[], opts: { home?: string; env?: Record<string, string>; clock?: Clock } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const home = opts.home ?? tempHome();
  const code = await runCli(argv, {
    env: { ...opts.env },
    cwd: home,
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    clock: opts.clock,
  });
  return { code, stdout, stderr };
}
