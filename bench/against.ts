/**
 * `npm run bench -- --against REF [--rounds N] [NAME…]` (issue 20): every benchmark line carries its ratio to
 * another commit's figure, measured in the same run on the same machine — this box is shared and noisy, so
 * a figure from another day says little, a ratio from interleaved rounds says a lot.
 *
 * How: REF (any commit: the last landed one, `main`, `HEAD~3`) is checked out as a detached git worktree in
 * the temp directory (reused while it stays at that commit), with this checkout's node_modules linked in,
 * and its own bundle and bench bundle built there. Then, N rounds (default 2), each benchmark runs as a
 * fresh process in REF's tree, then in this one — alternating, so drift in the machine's load hits both
 * alike. Each line printed is this tree's line of the last round plus:
 * - `against`: REF, its commit, REF's median per round;
 * - `ratio`: this tree's median over REF's, per round (`ratio_median` their median), and `better`: whether
 *   a higher or a lower figure is the better one (from the target: `>=` rates, `<=` latencies).
 * A benchmark REF does not have gets no ratio ("where possible"). Nothing here runs in tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/config/package-root.ts';
import { round, type BenchResult } from './harness.ts';

export interface AgainstOptions {
  ref: string;
  rounds: number;
  names: string[];
}

/** Parses `--against REF` and `--rounds N` out of the runner's arguments; the rest are benchmark names. */
export function parseAgainst(argv: readonly string[]): { against?: AgainstOptions; names: string[] } {
  const names: string[] = [];
  let ref: string | undefined;
  let rounds = 2;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--against' || a === '--rounds') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${a} needs a value`);
      if (a === '--against') ref = v;
      else {
        rounds = Number(v);
        if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`bench: --rounds must be an integer 1..20 (got ${JSON.stringify(v)})`);
      }
    } else if (a.startsWith('--')) throw new Error(`bench: unknown option ${a} (have --against REF, --rounds N)`);
    else names.push(a);
  }
  return ref === undefined ? { names } : { against: { ref, rounds, names }, names };
}

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** REF's tree with its bundles built: a detached worktree under the temp directory, reused at the same commit. */
function baselineTree(root: string, ref: string): { dir: string; sha: string } {
  let sha: string;
  try {
    sha = git(root, 'rev-parse', '--verify', `${ref}^{commit}`);
  } catch {
    throw new Error(`bench: --against ${JSON.stringify(ref)} is not a commit of this repository`);
  }
  const dir = path.join(os.tmpdir(), `kalshi-alpha-bench-${sha.slice(0, 12)}`);
  let here: string | undefined;
  try {
    here = git(dir, 'rev-parse', 'HEAD');
  } catch {
    here = undefined;
  }
  if (here !== sha) {
    fs.rmSync(dir, { recursive: true, force: true });
    git(root, 'worktree', 'prune');
    git(root, 'worktree', 'add', '--detach', '--force', dir, sha);
  }
  const nm = path.join(dir, 'node_modules');
  if (!fs.existsSync(nm)) fs.symlinkSync(path.join(root, 'node_modules'), nm, 'dir');
  for (const args of [['scripts/build.mjs'], ['scripts/build.mjs', '--bench']]) {
    const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`bench: building ${ref} (${sha.slice(0, 12)}) failed: node ${args.join(' ')} exited ${r.status}`);
  }
  return { dir, sha };
}

/** One benchmark in a fresh process of the tree at `dir`: its JSON lines (stderr passes through). */
function runIn(dir: string, name: string): BenchResult[] {
  const r = spawnSync(process.execPath, [path.join(dir, 'dist/bench/run.js'), name], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench: ${name} in ${dir} exited ${r.status}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BenchResult);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs the comparison; calls `emit` once per line of this tree's last round, with its ratios. */
export function runAgainst(o: AgainstOptions, benchNames: readonly string[], emit: (r: BenchResult) => void): void {
  const root = packageRoot();
  const base = baselineTree(root, o.ref);
  const mine = new Map<string, BenchResult[]>();
  const theirs = new Map<string, BenchResult[]>();
  const push = (m: Map<string, BenchResult[]>, rs: BenchResult[]) => {
    for (const r of rs) m.set(r.name, [...(m.get(r.name) ?? []), r]);
  };
  // A child selects benchmarks by substring, as the runner does (`replay` also runs `replay-day`): a name
  // another selected name already covers is not run again, or its lines would come twice a round.
  const runs = benchNames.filter((n) => !benchNames.some((m) => m !== n && n.includes(m)));
  for (let round_ = 0; round_ < o.rounds; round_++) {
    for (const name of runs) {
      process.stderr.write(`bench: ${name} — round ${round_ + 1}/${o.rounds}: ${o.ref} (${base.sha.slice(0, 12)}), then this tree\n`);
      push(theirs, runIn(base.dir, name));
      push(mine, runIn(root, name));
    }
  }
  for (const [name, rs] of mine) {
    const last = rs[rs.length - 1]!;
    const ref = theirs.get(name);
    if (!ref || ref.length !== rs.length) {
      emit({ ...last, against: { ref: o.ref, commit: base.sha, note: `${o.ref} has no line ${JSON.stringify(name)}` } });
      continue;
    }
    const ratios = rs.map((r, i) => round(r.median / ref[i]!.median));
    emit({
      ...last,
      medians: rs.map((r) => r.median),
      against: { ref: o.ref, commit: base.sha, medians: ref.map((r) => r.median) },
      ratio: ratios,
      ratio_median: round(median(ratios)),
      better: /^\s*>=/.test(last.target) ? 'higher' : 'lower',
    });
  }
}
