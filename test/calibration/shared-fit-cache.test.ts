/**
 * The simulator fits the processes of one test run share (KA_SIM_CALIBRATION_CACHE, app/sim-calibration.ts):
 * a second fresh root of the same key is written from the entry the first one left, byte for byte what the fit
 * writes; an entry that is torn, of another key, or fails the calibration schema is a miss (the fit runs and
 * the entry is written anew); an unwritable directory only costs the sharing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureSimCalibration } from '../../src/app/sim-calibration.ts';
import { calibrationPath } from '../../src/adapters/calibration/params-file.ts';
import { createCalendar } from '../../src/core/calendar/index.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { resolvePaths } from '../../src/config/paths.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { tempDir } from '../helpers/tmp.ts';

const calendar = createCalendar();
const config = defaultIndexOps();
const DATE = '2026-11-18';
const SEED = 4242;
const spxHourly = (calibDir: string) => calibrationPath(calibDir, 'I:SPX', 'hourly');

function freshRoot(): string {
  return resolvePaths(tempDir('ka-fitcache-')).calibDir;
}
function calibrate(calibDir: string) {
  return ensureSimCalibration({ calibDir, seed: SEED, dateEt: DATE, calendar, config, log: silentLogger });
}
const files = (calibDir: string) => (['I:SPX', 'I:NDX'] as const).flatMap((s) => (['hourly', 'close'] as const).map((h) => fs.readFileSync(calibrationPath(calibDir, s, h), 'utf8')));

test('a shared entry serves the next fresh root with the fit’s own bytes; a bad entry is a miss and is rewritten', () => {
  const cache = tempDir('ka-fitcache-dir-');
  const before = process.env.KA_SIM_CALIBRATION_CACHE;
  process.env.KA_SIM_CALIBRATION_CACHE = cache;
  try {
    // without an entry: fitted, and the entry written
    const a = freshRoot();
    assert.equal(calibrate(a).fitted.length, 4);
    const [entryName, ...more] = fs.readdirSync(cache);
    assert.equal(more.length, 0, 'one entry for one key');
    const entry = path.join(cache, entryName!);
    const doc = JSON.parse(fs.readFileSync(entry, 'utf8'));
    assert.equal(doc.fits.length, 4);

    // a second root: the same bytes as the fit wrote
    const b = freshRoot();
    assert.equal(calibrate(b).fitted.length, 4);
    assert.deepEqual(files(b), files(a));

    // the entry is what a hit reads: a valid but different value in it reaches the next root
    const marked = structuredClone(doc);
    const spx = marked.fits.find((f: { symbol: string; horizon: string }) => f.symbol === 'I:SPX' && f.horizon === 'hourly');
    spx.params.sample_count += 1;
    fs.writeFileSync(entry, JSON.stringify(marked));
    const c = freshRoot();
    calibrate(c);
    assert.equal(JSON.parse(fs.readFileSync(spxHourly(c), 'utf8')).sample_count, JSON.parse(fs.readFileSync(spxHourly(a), 'utf8')).sample_count + 1);

    // misses: torn, another key, a file the schema refuses — each time the fit's own files, and the entry rewritten
    const bad = [
      '{"key": "[',
      JSON.stringify({ ...marked, key: doc.key.replace(String(SEED), String(SEED + 1)) }),
      JSON.stringify({ ...doc, fits: doc.fits.map((f: { params: object }, i: number) => (i === 0 ? { ...f, params: { ...f.params, minutes_to_target: 'wide' } } : f)) }),
      // four valid files, but one of them twice and another missing
      JSON.stringify({ ...doc, fits: doc.fits.map((f: object, i: number) => (i === 1 ? doc.fits[0] : f)) }),
    ];
    for (const text of bad) {
      fs.writeFileSync(entry, text);
      const d = freshRoot();
      assert.equal(calibrate(d).fitted.length, 4);
      assert.deepEqual(files(d), files(a), text.slice(0, 40));
      assert.deepEqual(JSON.parse(fs.readFileSync(entry, 'utf8')), doc, 'entry rewritten');
    }

    // a directory that cannot be written: the fit still runs and the root is calibrated
    const ro = path.join(cache, 'not-a-dir');
    fs.writeFileSync(ro, '');
    process.env.KA_SIM_CALIBRATION_CACHE = ro;
    const e = freshRoot();
    assert.equal(calibrate(e).fitted.length, 4);
    assert.deepEqual(files(e), files(a));
  } finally {
    if (before === undefined) delete process.env.KA_SIM_CALIBRATION_CACHE;
    else process.env.KA_SIM_CALIBRATION_CACHE = before;
  }
});
