/**
 * `kalshi-alpha --help` start-up cost: the real executable (bin/kalshi-alpha.js) as a child process, wall
 * time from spawn to exit, after one unmeasured run that warms the OS file cache. It runs the built bundle
 * (dist/, when fresh) and loads no command module; the target is what an operator's shell should feel.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/config/package-root.ts';
import { fromSamples, type Report } from './harness.ts';

const BIN = path.join(packageRoot(), 'bin', 'kalshi-alpha.js');
const RUNS = 7;

export default async function run(report: Report): Promise<void> {
  const once = (): number => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, '--help'], { cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 || !/kill-switch/.test(r.stdout)) throw new Error(`kalshi-alpha --help failed (exit ${r.status}): ${r.stderr}`);
    return ms;
  };
  once();
  const samples = Array.from({ length: RUNS }, once);
  report(fromSamples('cli: kalshi-alpha --help start-up (child process)', samples, { unit: 'ms', target: '<= 300 ms', extra: { bin: path.relative(process.cwd(), BIN) } }));
}
