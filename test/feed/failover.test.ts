import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  initialFailoverState,
  isFresh,
  nextFailoverCheckAt,
  stepFailover,
  type FailoverConfig,
  type FailoverInput,
  type FailoverState,
  type FailoverTransition,
  type FeedHealth,
} from '../../src/core/feed/failover.ts';
import { FeedFreshness } from '../../src/core/feed/freshness.ts';

const CFG: FailoverConfig = { sloMs: 1200, returnAfterMs: 5000 };
const fresh = (age: number, since: number | null = 0): FeedHealth => ({ ageMs: age, freshSinceMs: since });
const stale = (age: number | null = 5000): FeedHealth => ({ ageMs: age, freshSinceMs: null });
const at = (s: FailoverState, input: FailoverInput) => stepFailover(s, input, CFG);
const st = (active: FailoverState['active']): FailoverState => ({ active, lastSwitchAt: null, switches: 0 });

test('starts standing down and resumes on polygon first, massive when only it is fresh', () => {
  assert.equal(initialFailoverState().active, 'stand_down');
  assert.equal(at(initialFailoverState(), { now: 10, polygon: stale(null), massive: stale(null) }).transition, null);
  assert.equal(at(st('stand_down'), { now: 10, polygon: fresh(5), massive: fresh(5) }).state.active, 'polygon');
  const r = at(st('stand_down'), { now: 10, polygon: stale(), massive: fresh(100) });
  assert.deepEqual(r.transition, { at: 10, from: 'stand_down', to: 'massive', reason: 'feed_fresh', ages: { polygon: 5000, massive: 100 } });
});

test('polygon → massive only when polygon age exceeds the SLO and massive is fresh; else stand down', () => {
  assert.equal(at(st('polygon'), { now: 0, polygon: fresh(1200), massive: fresh(10) }).transition, null, 'age == SLO is still fresh');
  const flip = at(st('polygon'), { now: 5000, polygon: stale(1201), massive: fresh(10) });
  assert.equal(flip.state.active, 'massive');
  assert.equal(flip.transition!.reason, 'primary_stale');
  assert.equal(flip.state.lastSwitchAt, 5000);
  assert.equal(flip.state.switches, 1);
  const down = at(st('polygon'), { now: 5000, polygon: stale(1201), massive: stale(1300) });
  assert.equal(down.state.active, 'stand_down');
  assert.equal(down.transition!.reason, 'both_stale');
});

test('both feeds ended (their data is over, e.g. a replayed day after its target): stand down for the end of the data, not an outage', () => {
  const ended = (h: FeedHealth): FeedHealth => ({ ...h, ended: true });
  const end = at(st('polygon'), { now: 5000, polygon: ended(stale(1201)), massive: ended(stale(1201)) });
  assert.equal(end.state.active, 'stand_down');
  assert.equal(end.transition!.reason, 'data_ended');
  // One feed ending while the other goes silent is still an outage of the other; an ended primary fails over.
  assert.equal(at(st('polygon'), { now: 5000, polygon: ended(stale(1201)), massive: stale(1300) }).transition!.reason, 'both_stale');
  assert.equal(at(st('massive'), { now: 5000, polygon: stale(), massive: ended(stale(1201)) }).transition!.reason, 'both_stale');
  assert.equal(at(st('polygon'), { now: 5000, polygon: ended(stale(1201)), massive: fresh(10) }).transition!.reason, 'primary_stale');
  // Data again: resume as from any stand-down.
  assert.equal(at(st('stand_down'), { now: 9000, polygon: fresh(5), massive: fresh(5) }).transition!.reason, 'feed_fresh');
});

test('massive → polygon after polygon has been fresh continuously for return_after_ms, not a millisecond earlier', () => {
  const input = (now: number): FailoverInput => ({ now, polygon: fresh(100, 10_000), massive: fresh(100) });
  assert.equal(at(st('massive'), input(14_999)).transition, null);
  const back = at(st('massive'), input(15_000));
  assert.equal(back.state.active, 'polygon');
  assert.equal(back.transition!.reason, 'primary_recovered');
});

