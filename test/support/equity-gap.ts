/** Comparing our backtest's daily equity with the Python oracle's (test/oracle). */
import { expect } from 'vitest';

/** A daily equity point as both results files write it. */
interface EquityPoint {
  readonly date: string;
  readonly equity: number;
}

/**
 * Expects both curves to have the same dates and returns the largest relative gap
 * |ours − oracle| / |oracle| over the points (0 for identical curves).
 */
export function worstEquityGap(ours: readonly EquityPoint[], oracle: readonly EquityPoint[]): number {
  expect(ours.map((p) => p.date)).toEqual(oracle.map((p) => p.date));
  let worst = 0;
  ours.forEach((p, k) => {
    const q = oracle[k]?.equity as number;
    worst = Math.max(worst, Math.abs(p.equity - q) / Math.abs(q));
  });
  return worst;
}
