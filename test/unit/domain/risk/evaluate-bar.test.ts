import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import {
  barOf,
  evaluateBar,
  exitFillPrice,
  lastPriceBar,
  pendingExitAtOpen,
} from '../../../../src/domain/risk/evaluate-bar.ts';
import { computeLevels, type LevelSettings } from '../../../../src/domain/risk/levels.ts';

const bar = (o: string | number, h: string | number, l: string | number, c: string | number) =>
  barOf({ open: String(o), high: String(h), low: String(l), close: String(c) });

/** Levels at entry e = 100 and peak P = 100; every rule off (0) unless `set` turns it on. */
const levelsAt100 = (set: Partial<LevelSettings>) =>
  computeLevels(dec(100), dec(100), {
    stopLoss: 0,
    trailingStop: 0,
    trailingActivation: 0,
    takeProfit: 0,
    ...set,
  });

describe('one bar, steps 1–6 (strategy-semantics §10 "One bar")', () => {
  // e = 100, P = 100, stop_loss 0.1 → S = F = 90; take_profit 0.2 → T = 120
  const levels = levelsAt100({ stopLoss: 0.1, takeProfit: 0.2 });
  type Price = number | string;
  type Ohlc = [Price, Price, Price, Price];
  // Exits (the peak stays 100): name, bar (o h l c), reason, level, x, signal at the close (false unless given)
  const exits: [string, Ohlc, string, string, string, boolean?][] = [
    ['1. gap through the stop: open 85 ≤ S = 90 → x = open', [85, 88, 80, 86], 'stop_loss', '90', '85'],
    ['1. open exactly at the stop → x = open = 90', [90, 95, 89, 94], 'stop_loss', '90', '90'],
    [
      '2. gap over the take-profit: open 125 ≥ T = 120 → x = 125',
      [125, 130, 119, 126],
      'take_profit',
      '120',
      '125',
    ],
    ['3. low touches the stop → x = S', [100, 105, 90, 95], 'stop_loss', '90', '90'],
    ['3. stop and take-profit in one bar: the stop wins', [100, 125, 89, 110], 'stop_loss', '90', '90'],
    ['4. high reaches the take-profit → x = T', [100, 121, 95, 118], 'take_profit', '120', '120'],
    ['4. high exactly at T fires', [100, 120, 95, 118], 'take_profit', '120', '120'],
    ['a level beats the signal', [100, 101, '89.99', 95], 'stop_loss', '90', '90', true],
  ];

  it.each(exits)('%s', (_n, [o, h, l, c], reason, level, x, signal = false) => {
    const out = evaluateBar(levels, bar(o, h, l, c), signal);
    expect(out.kind).toBe('exit');
    if (out.kind !== 'exit') return;
    expect([out.reason, out.level && decStr(out.level), decStr(out.price)]).toEqual([reason, level, x]);
    expect(decStr(out.newPeak)).toBe('100');
  });

  // No exit (so no level and no x): name, bar (o h l c), signal, expected [kind, reason], new peak
  const others: [string, Ohlc, boolean, [string, string | null], string][] = [
    [
      '5. signal at the close: pending to the next open, peak unchanged',
      [100, 105, 95, 99],
      true,
      ['pending_signal', 'signal'],
      '100',
    ],
    ['6. nothing fires: P := max(P, high) = 105', [100, 105, 95, 99], false, ['none', null], '105'],
    ['6. a lower high keeps P', [95, 99, 91, 98], false, ['none', null], '100'],
  ];

  it.each(others)('%s', (_n, [o, h, l, c], signal, [kind, reason], peak) => {
    const out = evaluateBar(levels, bar(o, h, l, c), signal);
    expect(out.kind).toBe(kind);
    expect('reason' in out ? out.reason : null).toBe(reason);
    expect(decStr(out.newPeak)).toBe(peak);
  });

  it('no levels and no signal: only the peak moves', () => {
    const none = levelsAt100({});
    const out = evaluateBar(none, bar(50, 150, 1, 60), false);
    expect(out.kind).toBe('none');
    expect(decStr(out.newPeak)).toBe('150');
  });

  it('a trailing stop arms only after trailing_activation (a walk over three bars)', () => {
    // e = 100, trailing 0.05, activation 0.1, no fixed stop
    const set = { stopLoss: 0, trailingStop: 0.05, trailingActivation: 0.1, takeProfit: 0 };
    // bar 1: P = 100 < 110 → R = 95 not armed; the low 94 would be below R, but nothing fires; P → 108
    const b1 = evaluateBar(computeLevels(dec(100), dec(100), set), bar(100, 108, 94, 107), false);
    expect(b1.kind).toBe('none');
    expect(decStr(b1.newPeak)).toBe('108');
    // bar 2: P = 108 < 110 still off (R would be 102.6; the low 103 would not matter anyway); P → 111
    const b2 = evaluateBar(computeLevels(dec(100), b1.newPeak, set), bar(107, 111, 103, 110), false);
    expect(b2.kind).toBe('none');
    expect(decStr(b2.newPeak)).toBe('111');
    // bar 3: P = 111 ≥ 110 → armed, R = 111 · 0.95 = 105.45; low 105 ≤ R → exit at 105.45
    const l3 = computeLevels(dec(100), b2.newPeak, set);
    expect(decStr(l3.stop?.level ?? 'x')).toBe('105.45');
    const b3 = evaluateBar(l3, bar(110, '110.5', 105, 106), false);
    expect(b3.kind).toBe('exit');
    expect(b3.kind === 'exit' && b3.reason).toBe('trailing_stop');
    expect(b3.kind === 'exit' && decStr(b3.price)).toBe('105.45');
    // §7 SELL with 10 bps slippage: p = 105.45 · (1 − 0.001) = 105.34455
    if (b3.kind === 'exit') expect(decStr(exitFillPrice(b3.price, 10))).toBe('105.34455');
  });

  it('a signal exit pending from one bar executes at the next bar’s open', () => {
    const set = { stopLoss: 0, trailingStop: 0, trailingActivation: 0, takeProfit: 0 };
    const first = evaluateBar(computeLevels(dec(100), dec(100), set), bar(100, 104, 99, 101), true);
    expect(first.kind).toBe('pending_signal');
    const next = bar('100.7', 103, 100, 102);
    const exit = pendingExitAtOpen('signal', next);
    expect(exit).toMatchObject({ kind: 'exit', reason: 'signal', level: null });
    expect(decStr(exit.price)).toBe('100.7');
    // slippage 25 bps: 100.7 · 0.9975 = 100.44825
    expect(decStr(exitFillPrice(exit.price, 25))).toBe('100.44825');
  });

  it('§12: the last price as a bar: 89 below S = 90 is a gap (x = last); 105 raises the peak', () => {
    const l = levelsAt100({ stopLoss: 0.1 });
    const gap = evaluateBar(l, lastPriceBar(dec(89)), false);
    expect(gap.kind === 'exit' && [gap.reason, decStr(gap.price)]).toEqual(['stop_loss', '89']);
    expect(decStr(evaluateBar(l, lastPriceBar(dec(105)), false).newPeak)).toBe('105');
  });
});
