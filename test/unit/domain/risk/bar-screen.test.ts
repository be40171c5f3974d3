import { describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/decimal.ts';
import { levelScreenOf, SCREEN_REL, screenBar } from '../../../../src/domain/risk/bar-screen.ts';
import { barOf } from '../../../../src/domain/risk/evaluate-bar.ts';
import { evaluatePositionBar } from '../../../../src/domain/risk/position-bar.ts';
import type { PositionState } from '../../../../src/domain/risk/position-state.ts';
import type { SymbolRules } from '../../../../src/domain/types.ts';
import { X_RULES } from '../../../support/btc-rules.ts';

const on = { stopLoss: 0.1, trailingStop: 0.15, trailingActivation: 0, takeProfit: 0.2 };

describe('levelScreenOf: doubles of the §10 levels (strategy-semantics §10 "Levels"; figures by hand)', () => {
  it('C = 1000, h = 10 → e = 100: F = 90, R = 120 · 0.85 = 102 active (P >= e) → S = 102, T = 120', () => {
    const s = levelScreenOf(1000, 10, 120, on);
    expect(s.stop).toBeCloseTo(102, 9);
    expect(s.takeProfit).toBeCloseTo(120, 9);
    expect(s.peak).toBe(120);
  });
  it('trailing not armed (activation 0.3: P 120 < 130) → S = F = 90', () => {
    expect(levelScreenOf(1000, 10, 120, { ...on, trailingActivation: 0.3 }).stop).toBeCloseTo(90, 9);
  });
  it('arming too close to call (P = e · 1.2 exactly) → the larger of F and R, 102 (one-sided)', () => {
    expect(levelScreenOf(1000, 10, 120, { ...on, trailingActivation: 0.2 }).stop).toBeCloseTo(102, 9);
  });
  it('every level off → no stop, no take-profit', () => {
    const s = levelScreenOf(1000, 10, 120, {
      stopLoss: 0,
      trailingStop: 0,
      trailingActivation: 0,
      takeProfit: 0,
    });
    expect(s).toEqual({ stop: null, takeProfit: null, peak: 120 });
  });
});

describe('screenBar: quiet / raise only where §10 steps 1–5 certainly do not fire', () => {
  const screen = { stop: 102, takeProfit: 130, peak: 120 };
  it.each([
    // open, high, low, signal → verdict (S 102, T 130, P 120)
    [110, 115, 105, false, 'quiet'], // inside every level, below the peak
    [110, 125, 105, false, 'raise'], // a new high: the caller compares it exactly
    [110, 120, 105, false, 'raise'], // the high equals the peak: exact compare (no change)
    [110, 115, 102, false, 'exact'], // low touches S (step 3)
    [110, 115, 102 * (1 + SCREEN_REL / 2), false, 'exact'], // within the margin of S
    [101, 115, 100, false, 'exact'], // open through S (step 1)
    [131, 135, 125, false, 'exact'], // open through T (step 2)
    [110, 130, 105, false, 'exact'], // high touches T (step 4)
    [110, 115, 105, true, 'exact'], // an exit signal at the close (step 5)
  ] as const)('open %d high %d low %d signal %s → %s', (o, h, l, sig, verdict) => {
    expect(screenBar(screen, o, h, l, sig)).toBe(verdict);
  });
});

describe('the screen never disagrees with the exact rule (seeded; levels hit exactly and by 1e-12)', () => {
  const rules: SymbolRules = X_RULES;
  it('10 000 bars: quiet → step 6 with the same peak; raise → step 6 (peak = max(P, high))', () => {
    let x = 2024;
    const rnd = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    const px = (v: number) => v.toFixed(6);
    let quiet = 0;
    let raise = 0;
    for (let n = 0; n < 10_000; n++) {
      const settings = {
        stopLoss: [0, 0.05, 0.1][n % 3] as number,
        trailingStop: [0, 0.15, 0.07][(n >> 2) % 3] as number,
        trailingActivation: [0, 0.2][(n >> 4) % 2] as number,
        takeProfit: [0, 0.3][(n >> 5) % 2] as number,
      };
      const cost = dec(px(500 + rnd() * 1000));
      const holding = dec((1 + rnd() * 20).toFixed(3));
      const entry = cost.div(holding);
      const peak = entry.times(px(1 + rnd() * 0.4));
      const state: PositionState = { costBasis: cost, holding, peak };
      // prices near the levels: some exactly on the stop / take-profit / peak, some 1e-12 off
      const anchors = [
        entry.times(1 - settings.stopLoss),
        peak.times(1 - settings.trailingStop),
        entry.times(1 + settings.takeProfit),
        peak,
        entry,
      ];
      const pick = () => {
        const a = anchors[Math.floor(rnd() * anchors.length)] as ReturnType<typeof dec>;
        const r = rnd();
        if (r < 0.3) return a;
        if (r < 0.5) return a.times(r < 0.4 ? '1.000000000001' : '0.999999999999');
        return a.times(px(0.85 + rnd() * 0.4));
      };
      const ps = [pick(), pick(), pick()].sort((a, b) => a.comparedTo(b));
      const open = ps[1] as ReturnType<typeof dec>;
      const bar = {
        open: open.toFixed(),
        high: (ps[2] as ReturnType<typeof dec>).toFixed(),
        low: (ps[0] as ReturnType<typeof dec>).toFixed(),
        close: open.toFixed(),
      };
      const signal = rnd() < 0.05;
      const exact = evaluatePositionBar(state, barOf(bar), rules, settings, signal);
      if (exact.kind === 'dust') continue;
      const screen = levelScreenOf(cost.toNumber(), holding.toNumber(), peak.toNumber(), settings);
      const v = screenBar(screen, Number(bar.open), Number(bar.high), Number(bar.low), signal);
      if (v === 'exact') continue;
      expect(exact.outcome.kind).toBe('none');
      if (v === 'quiet') {
        quiet++;
        expect(exact.state).toBe(state);
      } else {
        raise++;
        const high = dec(bar.high);
        expect(exact.state.peak?.eq(high.gt(peak) ? high : peak)).toBe(true);
      }
    }
    expect(quiet).toBeGreaterThan(500); // the screen does skip work
    expect(raise).toBeGreaterThan(50);
  });
});
