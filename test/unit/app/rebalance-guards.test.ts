/**
 * The guards of a rebalance (issue 9.2, 9.3, 14.3, 14.4) as small functions, each returning a refusal or
 * null. Expected texts and thresholds from the issue and rebalance/guards.ts (5 s tolerance, 5 min window).
 */
import { describe, expect, it } from 'vitest';
import {
  clockGuard,
  emptyUniverseGuard,
  reconciliationGuard,
  skipGuard,
} from '../../../src/app/rebalance/guards.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { RunRow } from '../../../src/ports/ledger.ts';

const D = dayToMs('2024-03-01');
const lastRun = (period: string) => ({ period }) as RunRow;

describe('rebalance guards', () => {
  it('clock (14.4): 10 s skew 1 min after 00:00 refuses; 3 s, or 2 h after 00:00, or a replayed day (≥ 1 day) does not', () => {
    expect(clockGuard(D + 60_000, D + 70_000, D)?.reason).toMatch(
      /^refused: the local clock is 10\.0 s ahead of the exchange \(2024-03-01T00:01:00\.000Z\)/,
    );
    expect(clockGuard(D + 60_000, D + 63_000, D)).toBeNull();
    expect(clockGuard(D + 7_200_000, D + 7_210_000, D)).toBeNull();
    expect(clockGuard(D + 60_000, D + 60_000 + 3 * 86_400_000, D)).toBeNull();
  });

  it('skip (§1): same period → already_rebalanced; 2 of 3 days → not_due; 3 days or --force → go', () => {
    expect(skipGuard(lastRun('2024-03-01'), '2024-03-01', 3, false)).toBe('already_rebalanced');
    expect(skipGuard(lastRun('2024-02-28'), '2024-03-01', 3, false)).toBe(
      'not_due: last rebalance 2024-02-28, rebalance_every_days = 3',
    );
    expect(skipGuard(lastRun('2024-02-27'), '2024-03-01', 3, false)).toBeNull();
    expect(skipGuard(lastRun('2024-03-01'), '2024-03-01', 3, true)).toBeNull();
  });

  it('empty universe (9.3): refused unless allow_empty; any selected symbol goes ahead', () => {
    expect(emptyUniverseGuard(0, false, '2024-03-01', 'excluded: no_market_cap 12')).toEqual({
      guard: 'empty_universe',
      reason:
        'refused: no eligible symbol on 2024-03-01 (excluded: no_market_cap 12); nothing was traded. Set allow_empty = true in [universe] to sell into cash.',
    });
    expect(emptyUniverseGuard(0, true, '2024-03-01', '')).toBeNull();
    expect(emptyUniverseGuard(1, false, '2024-03-01', '')).toBeNull();
  });

  it('reconciliation (9.2): the exchange holding less than the book refuses; more is only reported', () => {
    const row = (asset: string, expected: string, actual: string, difference: string) => ({
      phase: 'before' as const,
      asset,
      expected,
      actual,
      difference,
      note: '',
    });
    expect(reconciliationGuard([row('BTC', '1', '0.5', '-0.5')])?.reason).toBe(
      'refused: the exchange holds less than the ledger manages (BTC 0.5 < 1); nothing was traded',
    );
    expect(reconciliationGuard([row('BTC', '1', '0.5', '-0.5')], 'already_rebalanced')?.reason).toBe(
      'refused: already_rebalanced, but the exchange holds less than the ledger manages (BTC 0.5 < 1)',
    );
    expect(reconciliationGuard([row('BNB', '0', '2', '2')])).toBeNull();
  });
});
