/**
 * The BTC-only basket's first BUY on 2021-01-01 (full mode, 10000 USDT, top 1), hand-computed in
 * test/e2e/rebalance.test.ts from the bundled daily candles: BTCUSDT open 2021-01-01 = 28923.63, step
 * 0.00001; Q = round_down_8(10000 / 1) = 10000; q = floor_step(10000 / 28923.63) = 0.34573; q × p =
 * 0.34573 × 28923.63 = 9999.7665999 USDT (strategy-semantics.md §7, §8). The same on the replay exchange
 * (slippage 0) and on the emulator, which fills MARKET orders at that open at 00:00:30.
 */
export const BTC_FIRST_BUY = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  quantity: '0.34573',
  price: '28923.63',
  quote_quantity: '9999.7665999',
} as const;
