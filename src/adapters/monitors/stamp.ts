/**
 * What every monitor file (`freshness.json`, `ev_gap.json`) says about the instant it describes: which clock
 * stamped `generated_at` (`real`, or `virtual` for a simulated session — its time runs wherever that
 * session's `--now` put it), and the state of the supervisor it was written from. A file written by a running
 * supervisor says `running`; `kalshi-alpha monitors` after the supervisor stopped says `stopped` — not a
 * stand-down: nothing is measured because nothing runs.
 *
 * Both fields are optional in the schema (files written before they were recorded read as unknown).
 */
import { z } from 'zod';
import { CLOCK_KINDS, type ClockKind } from '../../ports/clock.ts';

/** `running`; `stopped` (shut down cleanly); `stopped_uncleanly` (killed or crashed); `absent` (none has run here). */
export const SUPERVISOR_STATES = ['running', 'stopped', 'stopped_uncleanly', 'absent'] as const;
export type SupervisorState = (typeof SUPERVISOR_STATES)[number];

export interface MonitorStamp {
  clock: ClockKind;
  supervisor: SupervisorState;
}

/** The stamp's fields as a reader validates them (merge into a monitor file's schema). */
export const MonitorStampFields = {
  clock: z.enum(CLOCK_KINDS).optional(),
  supervisor: z.enum(SUPERVISOR_STATES).optional(),
};

/** The operator's words for a supervisor state. */
export function describeSupervisorState(s: SupervisorState): string {
  switch (s) {
    case 'running':
      return 'running';
    case 'stopped':
      return 'stopped (shut down cleanly)';
    case 'stopped_uncleanly':
      return 'stopped without shutting down (killed or crashed; the next start recovers)';
    case 'absent':
      return 'none has run on this root';
  }
}
