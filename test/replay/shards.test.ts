/**
 * Sharded sweeps (issue 20): `replay --days N --from D --shard I/K --out FILE` and `replay merge FILES…`.
 * The merged table of shards 1/2 + 2/2 is the unsharded run's table byte for byte; the slices partition
 * the jobs; merge refuses overlapping, missing and foreign shards with exit 2 and one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { cli, tempHome } from '../helpers/cli.ts';
import { inShard, mergeShards, parseShard, shardJobs } from '../../src/app/replay/shards.ts';
import { ReplayInputError } from '../../src/app/replay/run.ts';

const SWEEP = ['replay', '--days', '2', '--from', '2026-11-19', '--only', 'hourly-1000', '--series', 'INXU', '--set', 'quotes.min_ev_usd=0.03,0.06'];

test('--shard I/K: K slices partition the jobs (each job in exactly one), round robin', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), (n, k) => {
      const jobs = Array.from({ length: n }, (_, id) => ({ id }));
      const seen = new Array<number>(n).fill(0);
      for (let i = 1; i <= k; i++) {
        const part = shardJobs(jobs, { index: i, count: k });
        for (const j of part) seen[j.id]!++;
        // Round robin: the slices' sizes differ by at most one.
        assert.ok(part.length === Math.floor(n / k) || part.length === Math.ceil(n / k));
      }
      assert.ok(seen.every((x) => x === 1));
    }),
  );
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/2', '3/2', '1/0', '2', 'a/b', '-1/2', '1/2/3', '']) assert.throws(() => parseShard(bad), ReplayInputError, bad);
  assert.equal(inShard(4, { index: 1, count: 2 }), true);
  assert.equal(inShard(5, { index: 1, count: 2 }), false);
  assert.throws(() => mergeShards([]), /give the shard files/);
});

test('replay --shard 1/2 + 2/2, merged: the unsharded table byte for byte; merge refuses overlaps, gaps and other sweeps (exit 2, one line)', async () => {
  const home = tempHome('ka-replay-shards-');
  const full = await cli([...SWEEP, '--workers', '1'], { home });
  assert.equal(full.code, 0, full.stderr);
  for (const i of [1, 2]) {
    const r = await cli([...SWEEP, '--workers', '1', '--shard', `${i}/2`, '--out', `s${i}.json`], { home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^replay shard ${i}/2: 2 of 4 \\(setting × day\\) job\\(s\\), 0 failed`));
  }
  const merged = await cli(['replay', 'merge', 's2.json', 's1.json'], { home });
  assert.equal(merged.code, 0, merged.stderr);
  // Everything but the last line (its wall time) is the table; the table is the same bytes.
  const table = (s: string) => s.trimEnd().split('\n').slice(0, -1).join('\n');
  assert.equal(table(full.stdout).split('\n').length, 4, 'header, rule, two settings');
  assert.equal(table(merged.stdout), table(full.stdout));
  assert.match(merged.stdout, /2 day\(s\) × 2 setting\(s\) from 2026-11-19 to 2026-11-20, seed 20261120: [\d.]+ s of shard time, merged from 2 shard\(s\)\n$/);
  const json = await cli(['replay', 'merge', 's1.json', 's2.json', '--json'], { home });
  assert.equal(json.code, 0, json.stderr);
  const j = JSON.parse(json.stdout);
  assert.deepEqual([j.days, j.failed_days, j.settings.length], [2, 0, 2]);
  assert.ok(j.settings.every((s: { days: number }) => s.days === 2), 'every setting over both days');
  assert.ok(j.settings[0].quotes > 0, 'the lower bar quoted');

  // Files that are not one sweep's K shards, each once.
  const s2 = JSON.parse(fs.readFileSync(path.join(home, 's2.json'), 'utf8'));
  const write = (name: string, doc: unknown) => fs.writeFileSync(path.join(home, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
  write('seed.json', { ...s2, sweep: { ...s2.sweep, seed: 7 } });
  write('config.json', { ...s2, sweep: { ...s2.sweep, settings: [s2.sweep.settings[0], { ...s2.sweep.settings[1], config_sha256: '0'.repeat(64) }] } });
  write('of3.json', { ...s2, shard: { index: 2, count: 3 } });
  write('short.json', { ...s2, results: s2.results.slice(1) });
  write('text.json', 'not json');
  write('other.json', { hello: 1 });
  const cases: [string[], RegExp][] = [
    [['s1.json', 's1.json'], /overlapping shards: 1\/2 is both s1\.json and s1\.json/],
    [['s1.json'], /missing shard\(s\) 2\/2/],
    [['s1.json', 'seed.json'], /seed\.json is from another sweep than s1\.json \(seed differ\)/],
    [['s1.json', 'config.json'], /config\.json is from another sweep than s1\.json \(settings differ\)/],
    [['s1.json', 'of3.json'], /of3\.json: its results are not the jobs of shard 2\/3/],
    [['s1.json', 'short.json'], /short\.json: its results are not the jobs of shard 2\/2/],
    [['text.json'], /text\.json: not JSON/],
    [['other.json'], /other\.json: not a replay shard file/],
    [['nope.json'], /nope\.json: no such file/],
  ];
  for (const [files, re] of cases) {
    const r = await cli(['replay', 'merge', ...files], { home });
    assert.equal(r.code, 2, `merge ${files.join(' ')} → exit 2 (got ${r.code}: ${r.stderr})`);
    assert.match(r.stderr, re, files.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  const none = await cli(['replay', 'merge'], { home });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing required argument 'files'/);
  // Bad --shard / --out before anything runs.
  const flags: [string[], RegExp][] = [
    [[...SWEEP, '--shard', '3/2', '--out', 'x.json'], /--shard 3\/2: expected I\/K with 1 ≤ I ≤ K/],
    [[...SWEEP, '--shard', '1/2'], /--shard I\/K and --out FILE go together/],
    [[...SWEEP, '--out', 'x.json'], /--shard I\/K and --out FILE go together/],
    [['replay', '--date', '2026-11-20', '--shard', '1/2', '--out', 'x.json'], /--shard applies to --days N --from D/],
  ];
  for (const [argv, re] of flags) {
    const r = await cli(argv, { home });
    assert.equal(r.code, 2, `${argv.join(' ')} → exit 2 (got ${r.code}: ${r.stderr})`);
    assert.match(r.stderr, re);
  }
  assert.ok(!fs.existsSync(path.join(home, 'x.json')), 'no shard file from refused flags');
});
