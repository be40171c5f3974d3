/**
 * Performance metrics (strategy-semantics.md §9). Expected values are worked out by hand in the comments;
 * one long series is cross-checked against an independent 50-digit decimal.js implementation of §9.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BacktestMetrics, EquityPoint } from '../../../../src/app/backtest-result.ts';
import {
  computeMetrics,
  type DatedEquity,
  dailyReturns,
  drawdownSeries,
  maxDrawdown,
  monthlyReturns,
  type PerformanceMetrics,
  sampleStdev,
} from '../../../../src/domain/metrics/performance.ts';
import { compensatedMean, compensatedSum } from '../../../../src/domain/metrics/summation.ts';

/** |actual − expected| ≤ tol × |expected| (tol 1e-12 unless told). */
function expectRel(actual: number | null, expected: number, tol = 1e-12): void {
  expect(actual).not.toBeNull();
  const a = actual as number;
  if (Math.abs(a - expected) > tol * Math.abs(expected))
    expect.fail(`expected ${a} to be within ${tol} relative of ${expected}`);
}

/** Dated points from values: the first is the day before `start` (E(start − 1)). */
function series(values: readonly number[], start = '2024-01-01'): DatedEquity[] {
  const t0 = Date.parse(`${start}T00:00:00Z`) - 86_400_000;
  return values.map((equity, i) => ({
    date: new Date(t0 + i * 86_400_000).toISOString().slice(0, 10),
    equity,
  }));
}

function metrics(values: readonly number[], notionals: readonly number[] = [], fees: readonly number[] = []) {
  return computeMetrics({
    equity: series(values),
    initialQuote: values[0] as number,
    fillNotionals: notionals,
    feesQuote: fees,
  });
}

/** Every number finite, every undefined value null (JSON never sees NaN/Infinity). */
function expectJsonSafe(m: PerformanceMetrics): void {
  for (const [k, v] of Object.entries(m)) {
    if (v !== null && !Number.isFinite(v)) expect.fail(`${k} = ${String(v)} is not finite`);
  }
  expect(JSON.parse(JSON.stringify(m))).toEqual(m);
}

describe('contract types', () => {
  it('are the results-file types (BacktestMetrics, EquityPoint), structurally', () => {
    expectTypeOf<PerformanceMetrics>().toEqualTypeOf<BacktestMetrics>();
    expectTypeOf<DatedEquity>().toEqualTypeOf<EquityPoint>();
  });
});

describe('dailyReturns', () => {
  it('r_t = E(t) / E(t-1) - 1, E(start-1) first', () => {
    // 11000/10000 − 1 = 0.1; 9900/11000 − 1 = −0.1; 10890/9900 − 1 = 0.1
    const r = dailyReturns([10000, 11000, 9900, 10890]);
    expect(r).toHaveLength(3);
    expect(r[0]).toBeCloseTo(0.1, 15);
    expect(r[1]).toBeCloseTo(-0.1, 15);
    expect(r[2]).toBeCloseTo(0.1, 15);
  });

  it('fewer than two points → no returns', () => {
    expect(dailyReturns([10000])).toEqual([]);
    expect(dailyReturns([])).toEqual([]);
  });

  it('rejects zero, negative and non-finite equity', () => {
    expect(() => dailyReturns([10000, 0, 1])).toThrow(RangeError);
    expect(() => dailyReturns([10000, -5])).toThrow(/equity\[1\]/);
    expect(() => dailyReturns([10000, Number.NaN])).toThrow(RangeError);
    expect(() => dailyReturns([Number.POSITIVE_INFINITY, 1])).toThrow(RangeError);
  });
});

