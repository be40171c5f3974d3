import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import { computeLevels, type LevelSettings } from '../../../../src/domain/risk/levels.ts';
import { applyBuyFill, entryPrice, type PositionState } from '../../../../src/domain/risk/position-state.ts';

const off: LevelSettings = { stopLoss: 0, trailingStop: 0, trailingActivation: 0, takeProfit: 0 };
const v = (x: ReturnType<typeof dec> | null) => (x === null ? null : decStr(x));

describe('levels before a bar (strategy-semantics §10 "Levels")', () => {
  // Rows: name, e, P, settings, F, R, R active, S, reason, T — all by hand from F = e(1−sl), R = P(1−ts),
  // active ⇔ P ≥ e(1+act), S = max of the active ones, T = e(1+tp).
  const rows: [
    string,
    string,
    string,
    Partial<LevelSettings>,
    string | null,
    string | null,
    boolean,
    string | null,
    string | null,
    string | null,
  ][] = [
    [
      'fixed stop and take-profit',
      '100',
      '100',
      { stopLoss: 0.1, takeProfit: 0.2 },
      '90',
      null,
      false,
      '90',
      'stop_loss',
      '120',
    ],
    // R = 95 but P = 100 < 110: not armed → S = F
    [
      'trailing not yet armed',
      '100',
      '100',
      { stopLoss: 0.1, trailingStop: 0.05, trailingActivation: 0.1 },
      '90',
      '95',
      false,
      '90',
      'stop_loss',
      null,
    ],
    // P = 109.99 < 110
    [
      'one cent short of activation',
      '100',
      '109.99',
      { stopLoss: 0.1, trailingStop: 0.05, trailingActivation: 0.1 },
      '90',
      '104.4905',
      false,
      '90',
      'stop_loss',
      null,
    ],
    // P = 110 = e·1.1: armed, R = 104.5 > F
    [
      'armed at exactly the activation',
      '100',
      '110',
      { stopLoss: 0.1, trailingStop: 0.05, trailingActivation: 0.1 },
      '90',
      '104.5',
      true,
      '104.5',
      'trailing_stop',
      null,
    ],
    // R = 115 · 0.95 = 109.25
    [
      'armed, above F',
      '100',
      '115',
      { stopLoss: 0.1, trailingStop: 0.05, trailingActivation: 0.1 },
      '90',
      '109.25',
      true,
      '109.25',
      'trailing_stop',
      null,
    ],
    // activation 0: armed at once; R = 105 · 0.85 = 89.25 < F = 90 → S = F, reason stop_loss
    [
      'R below F',
      '100',
      '105',
      { stopLoss: 0.1, trailingStop: 0.15 },
      '90',
      '89.25',
      true,
      '90',
      'stop_loss',
      null,
    ],
    // R = 100 · 0.9 = 90 = F: reason stop_loss (R must be > F)
    [
      'R equal to F',
      '100',
      '100',
      { stopLoss: 0.1, trailingStop: 0.1 },
      '90',
      '90',
      true,
      '90',
      'stop_loss',
      null,
    ],
    // F off: S = R when armed
    ['trailing only', '100', '120', { trailingStop: 0.1 }, null, '108', true, '108', 'trailing_stop', null],
    ['everything off', '100', '120', {}, null, null, false, null, null, null],
  ];

  it.each(rows)('%s', (_n, e, p, set, F, R, active, S, reason, T) => {
    const l = computeLevels(dec(e), dec(p), { ...off, ...set });
    expect(v(l.fixedStop)).toBe(F);
    expect(v(l.trailingStop)).toBe(R);
    expect(l.trailingActive).toBe(active);
    expect(l.stop && decStr(l.stop.level)).toBe(S);
    expect(l.stop?.reason ?? null).toBe(reason);
    expect(v(l.takeProfit)).toBe(T);
  });

  it('a top-up that raises e switches the trailing stop off again (re-checked before every bar)', () => {
    const settings = { ...off, trailingStop: 0.05, trailingActivation: 0.1 };
    // C = 1000, h = 10 → e = 100, P = 115 ≥ 110: armed, R = 109.25
    const before: PositionState = { costBasis: dec(1000), holding: dec(10), peak: dec(115) };
    expect(computeLevels(entryPrice(before), dec(115), settings).trailingActive).toBe(true);
    // delta top-up: 10 units at 112, no fee → C = 2120, h = 20, e = 106, P = max(115, 112) = 115;
    // activation now needs 106 · 1.1 = 116.6 > 115 → off, no stop at all
    const after = applyBuyFill(
      before,
      { price: dec(112), quoteQuantity: dec(1120), baseDelta: dec(10) },
      false,
    );
    expect(decStr(entryPrice(after))).toBe('106');
    const l = computeLevels(entryPrice(after), after.peak ?? dec(0), settings);
    expect(l.trailingActive).toBe(false);
    expect(l.stop).toBeNull();
  });
});
