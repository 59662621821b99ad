/**
 * `npm run bench [-- NAME…]`: runs every bench/*.bench.ts (or those whose file name contains a NAME) in
 * turn. stdout carries one JSON line per benchmark (`name`, `unit`, `median`, `p99`, `n`, `target` and
 * optional extras, see harness.ts) and, after the last one, a human-readable table; progress goes to stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table, type BenchModule, type BenchResult } from './harness.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matched ${filters.join(' ')} (have: ${fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).join(', ')})`);
  process.exit(1);
}
const results: BenchResult[] = [];
for (const f of files) {
  process.stderr.write(`bench: ${f}\n`);
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as BenchModule;
  await mod.default((r) => {
    results.push(r);
    process.stdout.write(JSON.stringify(r) + '\n');
  });
}
process.stdout.write('\n' + table(results) + '\n');
