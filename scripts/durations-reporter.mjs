// A node --test reporter (scripts/run-tests.mjs --durations[=N]): per test file, its wall time — from the
// runner starting the file's process to that process finishing (process start, module loading and every test,
// sharing the machine with the file running beside it) — and the sum of its top-level tests' own durations.
// Prints the N slowest files when the run ends, if asked (KA_TEST_DURATIONS_TOP); writes every file's wall time
// as JSON to KA_TEST_DURATIONS_FILE, if set (scripts/run-tests.mjs starts the slowest files first next time).
import fs from 'node:fs';
import path from 'node:path';
const files = new Map();
const entry = (file) => {
  let f = files.get(file);
  if (!f) files.set(file, (f = { startedAt: undefined, wallMs: 0, tests: 0, testMs: 0 }));
  return f;
};

export default async function* durations(source) {
  const topSetting = process.env.KA_TEST_DURATIONS_TOP;
  const top = Number(topSetting || 10);
  for await (const e of source) {
    const d = e.data;
    if (!d?.file || d.nesting !== 0) continue;
    const f = entry(d.file);
    if (d.name === d.file) {
      // The file itself: dequeued when its process starts, complete when it ends.
      if (e.type === 'test:dequeue') f.startedAt = performance.now();
      else if (e.type === 'test:complete' && f.startedAt !== undefined) f.wallMs = performance.now() - f.startedAt;
    } else if (e.type === 'test:pass' || e.type === 'test:fail') {
      f.tests++;
      f.testMs += d.details?.duration_ms ?? 0;
    }
  }
  const rows = [...files.entries()].map(([file, f]) => ({ file: file.replace(`${process.cwd()}/`, ''), ...f })).sort((a, b) => b.wallMs - a.wallMs);
  const out = process.env.KA_TEST_DURATIONS_FILE;
  if (out) {
    const json = JSON.stringify(Object.fromEntries(rows.filter((r) => r.wallMs > 0).map((r) => [r.file, Math.round(r.wallMs)])), null, 1) + '\n';
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(`${out}.${process.pid}.tmp`, json);
    fs.renameSync(`${out}.${process.pid}.tmp`, out);
  }
  if (topSetting === undefined) return;
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`.padStart(8);
  yield `\nslowest ${Math.min(top, rows.length)} of ${rows.length} test files (wall: process start to end, beside the other running file; tests: sum of its top-level tests):\n`;
  yield `    wall    tests  count  file\n`;
  for (const r of rows.slice(0, top)) yield `${s(r.wallMs)} ${s(r.testMs)}  ${String(r.tests).padStart(5)}  ${r.file}\n`;
}
