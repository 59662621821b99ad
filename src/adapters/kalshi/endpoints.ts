/** Kalshi hosts per environment (reference §1), overridable by KALSHI_API_BASE / KALSHI_WS_URL. */
import type { AppEnv } from '../../config/env.ts';

export interface KalshiEndpoints {
  env: 'prod' | 'demo';
  /** REST base including `/trade-api/v2`, no trailing slash. */
  restBase: string;
  wsUrl: string;
}

export const KALSHI_HOSTS = {
  prod: {
    restBase: 'https://external-api.kalshi.com/trade-api/v2',
    wsUrl: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  },
  demo: {
    restBase: 'https://external-api.demo.kalshi.co/trade-api/v2',
    wsUrl: 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2',
  },
} as const;

/** The path every WebSocket handshake signs (the host never changes the signed string). */
export const WS_SIGN_PATH = '/trade-api/ws/v2';

export function resolveKalshiEndpoints(env: Pick<AppEnv, 'KALSHI_ENV' | 'KALSHI_API_BASE' | 'KALSHI_WS_URL'>): KalshiEndpoints {
  const which = env.KALSHI_ENV ?? 'prod';
  const hosts = KALSHI_HOSTS[which];
  return {
    env: which,
    restBase: (env.KALSHI_API_BASE ?? hosts.restBase).replace(/\/+$/, ''),
    wsUrl: env.KALSHI_WS_URL ?? hosts.wsUrl,
  };
}
