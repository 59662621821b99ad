import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { discoverLadders, summarizeLadder } from '../../src/core/discovery.ts';
import { createCalendar } from '../../src/core/calendar/calendar.ts';
import { windowsForDay } from '../../src/core/windows.ts';
import type { LadderEvent, Market } from '../../src/core/market.ts';
import { etToMs } from '../../src/core/time/et.ts';
import { runCli } from '../../src/cli/program.ts';
import { VirtualClock } from '../../src/adapters/clock/virtual-clock.ts';
import { FixtureVenue, readFixtureManifest } from '../../src/adapters/kalshi/fixture-venue.ts';
import { KalshiVenue } from '../../src/adapters/kalshi/venue.ts';
import { generateKalshiFixtures } from '../../scripts/gen-kalshi-fixtures.ts';
import { startRig, SIM_DATE, type Rig } from './helpers.ts';
import { tempDir } from '../helpers/tmp.ts';

const FIXTURES = path.resolve('fixtures/kalshi');

function ev(series: LadderEvent['series'], eventTicker: string, closeMs: number, strikes: number[]): LadderEvent {
  const markets: Market[] = strikes.map((k) => ({
    ticker: `${eventTicker}-T${k}`,
    eventTicker,
    series,
    strikeType: 'greater_or_equal',
    floorStrike: k,
    openTimeMs: 0,
    closeTimeMs: closeMs,
    status: 'active',
    priceRanges: [{ start: 100, end: 9900, step: 100 }],
  }));
  return { eventTicker, series, closeTimeMs: closeMs, markets };
}

async function cli(argv: string[], opts: { clock?: VirtualClock; env?: Record<string, string>; cwd?: string } = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env: opts.env ?? {},
    cwd: opts.cwd ?? tempDir('scan-'),
    out: (s) => (out += s),
    err: (s) => (err += s),
    clock: opts.clock ?? new VirtualClock(etToMs(SIM_DATE, '12:00')),
  });
  return { code, out, err };
}

describe('discovery (pure)', () => {
  const cal = createCalendar();
  const windows = windowsForDay(SIM_DATE, cal);

  test('matches by close time, reports missing windows and unmatched listings', () => {
    const events = [
      ev('INXU', 'KXINXU-26NOV20H1000', etToMs(SIM_DATE, '10:00'), [6800, 6825, 6850]),
      ev('NASDAQ100U', 'KXNASDAQ100U-26NOV20H1000', etToMs(SIM_DATE, '10:00'), [25000]),
      // Ticker says 11:00 but it closes at 10:30: matched by close time only, so it matches nothing.
      ev('INXU', 'KXINXU-26NOV20H1100', etToMs(SIM_DATE, '10:30'), [6800]),
    ];
    const r = discoverLadders(windows, events);
    const h10 = r.windows.find((w) => w.window.label === 'hourly-1000')!;
    assert.equal(h10.ladders.find((l) => l.series === 'INXU')!.ladder!.eventTicker, 'KXINXU-26NOV20H1000');
    assert.deepEqual([h10.ladders[0]!.ladder!.strikeMin, h10.ladders[0]!.ladder!.strikeMax], [6800, 6850]);
    assert.equal(r.unmatched.length, 1);
    assert.equal(r.unmatched[0]!.eventTicker, 'KXINXU-26NOV20H1100');
    // 6 hourly × 2 + close × 4 = 16 slots, 2 listed.
    assert.equal(r.missing.length, 14);
    assert.ok(r.missing.some((m) => m.label === 'hourly-1100' && m.series === 'INXU'));
  });

  test('a duplicate listing for one slot is never merged', () => {
    const t = etToMs(SIM_DATE, '10:00');
    const r = discoverLadders(windows.slice(0, 1), [ev('INXU', 'A', t, [1, 2, 3]), ev('INXU', 'B', t, [1])]);
    assert.equal(r.windows[0]!.ladders[0]!.ladder!.eventTicker, 'A');
    assert.deepEqual(r.unmatched.map((u) => u.eventTicker), ['B']);
  });

  test('summary status is mixed when markets disagree', () => {
    const e = ev('INXU', 'X', 0, [1, 2]);
    e.markets[1]!.status = 'closed';
    assert.equal(summarizeLadder(e).status, 'mixed');
  });
});

