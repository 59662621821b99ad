/**
 * `kalshi-alpha hot-restart status|capture|restore` (SPEC §6.6):
 * - status: the snapshot's age, window, outstanding orders, active feed, and whether its supervisor runs;
 * - capture: asks the running supervisor for a snapshot now (SIGUSR2) and waits for it to land;
 * - restore: what the next start would resume from the snapshot (window, quoting state, orders to adopt),
 *   or why it would not — restoring itself is what every `supervisor-index` start does (crash-only).
 * Age is judged on the snapshot's own clock (`clock`: real, or virtual for a simulated session): `--now` is an
 * instant on that clock; without it a virtual snapshot has no age here (it is not "days old" or "in the
 * future": it is of another clock), and the file's mtime says how long ago it was written, in real time.
 */
import fs from 'node:fs';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import type { CliContext } from '../context.ts';
import { parseNonNegativeNumber } from '../command.ts';
import { CheckFailed, UsageError } from '../errors.ts';
import { formatEt, parseInstant, TimeParseError } from '../../core/time/et.ts';
import { liveOrders, type SeriesQuotingState } from '../../core/quoting/state.ts';
import { readSnapshot, restoreVerdict, snapshotClock, supervisorState, type Snapshot, type SnapshotRead } from '../../app/snapshot.ts';
import { clockKindOf } from '../../adapters/clock/system-clock.ts';
import { describeSupervisorState } from '../../adapters/monitors/stamp.ts';
import type { ClockKind } from '../../ports/clock.ts';
import { supervisorHolder } from '../../app/supervisor/lock.ts';
import { describeOwner } from '../../adapters/fs/file-lock.ts';

interface Flags {
  now?: string;
  json?: boolean;
  maxRestoreAge: number;
  timeout: number;
}

