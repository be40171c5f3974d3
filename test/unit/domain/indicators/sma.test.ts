import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import {
  compareSma,
  smaAt,
  smaLess,
  smaSeries,
  smaSumSeriesUnits,
} from '../../../../src/domain/indicators/sma.ts';
import { decimals as d } from '../../../support/decimals.ts';

/** An SMA written as its exact sum over n values (the compared form, §10). */
const sma = (sum: number, n: number) => ({ sum: dec(sum), n });

describe('SMA as an exact sum (strategy-semantics §10 "Exit signals")', () => {
  it('smaAt sums the n values ending at t (hand sums)', () => {
    const v = d([1, 2, 3, 4, 5]);
    // window [3, 4, 5] → 12 over 3
    const s = smaAt(v, 4, 3);
    expect(s && decStr(s.sum)).toBe('12');
    expect(s?.n).toBe(3);
    // window [1, 2] → 3 over 2
    expect(decStr(smaAt(v, 1, 2)?.sum ?? 'x')).toBe('3');
  });

  it('is undefined (null) while fewer than n values end at t, or t is outside the series', () => {
    const v = d([1, 2, 3]);
    expect(smaAt(v, 1, 3)).toBeNull(); // only 2 values end at t = 1
    expect(smaAt(v, 3, 1)).toBeNull(); // t past the end
    expect(() => smaAt(v, 2, 0)).toThrow(/integer >= 1/);
  });

  it('smaSeries gives the same sums as smaAt at every index', () => {
    const v = d(['1.5', '2.25', '0.125', '7', '3.5', '0.00000001']);
    const s = smaSeries(v, 3);
    expect(s.slice(0, 2)).toEqual([null, null]);
    // hand sums: 1.5+2.25+0.125 = 3.875; 2.25+0.125+7 = 9.375; 0.125+7+3.5 = 10.625; 7+3.5+0.00000001 = 10.50000001
    expect(s.slice(2).map((x) => decStr(x?.sum ?? 'x'))).toEqual(['3.875', '9.375', '10.625', '10.50000001']);
    for (let t = 0; t < v.length; t++) expect(s[t]?.sum.toFixed()).toBe(smaAt(v, t, 3)?.sum.toFixed());
  });

  it('the rolling sum does not drift: 1000 closes of 0.1, every SMA_10 sum is exactly 1', () => {
    const v = d(new Array(1000).fill('0.1'));
    const s = smaSeries(v, 10);
    for (let t = 9; t < v.length; t++) expect(decStr(s[t]?.sum ?? 'x')).toBe('1');
  });

  it('compares SMAs exactly: sum_a·n_b vs sum_b·n_a', () => {
    // 10/4 = 2.5 = 5/2: an exact tie is not "<"
    expect(compareSma(sma(10, 4), sma(5, 2))).toBe(0);
    expect(smaLess(sma(10, 4), sma(5, 2))).toBe(false);
    // 9/4 = 2.25 < 5/2
    expect(compareSma(sma(9, 4), sma(5, 2))).toBe(-1);
    expect(smaLess(sma(9, 4), sma(5, 2))).toBe(true);
    expect(compareSma(sma(11, 4), sma(5, 2))).toBe(1);
  });

  it('a tie floats get wrong: mean(0.1, 0.3, 0.2) = 0.2 exactly, floats say 0.20000000000000004', () => {
    const v = d(['0.1', '0.3', '0.2']);
    const three = smaAt(v, 2, 3);
    const one = smaAt(v, 2, 1);
    if (!three || !one) throw new Error('windows exist');
    expect(compareSma(three, one)).toBe(0);
    // the float route would call SMA_3 > SMA_1 — this is why the comparison is on sums
    expect((0.1 + 0.3 + 0.2) / 3 > 0.2).toBe(true);
  });

  it('rolling sums of scaled integers: [1, 2, 3, 4] over 2 → 3, 5, 7 (hand sums)', () => {
    expect(smaSumSeriesUnits([1n, 2n, 3n, 4n], 2)).toEqual([null, 3n, 5n, 7n]);
  });
});
