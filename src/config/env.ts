/**
 * Environment of SPEC §3: the real environment wins over `<home>/.env`. Validated at the boundary.
 * Secrets (API key id, key path contents, Massive key) are never logged: see `redactEnv`.
 */
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { readOptionalUserFile } from './user-file.ts';

export type RawEnv = Record<string, string | undefined>;

const EnvSchema = z.object({
  KALSHI_API_KEY_ID: z.string().min(1).optional(),
  KALSHI_PRIVATE_KEY_PEM_PATH: z.string().min(1).optional(),
  KALSHI_ENV: z.enum(['prod', 'demo']).optional(),
  KALSHI_API_BASE: z.url().optional(),
  KALSHI_WS_URL: z.url().optional(),
  POLYGON_API_KEY: z.string().min(1).optional(),
  MASSIVE_API_KEY: z.string().min(1).optional(),
  MASSIVE_WS_URL: z.url().optional(),
  MASSIVE_REST_BASE: z.url().optional(),
  KALSHI_INDEX_PAPER_LEDGER_PATH: z.string().min(1).optional(),
  KALSHI_LIVE_APPROVED: z.string().optional(),
  FAMILY: z.literal('index', { error: 'FAMILY: only "index" is valid' }).optional(),
});

export type AppEnv = z.infer<typeof EnvSchema>;

export const SECRET_ENV_KEYS = ['KALSHI_API_KEY_ID', 'POLYGON_API_KEY', 'MASSIVE_API_KEY'] as const;

export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * Merges `<home>/.env` (if present) under the real environment. A `.env` that is there but cannot be read
 * (a directory, no permission) is a UserFileError, not an empty environment.
 */
export function loadRawEnv(envFile: string, real: RawEnv): RawEnv {
  const text = readOptionalUserFile(envFile, '.env');
  const fromFile: RawEnv = text === undefined ? {} : parseDotenv(text);
  const merged: RawEnv = { ...fromFile };
  for (const [k, v] of Object.entries(real)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** Validates the variables we own; blank values count as unset. Other variables pass through untouched. */
export function parseAppEnv(raw: RawEnv): AppEnv {
  const ours: RawEnv = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = raw[key];
    if (v !== undefined && v.trim() !== '') ours[key] = v.trim();
  }
  const r = EnvSchema.safeParse(ours);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    // Never echo the value: it may be a secret.
    throw new EnvError(`environment variable ${key} is invalid: ${issue.message}`);
  }
  return r.data;
}

/** The Massive/Polygon key, whichever name carries it. */
export const massiveApiKey = (env: AppEnv): string | undefined => env.MASSIVE_API_KEY ?? env.POLYGON_API_KEY;

/** Live trading needs the exact string `yes`; nothing else (not "YES", not "true") counts. */
export const liveApproved = (env: AppEnv): boolean => env.KALSHI_LIVE_APPROVED === 'yes';
