#!/usr/bin/env node
// Runs every test/**/*.test.ts through Node's test runner (Node 20's --test has no globs), the TypeScript
// compiled once per run (scripts/ts/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileAll } from './ts/compile.mjs';

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? find(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}

// --durations[=N]: also print the N slowest files (default 10) at the end (scripts/durations-reporter.mjs).
const args = process.argv.slice(2);
const durations = args.find((a) => a === '--durations' || a.startsWith('--durations='));
const filters = args.filter((a) => a !== durations);
// Three files at a time on the 2 cores: about a third of the suite's wall time is waiting (paced clocks,
// child processes, sockets), so a third file keeps both cores busy (345 s → 309 s for the whole run here;
// 4 gave no more). KA_TEST_CONCURRENCY=N to change it.
const concurrency = Number(process.env.KA_TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('run-tests: KA_TEST_CONCURRENCY must be a positive integer');
  process.exit(2);
}
const matched = find('test').sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (matched.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// Slowest first, by the wall times of the last whole run (test-output/durations.json, written below): three
// files run at a time, and a slow file started last would run alone at the end. Files it does not know
// (new ones) go first, the rest in path order.
const DURATIONS = 'test-output/durations.json';
let known = {};
try {
  known = JSON.parse(fs.readFileSync(DURATIONS, 'utf8'));
} catch {
  // no whole run yet: path order
}
if (Object.keys(known).length === 0) {
  // a clean clone: the times committed beside this script (copy test-output/durations.json there when files
  // are added or their cost changes a lot; only the order is read from it)
  try {
    known = JSON.parse(fs.readFileSync(new URL('./test-durations.json', import.meta.url), 'utf8'));
  } catch {
    // none: path order
  }
}
const files = matched.map((f, i) => ({ f, i, ms: known[f] ?? Number.POSITIVE_INFINITY })).sort((a, b) => b.ms - a.ms || a.i - b.i).map((x) => x.f);
// Only a whole run outside `npm run test:stress` (whose runs have test-output/ dirs of their own) records them.
const record = filters.length === 0 && !process.env.KA_TEST_OUTPUT;

// The run's scratch space, removed at the end: every test's temporary roots (TMPDIR) and the simulator fits
// its processes share (KA_SIM_CALIBRATION_CACHE: app/sim-calibration.ts). On tmpfs (/dev/shm) when there is
// one and TMPDIR is not set already (test:stress sets one per run): the suite writes thousands of small files
// atomically (temp file, fsync, rename, fsync of the directory), a sixth of its time on a disk and nothing
// there; what the tests check of those writes (atomic rename, permissions, locks) is the same on both.
const shm = '/dev/shm';
const tmpBase = process.env.TMPDIR || (isWritableDir(shm) ? shm : os.tmpdir());
const scratch = fs.mkdtempSync(path.join(tmpBase, 'ka-tests-'));
// reachable by every user (mkdtemp makes it 0700): tests that check a refused permission drop to `nobody`
fs.chmodSync(scratch, 0o1777);
const tmp = process.env.TMPDIR ? process.env.TMPDIR : path.join(scratch, 'tmp');
if (!process.env.TMPDIR) {
  fs.mkdirSync(tmp);
  fs.chmodSync(tmp, 0o1777);
}
const fitCache = path.join(scratch, 'sim-calibration');
fs.mkdirSync(fitCache);
function isWritableDir(d) {
  try {
    fs.accessSync(d, fs.constants.W_OK);
    return fs.statSync(d).isDirectory();
  } catch {
    return false;
  }
}
// Every .ts file type-stripped once, for all the run's processes (the loader reads them: scripts/ts/load.mjs).
const tsCache = path.join(scratch, 'ts');
try {
  await compileAll(tsCache);
} catch (e) {
  fs.rmSync(scratch, { recursive: true, force: true });
  console.error(`run-tests: compiling the TypeScript failed: ${e.message}`);
  process.exit(1);
}
const loader = new URL('./ts/register.mjs', import.meta.url).href;
const r = spawnSync(
  process.execPath,
  [
    '--enable-source-maps', '--import', loader, '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/durations-reporter.mjs', '--test-reporter-destination=stdout',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      TMPDIR: tmp,
      KA_SIM_CALIBRATION_CACHE: fitCache,
      KA_TS_CACHE: tsCache,
      KALSHI_ALPHA_TEST: '1',
      ...(durations ? { KA_TEST_DURATIONS_TOP: durations.includes('=') ? durations.split('=')[1] : '' } : {}),
      ...(record ? { KA_TEST_DURATIONS_FILE: path.resolve(DURATIONS) } : {}),
    },
  },
);
const shared = fs.readdirSync(fitCache).length;
if (shared > 0) console.log(`run-tests: ${shared} simulator fit(s) shared by the run's processes (${fitCache})`);
if (process.env.KA_KEEP_TMP !== '1') fs.rmSync(scratch, { recursive: true, force: true });
process.exit(r.status ?? 1);
