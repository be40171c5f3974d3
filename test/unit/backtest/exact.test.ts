/**
 * The fast path's bigint arithmetic (src/domain/backtest/exact.ts) against decimal.js configured as the
 * domain uses it (src/domain/decimal.ts: 60 significant digits, ROUND_DOWN): every operation must give the
 * same decimal, digit for digit. Operands: hand-picked edge cases plus seeded pseudo-random decimals of
 * very different magnitudes (so that sums cross the 60-digit limit and quotients never terminate).
 */
import { describe, expect, it } from 'vitest';
import {
  digitCount,
  dxAdd,
  dxCmp,
  dxDiv,
  dxMul,
  dxOf,
  dxSub,
  dxToScaledDown,
  dxToString,
  FastPathUnsupported,
  parseScaled,
  priceMantissa8,
  scaledMantissa,
  scaledToNumber,
  scaledToString,
} from '../../../src/domain/backtest/exact.ts';
import { Decimal, dec, decStr, roundDown8 } from '../../../src/domain/decimal.ts';
import { mulberry32 } from '../../support/mulberry32.ts';

/** Deterministic PRNG (mulberry32). */
const rng = mulberry32;

/** A random positive decimal string: 1..25 digits, the point anywhere, magnitudes 1e-20 .. 1e20. */
function randomDecimal(r: () => number): string {
  const n = 1 + Math.floor(r() * 25);
  let digits = String(1 + Math.floor(r() * 9));
  for (let i = 1; i < n; i++) digits += String(Math.floor(r() * 10));
  const point = Math.floor(r() * 41) - 20; // digits before the point
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

const EDGE = [
  '0',
  '1',
  '3',
  '7',
  '0.1',
  '0.00000001',
  '1096.1065',
  '3.7',
  '1095.0140935',
  '999999999999999999999999999999.999999999999999999999999999999',
  '123456789012345678901234567890123456789012345678901234567890',
  '0.000000000000000000000000000000000000000000000000000000000001',
];

describe('Dx: decimal.js arithmetic at 60 digits, ROUND_DOWN', () => {
  const r = rng(20260104);
  const pairs: [string, string][] = [];
  for (const a of EDGE) for (const b of EDGE) pairs.push([a, b]);
  for (let i = 0; i < 3000; i++) pairs.push([randomDecimal(r), randomDecimal(r)]);

  it('add, sub, mul, div, cmp and round-down-to-8 agree with decimal.js on every pair', () => {
    let checked = 0;
    for (const [a, b] of pairs) {
      const x = dxOf(a);
      const y = dxOf(b);
      const da = new Decimal(a);
      const db = new Decimal(b);
      expect(dxToString(dxAdd(x, y)), `${a} + ${b}`).toBe(decStr(da.plus(db)));
      expect(dxToString(dxSub(x, y)), `${a} - ${b}`).toBe(decStr(da.minus(db)));
      expect(dxToString(dxMul(x, y)), `${a} * ${b}`).toBe(decStr(da.times(db)));
      if (!db.isZero()) expect(dxToString(dxDiv(x, y)), `${a} / ${b}`).toBe(decStr(da.div(db)));
      expect(dxCmp(x, y), `cmp ${a} ${b}`).toBe(da.comparedTo(db));
      const q = dxDiv(x, dxOf('3'));
      expect(scaledToString(dxToScaledDown(q, 8), 8), `rd8 ${a}/3`).toBe(decStr(roundDown8(da.div(3))));
      checked++;
    }
    expect(checked).toBe(pairs.length);
  });

  it('division by zero throws (decimal.js gives Infinity, which the domain refuses)', () => {
    expect(() => dxDiv(dxOf('1'), dxOf('0'))).toThrow(RangeError);
  });
});

/** Runs `check` on each of 2000 random decimals (seed `seed`) that have at most `scale` decimals. */
function eachRandomDecimal(seed: number, scale: number, check: (s: string) => void) {
  const r = rng(seed);
  for (let i = 0; i < 2000; i++) {
    const s = randomDecimal(r);
    if (dec(s).decimalPlaces() <= scale) check(s);
  }
}

describe('scaled integers', () => {
  it('parseScaled / scaledToString round-trip canonical decimal strings (decStr)', () => {
    eachRandomDecimal(7, 45, (s) => expect(scaledToString(parseScaled(s, 45), 45)).toBe(decStr(s)));
    expect(parseScaled('28923.63000000', 8)).toBe(2892363000000n);
    expect(parseScaled('-0.5', 2)).toBe(-50n);
    expect(parseScaled('.5', 1)).toBe(5n);
    expect(scaledToString(0n, 8)).toBe('0');
    expect(scaledToString(-150000000n, 8)).toBe('-1.5');
    expect(scaledToString(5n, 3)).toBe('0.005');
    expect(scaledToString(12n, -2)).toBe('1200');
  });

  it('parseScaled refuses more decimals than the scale (FastPathUnsupported) and non-decimals', () => {
    expect(() => parseScaled('0.000000001', 8)).toThrow(FastPathUnsupported);
    expect(parseScaled('0.100000000000', 8)).toBe(10000000n); // trailing zeros do not count
    expect(() => parseScaled('1e-7', 8)).toThrow(RangeError);
    expect(() => parseScaled('abc', 8)).toThrow(RangeError);
  });

  it('scaledToNumber is the correctly rounded double (Number of the exact decimal)', () => {
    eachRandomDecimal(11, 30, (s) => expect(scaledToNumber(parseScaled(s, 30), 30)).toBe(Number(s)));
  });

  it('scaledMantissa: exact integer doubles at 8 decimals; /1e8 equals Number(s)', () => {
    expect(scaledMantissa('28923.63000000', 8)).toBe(2892363000000);
    expect(scaledMantissa('0.00000001', 8)).toBe(1);
    expect(scaledMantissa('5', 8)).toBe(500000000);
    expect(scaledMantissa('0', 8)).toBe(0);
    expect(scaledMantissa('12.', 8)).toBe(1200000000);
    expect(scaledMantissa('0.000000001', 8)).toBeNaN(); // 9 decimals
    expect(scaledMantissa('1e-7', 8)).toBeNaN();
    expect(scaledMantissa('-1', 8)).toBeNaN();
    expect(scaledMantissa('90071992.54740993', 8)).toBeNaN(); // ≥ 2^53 once scaled
    const r = rng(3);
    for (let i = 0; i < 5000; i++) {
      const s = (r() * 10 ** Math.floor(r() * 8)).toFixed(Math.floor(r() * 9));
      const m = scaledMantissa(s, 8);
      expect(Number.isInteger(m)).toBe(true);
      expect(m / 1e8).toBe(Number(s));
    }
  });

  it('priceMantissa8 (the fast path): scaledMantissa(s, 8) on plain decimals, the exact value or NaN on any string', () => {
    const r = rng(5);
    const samples: string[] = [
      '28923.63000000',
      '0.00000001',
      '0.000000001',
      '0.100000000',
      '0.1000000000000000001',
      '1e-7',
      '1.5e-9',
      '9.9e-8',
      '1.23e-5',
      '5e3',
      '1.5e3',
      '-1',
      '22517998.13685247',
      '22517998.13685248',
      '90071992.54740991',
      '0',
      '12.',
    ];
    for (let i = 0; i < 20000; i++) {
      const digits = Math.floor(r() * 11);
      const mag = 10 ** Math.floor(r() * 16 - 8);
      samples.push((r() * mag).toFixed(digits));
      samples.push(String(r() * mag));
      samples.push((r() * mag).toExponential(Math.floor(r() * 6)));
    }
    // Plain decimals: exactly scaledMantissa. Any string: NaN (then the exact path or the reference engine
    // takes over) or the exact value × 1e8 (decimal.js), never anything else.
    const plain = samples.filter((s) => !/e/i.test(s));
    expect(plain.filter((s) => !Object.is(priceMantissa8(s, Number(s)), scaledMantissa(s, 8)))).toEqual([]);
    const wrong = samples.filter((s) => {
      const m = priceMantissa8(s, Number(s));
      if (Number.isNaN(m)) return false;
      const v = new Decimal(s).times(1e8);
      return !(v.isInteger() && v.eq(m));
    });
    expect(wrong).toEqual([]);
    expect(
      samples.filter((s) => /e/i.test(s) && !Number.isNaN(priceMantissa8(s, Number(s)))).length,
    ).toBeGreaterThan(1000);
  });

  it('digitCount', () => {
    expect(digitCount(0n)).toBe(1);
    expect(digitCount(9n)).toBe(1);
    expect(digitCount(10n)).toBe(2);
    expect(digitCount(-999n)).toBe(3);
    expect(digitCount(10n ** 60n)).toBe(61);
  });
});
