/**
 * Ledger costs added by housekeeping coordination (issue 13/14): opening a 100k-record ledger (the seq byte
 * scan of the whole file, vs a full parse + validation for comparison), and one append with and without the
 * `<file>.lock` advisory lock, with and without fdatasync — both measured in this one session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latency, type Report } from './harness.ts';
import { LedgerWriter, type LedgerCoordination, type LedgerDurability } from '../src/adapters/ledger/ledger-writer.ts';
import { readLedgerFile } from '../src/adapters/ledger/ledger-reader.ts';
// The ledger tests' quote record, built through the real record builder.
import { quoteInput as input } from '../test/ledger/fixtures/records.ts';


export default async function run(report: Report): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-hk-bench-'));
  try {
    // ---- open cost on a 100k-record ledger ----
    const big = path.join(dir, 'big.jsonl');
    const w = LedgerWriter.open(big, { durability: 'none', coordination: 'none' });
    for (let b = 0; b < 100; b++) w.appendBatch(Array.from({ length: 1000 }, (_, k) => input(b * 1000 + k)));
    w.close();
    const mb = fs.statSync(big).size / 1048576;
    report(latency('ledger open, 100k records: lock + seq byte scan', () => LedgerWriter.open(big).close(), { iterations: 15, warmup: 2, unit: 'ms', target: '<= 200 ms', extra: { mb: Number(mb.toFixed(1)) } }));
    report(latency('ledger full read + zod validation, 100k records (comparison)', () => void readLedgerFile(big), { iterations: 3, warmup: 1, unit: 'ms', target: '<= 2000 ms' }));

    // ---- append cost: lock vs no lock, same session, alternating blocks to share the disk's mood ----
    const rows: [string, LedgerDurability, LedgerCoordination][] = [
      ['fdatasync, no lock', 'fdatasync', 'none'],
      ['fdatasync, lock', 'fdatasync', 'lock'],
      ['no fdatasync, no lock', 'none', 'none'],
      ['no fdatasync, lock', 'none', 'lock'],
    ];
    const medians = new Map<string, number[]>();
    for (let round = 0; round < 3; round++) {
      for (const [name, durability, coordination] of rows) {
        const file = path.join(dir, `${durability}-${coordination}.jsonl`);
        const writer = LedgerWriter.open(file, { durability, coordination });
        let i = 0;
        const unit = durability === 'fdatasync' ? 'ms' : 'us';
        const r = latency(`ledger append (${name})`, () => writer.append(input(i++)), { iterations: durability === 'fdatasync' ? 300 : 5000, warmup: 50, unit, target: unit === 'ms' ? '<= 5 ms' : '<= 20 us' });
        writer.close();
        if (round === 2) report(r);
        medians.set(name, [...(medians.get(name) ?? []), r.median * (unit === 'ms' ? 1e6 : 1e3)]);
      }
    }
    const med = (name: string) => {
      const xs = [...medians.get(name)!].sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    // The lock's cost as a ratio measured in this one session (medians of 3 alternating rounds).
    const ratio = (a: string, b: string) => Number((med(a) / med(b)).toFixed(3));
    const withSync = ratio('fdatasync, lock', 'fdatasync, no lock');
    report({ name: 'ledger append lock/no-lock ratio (fdatasync)', unit: 'ratio', median: withSync, p99: withSync, n: 3, target: '<= 1.5 ratio', ok: withSync <= 1.5 });
    const noSync = ratio('no fdatasync, lock', 'no fdatasync, no lock');
    report({ name: 'ledger append lock/no-lock ratio (no fdatasync)', unit: 'ratio', median: noSync, p99: noSync, n: 3, target: '<= 3 ratio', ok: noSync <= 3 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
