import { describe, expect, it } from 'vitest';
import { toUnits8 } from '../../../../src/domain/indicators/fixed-point.ts';
import { smaSumSeriesUnits } from '../../../../src/domain/indicators/sma.ts';

describe('prices as integer 1e-8 units (Binance quotes at most 8 decimals)', () => {
  it.each([
    ['0.02665', 2665000n],
    ['0.00000001', 1n],
    ['28995.13', 2899513000000n],
    ['12', 1200000000n],
    ['12.', 1200000000n],
    ['0.12345678', 12345678n],
  ])('%s → %s', (x, units) => {
    expect(toUnits8(x)).toBe(units);
  });

  it.each(['-1', '1e-8', '0.123456789', '', 'abc', '1.2.3'])('rejects %j', (x) => {
    expect(() => toUnits8(x)).toThrow(/at most 8 decimals/);
  });

  it('rolling unit sums: [1, 2, 3, 4] over 2 → 3, 5, 7 (hand sums, in units of 1e-8)', () => {
    expect(smaSumSeriesUnits([1n, 2n, 3n, 4n], 2)).toEqual([null, 3n, 5n, 7n]);
  });
});
