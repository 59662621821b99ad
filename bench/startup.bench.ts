/**
 * Start-up cost of the real executable (bin/kalshi-alpha.js), each run a fresh child process, wall time from
 * spawn to exit, after one unmeasured run that warms the OS file cache:
 * - `kalshi-alpha --help`: the built bundle (dist/, when fresh) loading no command module — what an
 *   operator's shell feels. Runs alternate with a bare `node -e 0`, so the line also says how much of it
 *   is Node's own start-up on this machine (`node_baseline_ms`) and what kalshi-alpha adds on top, measured
 *   side by side in one run (the machine is shared and noisy).
 * - The bin's check that dist/ matches src/ (scripts/build-stamp.mjs: import + one directory walk), timed
 *   inside a fresh process, since every start pays it once.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/config/package-root.ts';
import { fromSamples, quantile, round, type Report } from './harness.ts';

const ROOT = packageRoot();
const BIN = path.join(ROOT, 'bin', 'kalshi-alpha.js');
const RUNS = 9;

function wallMs(args: string[]): { ms: number; stdout: string; stderr: string; status: number | null } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export default async function run(report: Report): Promise<void> {
  const help = (): number => {
    const r = wallMs([BIN, '--help']);
    if (r.status !== 0 || !/kill-switch/.test(r.stdout)) throw new Error(`kalshi-alpha --help failed (exit ${r.status}): ${r.stderr}`);
    return r.ms;
  };
  const bare = (): number => wallMs(['-e', '0']).ms;
  help();
  bare();
  const helpMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    helpMs.push(help());
    bareMs.push(bare());
  }
  const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
  report(
    fromSamples('startup: kalshi-alpha --help, fresh process', helpMs, {
      unit: 'ms',
      target: '<= 300 ms',
      extra: { node_baseline_ms: round(median(bareMs)), over_node_ms: round(median(helpMs) - median(bareMs)), bin: path.relative(process.cwd(), BIN) },
    }),
  );

  const stamp = pathToFileURL(path.join(ROOT, 'scripts', 'build-stamp.mjs')).href;
  // The check's first (cold) call in a fresh process; its module's import separately (mostly the ES module
  // loader starting up, which the bin's own entry pays anyway).
  const probe = `const t=performance.now();const m=await import(${JSON.stringify(stamp)});const t1=performance.now();const fresh=m.bundleFresh();process.stdout.write(JSON.stringify({importMs:t1-t,ms:performance.now()-t1,fresh}))`;
  const checkMs: number[] = [];
  const importMs: number[] = [];
  let fresh = false;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build-stamp probe failed: ${r.stderr}`);
    const o = JSON.parse(r.stdout) as { importMs: number; ms: number; fresh: boolean };
    checkMs.push(o.ms);
    importMs.push(o.importMs);
    fresh = o.fresh;
  }
  report(fromSamples('startup: dist-matches-src check in bin (walk of src/, cold)', checkMs, { unit: 'ms', target: '<= 20 ms', extra: { import_ms: round(median(importMs)), bundle_fresh: fresh } }));
}
