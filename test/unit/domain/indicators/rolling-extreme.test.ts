import { describe, expect, it } from 'vitest';
import { type dec, decStr } from '../../../../src/domain/decimal.ts';
import {
  maxOver,
  minOver,
  rollingMax,
  rollingMin,
} from '../../../../src/domain/indicators/rolling-extreme.ts';
import { decimals as d } from '../../../support/decimals.ts';

const s = (xs: (ReturnType<typeof dec> | null)[]) => xs.map((x) => (x === null ? null : decStr(x)));

describe('rolling min/max — the low and high channel (strategy-semantics §10 breakout, §11 breakout)', () => {
  const v = d([5, 3, 4, 1, 2, 6]);

  it('rollingMin over 3: windows [5,3,4] [3,4,1] [4,1,2] [1,2,6] → 3 1 1 1 (read off by hand)', () => {
    expect(s(rollingMin(v, 3))).toEqual([null, null, '3', '1', '1', '1']);
  });

  it('rollingMax over 3: same windows → 5 4 4 6', () => {
    expect(s(rollingMax(v, 3))).toEqual([null, null, '5', '4', '4', '6']);
  });

  it('a window of 1 is the series itself; equal values keep their value', () => {
    expect(s(rollingMin(v, 1))).toEqual(['5', '3', '4', '1', '2', '6']);
    expect(s(rollingMax(d(['2', '2.0', '2']), 2))).toEqual([null, '2', '2']);
  });

  it('compares decimals exactly (0.30000001 > 0.3, not rounded)', () => {
    expect(s(rollingMax(d(['0.3', '0.30000001', '0.3']), 2))).toEqual([null, '0.30000001', '0.30000001']);
    expect(s(rollingMin(d(['0.30000001', '0.3', '0.30000002']), 2))).toEqual([null, '0.3', '0.3']);
  });

  it('minOver / maxOver on an inclusive range; empty or out of range → null', () => {
    expect(decStr(minOver(v, 1, 3) ?? 'x')).toBe('1');
    expect(decStr(maxOver(v, 0, 2) ?? 'x')).toBe('5');
    expect(minOver(v, 3, 2)).toBeNull();
    expect(maxOver(v, -1, 2)).toBeNull();
    expect(maxOver(v, 4, 6)).toBeNull();
  });

  it('the deque agrees with minOver/maxOver on a longer deterministic series', () => {
    // a fixed sequence (no randomness): x_i = (i * 37) mod 101, with repeats
    const xs = d(Array.from({ length: 300 }, (_, i) => (i * 37) % 101));
    for (const n of [1, 2, 5, 24]) {
      const lo = rollingMin(xs, n);
      const hi = rollingMax(xs, n);
      for (let t = n - 1; t < xs.length; t++) {
        expect(lo[t]?.toFixed()).toBe(minOver(xs, t - n + 1, t)?.toFixed());
        expect(hi[t]?.toFixed()).toBe(maxOver(xs, t - n + 1, t)?.toFixed());
      }
    }
  });

  it('rejects a window length below 1', () => {
    expect(() => rollingMin(v, 0)).toThrow(/integer >= 1/);
  });
});
