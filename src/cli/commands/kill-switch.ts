import path from 'node:path';
import type { CommandRegistrar } from '../command.ts';
import { describeCommand } from '../manifest.ts';
import { armKillSwitch, disarmKillSwitch, killSwitchStatus } from '../../adapters/fs/kill-switch.ts';
import { checkOutputFile } from '../../config/user-file.ts';

export const registerKillSwitch: CommandRegistrar = (program, ctx, state) => {
  const cmd = program
    .command('kill-switch')
    .description(describeCommand('kill-switch'));
  const fileOf = (opt: { killSwitchFile?: string }) =>
    opt.killSwitchFile ? path.resolve(ctx().home, opt.killSwitchFile) : ctx().paths.killSwitch;
  /** arm/disarm write or remove a file: a directory in its place is bad input (exit 2), never removed. */
  const writableFileOf = (opt: { killSwitchFile?: string }) => {
    const file = fileOf(opt);
    checkOutputFile(file, opt.killSwitchFile ? `--kill-switch-file ${opt.killSwitchFile}` : file);
    return file;
  };

  cmd
    .command('arm')
    .description('create the sentinel: the supervisor cancels everything within 1 s and quotes nothing')
    .option('--kill-switch-file <path>', 'sentinel path (default data/proc/state/kill_switch)')
    .option('--reason <text>', 'why it was armed', 'operator')
    .option('--json', 'machine-readable output')
    .action((opt: { killSwitchFile?: string; reason: string; json?: boolean }) => {
      const s = armKillSwitch(writableFileOf(opt), ctx().clock.now(), opt.reason);
      if (opt.json) ctx().json(s);
      else ctx().out(`kill switch ARMED at ${s.armedAt} (${s.path})`);
    });

  cmd
    .command('disarm')
    .description('remove the sentinel')
    .option('--kill-switch-file <path>', 'sentinel path (default data/proc/state/kill_switch)')
    .option('--json', 'machine-readable output')
    .action((opt: { killSwitchFile?: string; json?: boolean }) => {
      const file = writableFileOf(opt);
      const removed = disarmKillSwitch(file);
      if (opt.json) ctx().json({ engaged: false, removed, path: file });
      else ctx().out(removed ? `kill switch disarmed (${file})` : `kill switch was not armed (${file})`);
    });

  cmd
    .command('status')
    .description('print whether the sentinel exists; exit 1 when engaged')
    .option('--kill-switch-file <path>', 'sentinel path (default data/proc/state/kill_switch)')
    .option('--json', 'machine-readable output')
    .action((opt: { killSwitchFile?: string; json?: boolean }) => {
      const s = killSwitchStatus(fileOf(opt));
      if (opt.json) ctx().json(s);
      else ctx().out(s.engaged ? `kill switch ENGAGED since ${s.armedAt}${s.reason ? ` (${s.reason})` : ''} — ${s.path}` : `kill switch disengaged — ${s.path}`);
      if (s.engaged) state.exitCode = 1;
    });
};
