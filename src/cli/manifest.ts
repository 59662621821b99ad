/**
 * Every command, cheaply: its name and one-line description (the one source of both), and how to load its
 * module. `kalshi-alpha --help` needs nothing more; running a command loads only that command's module
 * (and what it imports). Command modules describe themselves with `describeCommand(name)`.
 */
import type { CommandRegistrar } from './command.ts';

export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<CommandRegistrar>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'supervisor-index',
    description: 'the main job: every window of the day — preflight, freshness gate, maker quotes per series, cancel at freeze, settle',
    load: async () => (await import('./commands/supervisor-index.ts')).registerSupervisorIndex,
  },
  {
    name: 'micro-index',
    description: 'run one series through one window end to end: discover → price → quote → paper fills → cancel at freeze → settle',
    load: async () => (await import('./commands/micro-index.ts')).registerMicroIndex,
  },
  {
    name: 'preflight',
    description: 'GO / NO-GO for the active or next window, with the stable reasons of SPEC §6.2 (exit 1 on NO-GO)',
    load: async () => (await import('./commands/preflight.ts')).registerPreflight,
  },
  {
    name: 'windows',
    description: 'print the resolved trading windows (start/strict/freeze/target in ET and UTC)',
    load: async () => (await import('./commands/windows.ts')).registerWindows,
  },
  {
    name: 'scan-ladders',
    description: "discover the day's index ladders per window and series, and the windows the exchange has not listed",
    load: async () => (await import('./commands/scan-ladders.ts')).registerScanLadders,
  },
  {
    name: 'price',
    description: "what the model says now for a ladder: per market p_yes, book, maker EV after fees both sides, and the quotes selection would place",
    load: async () => (await import('./commands/price.ts')).registerPrice,
  },
  {
    name: 'calibrate',
    description: 'fit model parameters (σ and drift per minute to target, per target hour for hourly; residual from the official closes; event κ) from minute bars (SPEC §5.3)',
    load: async () => (await import('./commands/calibrate.ts')).registerCalibrate,
  },
  {
    name: 'scoreboard',
    description: 'paper results per day / series / window: quotes, fills, fill rate vs estimated fill probability, realised PnL, quote life, re-quotes within 3 s and queue position kept, Brier score, log loss and reliability once per quoted market',
    load: async () => (await import('./commands/scoreboard.ts')).registerScoreboard,
  },
  {
    name: 'orders',
    description: 'outstanding-orders state (data/proc/state/orders.json) and the cancel-all marker',
    load: async () => (await import('./commands/orders.ts')).registerOrders,
  },
  {
    name: 'kill-switch',
    description: 'arm, disarm or show the kill-switch sentinel file (SPEC §6.5)',
    load: async () => (await import('./commands/kill-switch.ts')).registerKillSwitch,
  },
  {
    name: 'hot-restart',
    description: "the supervisor snapshot data/proc/state/hot_restart.json: status (its clock, age and the supervisor's state), capture now, what a restart would restore",
    load: async () => (await import('./commands/hot-restart.ts')).registerHotRestart,
  },
  {
    name: 'monitors',
    description: "rewrite reports/_artifacts/monitors/{freshness,ev_gap}.json from the supervisor's current snapshot (a stopped supervisor reads as stopped, not as a stand-down)",
    load: async () => (await import('./commands/monitors.ts')).registerMonitors,
  },
  {
    name: 'failover-smoke',
    description: 'rehearse the dual-feed failover offline on a virtual clock (stall, flip, return, stand down, recover)',
    load: async () => (await import('./commands/failover-smoke.ts')).registerFailoverSmoke,
  },
  {
    name: 'housekeep',
    description: "rotate the ledger's closed days into data/proc/ledger/archive/YYYY-MM-DD.jsonl.gz and delete archives and artifacts older than N days (by their recorded date); safe while the supervisor appends and if killed",
    load: async () => (await import('./commands/housekeep.ts')).registerHousekeep,
  },
  {
    name: 'dashboard',
    description: "serve the operator's live page (windows, feeds, kill switch, orders, ledger, PnL, reliability) and /metrics; reads the state files, so it works beside a running supervisor-index",
    load: async () => (await import('./commands/dashboard.ts')).registerDashboard,
  },
  {
    name: 'replay',
    description: 'run the engine over a generated day (--date, --seed), a recording (--recording) or many days (--days N --from D) in one process on a discrete-event clock, as fast as possible; prints the scoreboard',
    load: async () => (await import('./commands/replay.ts')).registerReplay,
  },
  {
    name: 'sim',
    description: 'start the simulator (Kalshi REST + websocket, two Massive index feeds) standalone on loopback and print the environment to point a run at it; runs until Ctrl-C. sim bars: write a simulated world\'s minute bars as CSV',
    load: async () => (await import('./commands/sim.ts')).registerSim,
  },
  {
    name: 'evaluate',
    description: 'model vs truth: a simulated run\'s ledger against the oracle (error, bias, claimed EV vs oracle edge per minutes-to-target bucket), or minute bars walked forward (--bars: Brier, log loss, reliability of the model and two baselines)',
    load: async () => (await import('./commands/evaluate.ts')).registerEvaluate,
  },
];

export function describeCommand(name: string): string {
  const e = COMMANDS.find((c) => c.name === name);
  if (!e) throw new Error(`command ${name} is not in src/cli/manifest.ts`);
  return e.description;
}
