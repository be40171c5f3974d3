import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import {
  checkPortfolioRisk,
  equityAt,
  pendingReasonAfterCheck,
  pickMark,
} from '../../../../src/domain/risk/portfolio-risk.ts';

const D = Date.UTC(2021, 4, 10); // a day's 00:00 UTC
const H = 3_600_000;

describe('portfolio risk at an hour’s close (strategy-semantics §10 "Portfolio risk")', () => {
  it('mark: the most recently closed candle, hourly on a tie', () => {
    // the daily candle of D-1 and the hourly of D-1 23:00 both close at D 00:00 → hourly
    expect(
      decStr(pickMark({ close: dec(10), closedAtMs: D }, { close: dec(11), closedAtMs: D }) ?? 'x'),
    ).toBe('10');
    // the last hourly candle closed at D-1 05:00, the daily at D 00:00 → daily
    expect(
      decStr(pickMark({ close: dec(10), closedAtMs: D - 19 * H }, { close: dec(11), closedAtMs: D }) ?? 'x'),
    ).toBe('11');
    expect(decStr(pickMark(null, { close: dec(11), closedAtMs: D }) ?? 'x')).toBe('11');
    expect(pickMark(null, null)).toBeNull();
  });

  it('E_H = cash + Σ h·mark: 100 + 2·50 + 0.5·10 = 205', () => {
    const e = equityAt(dec(100), [
      { holding: dec(2), mark: dec(50) },
      { holding: dec('0.5'), mark: dec(10) },
    ]);
    expect(decStr(e)).toBe('205');
  });

  const on = { maxDailyLoss: 0.05, maxDrawdown: 0.2 };
  // name, E_H, E(D-1), peak before, settings, dailyLoss, drawdown, reason, halt, new peak
  const rows: [
    string,
    string,
    string,
    string,
    typeof on,
    boolean,
    boolean,
    string | null,
    boolean,
    string,
  ][] = [
    // E(D-1)·(1 − 0.05) = 9500; 9500 ≤ 9500 fires. Peak 10000 · 0.8 = 8000: no drawdown
    [
      'daily loss at exactly the limit',
      '9500',
      '10000',
      '10000',
      on,
      true,
      false,
      'daily_loss',
      false,
      '10000',
    ],
    ['one cent above the daily limit', '9500.01', '10000', '10000', on, false, false, null, false, '10000'],
    // peak 12000 · 0.8 = 9600; E(D-1) = 9700 · 0.95 = 9215 < 9600: drawdown only
    [
      'drawdown at exactly the limit: halt',
      '9600',
      '9700',
      '12000',
      on,
      false,
      true,
      'max_drawdown',
      true,
      '12000',
    ],
    // 9000 ≤ 9500 and ≤ 9600: both → reason daily_loss, halt set too
    [
      'both in one hour: reason daily_loss, halted',
      '9000',
      '10000',
      '12000',
      on,
      true,
      true,
      'daily_loss',
      true,
      '12000',
    ],
    ['a new high raises the peak', '12500', '12000', '12000', on, false, false, null, false, '12500'],
    [
      'rules off (0): nothing fires even at 0 equity',
      '0',
      '10000',
      '12000',
      { maxDailyLoss: 0, maxDrawdown: 0 },
      false,
      false,
      null,
      false,
      '12000',
    ],
  ];
  it.each(rows)('%s', (_n, e, prev, peak, set, dl, dd, reason, halt, newPeak) => {
    const r = checkPortfolioRisk(dec(e), dec(prev), dec(peak), set);
    expect(r.dailyLoss).toBe(dl);
    expect(r.drawdown).toBe(dd);
    expect(r.reason).toBe(reason);
    expect(r.halt).toBe(halt);
    expect(decStr(r.newPeak)).toBe(newPeak);
  });

  it('an exit already pending keeps its own reason; otherwise the check’s reason is pending', () => {
    const both = checkPortfolioRisk(dec(9000), dec(10000), dec(12000), on);
    expect(pendingReasonAfterCheck('signal', both)).toBe('signal');
    expect(pendingReasonAfterCheck(null, both)).toBe('daily_loss');
    const quiet = checkPortfolioRisk(dec(10000), dec(10000), dec(10000), on);
    expect(pendingReasonAfterCheck(null, quiet)).toBeNull();
  });
});
