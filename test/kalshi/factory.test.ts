import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { connectKalshi } from '../../src/adapters/kalshi/factory.ts';
import { KalshiKeyError } from '../../src/adapters/kalshi/auth.ts';
import { defaultIndexOps } from '../../src/config/index-ops.ts';
import { KEY_ID, startRig, testKeys, until } from './helpers.ts';
import { tempDir } from '../helpers/tmp.ts';

test('connectKalshi: key from KALSHI_PRIVATE_KEY_PEM_PATH, hosts from the environment, config tuning applied', async () => {
  const rig = await startRig({ mmTickMs: 0 });
  const dir = tempDir('kkey-');
  const pemPath = path.join(dir, 'kalshi.key');
  fs.writeFileSync(pemPath, testKeys().privatePem, { mode: 0o600 });
  try {
    const conn = connectKalshi({
      clock: rig.clock,
      env: { KALSHI_API_BASE: rig.sim.restBase, KALSHI_WS_URL: rig.sim.wsUrl, KALSHI_API_KEY_ID: KEY_ID, KALSHI_PRIVATE_KEY_PEM_PATH: pemPath },
      rateLimits: defaultIndexOps().kalshi,
    });
    assert.equal(conn.endpoints.restBase, rig.sim.restBase);
    assert.equal((await conn.rest.getBalance()).balance, 1_000_000);
    assert.equal((await conn.venue.seriesFees('NASDAQ100')).multiplier, 1);
    const ws = conn.stream();
    ws.watchLifecycle();
    await ws.start();
    await until(rig.clock, () => ws.isSubscribed('market_lifecycle_v2'), 'subscribed');
    await ws.stop();

    const anonymous = connectKalshi({ clock: rig.clock, env: { KALSHI_API_BASE: rig.sim.restBase } });
    assert.equal((await anonymous.rest.getExchangeStatus()).exchange_active, true, 'market data needs no key');
    assert.throws(() => anonymous.stream(), /needs an API key/);
    await assert.rejects(anonymous.rest.getBalance(), /needs an API key/);

    const missing = path.join(dir, 'nope.key');
    assert.throws(
      () => connectKalshi({ clock: rig.clock, env: { KALSHI_API_KEY_ID: KEY_ID, KALSHI_PRIVATE_KEY_PEM_PATH: missing } }),
      (e: unknown) => e instanceof KalshiKeyError && !(e as Error).message.includes(KEY_ID),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await rig.close();
  }
});
