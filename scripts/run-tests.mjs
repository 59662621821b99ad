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
const files = find('test').sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout',
    ...(durations ? ['--test-reporter=./scripts/durations-reporter.mjs', '--test-reporter-destination=stdout'] : []),
    ...files,
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, KALSHI_ALPHA_TEST: '1', ...(durations?.includes('=') ? { KA_TEST_DURATIONS_TOP: durations.split('=')[1] } : {}) },
  },
);
process.exit(r.status ?? 1);
