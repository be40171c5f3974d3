import { describe, expect, it } from 'vitest';
import { dec, decStr, floorStep, roundDown8 } from '../../src/domain/decimal.ts';

describe('decimal helpers (hand-computed)', () => {
  it('floorStep floors to the step (Binance LOT_SIZE: quantity % stepSize == 0)', () => {
    expect(decStr(floorStep('1.23456789', '0.001'))).toBe('1.234');
    expect(decStr(floorStep('0.00099', '0.001'))).toBe('0');
    expect(decStr(floorStep('15', '1'))).toBe('15');
    expect(decStr(floorStep('15.9', '1'))).toBe('15');
  });
  it('a step of 0 rounds down to 8 decimals', () => {
    expect(decStr(floorStep('0.123456789', '0'))).toBe('0.12345678');
  });
  it('roundDown8 never rounds up', () => {
    expect(decStr(roundDown8('1.999999999'))).toBe('1.99999999');
  });
  it('division keeps at least 28 significant digits: 1000 / 3 = 333.333…', () => {
    expect(dec(1000).div(3).toFixed(28)).toBe('333.3333333333333333333333333333');
  });
  it('rejects non-finite input', () => {
    expect(() => dec('NaN')).toThrow(/finite/);
  });
});
