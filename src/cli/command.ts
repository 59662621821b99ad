import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from './context.ts';
import { lookupSeries, type SeriesInfo } from '../core/series.ts';
import { SIM_WORLD_KINDS, type SimWorldKind } from '../sim/day/world.ts';

/** Each command module exports one of these. Set `state.exitCode` for non-zero outcomes. */
export type CommandRegistrar = (program: Command, ctx: () => CliContext, state: { exitCode: number }) => void;

/** Commander argument parser for `--series` (accepts INXU or KXINXU, any case). */
export function parseSeriesArg(value: string): SeriesInfo {
  const info = lookupSeries(value);
  if (!info) throw new InvalidArgumentError(`unknown series "${value}" (expected INXU, NASDAQ100U, INX, NASDAQ100 or their KX tickers)`);
  return info;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || value.trim() === '') throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  return n;
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value.trim() === '') throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/** Commander argument parser for `--world` (the simulated world: regime or classic). */
export function parseWorldArg(value: string): SimWorldKind {
  if (!(SIM_WORLD_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected regime or classic, got "${value}"`);
  return value as SimWorldKind;
}
