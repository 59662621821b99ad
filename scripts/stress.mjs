#!/usr/bin/env node
// `npm run test:stress`: the whole suite twice at once — two test runs side by side on the machine's cores —
// after one type-check and build. Fails if either run fails. A test that passes alone and fails here turns
// real latency into a result (see README, "Tests"): run it before a change to the engine, a clock or the
// simulator.
//
// Each run has its own temporary directory (TMPDIR: every test's working roots) and its own test-output/,
// and its own log file; both summaries and wall times are printed. Arguments:
//   --runs N     how many runs at once (default 2)
//   <filter>...  only test files whose path contains one of these (as scripts/run-tests.mjs)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
let runs = 2;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else filters.push(args[i]);
}
if (!Number.isInteger(runs) || runs < 1) {
  console.error('stress: --runs needs a positive integer');
  process.exit(2);
}

const step = (what, cmd, argv) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`stress: ${what} failed`);
    process.exit(r.status ?? 1);
  }
};
step('type-check', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
step('build', process.execPath, [path.join(root, 'scripts/build.mjs')]);

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ka-stress-'));
// Each run's TMPDIR stands for /tmp: reachable by every user (mkdtemp makes it 0700). Tests that check a
// refused permission drop to `nobody` in a child, which must still reach its home under TMPDIR.
fs.chmodSync(base, 0o755);
// The runs' temporary roots on tmpfs when there is one, as scripts/run-tests.mjs puts them (logs stay in base).
const tmpRoot = (() => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    const d = fs.mkdtempSync('/dev/shm/ka-stress-');
    fs.chmodSync(d, 0o755);
    return d;
  } catch {
    return base;
  }
})();
const fmt = (ms) => `${Math.floor(ms / 60_000)}m${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}s`;

function run(i) {
  const dir = path.join(base, `run-${i}`);
  const tmp = path.join(tmpRoot, `run-${i}`, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(path.dirname(tmp), 0o755);
  fs.chmodSync(tmp, 0o1777);
  const logFile = path.join(dir, 'test.log');
  const log = fs.openSync(logFile, 'w');
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'scripts/run-tests.mjs'), ...filters], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp, KA_TEST_OUTPUT: path.join(dir, 'test-output') },
    stdio: ['ignore', log, log],
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      fs.closeSync(log);
      resolve({ i, code: code ?? (signal ? 128 : 1), wallMs: performance.now() - t0, logFile });
    });
  });
}

console.log(`stress: ${runs} runs of the suite at once on ${os.availableParallelism()} cores (logs under ${base})`);
const results = await Promise.all(Array.from({ length: runs }, (_, i) => run(i + 1)));

let failed = 0;
for (const r of results) {
  const text = fs.readFileSync(r.logFile, 'utf8');
  const info = (k) => new RegExp(`^ℹ ${k} ([\\d.]+)$`, 'm').exec(text)?.[1] ?? '?';
  const ok = r.code === 0;
  if (!ok) failed++;
  console.log(`run ${r.i}: ${ok ? 'pass' : `FAIL (exit ${r.code})`} — tests ${info('tests')}, pass ${info('pass')}, fail ${info('fail')}, cancelled ${info('cancelled')}; wall ${fmt(r.wallMs)}; log ${r.logFile}`);
  if (!ok) {
    const at = text.indexOf('✖ failing tests:');
    const tail = at >= 0 ? text.slice(at) : text.slice(-4000);
    console.log(tail.split('\n').filter((l) => /^✖|Error|assert|expected|actual|^\s{2}\S/.test(l)).slice(0, 40).join('\n'));
  }
}
if (tmpRoot !== base && process.env.KA_KEEP_TMP !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
if (failed === 0 && process.env.KA_KEEP_TMP !== '1') fs.rmSync(base, { recursive: true, force: true });
else console.log(`stress: logs kept in ${base}`);
process.exit(failed === 0 ? 0 : 1);
