#!/usr/bin/env node
// Builds the start-up bundle dist/kalshi-alpha.js (+ one chunk per command, loaded on demand) from src/ with
// esbuild: no TypeScript transform at run time. Runs by itself as part of `npm ci` / `npm install`
// (`prepare`) and `npm test`; nobody runs it by hand. Dependencies stay in node_modules (not bundled).
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { DIST, ROOT, STAMP, bundleFresh, sourceFingerprint } from './build-stamp.mjs';

// The one bundle shape: ESM chunks per dynamic import, Node 20, dependencies left in node_modules.
const common = {
  absWorkingDir: ROOT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
};

// `--bench`: the benchmark runner, bundled the same way as the product (dist/bench/run.js; not stamped).
if (process.argv.includes('--bench')) {
  await esbuild.build({ ...common, entryPoints: { run: 'bench/run.ts' }, outdir: 'dist/bench' });
  process.exit(0);
}
if (bundleFresh() && !process.argv.includes('--force')) process.exit(0);
const fingerprint = sourceFingerprint();
for (const e of fs.existsSync(DIST) ? fs.readdirSync(DIST) : []) if (e !== 'bench') fs.rmSync(path.join(DIST, e), { recursive: true, force: true });
await esbuild.build({
  ...common,
  entryPoints: { 'kalshi-alpha': 'src/cli/main.ts', 'replay-worker': 'src/app/replay/worker.ts' },
  outdir: 'dist',
  sourcemap: 'linked',
  legalComments: 'none',
});
fs.writeFileSync(STAMP, JSON.stringify({ fingerprint, built_at: new Date().toISOString() }) + '\n');
process.stderr.write(`built ${path.relative(ROOT, DIST)}/kalshi-alpha.js\n`);
