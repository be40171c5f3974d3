/** Sweep parsing, grid expansion, ranking by Sharpe and CSV output. */
import { describe, expect, it } from 'vitest';
import {
  expandGrid,
  parseSweep,
  rankBySharpe,
  SweepError,
  type SweepParamSpec,
  toCsv,
} from '../../../../src/domain/metrics/sweep-grid.ts';

const allowed: Record<string, SweepParamSpec> = {
  lookback_days: { kind: 'int', min: 1, max: 365 },
  top_n: { kind: 'int', min: 1 },
  rebalance_every_days: { kind: 'int', min: 1, max: 30 },
  cash_buffer: { kind: 'number', min: 0, max: 0.5 },
  band: { kind: 'number' },
  offset: { kind: 'int', max: 0 },
  mode: { kind: 'enum', values: ['momentum', 'reversal'] },
};

/** The SweepError thrown by `parseSweep(args)`; fails when none is. */
function sweepError(args: readonly string[]): SweepError {
  try {
    parseSweep(args, allowed);
  } catch (err) {
    expect(err).toBeInstanceOf(SweepError);
    return err as SweepError;
  }
  return expect.fail(`no SweepError for ${JSON.stringify(args)}`);
}

describe('parseSweep', () => {
  it('parses int, number and enum axes in the order given', () => {
    const axes = parseSweep(
      ['lookback_days=3,7,14,30', 'top_n=5,10,20', 'rebalance_every_days=1,7', 'mode=momentum,reversal'],
      allowed,
    );
    expect(axes).toEqual([
      { name: 'lookback_days', values: [3, 7, 14, 30] },
      { name: 'top_n', values: [5, 10, 20] },
      { name: 'rebalance_every_days', values: [1, 7] },
      { name: 'mode', values: ['momentum', 'reversal'] },
    ]);
  });

  it('accepts several assignments in one argument, values with spaces, decimals and exponents', () => {
    const axes = parseSweep(['  cash_buffer=0, 0.05,.1  band=-1e-3,2.'], allowed);
    expect(axes).toEqual([
      { name: 'cash_buffer', values: [0, 0.05, 0.1] },
      { name: 'band', values: [-0.001, 2] },
    ]);
  });

  it('bounds are inclusive; -0 becomes 0', () => {
    expect(parseSweep(['lookback_days=1,365', 'offset=-0,-5'], allowed)).toEqual([
      { name: 'lookback_days', values: [1, 365] },
      { name: 'offset', values: [0, -5] },
    ]);
    expect(Object.is((parseSweep(['offset=-0'], allowed)[0]?.values[0] as number) + 0, 0)).toBe(true);
  });

  it('splits one argument only before NAME=, so "top_n=5, 10" stays one list', () => {
    expect(parseSweep(['top_n=5, 10 mode=reversal'], allowed)).toEqual([
      { name: 'top_n', values: [5, 10] },
      { name: 'mode', values: ['reversal'] },
    ]);
    // a stray word that is not NAME=... stays in the list and is rejected as a value
    expect(sweepError(['top_n=5 10']).message).toContain('top_n=5 10 is not allowed');
  });

  it('no arguments → no axes', () => {
    expect(parseSweep([], allowed)).toEqual([]);
    expect(parseSweep(['', '   '], allowed)).toEqual([]);
  });

  it('SweepError carries exitCode 2, its name and the parameter', () => {
    const err = sweepError(['top_n=0']);
    expect(err.exitCode).toBe(2);
    expect(err.name).toBe('SweepError');
    expect(err.parameter).toBe('top_n');
    expect(err).toBeInstanceOf(Error);
  });

  it('error: not NAME=VALUES (no "=" or no name) → lists the allowed parameters', () => {
    for (const args of [['top_n'], ['=5,10']]) {
      const err = sweepError(args);
      expect(err.parameter).toBeNull();
      expect(err.message).toContain('NAME=V1,V2');
      expect(err.message).toContain(
        'allowed parameters: lookback_days, top_n, rebalance_every_days, cash_buffer, band, offset, mode',
      );
    }
  });

  it('error: unknown parameter (including Object.prototype keys) → lists the allowed parameters', () => {
    for (const name of ['lookback', 'TOP_N', 'constructor', '__proto__']) {
      const err = sweepError([`${name}=1`]);
      expect(err.parameter).toBe(name);
      expect(err.message).toContain(`unknown parameter "${name}"`);
      expect(err.message).toContain('allowed parameters: lookback_days, top_n');
    }
  });

  it('error: parameter given twice', () => {
    const err = sweepError(['top_n=5', 'lookback_days=7', 'top_n=10']);
    expect(err.parameter).toBe('top_n');
    expect(err.message).toContain('given twice');
  });

  it('error: empty list', () => {
    const err = sweepError(['top_n=']);
    expect(err.parameter).toBe('top_n');
    expect(err.message).toContain('has no values');
    expect(err.message).toContain('an integer >= 1');
  });

  it('error: empty element', () => {
    for (const args of [['top_n=5,,10'], ['top_n=5,'], ['top_n=,5']]) {
      const err = sweepError(args);
      expect(err.message).toContain('empty value');
    }
  });

  it('error: not an integer (int)', () => {
    for (const v of ['7.5', 'abc', '1e2', '0x10', '+', '9007199254740993']) {
      const err = sweepError([`lookback_days=3,${v}`]);
      expect(err.parameter).toBe('lookback_days');
      expect(err.message).toContain(`lookback_days=${v} is not allowed`);
      expect(err.message).toContain('an integer in [1, 365]');
    }
  });

  it('error: not a number (number)', () => {
    for (const v of ['abc', 'NaN', 'Infinity', '1e', '0x10', '1_000', '.', '1e999']) {
      const err = sweepError([`band=${v}`]);
      expect(err.message).toContain(`band=${v} is not allowed; band must be a number`);
    }
  });

  it('error: out of range, with the range in the message', () => {
    expect(sweepError(['lookback_days=0']).message).toContain('an integer in [1, 365]');
    expect(sweepError(['lookback_days=366']).message).toContain('an integer in [1, 365]');
    expect(sweepError(['top_n=-1']).message).toContain('an integer >= 1');
    expect(sweepError(['offset=1']).message).toContain('an integer <= 0');
    expect(sweepError(['cash_buffer=0.6']).message).toContain('a number in [0, 0.5]');
    expect(sweepError(['cash_buffer=-0.01']).message).toContain('a number in [0, 0.5]');
  });

  it('error: enum value not allowed → lists the values (case-sensitive)', () => {
    for (const v of ['trend', 'Momentum']) {
      const err = sweepError([`mode=momentum,${v}`]);
      expect(err.parameter).toBe('mode');
      expect(err.message).toContain(`mode=${v} is not allowed; mode must be one of momentum, reversal`);
    }
  });

  it('error: duplicate values (numbers by value)', () => {
    expect(sweepError(['top_n=5,10,5']).message).toContain('lists the value 5 twice');
    expect(sweepError(['cash_buffer=0.1,0.10']).message).toContain('lists the value 0.10 twice');
    expect(sweepError(['mode=reversal,reversal']).message).toContain('lists the value reversal twice');
  });

  it('inconsistent specs are programming errors (TypeError)', () => {
    expect(() => parseSweep([], { mode: { kind: 'enum' } })).toThrow(TypeError);
    expect(() => parseSweep([], { mode: { kind: 'enum', values: [] } })).toThrow(TypeError);
    expect(() => parseSweep([], { x: { kind: 'int', min: 2, max: 1 } })).toThrow(TypeError);
  });
});

