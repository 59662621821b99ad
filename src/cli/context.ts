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
import type { Logger } from '../ports/logger.ts';
import { createLogger, type LogFormat } from '../adapters/log/logger.ts';
import { Redactor, pemSecrets } from '../adapters/log/redact.ts';
import fs from 'node:fs';

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
  private cachedRedactor: Redactor | undefined;

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
        // A ConfigError names the file (and line and column) already; anything else gets the file's name.
        if (e instanceof ConfigError) throw new UsageError(e.message);
        if (e instanceof Error) throw new UsageError(`configs/calendar.yaml: ${e.message}`);
        throw e;
      }
    }
    return this.cachedCalendar;
  }

  /** Masks every configured secret (key id, Massive key, private key material) in any text we print. */
  get redactor(): Redactor {
    this.cachedRedactor ??= secretsRedactor(this.rawEnv);
    return this.cachedRedactor;
  }

  /** The run's logger: pino, stamped by `clock`, redacted; to stdout, or stderr when stdout carries JSON. */
  logger(o: { clock: () => Clock; format?: LogFormat; quiet?: boolean; toStderr?: boolean }): Logger {
    const write = o.toStderr ? (s: string) => this.io.err(s) : (s: string) => this.io.out(s);
    return createLogger({ clock: o.clock, format: o.format ?? 'text', level: o.quiet ? 'warn' : 'info', write, redactor: this.redactor });
  }

  out(text: string): void {
    this.io.out(text.endsWith('\n') ? text : text + '\n');
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }
}

/** The secret values of an environment: key id, Massive key, and the private key file's material if readable. */
export function secretsRedactor(env: RawEnv): Redactor {
  const secrets: (string | undefined)[] = [env.KALSHI_API_KEY_ID, env.POLYGON_API_KEY, env.MASSIVE_API_KEY];
  const pemPath = env.KALSHI_PRIVATE_KEY_PEM_PATH?.trim();
  if (pemPath) {
    try {
      secrets.push(...pemSecrets(fs.readFileSync(pemPath, 'utf8')));
    } catch {
      // unreadable key file: nothing of it can leak either
    }
  }
  return new Redactor(secrets);
}
