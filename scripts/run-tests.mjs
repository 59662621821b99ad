#!/usr/bin/env node
// Runs every test/**/*.test.ts through Node's test runner with tsx. (Node 20's --test has no globs.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

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
const matched = find('test').sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (matched.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// Slowest first, by the wall times of the last whole run (test-output/durations.json, written below): two
// files run at a time, and a slow file started last would run alone at the end. Files it does not know
// (new ones) go first, the rest in path order.
const DURATIONS = 'test-output/durations.json';
let known = {};
try {
  known = JSON.parse(fs.readFileSync(DURATIONS, 'utf8'));
} catch {
  // no whole run yet: path order
}
const files = matched.map((f, i) => ({ f, i, ms: known[f] ?? Number.POSITIVE_INFINITY })).sort((a, b) => b.ms - a.ms || a.i - b.i).map((x) => x.f);
// Only a whole run outside `npm run test:stress` (whose runs have test-output/ dirs of their own) records them.
const record = filters.length === 0 && !process.env.KA_TEST_OUTPUT;
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/durations-reporter.mjs', '--test-reporter-destination=stdout',
    ...files,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      KALSHI_ALPHA_TEST: '1',
      ...(durations ? { KA_TEST_DURATIONS_TOP: durations.includes('=') ? durations.split('=')[1] : '' } : {}),
      ...(record ? { KA_TEST_DURATIONS_FILE: path.resolve(DURATIONS) } : {}),
    },
  },
);
process.exit(r.status ?? 1);