describe('offline fixtures', () => {
  test('the committed fixtures are exactly what the seeded generator produces', async () => {
    const tmp = tempDir('kfx-');
    try {
      await generateKalshiFixtures(tmp);
      const list = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(d, e.name)).map((x) => path.join(e.name, x)) : [e.name])).sort();
      assert.deepEqual(list(tmp), list(FIXTURES));
      for (const f of list(FIXTURES)) assert.equal(fs.readFileSync(path.join(tmp, f), 'utf8'), fs.readFileSync(path.join(FIXTURES, f), 'utf8'), f);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('the fixture venue parses every shape', async () => {
    const m = readFixtureManifest(FIXTURES);
    const v = new FixtureVenue(FIXTURES, m.default_date, () => 0);
    const evs = await v.listEvents({ series: 'INX' });
    assert.equal(evs.length, 1);
    assert.deepEqual(evs[0]!.fees, { feeType: 'quadratic', multiplier: 1 });
    const book = await v.getOrderBook(evs[0]!.markets[2]!.ticker);
    assert.ok(book.yesBids.length > 0 && book.yesBids[0]!.price > (book.yesBids[1]?.price ?? 0));
    assert.equal((await v.exchangeStatus()).tradingActive, true);
    assert.ok((await v.exchangeSchedule()).maintenanceWindows.length >= 1);
    assert.equal((await v.getMarket(evs[0]!.markets[0]!.ticker)).strikeType, 'less');
  });
});

describe('scan-ladders command', () => {
  test('--discover --today --offline (text) lists every window and the missing one', async () => {
    const r = await cli(['scan-ladders', '--discover', '--today', '--offline']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /hourly-1000\s+INXU\s+KXINXU-26NOV20H1000\s+5/);
    assert.match(r.out, /close-1600\s+NASDAQ100\s+KXNASDAQ100-26NOV20H1600\s+6/);
    assert.match(r.out, /missing: 1\n\s+hourly-1500 NASDAQ100U/);
  });

  test('--json, --series, --strict, and an early-close day', async () => {
    const r = await cli(['scan-ladders', '--discover', '--date', '2026-11-20', '--offline', '--json', '--strict']);
    assert.equal(r.code, 1, 'strict: a missing window fails the check');
    const j = JSON.parse(r.out);
    assert.equal(j.windows.length, 7);
    assert.deepEqual(j.missing.map((m: { window_id: string; series: string }) => `${m.window_id}:${m.series}`), ['2026-11-20/hourly-1500:NASDAQ100U']);
    const inx = j.windows.at(-1).ladders.find((l: { series: string }) => l.series === 'INX');
    assert.equal(inx.listed, true);
    assert.equal(inx.market_count, 6);
    assert.equal(inx.close_et, '2026-11-20T16:00:00-05:00');
    const early = JSON.parse((await cli(['scan-ladders', '--discover', '--date', '2026-11-27', '--offline', '--json', '--series', 'KXINXU'])).out);
    assert.equal(early.session.status, 'early_close');
    assert.deepEqual(early.windows.map((w: { label: string }) => w.label), ['hourly-1000', 'hourly-1100', 'hourly-1200', 'close-1300']);
    assert.equal(early.missing.length, 0);
  });

  test('bad usage exits 2 with a one-line reason', async () => {
    for (const argv of [
      ['scan-ladders', '--discover', '--date', '2026-13-01', '--offline'],
      ['scan-ladders', '--discover', '--today', '--date', '2026-11-20', '--offline'],
      ['scan-ladders', '--discover', '--offline'],
      ['scan-ladders', '--discover', '--date', '2026-11-23', '--offline'],
      ['scan-ladders', '--discover', '--today', '--offline', '--series', 'SPY'],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.ok(r.err.trim().length > 0 && !/\n\s+at /.test(r.err), r.err);
    }
  });

  describe('online, against the simulator', () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig({ omitEvents: ['KXINX-26NOV20H1600'] });
    });
    after(() => rig.close());

    test('the venue lists events by close range and the command reports the unlisted close', async () => {
      const venue = new KalshiVenue(rig.rest, rig.clock);
      const evs = await venue.listEvents({ series: 'INXU', minCloseMs: etToMs(SIM_DATE, '11:00'), maxCloseMs: etToMs(SIM_DATE, '13:00') });
      assert.deepEqual(evs.map((e) => e.eventTicker), ['KXINXU-26NOV20H1100', 'KXINXU-26NOV20H1200', 'KXINXU-26NOV20H1300']);
      assert.equal((await venue.getEvent('KXINXU-26NOV20H1100'))!.markets.length, 9);
      assert.equal(await venue.getEvent('KXINXU-26NOV20H0900'), undefined);
      const r = await cli(['scan-ladders', '--discover', '--today', '--json'], { clock: rig.clock, env: { KALSHI_API_BASE: rig.sim.restBase } });
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      assert.equal(j.source.kind, 'exchange');
      assert.deepEqual(j.missing.map((m: { label: string; series: string }) => `${m.label}:${m.series}`), ['close-1600:INX']);
    });
  });
});
