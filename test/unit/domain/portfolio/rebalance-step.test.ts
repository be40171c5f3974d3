/**
 * One rebalanceStep (issue 9.5, strategy-semantics.md §8): the SELLs are planned and executed first, and
 * the BUYs are sized with the cash the executor reports after them — not with the cash before trading.
 * The same step runs with a synchronous executor (reference backtest) and an asynchronous one (live path).
 * Expected values by hand: full mode, cash_buffer 0, K = 2 targets.
 */
import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import type { PlannedOrder } from '../../../../src/domain/planning/plan.ts';
import {
  type RebalanceStepInput,
  rebalanceStep,
  rebalanceStepAsync,
} from '../../../../src/domain/portfolio/rebalance-step.ts';
import { testRules } from '../../../support/test-rules.ts';

const rules = (symbol: string) =>
  testRules(symbol, { stepSize: '0.001', minQty: '0', minNotional: '0', tickSize: '0' });
const open: Record<string, string> = { OLDUSDT: '10', AAAUSDT: '2', BBBUSDT: '5' };
const input: RebalanceStepInput = {
  // Holds 3 OLD (not selected) and 100 USDT; targets AAA (rank 1) and BBB (rank 2).
  holdings: [{ asset: 'OLD', symbol: 'OLDUSDT', quantity: dec('3') }],
  targets: [
    { symbol: 'AAAUSDT', asset: 'AAA', rank: 1 },
    { symbol: 'BBBUSDT', asset: 'BBB', rank: 2 },
  ],
  cash: dec('100'),
  prices: {
    open: (s) => (open[s] ? dec(open[s]) : null),
    lastClose: () => null,
  },
  rules,
  params: { mode: 'full', cashBuffer: '0', band: '0' },
};

describe('rebalanceStep: SELLs → execute → BUYs with the cash raised', () => {
  it('sync executor: the BUYs split the cash reported after the SELLs (here 129, not 100 + 30)', () => {
    const seen: { phase: string; orders: readonly PlannedOrder[] }[] = [];
    rebalanceStep(input, (phase, orders) => {
      seen.push({ phase, orders });
      // The SELL of 3 OLD at 10 filled for 29 after fees and slippage: cash 100 + 29 = 129.
      return phase === 'sell' ? dec('129') : dec('0');
    });
    expect(seen.map((p) => p.phase)).toEqual(['sell', 'buy']);
    expect(seen[0]?.orders.map((o) => [o.side, o.symbol, decStr(o.quantity ?? dec(0))])).toEqual([
      ['SELL', 'OLDUSDT', '3'],
    ]);
    // 129 / 2 = 64.5 quote each, rank order.
    expect(seen[1]?.orders.map((o) => [o.side, o.symbol, decStr(o.quoteOrderQty ?? dec(0))])).toEqual([
      ['BUY', 'AAAUSDT', '64.5'],
      ['BUY', 'BBBUSDT', '64.5'],
    ]);
  });

  it('async executor: the same orders, the BUYs wait for the SELLs to finish', async () => {
    const log: string[] = [];
    await rebalanceStepAsync(input, async (phase, orders) => {
      await new Promise((r) => setTimeout(r, 5));
      log.push(
        `${phase}:${orders.map((o) => `${o.symbol}=${decStr(o.quantity ?? o.quoteOrderQty ?? dec(0))}`).join(',')}`,
      );
      return phase === 'sell' ? dec('129') : dec('0');
    });
    expect(log).toEqual(['sell:OLDUSDT=3', 'buy:AAAUSDT=64.5,BBBUSDT=64.5']);
  });
});
