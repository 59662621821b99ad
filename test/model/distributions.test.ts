import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalSurvival, studentT, tSurvivalRaw, tSurvivalUnit } from '../../src/core/model/distributions.ts';
import { refNormalCdf } from './ladders.ts';

test('normal CDF matches an independent erf series/continued fraction to 1e-13', () => {
  for (let z = -8; z <= 8; z += 0.037) {
    assert.ok(Math.abs(normalCdf(z) - refNormalCdf(z)) < 1e-13, `z=${z}: ${normalCdf(z)} vs ${refNormalCdf(z)}`);
  }
  // textbook values
  assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-14);
  assert.equal(normalCdf(0), 0.5);
  // upper tail keeps relative precision far out (no 1 − Φ cancellation)
  assert.ok(Math.abs(normalSurvival(6) / 9.865876450376946e-10 - 1) < 1e-9);
});

test('Student-t tail matches closed forms for ν = 3 and ν = 4 and table quantiles', () => {
  const f3 = (t: number) => 0.5 + (1 / Math.PI) * ((t / Math.sqrt(3)) / (1 + (t * t) / 3) + Math.atan(t / Math.sqrt(3)));
  const f4 = (t: number) => 0.5 + (3 / 8) * (t / Math.sqrt(1 + (t * t) / 4)) * (1 - (t * t) / (12 * (1 + (t * t) / 4)));
  const t3 = studentT(3);
  const t4 = studentT(4);
  for (let t = -12; t <= 12; t += 0.173) {
    assert.ok(Math.abs(1 - tSurvivalRaw(t, t3) - f3(t)) < 1e-12, `ν=3 t=${t}`);
    assert.ok(Math.abs(1 - tSurvivalRaw(t, t4) - f4(t)) < 1e-12, `ν=4 t=${t}`);
  }
  assert.ok(Math.abs(tSurvivalRaw(2.015048373, studentT(5)) - 0.05) < 1e-8);
  assert.ok(Math.abs(tSurvivalRaw(2.228138852, studentT(10)) - 0.025) < 1e-8);
});

test('unit-variance t: same spread as the normal, fatter tails; ν → ∞ approaches the normal', () => {
  const t5 = studentT(5);
  assert.ok(tSurvivalUnit(4, t5) > normalSurvival(4));
  const big = studentT(1e5);
  for (const z of [-2, -0.5, 0, 1, 2.5]) assert.ok(Math.abs(tSurvivalUnit(z, big) - normalSurvival(z)) < 1e-4);
  assert.throws(() => studentT(2), /dof must be > 2/);
});
