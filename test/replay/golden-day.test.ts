/**
 * A replayed generated day is the same day after any change that only makes it faster (issue 20): its
 * ledger bytes and every window's engine tallies equal a golden digest committed in
 * fixtures/replay/golden-days.json. The digest was produced by this test (`KA_UPDATE_GOLDEN=1`) from the
 * code before the engine's synchronous fast path and the vectorised participants landed; regenerate it only
 * for a change that is meant to change what a replayed day does, and say so in the commit.
 *
 * The home has no calibration files (the documented default curve) and no configs/events.yaml (the
 * simulator's calendar), so the day depends on the code alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.ts';
import { runReplayDay, replayWindows } from '../../src/app/replay/run.ts';
import { generatedDay } from '../../src/app/replay/generated-day.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import type { SimWorldSetting } from '../../src/sim/day/world.ts';

const FIXTURE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'replay', 'golden-days.json');

interface Case {
  name: string;
  dateEt: string;
  seed: number;
  only?: string[];
  world?: SimWorldSetting;
}

const CASES: Case[] = [
  // The bench's day: 7 windows × 4 series, the default (regime) world.
  { name: 'full-day-regime', dateEt: '2026-11-20', seed: 20261120 },
  // Another seed and the classic world, the last two windows.
  { name: 'two-windows-classic', dateEt: '2026-11-20', seed: 7, only: ['hourly-1500', 'close-1600'], world: 'classic' },
];

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function digest(c: Case): Promise<Record<string, unknown>> {
  const calendar = createCalendar();
  const config = defaultIndexOps();
  const home = tempDir('ka-golden-');
  const paths = resolvePaths(home);
  const windows = replayWindows(c.dateEt, { calendar, config, only: c.only });
  const ledgerFile = path.join(home, 'ledger.jsonl');
  const day = generatedDay({ seed: c.seed, closeEt: calendar.session(c.dateEt).closeEt!, windows, ...(c.world ? { world: c.world } : {}) });
  const r = await runReplayDay({ dateEt: c.dateEt, seed: c.seed, day, config, calendar, paths, only: c.only, ledgerFile });
  const ledger = fs.readFileSync(ledgerFile, 'utf8');
  const results = r.outcome.windows.flatMap((w) => w.results.map((x) => ({ ...x })));
  return {
    ledger_sha256: sha(ledger),
    ledger_records: r.stats.ledgerRecords,
    cycles: r.stats.cycles,
    // Every series-window tally the engine returns (cycles, quotes, cancels, stale and blocked cycles, ΔEV gaps…).
    results_sha256: sha(JSON.stringify(results)),
    quotes: r.scoreboard.total.quotes,
  };
}

test('replayed generated days equal their golden digests (ledger bytes and engine tallies)', async () => {
  const got: Record<string, Record<string, unknown>> = {};
  for (const c of CASES) got[c.name] = await digest(c);
  if (process.env.KA_UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    fs.writeFileSync(FIXTURE, JSON.stringify(got, null, 2) + '\n');
  }
  const want = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  for (const c of CASES) {
    assert.ok((got[c.name]!.ledger_records as number) > 100 && (got[c.name]!.quotes as number) > 0, `${c.name}: the day trades`);
    assert.deepEqual(got[c.name], want[c.name], c.name);
  }
});
