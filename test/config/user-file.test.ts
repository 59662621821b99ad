import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  checkOutputFile,
  checkUserDirectory,
  checkUserFile,
  readOptionalUserFile,
  readUserFile,
  UserFileError,
  userFileError,
} from '../../src/config/user-file.ts';
import { loadIndexOps, ConfigError } from '../../src/config/index-ops.ts';
import { loadCalendarOverrides } from '../../src/config/calendar-config.ts';
import { loadEventDays } from '../../src/config/events-config.ts';
import { loadFeesConfig } from '../../src/config/fees-config.ts';
import { loadRawEnv } from '../../src/config/env.ts';
import { tempDir } from '../helpers/tmp.ts';
import { TS_EXEC_ARGV } from '../helpers/ts-child.ts';

const dir = tempDir('ka-userfile-');
const file = path.join(dir, 'a.txt');
fs.writeFileSync(file, '\ufeffhello');

function fails(fn: () => unknown, message: RegExp, problem?: UserFileError['problem']): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserFileError, `UserFileError, got ${String(e)}`);
    assert.match(e.message, message);
    if (problem) assert.equal(e.problem, problem);
    assert.doesNotMatch(e.message, /\n|EISDIR|ENOENT/);
    return true;
  });
}

test('readUserFile / readOptionalUserFile: text without BOM; missing; directory; parent is a file', () => {
  assert.equal(readUserFile(file), 'hello');
  assert.equal(readOptionalUserFile(path.join(dir, 'none'), 'x'), undefined);
  fails(() => readUserFile(path.join(dir, 'none'), 'the.yaml'), /^the\.yaml: no such file$/, 'missing');
  fails(() => readUserFile(dir, 'cfg.yaml'), /^cfg\.yaml: is a directory, expected a file$/, 'directory');
  fails(() => readOptionalUserFile(dir, 'cfg.yaml'), /is a directory/, 'directory');
  fails(() => readOptionalUserFile(path.join(file, 'x'), 'p'), /^p: a parent of this path is not a directory$/, 'not_directory');
});

test('userFileError: permission and unknown errors get a one-line reason', () => {
  assert.equal(userFileError('k.pem', Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' })).message, 'k.pem: permission denied');
  assert.equal(userFileError('f', Object.assign(new Error('x'), { code: 'EIO' })).message, 'f: cannot read (EIO)');
  assert.equal(userFileError('f', 'weird').message, 'f: cannot read');
});

test('a real unreadable file: permission denied (as root, checked by a child running as nobody)', () => {
  // Root reads anything, and CI runs as root: there the check runs in a child that drops to nobody.
  const open = tempDir('ka-perm-');
  fs.chmodSync(open, 0o755);
  const locked = path.join(open, 'locked');
  fs.writeFileSync(locked, 'x', { mode: 0o000 });
  if (process.getuid?.() !== 0) {
    fails(() => readUserFile(locked, 'locked'), /^locked: permission denied$/, 'permission');
    fails(() => checkUserFile(locked, 'locked'), /permission denied/, 'permission');
    return;
  }
  const src = pathToFileURL(path.resolve(import.meta.dirname, '../../src/config/user-file.ts')).href;
  const script = `import { readUserFile, checkUserFile } from ${JSON.stringify(src)};
    const out = [];
    for (const f of [() => readUserFile(${JSON.stringify(locked)}, 'locked'), () => checkUserFile(${JSON.stringify(locked)}, 'locked')]) {
      try { f(); out.push('no error'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
    }
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, [...TS_EXEC_ARGV, '--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    uid: 65534,
    gid: 65534,
    env: { ...process.env, HOME: open },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const [read, check] = JSON.parse(r.stdout) as string[];
  assert.equal(read, 'UserFileError: locked: permission denied');
  assert.match(check!, /^UserFileError: .*permission denied/);
});

test('checkUserFile / checkOutputFile / checkUserDirectory', () => {
  assert.equal(checkUserFile(file), true);
  assert.equal(checkUserFile(path.join(dir, 'none'), 'n', { optional: true }), false);
  fails(() => checkUserFile(path.join(dir, 'none'), 'n'), /^n: no such file$/);
  fails(() => checkUserFile(dir, '--ledger d'), /^--ledger d: is a directory, expected a file$/);
  checkOutputFile(path.join(dir, 'new', 'deeper', 'out.json'));
  checkOutputFile(file);
  fails(() => checkOutputFile(dir, '--out d'), /^--out d: is a directory/);
  fails(() => checkOutputFile(path.join(file, 'x'), '--out a.txt/x'), /a parent of this path is not a directory/);
  checkUserDirectory(dir);
  fails(() => checkUserDirectory(file, '--fixtures a.txt'), /^--fixtures a\.txt: is a file, expected a directory$/);
  fails(() => checkUserDirectory(path.join(dir, 'none'), '--fixtures none'), /^--fixtures none: no such directory$/);
});

test('config loaders: absent → defaults; a directory in the way → ConfigError naming the file', () => {
  const none = path.join(dir, 'none.yaml');
  assert.equal(loadIndexOps(none).windows.hourly_targets.length, 6);
  assert.deepEqual(loadCalendarOverrides(none), {});
  assert.equal(loadEventDays(none).count, 0);
  assert.equal(loadFeesConfig(none), null);
  for (const [load, name] of [
    [() => loadIndexOps(dir), 'configs/index_ops.yaml'],
    [() => loadCalendarOverrides(dir), 'configs/calendar.yaml'],
    [() => loadEventDays(dir), 'configs/events.yaml'],
    [() => loadFeesConfig(dir), 'configs/fees.json'],
  ] as const) {
    assert.throws(load, (e: unknown) => e instanceof ConfigError && e.message === `${name}: is a directory, expected a file`);
  }
  fails(() => loadRawEnv(dir, {}), /^\.env: is a directory, expected a file$/);
  assert.deepEqual(loadRawEnv(none, { A: '1' }), { A: '1' });
});