test('on massive: massive going stale returns early to a fresh polygon, or stands down', () => {
  const early = at(st('massive'), { now: 100, polygon: fresh(50, 90), massive: stale(1201) });
  assert.equal(early.state.active, 'polygon');
  assert.equal(early.transition!.reason, 'secondary_stale');
  assert.equal(at(st('massive'), { now: 100, polygon: stale(), massive: stale(1201) }).state.active, 'stand_down');
});

test('nextFailoverCheckAt: the SLO crossing of each fresh feed and the end of the return period', () => {
  const input: FailoverInput = { now: 10_000, polygon: fresh(200, 8_000), massive: fresh(700) };
  assert.equal(nextFailoverCheckAt(st('polygon'), input, CFG), 10_000 - 700 + 1201);
  assert.equal(nextFailoverCheckAt(st('massive'), { ...input, massive: fresh(0) }, CFG), 11_001);
  assert.equal(nextFailoverCheckAt(st('massive'), { now: 12_500, polygon: fresh(0, 8_000), massive: fresh(0) }, CFG), 13_000);
  assert.equal(nextFailoverCheckAt(st('stand_down'), { now: 1, polygon: stale(), massive: stale(null) }, CFG), undefined);
});

// ---- properties over random tick streams, driven the way the DualFeed adapter drives the machine ----

/** Receipt instants of one feed: bursts of regular ticks separated by outages. */
const receiptsArb = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 50, max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 900, max: 9000 }) }), { minLength: 1, maxLength: 120 })
  .chain((gaps) =>
    fc.integer({ min: 0, max: 3000 }).map((first) => {
      const out: number[] = [];
      let t = first;
      for (const g of gaps) out.push((t += g));
      return out;
    }),
  );

const cfgArb = fc.record({ sloMs: fc.integer({ min: 200, max: 2000 }), returnAfterMs: fc.integer({ min: 500, max: 8000 }) });

interface Run {
  steps: { input: FailoverInput; state: FailoverState }[];
  probes: { input: FailoverInput; state: FailoverState }[];
  transitions: FailoverTransition[];
  final: FailoverState;
}

/** Steps the machine at every receipt and at every instant `nextFailoverCheckAt` names; checks probes in between. */
function simulate(polygon: number[], massive: number[], probes: number[], cfg: FailoverConfig): Run {
  const fp = new FeedFreshness(['I:SPX'], cfg.sloMs);
  const fm = new FeedFreshness(['I:SPX'], cfg.sloMs);
  const health = (f: FeedFreshness, now: number): FeedHealth => ({ ageMs: f.ageMs(now), freshSinceMs: f.freshSince(now) });
  const inputAt = (now: number): FailoverInput => ({ now, polygon: health(fp, now), massive: health(fm, now) });
  let state = initialFailoverState();
  const run: Run = { steps: [], probes: [], transitions: [], final: state };
  let deadline: number | undefined;
  const end = Math.max(...polygon, ...massive) + 2 * (cfg.sloMs + cfg.returnAfterMs);
  const instants = [...new Set([...polygon, ...massive, ...probes])].sort((a, b) => a - b);
  const step = (now: number) => {
    const input = inputAt(now);
    const r = stepFailover(state, input, cfg);
    state = r.state;
    if (r.transition) run.transitions.push(r.transition);
    run.steps.push({ input, state });
    deadline = nextFailoverCheckAt(state, input, cfg);
  };
  for (const t of [...instants, end]) {
    while (deadline !== undefined && deadline <= t) step(deadline);
    const p = polygon.includes(t);
    const m = massive.includes(t);
    if (p) fp.record('I:SPX', t, t);
    if (m) fm.record('I:SPX', t, t);
    if (p || m) step(t);
    if (probes.includes(t)) run.probes.push({ input: inputAt(t), state });
  }
  run.final = state;
  return run;
}