describe('drawdownSeries / maxDrawdown', () => {
  it('1 - E(t) / running peak, same length as the input', () => {
    // peaks 100, 120, 120, 130, 130 → d = 0, 0, 1 − 90/120 = 0.25, 0, 1 − 117/130 = 0.1
    const d = drawdownSeries([100, 120, 90, 130, 117]);
    expect(d).toHaveLength(5);
    expect(d[0]).toBe(0);
    expect(d[1]).toBe(0);
    expect(d[2]).toBeCloseTo(0.25, 15);
    expect(d[3]).toBe(0);
    expect(d[4]).toBeCloseTo(0.1, 15);
    expect(maxDrawdown([100, 120, 90, 130, 117])).toBeCloseTo(0.25, 15);
  });

  it('E(start-1) counts as a peak: a first-day loss is a drawdown from the initial capital', () => {
    // [10000, 9000, 9500]: with E(start−1) among the u: peak 10000 → max(1 − 0.9, 1 − 0.95) = 0.1.
    // (Excluding it, the peak would start at 9000 and the answer would be 0 — the reading we do NOT take.)
    expect(maxDrawdown([10000, 9000, 9500])).toBeCloseTo(0.1, 15);
    expect(metrics([10000, 9000, 9500]).max_drawdown).toBeCloseTo(0.1, 15);
  });

  it('a rising or flat series has no drawdown; empty → 0', () => {
    expect(maxDrawdown([1, 2, 3])).toBe(0);
    expect(maxDrawdown([5, 5, 5])).toBe(0);
    expect(maxDrawdown([])).toBe(0);
    expect(drawdownSeries([])).toEqual([]);
  });

  it('rejects non-positive equity', () => {
    expect(() => drawdownSeries([1, 0])).toThrow(RangeError);
  });
});

describe('computeMetrics — hand-computed case', () => {
  // equity E = [10000 (E(start−1)), 11000, 9900, 10890] → r = [0.1, −0.1, 0.1], n = 3
  // mean(r) = 0.1/3 = 1/30
  // deviations: 0.1 − 1/30 = 1/15, −0.1 − 1/30 = −2/15, 1/15
  // Σd² = (1 + 4 + 1)/225 = 6/225 = 2/75; var (ddof=1) = (2/75)/2 = 1/75; stdev = 1/√75 = √3/15 ≈ 0.1154700538
  // volatility = √3/15 × √365 = √1095/15 ≈ 2.206052281
  // sharpe = (1/30)/(√3/15) × √365 = √365/(2√3) = √(365/12) ≈ 5.515130703
  // sortino: min(r,0)² = [0, 0.01, 0]; mean over all n = 0.01/3; √ = 0.1/√3
  //          (1/30)/(0.1/√3) × √365 = (√3/3)√365 = √(365/3) ≈ 11.03026141
  // max_drawdown: peaks 10000, 11000, 11000, 11000 → 1 − 9900/11000 = 0.1 (then 1 − 10890/11000 = 0.01)
  // total_return = 10890/10000 − 1 = 0.089
  // cagr = 1.089^(365/3) − 1 = exp(121.666… × ln 1.089) − 1 ≈ 31992.27534
  // calmar = cagr / 0.1 ≈ 319922.7534
  // fills: notionals [10000, 5000, 5000] (Σ 20000), fees [10, 5, 5] (Σ 20), n_trades 3
  // mean(E) with E(start−1) = (10000 + 11000 + 9900 + 10890)/4 = 41790/4 = 10447.5
  // turnover = 20000 / 10447.5 ≈ 1.914333573  (excluding E(start−1) it would be 20000/(31790/3) ≈ 1.887385970)
  const m = metrics([10000, 11000, 9900, 10890], [10000, 5000, 5000], [10, 5, 5]);

  it('total_return and cagr (n = 3)', () => {
    expectRel(m.total_return, 0.089);
    expectRel(m.cagr, Math.exp((365 / 3) * Math.log(1.089)) - 1, 1e-11);
    expectRel(m.cagr, 31992.275338197764);
  });

  it('volatility, sharpe, sortino', () => {
    expectRel(m.volatility, Math.sqrt(1095) / 15);
    expectRel(m.sharpe, Math.sqrt(365 / 12));
    expectRel(m.sortino, Math.sqrt(365 / 3));
  });

  it('max_drawdown and calmar', () => {
    expectRel(m.max_drawdown, 0.1);
    expectRel(m.calmar, 31992.275338197764 / 0.1);
  });

  it('fees, turnover (mean(E) includes E(start-1)), n_trades', () => {
    expectRel(m.fees, 20);
    expectRel(m.turnover, 20000 / 10447.5);
    expect(m.turnover).not.toBeCloseTo(20000 / (31790 / 3), 6);
    expect(m.n_trades).toBe(3);
  });

  it('is JSON-safe', () => expectJsonSafe(m));
});