/** `--now`, parsed (bad usage before anything is read). */
function nowFlag(opt: Flags): number | undefined {
  try {
    return opt.now !== undefined ? parseInstant(opt.now) : undefined;
  } catch (e) {
    if (e instanceof TimeParseError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The instant a snapshot is judged at, and on which clock: `--now` is an instant on the snapshot's own clock
 * (a simulated session's virtual time, or real time); without it, this process's clock (real).
 */
function referenceOf(c: CliContext, nowArg: number | undefined, snapshot: Snapshot): { nowMs: number; clock: ClockKind } {
  if (nowArg !== undefined) return { nowMs: nowArg, clock: snapshotClock(snapshot) };
  return { nowMs: c.clock.now(), clock: clockKindOf(c.clock) };
}

/** The snapshot on disk (any clock), or exit 1 saying why there is none. */
function load(c: CliContext): Snapshot {
  const r = readSnapshot(c.paths.hotRestart, 0, { futureToleranceMs: Number.POSITIVE_INFINITY });
  if (r.kind === 'missing') throw new CheckFailed(`no snapshot at ${c.paths.hotRestart} (no supervisor has run on this root)`);
  if (r.kind === 'invalid') throw new CheckFailed(`${c.paths.hotRestart} is not a valid snapshot: ${r.reason}`);
  return r.snapshot;
}

/** The snapshot read again as judged at the reference instant (same clock, or `other_clock`). */
function judged(c: CliContext, ref: { nowMs: number; clock: ClockKind }): SnapshotRead {
  return readSnapshot(c.paths.hotRestart, ref.nowMs, { clock: ref.clock });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const registerHotRestart: CommandRegistrar = (program, ctx) => {
  const cmd = program.command('hot-restart').description(describeCommand('hot-restart'));
  const common = (sub: ReturnType<typeof cmd.command>) =>
    sub
      .option('--now <iso>', "the instant to judge the snapshot's age at, on the snapshot's own clock (a simulated session's snapshot carries virtual time; default: now, real time)")
      .option('--json', 'machine-readable output');

  common(cmd.command('status').description("the snapshot's clock and age, window, outstanding orders, active feed; whether its supervisor runs")).action((opt: Flags) => {
    const c = ctx();
    const nowArg = nowFlag(opt);
    const s = load(c);
    const ref = referenceOf(c, nowArg, s);
    const clock = snapshotClock(s);
    // Its age on the clock that stamped it, or none when the reference is another clock; the file's mtime is real time.
    const ageMs = ref.clock === clock ? ref.nowMs - s.captured_ms : null;
    const holder = supervisorHolder(c.paths);
    const state = supervisorState(s, holder !== null);
    const mtimeAgeMs = Math.round(c.clock.now() - fs.statSync(c.paths.hotRestart).mtimeMs); // the file's own (wall) time
    const out = {
      captured_at: s.captured_at,
      clock,
      age_ms: ageMs,
      file_age_ms: mtimeAgeMs,
      supervisor: { state, running: state === 'running', ...(holder ? { owner: describeOwner(holder) } : {}) },
      snapshot_running: s.running,
      source: s.source,
      mode: s.mode,
      active_window: s.active_window ? { id: s.active_window.id, state: s.active_window.state } : null,
      upcoming_windows: s.upcoming_windows.map((w) => w.id),
      outstanding: s.outstanding.count,
      active_feed: state === 'running' ? (s.feeds?.active ?? null) : null,
      kill_switch: s.kill_switch,
    };
    if (opt.json) {
      c.json(out);
      return;
    }
    const age =
      ageMs === null
        ? `${clock} clock of a ${s.source} session: its age needs --now on that clock`
        : ageMs < 0
          ? `${clock} clock, ${seconds(-ageMs)} after ${opt.now !== undefined ? '--now' : 'now'}`
          : `${clock} clock, ${seconds(ageMs)} old${opt.now !== undefined ? ' at --now' : ''}`;
    c.out(`snapshot ${s.captured_at} (${age}); file written ${seconds(mtimeAgeMs)} ago (real time); ${s.source}/${s.mode}`);
    const last = state === 'running' ? '' : state === 'stopped' ? ' — this is its last snapshot, written as it stopped' : ' — this is the last snapshot it wrote';
    c.out(`  supervisor: ${state === 'running' ? `running (${describeOwner(holder)})` : describeSupervisorState(state)}${last}`);
    c.out(`  window: ${s.active_window ? `${s.active_window.id} (${s.active_window.state})` : 'none active'}; next: ${s.upcoming_windows.slice(0, 3).map((w) => w.id).join(', ') || '-'}`);
    c.out(`  outstanding: ${s.outstanding.count}; active feed: ${state === 'running' ? (s.feeds?.active ?? '-') : '- (not running)'}; kill switch: ${s.kill_switch ? 'ENGAGED' : 'off'}`);
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
      const nowArg = nowFlag(opt);
      const s = load(c);
      const ref = referenceOf(c, nowArg, s);
      // The start's own decision (snapshot.ts), judged at the reference instant on its clock.
      const read = judged(c, ref);
      const v = restoreVerdict(read, { maxAgeMs: opt.maxRestoreAge * 1000 });
      const quoting = s.quoting as unknown as SeriesQuotingState[];
      const live = quoting.flatMap((q) => liveOrders(q).map((o) => o.clientOrderId));
      const why = v.restorable ? null : read.kind === 'other_clock' && nowArg === undefined ? `${v.reason}; give --now on the snapshot's clock to judge it` : v.reason;
      const plan = {
        restorable: v.restorable,
        reason: why,
        clock: snapshotClock(s),
        age_ms: read.kind === 'ok' ? read.ageMs : null,
        window: s.active_window?.id ?? null,
        series: quoting.map((q) => q.series),
        orders_to_adopt: live,
        paper_queue_positions: Object.keys(s.paper?.queue ?? {}).length,
      };
      if (opt.json) c.json(plan);
      else if (why) c.out(`not restorable at ${formatEt(ref.nowMs)} (${ref.clock} clock): ${why}; the next start closes out what rests from before (cancel, settle)`);
      else c.out(`restorable: window ${plan.window} (${plan.series.join(', ')}), ${live.length} order(s) to adopt, ${plan.paper_queue_positions} paper queue position(s); snapshot ${seconds(plan.age_ms ?? 0)} old`);
      if (why) throw new CheckFailed(`snapshot not restorable: ${why}`);
    });
};
