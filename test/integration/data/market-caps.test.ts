/**
 * Market caps from the bundled CoinMarketCap monthly top-200 snapshots (strategy-semantics.md §4
 * filter 7). Expected values: shared/data/SOURCES.md §4 (BTC cross-check, 70 snapshots of 200 rows,
 * 2020-01-01 .. 2025-10-01) and rows of marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv quoted below.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { BundledMarketCaps } from '../../../src/adapters/marketcap/bundled-snapshots.ts';
import { dayToMs } from '../../../src/domain/time.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/', import.meta.url));

let ds: Dataset;
beforeAll(async () => {
  ds = await loadDataset(BUNDLED, { symbols: ['BTCUSDT'] });
});
/** The caps of the bundled snapshots on `day` (YYYY-MM-DD) with maxAgeDays 45. */
const capsOn = (day: string) => ds.marketCaps.capsAt(dayToMs(day), 45);
/** A ticker's cap in USD from the snapshot of `snapshotDay`. */
const capOf = (ticker: string, capUsd: number, snapshotDay: string) => ({
  ticker,
  capUsd,
  snapshotMs: dayToMs(snapshotDay),
});

describe('BundledMarketCaps over the CMC top-200 file', () => {
  it('has 70 monthly snapshots 2020-01-01 .. 2025-10-01 with 200 tickers-or-fewer each', async () => {
    const caps = ds.marketCaps;
    expect(caps.size).toBe(70);
    expect(caps.snapshotDays[0]).toBe(dayToMs('2020-01-01'));
    expect(caps.snapshotDays.at(-1)).toBe(dayToMs('2025-10-01'));
    expect((await caps.capsAt(dayToMs('2020-01-01'), 0)).size).toBe(200);
  });

  it('BTC on 2024-12-01 = 1,925,179,261,907.54 USD (SOURCES.md §4 cross-check)', async () => {
    const m = await capsOn('2024-12-01');
    const btc = m.get('BTC');
    expect(btc?.snapshotMs).toBe(dayToMs('2024-12-01'));
    // file value 1925179261907.5369
    expect(btc?.capUsd).toBeCloseTo(1925179261907.54, 1);
  });

  it('uses the latest snapshot dated <= D: on 2024-11-30 ETH comes from 2024-11-01', async () => {
    // rows: "2,Ethereum,ETH,302454096062.9433,...,20241101" and "2,Ethereum,ETH,446981207035.3455,...,20241201"
    const before = await capsOn('2024-11-30');
    expect(before.get('ETH')).toEqual(capOf('ETH', 302454096062.9433, '2024-11-01'));
    const on = await capsOn('2024-12-01');
    expect(on.get('ETH')?.capUsd).toBe(446981207035.3455);
  });

  it('a snapshot 46 days old is too old for maxAgeDays 45; 45 days is not', async () => {
    // The last snapshot is 2025-10-01; 2025-11-15 is 45 days later, 2025-11-16 is 46.
    expect((await capsOn('2025-11-15')).get('BTC')?.snapshotMs).toBe(dayToMs('2025-10-01'));
    const tooOld = await capsOn('2025-11-16');
    expect(tooOld.has('BTC')).toBe(false);
    expect(tooOld.size).toBe(0);
  });

  it('before the first snapshot there are no caps (§4: "before 2020 there are none")', async () => {
    expect((await capsOn('2019-12-31')).size).toBe(0);
  });

  it('a ticker listed twice in one snapshot counts with the larger cap (BNX on 2023-03-01)', async () => {
    // "126,BinaryX (old),BNX,329710292.97444737,...,20230301" and "132,BinaryX,BNX,297715841.8996163,...,20230301"
    const m = await capsOn('2023-03-15');
    expect(m.get('BNX')).toEqual(capOf('BNX', 329710292.97444737, '2023-03-01'));
  });

  it('only the latest snapshot <= D counts: a ticker missing from it has no market cap (§4 filter 7)', async () => {
    // GMX: "197,GMX,GMX,211942051.24955624,...,20241101", absent from the 20241201 snapshot (fell out of the top 200).
    const d10 = await capsOn('2024-12-10');
    expect(d10.has('GMX')).toBe(false);
    expect(d10.get('BTC')?.snapshotMs).toBe(dayToMs('2024-12-01'));
    const nov = await capsOn('2024-11-30');
    expect(nov.get('GMX')?.snapshotMs).toBe(dayToMs('2024-11-01'));
  });

  it('a latest snapshot older than maxAgeDays gives no caps at all', async () => {
    // The last snapshot is 2025-10-01; 2025-11-16 is 46 days later.
    expect((await capsOn('2025-11-15')).size).toBe(200);
    expect((await capsOn('2025-11-16')).size).toBe(0);
  });

  it('rejects a negative maxAgeDays', () => {
    expect(() => ds.marketCaps.capsAtSync(dayToMs('2024-12-01'), -1)).toThrow(RangeError);
  });

  it('with no rows every lookup is empty', async () => {
    expect((await new BundledMarketCaps([]).capsAt(dayToMs('2024-12-01'), 45)).size).toBe(0);
  });
});
