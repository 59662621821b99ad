/**
 * The dashboard in a real headless browser (issue 13): a simulated supervisor session runs in a child
 * process (`supervisor-index --sim --speed 20`, its own loopback simulator, a temp KALSHI_ALPHA_HOME); the
 * dashboard serves that home on a loopback port 0; Chromium (playwright-core + the system /usr/bin/chromium)
 * opens the page and we check, with bounded waits only:
 *   - the timeline shows close-1600 in a state the supervisor reported, and says the supervisor runs;
 *   - a feed age changes between two reads (server-sent events, no reload);
 *   - an outstanding order and a close-1600 ledger record are listed; the PnL and reliability charts plot
 *     the day's earlier (seeded) settled window;
 *   - `kill-switch arm` from the command line shows on the page; screenshot → test-output/dashboard.png;
 *   - after SIGTERM the page says plainly that the supervisor is not running.
 * Without Chromium at /usr/bin/chromium this test FAILS (it is not skipped): .ci/run installs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { cli, tempHome } from '../helpers/cli.ts';
import { generateDay, homePaths, writeLedger } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// (KA_TEST_OUTPUT: a directory of its own, e.g. each run of `npm run test:stress`.)
const SCREENSHOT = path.join(process.env.KA_TEST_OUTPUT ?? path.join(ROOT, 'test-output'), 'dashboard.png');
const WAIT_MS = 30_000;
const CLOSE_ID = '2026-11-20/close-1600';

// The page's DOM as far as the checks below use it (they run in the browser; this project's TypeScript has no DOM lib).
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

test('dashboard in headless Chromium beside a simulated supervisor session', { timeout: 120_000 }, async () => {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: the browser test needs the system Chromium (apt-get install -y chromium; .ci/run does this). Failing, not skipping.`,
  );
  const home = tempHome('dash-browser-');
  const paths = homePaths(home);
  // The day's earlier windows, already settled (the sim session itself settles only after 16:00): gives the
  // PnL curve and the reliability chart something to plot. The supervisor appends after these (seq continues).
  writeLedger(paths.ledger, generateDay(5, ['hourly-1400', 'hourly-1500']));

  let supervisor: ChildProcess | undefined;
  let supOut = '';
  let dash: RunningDashboard | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    supervisor = spawn(process.execPath, ['bin/kalshi-alpha.js', 'supervisor-index', '--sim', '--speed', '20', '--now', '2026-11-20T15:48:00-05:00'], {
      cwd: ROOT,
      env: { ...process.env, KALSHI_ALPHA_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor.stdout!.on('data', (d) => (supOut += d));
    supervisor.stderr!.on('data', (d) => (supOut += d));
    const exited = new Promise<number | null>((resolve) => supervisor!.once('exit', (code) => resolve(code)));

    dash = await startDashboard({ paths, calendar: createCalendar(), now: () => Date.now(), host: '127.0.0.1', port: 0 });
    process.stdout.write(`# dashboard at ${dash.url} (home ${home})\n`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      timeout: 60_000,
    });
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(dash.url, { timeout: WAIT_MS });
    const diag = () => `\n--- supervisor output (tail) ---\n${supOut.slice(-3000)}`;
    // Conditions are functions run in the page (not strings: the page's CSP forbids eval, and stays on).
    const until = async (what: string, fn: (arg: string) => boolean, arg = '') => {
      try {
        await page.waitForFunction(fn, arg, { timeout: WAIT_MS, polling: 100 });
      } catch (e) {
        throw new Error(`page never showed ${what}: ${(e as Error).message.split('\n')[0]}${diag()}`);
      }
    };

    // 1. The supervisor runs, and the timeline shows close-1600 in a state it reported.
    await until('the supervisor running', () => document.querySelector('#supervisor')?.getAttribute('data-running') === 'true');
    await until(
      'close-1600 in a supervisor state',
      (id: string) => ['preflight', 'active', 'strict'].includes(document.querySelector(`#windows tr[data-window-id="${id}"]`)?.getAttribute('data-state') ?? ''),
      CLOSE_ID,
    );
    assert.equal(await page.locator(`#timeline-bar [data-window-id="${CLOSE_ID}"]`).count(), 1, 'a block on the timeline bar');
    assert.match((await page.locator('#timeline-day').textContent()) ?? '', /2026-11-20 .* states from the supervisor/);

    // 2. A feed age changes between two reads (pushed by the server; the page is never reloaded).
    await until('a polygon feed age', () => /^\d+ ms$/.test(document.querySelector('#feed-age-polygon')?.textContent ?? ''));
    const first = (await page.locator('#feed-age-polygon').textContent())!;
    await until(
      'the polygon feed age changing',
      (prev: string) => {
        const t = document.querySelector('#feed-age-polygon')?.textContent ?? '';
        return /^\d+ ms$/.test(t) && t !== prev;
      },
      first,
    );
    const second = (await page.locator('#feed-age-polygon').textContent())!;
    assert.notEqual(second, first);
    assert.match((await page.locator('#active-feed').getAttribute('data-feed')) ?? '', /^(polygon|massive)$/);

    // 3. An outstanding order and a ledger record of this session; the charts plot the settled windows.
    await until('an outstanding order', () => document.querySelectorAll('#orders tbody tr[data-coid]').length > 0);
    const coid = await page.locator('#orders tbody tr[data-coid]').first().getAttribute('data-coid');
    assert.match(coid ?? '', /^ka-[0-9a-f]+$/);
    await until('a close-1600 ledger record', (id: string) => document.querySelectorAll(`#ledger tbody tr[data-window="${id}"]`).length > 0, CLOSE_ID);
    await until('PnL points', () => Number(document.querySelector('#pnl-chart')?.getAttribute('data-points')) > 1);
    await until('reliability bins', () => Number(document.querySelector('#reliability-chart')?.getAttribute('data-bins')) > 0);
    assert.ok((await page.locator('#pnl-chart canvas').count()) >= 1, 'uPlot drew the PnL chart');
    assert.ok((await page.locator('#reliability-chart canvas').count()) >= 1, 'uPlot drew the reliability chart');

    // 4. Arm the kill switch from the command line (same home); the page shows it.
    const armed = await cli(['kill-switch', 'arm', '--reason', 'browser test'], { home });
    assert.equal(armed.code, 0, armed.stderr);
    await until('the kill switch engaged', () => document.querySelector('#kill-switch')?.getAttribute('data-engaged') === 'true');
    assert.match((await page.locator('#kill-switch').textContent()) ?? '', /KILL SWITCH ENGAGED.*browser test/);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`# screenshot: ${SCREENSHOT}\n`);

    // 5. Stop the supervisor: the page says plainly that it is not running.
    supervisor.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), WAIT_MS)))]);
    clearTimeout(timer);
    assert.equal(code, 0, `supervisor exit after SIGTERM${diag()}`);
    await until('the supervisor not running', () => document.querySelector('#supervisor')?.getAttribute('data-running') === 'false');
    assert.match((await page.locator('#supervisor').textContent()) ?? '', /SUPERVISOR NOT RUNNING/);

    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  } finally {
    await browser?.close().catch(() => undefined);
    await dash?.close().catch(() => undefined);
    if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null) supervisor.kill('SIGKILL');
    else fs.rmSync(home, { recursive: true, force: true });
  }
});
