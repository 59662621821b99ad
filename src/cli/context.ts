/**
 * What a command gets from the CLI frame: I/O, environment, paths, config, clock. Built lazily and
 * injected, so tests run commands in-process with their own env, root and clock.
 */
import type { Clock } from '../ports/clock.ts';
import { SystemClock } from '../adapters/clock/system-clock.ts';
import { loadRawEnv, parseAppEnv, EnvError, type AppEnv, type RawEnv } from '../config/env.ts';
import { loadIndexOps, ConfigError, type IndexOpsConfig } from '../config/index-ops.ts';
import { resolveHome, resolvePaths, type Paths } from '../config/paths.ts';
import { loadCalendarOverrides } from '../config/calendar-config.ts';
import { createCalendar, type TradingCalendar } from '../core/calendar/calendar.ts';
import { UsageError } from './errors.ts';

export interface CliIO {
  env: RawEnv;
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Injected clock (tests, replay); defaults to the system clock. */
  clock?: Clock;
  /** Aborts long-running commands (SIGINT/SIGTERM in the real process). */
  signal?: AbortSignal;
}

export class CliContext {
  readonly home: string;
  readonly paths: Paths;
  readonly rawEnv: RawEnv;
  readonly clock: Clock;
  private cachedEnv: AppEnv | undefined;
  private cachedConfig: IndexOpsConfig | undefined;
  private cachedCalendar: TradingCalendar | undefined;

  constructor(
    readonly io: CliIO,
    readonly debug: boolean,
  ) {
    this.home = resolveHome(io.env, io.cwd);
    const preliminary = resolvePaths(this.home);
    this.rawEnv = loadRawEnv(preliminary.envFile, io.env);
    this.paths = resolvePaths(this.home, this.rawEnv);
    this.clock = io.clock ?? new SystemClock();
  }

  /** Validated environment; a bad value is a usage error (exit 2) naming the variable. */
  get env(): AppEnv {
    if (!this.cachedEnv) {
      try {
        this.cachedEnv = parseAppEnv(this.rawEnv);
      } catch (e) {
        if (e instanceof EnvError) throw new UsageError(e.message);
        throw e;
      }
    }
    return this.cachedEnv;
  }

  /** Validated `configs/index_ops.yaml` (or defaults); a bad value is a usage error naming the key. */
  get config(): IndexOpsConfig {
    if (!this.cachedConfig) {
      try {
        this.cachedConfig = loadIndexOps(this.paths.indexOpsConfig);
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
    }
    return this.cachedConfig;
  }

  /** Trading calendar: built-in table plus `configs/calendar.yaml` overrides (validated). */
  get calendar(): TradingCalendar {
    if (!this.cachedCalendar) {
      const windows = this.config.windows; // announced early closes are checked against it
      try {
        this.cachedCalendar = createCalendar(loadCalendarOverrides(this.paths.calendarConfig, undefined, windows));
      } catch (e) {
        if (e instanceof ConfigError || e instanceof Error) throw new UsageError(`configs/calendar.yaml: ${(e as Error).message.replace(/^configs\/calendar\.yaml: /, '')}`);
        throw e;
      }
    }
    return this.cachedCalendar;
  }

  out(text: string): void {
    this.io.out(text.endsWith('\n') ? text : text + '\n');
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }
}
