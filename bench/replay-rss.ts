/** Child of replay.bench.ts: one generated day in a fresh process; prints its peak RSS and the runtime's share. */
import { runReplayDay, replayWindows } from '../src/app/replay/run.ts';
import { generatedDay } from '../src/app/replay/generated-day.ts';
import { createCalendar } from '../src/core/calendar/calendar.ts';
import { defaultIndexOps } from '../src/config/index-ops.ts';
import { resolvePaths } from '../src/config/paths.ts';
import os from 'node:os';
import path from 'node:path';

const [date = '2026-11-20', seedText = '20261120'] = process.argv.slice(2);
const seed = Number(seedText);
const calendar = createCalendar();
const config = defaultIndexOps();
const runtime = process.resourceUsage().maxRSS / 1024;
const windows = replayWindows(date, { calendar, config });
await runReplayDay({ dateEt: date, seed, day: generatedDay({ seed, closeEt: calendar.session(date).closeEt!, windows }), config, calendar, paths: resolvePaths(path.join(os.tmpdir(), 'kalshi-alpha-replay-bench')) });
console.log(JSON.stringify({ peak_mb: Math.round(process.resourceUsage().maxRSS / 1024), runtime_mb: Math.round(runtime) }));