describe('expandGrid', () => {
  it('cartesian product, first axis slowest', () => {
    const grid = expandGrid([
      { name: 'a', values: [1, 2] },
      { name: 'b', values: ['x', 'y', 'z'] },
      { name: 'c', values: [0] },
    ]);
    expect(grid).toEqual([
      { a: 1, b: 'x', c: 0 },
      { a: 1, b: 'y', c: 0 },
      { a: 1, b: 'z', c: 0 },
      { a: 2, b: 'x', c: 0 },
      { a: 2, b: 'y', c: 0 },
      { a: 2, b: 'z', c: 0 },
    ]);
  });

  it('size is the product of the axis sizes (4 × 3 × 2 = 24) and follows parseSweep', () => {
    const grid = expandGrid(
      parseSweep(['lookback_days=3,7,14,30', 'top_n=5,10,20', 'rebalance_every_days=1,7'], allowed),
    );
    expect(grid).toHaveLength(24);
    expect(grid[0]).toEqual({ lookback_days: 3, top_n: 5, rebalance_every_days: 1 });
    expect(grid[1]).toEqual({ lookback_days: 3, top_n: 5, rebalance_every_days: 7 });
    expect(grid[23]).toEqual({ lookback_days: 30, top_n: 20, rebalance_every_days: 7 });
  });

  it('no axes → one empty config; an empty axis → none', () => {
    expect(expandGrid([])).toEqual([{}]);
    expect(expandGrid([{ name: 'a', values: [] }])).toEqual([]);
  });

  it('duplicate axis names are a programming error', () => {
    expect(() =>
      expandGrid([
        { name: 'a', values: [1] },
        { name: 'a', values: [2] },
      ]),
    ).toThrow(TypeError);
  });
});