describe('computeMetrics — edge cases', () => {
  it('flat equity: zero returns, zero volatility, undefined ratios are null', () => {
    // r = [0, 0, 0]; stdev 0 → sharpe null; no negative r → sortino null; no drawdown → calmar null
    // turnover = 5000 / 10000 = 0.5
    const m = metrics([10000, 10000, 10000, 10000], [5000], [5]);
    expect(m).toEqual({
      total_return: 0,
      cagr: 0,
      volatility: 0,
      sharpe: null,
      sortino: null,
      max_drawdown: 0,
      calmar: null,
      fees: 5,
      turnover: 0.5,
      n_trades: 1,
    });
    expectJsonSafe(m);
  });

  it('single day down: n = 1 → volatility and sharpe null, sortino = -√365', () => {
    // r = [−0.01]; mean = −0.01; √(mean(min(r,0)²)) = √(0.0001) = 0.01 → sortino = −1 × √365 ≈ −19.10497
    // max_drawdown = 1 − 9900/10000 = 0.01 (E(start−1) is the peak)
    // cagr = 0.99^365 − 1 ≈ −0.9744820355; calmar = cagr / 0.01 ≈ −97.44820355
    const m = metrics([10000, 9900]);
    expectRel(m.total_return, -0.01, 1e-13);
    expectRel(m.cagr, 0.99 ** 365 - 1);
    expect(m.volatility).toBeNull();
    expect(m.sharpe).toBeNull();
    expectRel(m.sortino, -Math.sqrt(365));
    expectRel(m.max_drawdown, 0.01, 1e-13);
    expectRel(m.calmar, -97.44820355477088, 1e-11);
    expect(m.fees).toBe(0);
    expect(m.turnover).toBe(0);
    expect(m.n_trades).toBe(0);
    expectJsonSafe(m);
  });

  it('single day up: sortino, calmar null', () => {
    // r = [0.01]; cagr = 1.01^365 − 1 ≈ 36.78343; no negative return, no drawdown
    const m = metrics([10000, 10100]);
    expectRel(m.cagr, 1.01 ** 365 - 1, 1e-12);
    expect(m.volatility).toBeNull();
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.max_drawdown).toBe(0);
    expect(m.calmar).toBeNull();
    expectJsonSafe(m);
  });

  it('all-positive returns: sortino null, sharpe defined', () => {
    // E = [100, 110, 132] → r = [0.1, 0.2]; mean 0.15; stdev = √(((−0.05)² + 0.05²)/1) = √0.005 ≈ 0.0707107
    // sharpe = 0.15/√0.005 × √365 = 0.15 × √73000 ≈ 40.52776
    const m = metrics([100, 110, 132]);
    expect(m.sortino).toBeNull();
    expectRel(m.sharpe, 0.15 * Math.sqrt(73000), 1e-12);
    expectRel(m.volatility, Math.sqrt(0.005 * 365), 1e-12);
    expect(m.max_drawdown).toBe(0);
    expect(m.calmar).toBeNull();
  });

  it('constant non-zero return: stdev exactly 0 → sharpe null (no 1e16 artefact)', () => {
    // E = [1, 2, 4, 8] → r = [1, 1, 1] exactly; stdev 0
    const m = metrics([1, 2, 4, 8]);
    expect(m.volatility).toBe(0);
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
  });

  it('input errors (RangeError)', () => {
    const ok = { initialQuote: 10000, fillNotionals: [], feesQuote: [] };
    expect(() => computeMetrics({ ...ok, equity: series([10000]) })).toThrow(/at least one day/);
    expect(() => computeMetrics({ ...ok, equity: [] })).toThrow(RangeError);
    expect(() => computeMetrics({ ...ok, equity: series([9999, 10000]) })).toThrow(/must equal initialQuote/);
    expect(() => computeMetrics({ ...ok, initialQuote: 0, equity: series([0, 1]) })).toThrow(/initialQuote/);
    expect(() => computeMetrics({ ...ok, equity: series([10000, 0]) })).toThrow(/equity\[1\]/);
    expect(() =>
      computeMetrics({ ...ok, equity: series([10000, 1]), fillNotionals: [1], feesQuote: [] }),
    ).toThrow(/one entry per fill/);
    expect(() =>
      computeMetrics({ ...ok, equity: series([10000, 1]), fillNotionals: [-1], feesQuote: [0] }),
    ).toThrow(/fillNotionals\[0\]/);
    expect(() =>
      computeMetrics({ ...ok, equity: series([10000, 1]), fillNotionals: [1], feesQuote: [Number.NaN] }),
    ).toThrow(/feesQuote\[0\]/);
  });

  it('cagr overflowing a double is an error, not Infinity', () => {
    // 10^365 > 1.8e308: ×10 in one day cannot be annualised
    expect(() => metrics([1, 10])).toThrow(/cagr overflows/);
  });
});