function assertInvariants(input: FailoverInput, state: FailoverState, cfg: FailoverConfig): void {
  const pf = isFresh(input.polygon, cfg);
  const mf = isFresh(input.massive, cfg);
  if (state.active === 'polygon') assert.ok(pf || !mf, `on stale polygon while massive is fresh at ${input.now}`);
  if (state.active === 'massive') assert.ok(mf || !pf, `on stale massive while polygon is fresh at ${input.now}`);
  if (state.active === 'stand_down') assert.ok(!pf && !mf, `standing down while a feed is fresh at ${input.now}`);
  else assert.ok(pf || mf, `not standing down with both feeds stale at ${input.now}`);
  if (state.active === 'massive' && pf) {
    assert.ok(input.now - input.polygon.freshSinceMs! < cfg.returnAfterMs, `still on massive after polygon was fresh ${cfg.returnAfterMs} ms at ${input.now}`);
  }
}

test('property: never active on a stale feed when the other is fresh; stand down exactly when both are stale', () => {
  fc.assert(
    fc.property(receiptsArb, receiptsArb, fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 60 }), cfgArb, (p, m, probes, cfg) => {
      const run = simulate(p, m, probes, cfg);
      for (const s of run.steps) assertInvariants(s.input, s.state, cfg);
      // Probes between steps: the deadline scheduling leaves no instant where the state is wrong.
      for (const s of run.probes) assertInvariants(s.input, s.state, cfg);
    }),
    { numRuns: 300 },
  );
});

test('property: transitions are well-formed, counted, and each has the reason its inputs justify', () => {
  fc.assert(
    fc.property(receiptsArb, receiptsArb, cfgArb, (p, m, cfg) => {
      const run = simulate(p, m, [], cfg);
      assert.equal(run.final.switches, run.transitions.length);
      let prev: FailoverTransition | undefined;
      for (const t of run.transitions) {
        assert.notEqual(t.from, t.to);
        if (prev) {
          assert.equal(t.from, prev.to);
          assert.ok(t.at >= prev.at);
        } else assert.equal(t.from, 'stand_down');
        if (t.reason === 'primary_stale') assert.ok(t.from === 'polygon' && t.to === 'massive' && t.ages.polygon! > cfg.sloMs && t.ages.massive! <= cfg.sloMs);
        if (t.reason === 'both_stale') assert.ok(t.to === 'stand_down' && (t.ages.polygon ?? Infinity) > cfg.sloMs && (t.ages.massive ?? Infinity) > cfg.sloMs);
        if (t.reason === 'primary_recovered') assert.ok(t.from === 'massive' && t.to === 'polygon' && t.ages.polygon! <= cfg.sloMs);
        prev = t;
      }
      if (run.transitions.length > 0) assert.equal(run.final.lastSwitchAt, run.transitions.at(-1)!.at);
    }),
    { numRuns: 300 },
  );
});

test('property: after polygon stalls, the flip to a fresh massive happens exactly at last receipt + SLO + 1 ms', () => {
  fc.assert(
    fc.property(fc.integer({ min: 5, max: 40 }), fc.integer({ min: 50, max: 300 }), cfgArb, (n, interval, cfg) => {
      fc.pre(interval < cfg.sloMs);
      const polygon = Array.from({ length: n }, (_, i) => 1000 + i * interval);
      const lastP = polygon.at(-1)!;
      const massive = Array.from({ length: n + Math.ceil((cfg.sloMs + 2000) / interval) }, (_, i) => 1000 + i * interval + 1);
      const run = simulate(polygon, massive, [], cfg);
      const flip = run.transitions.find((t) => t.reason === 'primary_stale');
      assert.ok(flip, 'no flip to massive');
      assert.equal(flip.at, lastP + cfg.sloMs + 1);
    }),
    { numRuns: 200 },
  );
});
