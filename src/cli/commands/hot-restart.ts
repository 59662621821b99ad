/**
 * `kalshi-alpha hot-restart status|capture|restore` (SPEC §6.6):
 * - status: the snapshot's age, window, outstanding orders, active feed, and whether its supervisor runs;
 * - capture: asks the running supervisor for a snapshot now (SIGUSR2) and waits for it to land;
 * - restore: what the next start would resume from the snapshot (window, quoting state, orders to adopt),
 *   or why it would not — restoring itself is what every `supervisor-index` start does (crash-only).
 * Age is judged on the snapshot's own clock: `--now` for a simulated session's snapshot.
 */
import fs from 'node:fs';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import type { CliContext } from '../context.ts';
import { parseNonNegativeNumber } from '../command.ts';
import { CheckFailed, UsageError } from '../errors.ts';
import { formatEt, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { liveOrders, type SeriesQuotingState } from '../../core/quoting/state.ts';
import { readSnapshot, type Snapshot } from '../../app/snapshot.ts';
import { supervisorHolder } from '../../app/supervisor.ts';
import { describeOwner } from '../../adapters/fs/file-lock.ts';

interface Flags {
  now?: string;
  json?: boolean;
  maxRestoreAge: number;
  timeout: number;
}

function nowOf(c: CliContext, opt: Flags): number {
  try {
    return opt.now !== undefined ? parseInstant(opt.now) : c.clock.now();
  } catch (e) {
    if (e instanceof TimeParseError) throw new UsageError(e.message);
    throw e;
  }
}

function load(c: CliContext, nowMs: number): { snapshot: Snapshot; ageMs: number } {
  const r = readSnapshot(c.paths.hotRestart, nowMs, { futureToleranceMs: Number.POSITIVE_INFINITY });
  if (r.kind === 'missing') throw new CheckFailed(`no snapshot at ${c.paths.hotRestart}`);
  if (r.kind === 'invalid') throw new CheckFailed(`${c.paths.hotRestart} is not a valid snapshot: ${r.reason}`);
  return { snapshot: r.snapshot, ageMs: nowMs - r.snapshot.captured_ms };
}

export const registerHotRestart: CommandRegistrar = (program, ctx) => {
  const cmd = program.command('hot-restart').description(describeCommand('hot-restart'));
  const common = (sub: ReturnType<typeof cmd.command>) =>
    sub.option('--now <iso>', "reference instant for the snapshot's age (default: now; a simulated session's snapshot carries virtual time)").option('--json', 'machine-readable output');

  common(cmd.command('status').description("the snapshot's age, window, outstanding orders, active feed; whether its supervisor runs")).action((opt: Flags) => {
    const c = ctx();
    const now = nowOf(c, opt);
    const { snapshot: s, ageMs } = load(c, now);
    const holder = supervisorHolder(c.paths);
    const mtimeAgeMs = c.clock.now() - fs.statSync(c.paths.hotRestart).mtimeMs; // the file's own (wall) time
    const out = {
      captured_at: s.captured_at,
      age_ms: ageMs,
      file_age_ms: Math.round(mtimeAgeMs),
      supervisor: holder ? { running: true, owner: describeOwner(holder) } : { running: false },
      snapshot_running: s.running,
      source: s.source,
      mode: s.mode,
      active_window: s.active_window ? { id: s.active_window.id, state: s.active_window.state } : null,
      upcoming_windows: s.upcoming_windows.map((w) => w.id),
      outstanding: s.outstanding.count,
      active_feed: s.feeds?.active ?? null,
      kill_switch: s.kill_switch,
    };
    if (opt.json) c.json(out);
    else {
      c.out(`snapshot ${s.captured_at} (${(ageMs / 1000).toFixed(1)} s old; file written ${(mtimeAgeMs / 1000).toFixed(1)} s ago), ${s.source}/${s.mode}`);
      c.out(`  supervisor: ${holder ? `running (${describeOwner(holder)})` : 'not running'}${s.running ? '' : ' — the snapshot is its last, written as it stopped'}`);
      c.out(`  window: ${s.active_window ? `${s.active_window.id} (${s.active_window.state})` : 'none active'}; next: ${s.upcoming_windows.slice(0, 3).map((w) => w.id).join(', ') || '-'}`);
      c.out(`  outstanding: ${s.outstanding.count}; active feed: ${s.feeds?.active ?? '-'}; kill switch: ${s.kill_switch ? 'ENGAGED' : 'off'}`);
    }
  });

  common(cmd.command('capture').description('ask the running supervisor to write a snapshot now, and wait for it'))
    .option('--timeout <s>', 'how long to wait for the new snapshot', parseNonNegativeNumber, 5)
    .action(async (opt: Flags) => {
      const c = ctx();
      const holder = supervisorHolder(c.paths);
      if (!holder || holder.pid <= 0) throw new CheckFailed('no supervisor is running on this root; the snapshot on disk is its last (see `hot-restart status`)');
      const before = fs.existsSync(c.paths.hotRestart) ? fs.statSync(c.paths.hotRestart).mtimeMs : 0;
      process.kill(holder.pid, 'SIGUSR2');
      const deadline = c.clock.now() + opt.timeout * 1000;
      while (c.clock.now() < deadline) {
        if (fs.existsSync(c.paths.hotRestart) && fs.statSync(c.paths.hotRestart).mtimeMs > before) {
          const r = readSnapshot(c.paths.hotRestart, Number.MAX_SAFE_INTEGER);
          if (r.kind === 'ok') {
            if (opt.json) c.json({ captured_at: r.snapshot.captured_at, pid: holder.pid, outstanding: r.snapshot.outstanding.count });
            else c.out(`captured: ${r.snapshot.captured_at} by pid ${holder.pid} (${r.snapshot.outstanding.count} outstanding)`);
            return;
          }
        }
        await c.clock.sleep(20);
      }
      throw new CheckFailed(`the supervisor (pid ${holder.pid}) wrote no snapshot within ${opt.timeout} s`);
    });

  common(cmd.command('restore').description('what the next supervisor start would resume from the snapshot, or why not (the start itself restores)'))
    .option('--max-restore-age <s>', 'a snapshot at most this old is restored (seconds)', parseNonNegativeNumber, 5)
    .action((opt: Flags) => {
      const c = ctx();
      const now = nowOf(c, opt);
      const { snapshot: s, ageMs } = load(c, now);
      const maxMs = opt.maxRestoreAge * 1000;
      const quoting = s.quoting as unknown as SeriesQuotingState[];
      const live = quoting.flatMap((q) => liveOrders(q).map((o) => o.clientOrderId));
      const why = ageMs < 0 ? 'the snapshot is dated after the reference instant' : ageMs > maxMs ? `older than ${opt.maxRestoreAge} s` : !s.active_window ? 'no active window in it' : quoting.length === 0 ? 'no quoting state in it' : null;
      const plan = {
        restorable: why === null,
        reason: why,
        age_ms: ageMs,
        window: s.active_window?.id ?? null,
        series: quoting.map((q) => q.series),
        orders_to_adopt: live,
        paper_queue_positions: Object.keys(s.paper?.queue ?? {}).length,
      };
      if (opt.json) c.json(plan);
      else if (why) c.out(`not restorable at ${formatEt(now)}: ${why}; the next start closes out what rests from before (cancel, settle)`);
      else c.out(`restorable: window ${plan.window} (${plan.series.join(', ')}), ${live.length} order(s) to adopt, ${plan.paper_queue_positions} paper queue position(s); snapshot ${(ageMs / 1000).toFixed(1)} s old`);
      if (why) throw new CheckFailed(`snapshot not restorable: ${why}`);
    });
};