describe('computeMetrics — cross-check against an independent 50-digit implementation of §9', () => {
  // 400 days of deterministic pseudo-random equity (LCG), with drawdowns and rallies.
  const values: number[] = [10000];
  let seed = 12345;
  for (let i = 0; i < 400; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const r = (seed / 2147483648 - 0.48) * 0.08; // daily return in about [−3.8 %, +4.2 %]
    values.push((values[i] as number) * (1 + r));
  }
  const notionals = values.slice(1, 60).map((e, i) => e * (0.1 + i / 100));
  const fees = notionals.map((q) => q * 0.001);
  const m = metrics(values, notionals, fees);

  const D = Decimal.clone({ precision: 50 });
  type Dec = InstanceType<typeof D>;
  const E = values.map((v) => new D(v));
  const initial = E[0] as Dec;
  const r = E.slice(1).map((e, i) => e.div(E[i] as Dec).minus(1));
  const n = r.length;
  const mean = r.reduce((a, b) => a.plus(b), new D(0)).div(n);
  const variance = r.reduce((a, b) => a.plus(b.minus(mean).pow(2)), new D(0)).div(n - 1);
  const sd = variance.sqrt();
  const sqrt365 = new D(365).sqrt();
  const downside = r
    .reduce((a, b) => (b.isNeg() ? a.plus(b.pow(2)) : a), new D(0))
    .div(n)
    .sqrt();
  let peak = initial;
  let mdd = new D(0);
  for (const e of E) {
    if (e.gt(peak)) peak = e;
    const d = new D(1).minus(e.div(peak));
    if (d.gt(mdd)) mdd = d;
  }
  const last = E[E.length - 1] as Dec;
  const cagr = last.div(initial).pow(new D(365).div(n)).minus(1);
  const meanE = E.reduce((a, b) => a.plus(b), new D(0)).div(E.length);

  it('matches to 1e-12 relative', () => {
    expectRel(m.total_return, last.div(initial).minus(1).toNumber());
    expectRel(m.cagr, cagr.toNumber(), 1e-11); // ^(365/400) amplifies the input rounding slightly
    expectRel(m.volatility, sd.times(sqrt365).toNumber());
    expectRel(m.sharpe, mean.div(sd).times(sqrt365).toNumber());
    expectRel(m.sortino, mean.div(downside).times(sqrt365).toNumber());
    expectRel(m.max_drawdown, mdd.toNumber());
    expectRel(m.calmar, cagr.div(mdd).toNumber(), 1e-11);
    expectRel(m.fees, fees.reduce((a, b) => a.plus(new D(b)), new D(0)).toNumber());
    expectRel(
      m.turnover,
      notionals
        .reduce((a, b) => a.plus(new D(b)), new D(0))
        .div(meanE)
        .toNumber(),
    );
    expect(m.n_trades).toBe(59);
    expectJsonSafe(m);
  });

  it('stdev agrees with the textbook one-pass formula summed in reverse order', () => {
    // var = (Σ r² − n·mean²)/(n − 1), summed from the last return to the first
    const rs = dailyReturns(values);
    let s = 0;
    let s2 = 0;
    for (let i = rs.length - 1; i >= 0; i--) {
      s += rs[i] as number;
      s2 += (rs[i] as number) ** 2;
    }
    const mu = s / rs.length;
    const textbook = Math.sqrt((s2 - rs.length * mu * mu) / (rs.length - 1));
    expectRel(sampleStdev(rs), textbook, 1e-10);
    expectRel(sampleStdev(rs), sd.toNumber());
  });
});

