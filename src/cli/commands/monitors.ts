/**
 * `kalshi-alpha monitors [--json]` (SPEC §7.5): rewrites `freshness.json` and `ev_gap.json` from the
 * current state — the running supervisor's snapshot (`hot_restart.json`). When no supervisor runs (it
 * stopped, was killed, or never ran here) the files say so — `supervisor: stopped`, nothing measured, no
 * active feed — rather than describing a stand-down.
 * The reports are dated on the snapshot's own clock (virtual in a simulated session) and say which.
 */
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { readSnapshot, snapshotClock, supervisorState } from '../../app/snapshot.ts';
import { supervisorHolder } from '../../app/supervisor/lock.ts';
import { clockKindOf } from '../../adapters/clock/system-clock.ts';
import { writeFreshnessMonitor } from '../../adapters/monitors/freshness.ts';
import { buildEvGapReport, writeEvGapMonitor } from '../../adapters/monitors/ev-gap.ts';
import { describeSupervisorState } from '../../adapters/monitors/stamp.ts';

export const registerMonitors: CommandRegistrar = (program, ctx) => {
  program
    .command('monitors')
    .description(describeCommand('monitors'))
    .option('--json', 'print both reports as JSON')
    .action((opt: { json?: boolean }) => {
      const c = ctx();
      const now = c.clock.now();
      // Read whatever clock it is on: the monitors describe the snapshot's instant, never judge its age.
      const read = readSnapshot(c.paths.hotRestart, now, { futureToleranceMs: Number.POSITIVE_INFINITY });
      const snap = read.kind === 'ok' || read.kind === 'other_clock' ? read.snapshot : undefined;
      const state = supervisorState(snap, supervisorHolder(c.paths) !== null);
      const running = state === 'running';
      const at = snap?.captured_ms ?? now;
      const clock = snap ? snapshotClock(snap) : clockKindOf(c.clock);
      const w = running ? (snap?.active_window ?? null) : null;
      const feeds = running ? (snap?.feeds ?? null) : null;
      const thresholds = { softMs: c.config.freshness.soft_ms, strictMs: c.config.freshness.strict_ms };
      const freshness = writeFreshnessMonitor(c.paths.monitorsDir, {
        nowMs: at,
        clock,
        supervisor: state,
        window: w ? { id: w.id, label: w.label, strictMs: w.strict_ms } : null,
        thresholds,
        ages: { polygon: feeds?.polygon.age_ms ?? null, massive: feeds?.massive.age_ms ?? null },
        dualFeed: { active: feeds?.active ?? 'stand_down', lastSwitchAt: snap?.feeds?.last_switch_ms ?? null, switches: snap?.feeds?.switches ?? 0 },
      });
      const evGap = writeEvGapMonitor(
        c.paths.monitorsDir,
        buildEvGapReport(at, { clock, supervisor: state }, w?.label ?? null, freshness.required_feeds_ok, feeds?.active ?? null, snap?.ev_gap ?? {}),
      );
      const from = !snap
        ? `no supervisor snapshot (${read.kind === 'invalid' ? `not valid: ${read.reason}` : 'none has run on this root'})`
        : `the supervisor's ${running ? 'current' : 'last'} snapshot (${snap.captured_at}, ${clock} clock)`;
      if (opt.json) c.json({ supervisor: state, source: from, freshness, ev_gap: evGap });
      else {
        c.out(`monitors rewritten from ${from}: ${c.paths.monitorsDir}`);
        c.out(`  supervisor: ${describeSupervisorState(state)}`);
        if (running) {
          c.out(`  freshness: required_feeds_ok=${freshness.required_feeds_ok} active=${freshness.dual_feed.active} alert=${freshness.alert.alert} (${freshness.alert.consecutive_windows} window(s))`);
        } else {
          c.out(`  freshness: not measured (no supervisor running); alert=${freshness.alert.alert} (${freshness.alert.consecutive_windows} window(s) in the last streak)`);
        }
        c.out(`  ev_gap${running || !snap ? '' : ' (its last window)'}: ${evGap.window_gap.markets} market(s), max ${evGap.window_gap.max_abs_gap_cents}¢, mean ${evGap.window_gap.mean_abs_gap_cents}¢`);
      }
    });
};