describe('rankBySharpe', () => {
  const rows = [
    { id: 0, sharpe: null, total_return: 0.9 },
    { id: 1, sharpe: 1.2, total_return: 0.1 },
    { id: 2, sharpe: 2.5, total_return: -0.1 },
    { id: 3, sharpe: 1.2, total_return: 0.3 },
    { id: 4, sharpe: 1.2, total_return: 0.1 },
    { id: 5, sharpe: null, total_return: 0.95 },
    { id: 6, sharpe: -0.5, total_return: 0.2 },
    { id: 7, sharpe: null, total_return: 0.9 },
  ];

  it('sharpe desc, nulls last; ties by total_return desc, then config order', () => {
    // 2.5 → id 2; 1.2 ties: total_return 0.3 (id 3), then 0.1 (ids 1, 4 in config order); −0.5 → id 6;
    // nulls: total_return 0.95 (id 5), then 0.9 (ids 0, 7 in config order)
    expect(rankBySharpe(rows).map((r) => r.id)).toEqual([2, 3, 1, 4, 6, 5, 0, 7]);
  });

  it('does not mutate its input and keeps the row objects', () => {
    const copy = [...rows];
    const ranked = rankBySharpe(rows);
    expect(rows).toEqual(copy);
    expect(ranked[0]).toBe(rows[2]);
    expect(rankBySharpe([])).toEqual([]);
  });

  it('treats NaN sharpe like null', () => {
    const r = rankBySharpe([
      { sharpe: Number.NaN, total_return: 1 },
      { sharpe: -3, total_return: 0 },
    ]);
    expect(r[0]?.sharpe).toBe(-3);
  });
});

describe('toCsv', () => {
  it('header + rows, CRLF line ends, full-precision numbers, empty nulls', () => {
    const csv = toCsv(
      [
        { lookback_days: 7, mode: 'momentum', sharpe: 0.1 + 0.2, sortino: null, tiny: 1e-7, ok: true },
        {
          lookback_days: 14,
          mode: 'reversal',
          sharpe: -1.5,
          sortino: 2,
          tiny: 123456789012345680000,
          ok: false,
        },
      ],
      ['lookback_days', 'mode', 'sharpe', 'sortino', 'tiny', 'ok'],
    );
    expect(csv).toBe(
      'lookback_days,mode,sharpe,sortino,tiny,ok\r\n' +
        '7,momentum,0.30000000000000004,,1e-7,true\r\n' +
        '14,reversal,-1.5,2,123456789012345680000,false\r\n',
    );
  });

  it('RFC 4180 quoting: comma, double quote, CR, LF; missing keys are empty', () => {
    const rows: Record<string, string | number | undefined>[] = [
      { a: 'x,y', b: 'say "hi"', c: 'line1\nline2' },
      { a: 'cr\rhere', b: 'plain' },
    ];
    expect(toCsv(rows, ['a', 'b', 'c'])).toBe(
      'a,b,c\r\n' + '"x,y","say ""hi""","line1\nline2"\r\n' + '"cr\rhere",plain,\r\n',
    );
  });

  it('quotes header names that need it', () => {
    expect(toCsv([{ 'a,b': 1 }], ['a,b'])).toBe('"a,b"\r\n1\r\n');
  });

  it('no rows → header only', () => {
    expect(toCsv([] as { a: number }[], ['a'])).toBe('a\r\n');
  });

  it('non-scalar values are a TypeError naming the column', () => {
    expect(() => toCsv([{ a: { x: 1 } }], ['a'])).toThrow(/column "a"/);
    expect(() => toCsv([{ a: [1] }], ['a'])).toThrow(TypeError);
  });
});