describe('sampleStdev / compensated sums', () => {
  it('ddof = 1; null below two values', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, Σd² = 32, var = 32/7
    expectRel(sampleStdev([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
    expect(sampleStdev([1])).toBeNull();
    expect(sampleStdev([])).toBeNull();
  });

  it('is not fooled by a large offset (the sum-of-squares formula is)', () => {
    // 1e9 + [4, 7, 13, 16]: mean 1e9 + 10, d = [−6, −3, 3, 6], Σd² = 90, var = 30
    expectRel(sampleStdev([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]), Math.sqrt(30), 1e-9);
  });

  it('compensated sum recovers what naive summation loses', () => {
    // 1 + 1e100 + 1 − 1e100 = 2 exactly; naive left-to-right gives 0
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
    // 0.1 × 10: naive sum 0.9999999999999999
    expect(compensatedSum(Array(10).fill(0.1))).toBe(1);
    expect(compensatedSum([])).toBe(0);
    expect(compensatedMean([1, 2, 3, 4])).toBe(2.5);
    expect(() => compensatedMean([])).toThrow(RangeError);
  });
});

describe('monthlyReturns', () => {
  it.each([
    [
      'start on the 1st: the initial point (previous month) is only the base',
      // base E(start−1) 2024-01-31 = 10000
      // Feb: last Feb 11000 / 10000 − 1 = 0.1; Mar: 12100 / 11000 − 1 = 0.1; Apr: 12100 / 12100 − 1 = 0
      ['2024-01-31', '2024-02-01', '2024-02-29', '2024-03-01', '2024-03-31', '2024-04-01'],
      [10000, 10100, 11000, 10450, 12100, 12100],
      ['2024-02', '2024-03', '2024-04'],
      [expect.closeTo(0.1, 14), expect.closeTo(0.1, 14), 0],
    ],
    [
      'start mid-month: the first month is measured from the initial point; across a year end',
      // base 2023-12-14 = 1000; Dec: 900/1000 − 1 = −0.1; Jan: 990/900 − 1 = 0.1
      ['2023-12-14', '2023-12-15', '2023-12-31', '2024-01-01', '2024-01-02'],
      [1000, 950, 900, 920, 990],
      ['2023-12', '2024-01'],
      [expect.closeTo(-0.1, 14), expect.closeTo(0.1, 14)],
    ],
  ])('%s', (_name, dates, values, months, rets) => {
    const r = monthlyReturns(dates.map((date, i) => ({ date, equity: values[i] as number })));
    expect(r.map((x) => x.month)).toEqual(months);
    expect(r.map((x) => x.ret)).toEqual(rets);
  });

  it('compounds to total_return', () => {
    const values = [10000, 10100, 9800, 10400, 10900, 10300];
    const pts = values.map((equity, i) => ({
      date: ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-29', '2024-03-01', '2024-04-15'][i] as string,
      equity,
    }));
    const product = monthlyReturns(pts).reduce((a, x) => a * (1 + x.ret), 1);
    expectRel(product - 1, 10300 / 10000 - 1, 1e-12);
  });

  it('fewer than two points → []', () => {
    expect(monthlyReturns([{ date: '2024-01-01', equity: 1 }])).toEqual([]);
    expect(monthlyReturns([])).toEqual([]);
  });

  it('rejects bad dates, unsorted dates and bad equity', () => {
    expect(() => monthlyReturns([{ date: '2024-1-01', equity: 1 }])).toThrow(/YYYY-MM-DD/);
    expect(() =>
      monthlyReturns([
        { date: '2024-01-02', equity: 1 },
        { date: '2024-01-02', equity: 1 },
      ]),
    ).toThrow(/strictly ascending/);
    expect(() =>
      monthlyReturns([
        { date: '2024-01-02', equity: 1 },
        { date: '2024-01-03', equity: 0 },
      ]),
    ).toThrow(RangeError);
  });
});
