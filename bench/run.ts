/**
 * `npm run bench [-- NAME…]`: runs every benchmark (or those whose name contains a NAME) in turn. stdout
 * carries one JSON line per benchmark (`name`, `unit`, `median`, `p99`, `n`, `target` and optional extras,
 * see harness.ts) and, after the last one, a human-readable table; progress goes to stderr.
 * `npm run bench -- --against REF [--rounds N] [NAME…]`: the same lines, each with its ratio to commit REF's
 * figure, both measured in this run in alternating fresh processes (against.ts).
 *
 * `npm run bench` runs this from an esbuild bundle (scripts/build.mjs --bench): the product ships as a
 * bundle, so its hot paths are measured as compiled for it (tsx's development transform keeps function
 * names at a cost of its own). The list below is static so the bundler sees every benchmark.
 */
import { table, type BenchModule, type BenchResult } from './harness.ts';
import { parseAgainst, runAgainst } from './against.ts';

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  startup: () => import('./startup.bench.ts'),
  ingest: () => import('./ingest.bench.ts'),
  ledger: () => import('./ledger.bench.ts'),
  'ledger-housekeep': () => import('./ledger-housekeep.bench.ts'),
  pricing: () => import('./pricing.bench.ts'),
  replay: () => import('./replay.bench.ts'),
  'replay-day': () => import('./replay-day.bench.ts'),
  sweep: () => import('./sweep.bench.ts'),
  restart: () => import('./restart.bench.ts'),
  world: () => import('./world.bench.ts'),
};

let parsed: ReturnType<typeof parseAgainst>;
try {
  parsed = parseAgainst(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const filters = parsed.names;
const names = Object.keys(BENCHES).filter((n) => filters.length === 0 || filters.some((x) => n.includes(x)));
if (names.length === 0) {
  console.error(`bench: no benchmark matched ${filters.join(' ')} (have: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(1);
}
const results: BenchResult[] = [];
if (parsed.against) {
  // `--against REF`: every benchmark as a fresh process, alternating REF's tree and this one (against.ts)
  try {
    runAgainst(parsed.against, names, (r) => {
      results.push(r);
      process.stdout.write(JSON.stringify(r) + '\n');
    });
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  process.stdout.write('\n' + table(results) + '\n');
  process.exit(0);
}
for (const n of names) {
  process.stderr.write(`bench: ${n}\n`);
  const mod = await BENCHES[n]!();
  await mod.default((r) => {
    results.push(r);
    process.stdout.write(JSON.stringify(r) + '\n');
  });
}
process.stdout.write('\n' + table(results) + '\n');
