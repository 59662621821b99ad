/**
 * Restart to first quote (SPEC §6.6; issue: "quoting again within a second"): `supervisor-index --sim` runs
 * into a window in a child process, is killed with SIGKILL, and is started again at the virtual instant it
 * died. Measured per restart: real time from spawn to the restarted process's `quoting` log line, and
 * virtual time from its start instant (`--now`) to that line. Same real executable an operator runs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/config/package-root.ts';
import { fromSamples, type Report } from './harness.ts';

const BIN = path.join(packageRoot(), 'bin', 'kalshi-alpha.js');
const ROUNDS = 5;

interface Line {
  msg?: string;
  ts_ms?: number;
}

function run(home: string, nowMs: number, until: (l: Line) => boolean): Promise<{ line: Line; realMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [BIN, 'supervisor-index', '--sim', '--speed', '20', '--now', new Date(nowMs).toISOString(), '--log-format', 'json'], {
      env: { ...process.env, KALSHI_ALPHA_HOME: home, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let buf = '';
    let done = false;
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const text of lines) {
        let l: Line;
        try {
          l = JSON.parse(text) as Line;
        } catch {
          continue;
        }
        if (!done && until(l)) {
          done = true;
          const realMs = performance.now() - t0;
          p.kill('SIGKILL');
          resolve({ line: l, realMs });
        }
      }
    });
    p.on('exit', () => {
      if (!done) reject(new Error('supervisor exited before the awaited line'));
    });
  });
}

export default async function bench(report: Report): Promise<void> {
  const real: number[] = [];
  const virtual: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-restart-bench-'));
    try {
      // First life: into the window until it quotes and a few seconds of virtual time pass.
      let seen = 0;
      const first = await run(home, Date.parse('2026-11-20T09:50:00-05:00'), (l) => l.msg === 'quoting' && ++seen >= 2);
      // (SIGKILLed.) The snapshot tells where it died; restart there.
      const snap = JSON.parse(fs.readFileSync(path.join(home, 'data/proc/state/hot_restart.json'), 'utf8')) as { captured_ms: number };
      const restartAt = Math.max(snap.captured_ms, first.line.ts_ms ?? 0) + 100;
      const second = await run(home, restartAt, (l) => l.msg === 'quoting');
      real.push(second.realMs);
      virtual.push((second.line.ts_ms ?? restartAt) - restartAt);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
  report(fromSamples('restart to first quote, real time (spawn → quoting)', real, { unit: 'ms', target: '<= 1000 ms' }));
  report(fromSamples('restart to first quote, virtual time (--now → quoting, speed 20)', virtual, { unit: 'ms', target: '<= 1000 ms' }));
}
