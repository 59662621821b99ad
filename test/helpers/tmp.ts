/**
 * Temporary directories for tests, removed when the test process exits (each test file runs in its own
 * process). `KA_KEEP_TMP=1` keeps them for a post-mortem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];
let hooked = false;

export function tempDir(prefix = 'ka-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  if (!hooked && process.env.KA_KEEP_TMP !== '1') {
    hooked = true;
    process.on('exit', () => {
      for (const d of created) {
        try {
          fs.rmSync(d, { recursive: true, force: true });
        } catch {
          // best effort: a directory a test made unreadable or still in use is left for the OS
        }
      }
    });
  }
  return dir;
}
