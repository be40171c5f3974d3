/**
 * Hand-computed backtests on a tiny real-format data directory (tiny-data.ts SCENARIO: AAA, BBB, CCC,
 * 2024-01-01 .. 2024-01-07; CCC halted on 01-04 and redenominated /1000 on 01-05), run through the real
 * loader and BOTH engines (fast and reference). Every expected number below is derived by hand from
 * strategy-semantics.md (§1 decision days, §2 swap, §3 signal, §4 filters, §7 fills, §8 modes, §9 equity);
 * the arithmetic is in the comments.
 *
 * Settings: initial_quote 1000, fee_rate 0.001, slippage 0, lookback_days 1, top_n 1, min_age_days 0,
 * rebalance_every_days 1; backtest 2024-01-03 .. 2024-01-07 (5 decision days D1..D5).
 *
 * Filters: AAA step 0.01, BBB and CCC step 1; minNotional 5 everywhere (NOTIONAL, applyMinToMarket).
 *
 * Signal r(D) = close(D-1) / close(D-2) - 1 (L = 1) and the pick (top 1):
 *   D1 01-03: AAA 11/10-1 = 0.1, BBB 21/20-1 = 0.05, CCC 5/4-1 = 0.25            -> CCC
 *   D2 01-04: AAA 12/11-1 = 0.0909, BBB 21/21-1 = 0; CCC no candle at D: not_trading -> AAA
 *   D3 01-05: AAA 12.5/12-1 = 0.0417, BBB 22/21-1 = 0.0476; CCC no candle at D-1    -> BBB
 *   D4 01-06: AAA 12/12.5-1 = -0.04, BBB 24/22-1 = 0.0909; CCC: D-1-L = 01-04 has no candle: no_history -> BBB
 *   D5 01-07: AAA 13/12-1 = 0.0833, BBB 23/24-1 = -0.0417, CCC 0.006/0.005-1 = 0.2 (same segment) -> CCC
 * §2: CCC's gap 01-03 -> 01-05 with open/close_before = 0.0045 / 4.5 = 0.001 < 0.2 is a split; a CCC
 * holding is converted on 01-05 before anything else: h := round_down_8(h × 4.5 / 0.0045) = h × 1000.
 */
import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestEngine, backtestMarketOf, runBacktest } from '../../../src/app/backtest.ts';
import type { BacktestResult } from '../../../src/app/backtest-result.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../../src/config/loader.ts';
import { dec, decStr } from '../../../src/domain/decimal.ts';
import { SCENARIO, useTinyMarket, writeTinyData } from './tiny-data.ts';

const market = useTinyMarket(SCENARIO);

function settings(extra: Overrides = {}) {
  return settingsFrom(
    loadConfig({
      env: {},
      overrides: {
        strategy: { lookback_days: '1', top_n: '1', rebalance_every_days: '1', ...extra.strategy },
        universe: { min_age_days: '0', ...extra.universe },
        portfolio: { rebalance_mode: 'full', ...extra.portfolio },
        execution: { fee_rate: '0.001', slippage_bps: '0', ...extra.execution },
        paper: { initial_quote: '1000' },
      },
    }).config,
  );
}

function run(extra: Overrides, engine: BacktestEngine): BacktestResult {
  const r = runBacktest(market(), {
    settings: settings(extra),
    from: '2024-01-03',
    to: '2024-01-07',
    engine,
  });
  expect(r.engine).toBe(engine);
  return r.result;
}

const trade = (
  date: string,
  symbol: string,
  side: string,
  quantity: string,
  price: string,
  quote_quantity: string,
  commission: string,
  commission_asset: string,
) => ({
  date,
  symbol,
  side,
  quantity,
  price,
  quote_quantity,
  commission,
  commission_asset,
});

/**
 * The fills of D1–D3 in full mode (hand-computed below); delta mode makes the same three fills (its
 * comments say why).
 */
const FIRST_FILLS = [
  // D1: cash 1000, K = 1: Q = round_down_8(1000 × 1 / 1) = 1000. BUY CCC at open 4.1:
  //   q = floor_step(1000 / 4.1 = 243.90…, 1) = 243; q×p = 996.3; commission 243 × 0.001 = 0.243 CCC;
  //   cash 1000 − 996.3 = 3.7; h_CCC = 243 − 0.243 = 242.757.
  trade('2024-01-03', 'CCCUSDT', 'BUY', '243', '4.1', '996.3', '0.243', 'CCC'),
  // D2: SELL CCC (no candle on 01-04: no_price) and BUY AAA with Q = 3.7 at 12:
  //   q = floor_step(0.3083, 0.01) = 0.3, q×p = 3.6 < 5: min_notional. No fill.
  // D3: swap first: h_CCC = round_down_8(242.757 × 4.5 / 0.0045) = 242757.
  //   SELL CCC floor_step(242757, 1) = 242757 at open 0.0045: q×p = 1092.4065,
  //   commission 1092.4065 × 0.001 = 1.0924065 USDT; cash = 3.7 + 1092.4065 − 1.0924065 = 1095.0140935.
  trade('2024-01-05', 'CCCUSDT', 'SELL', '242757', '0.0045', '1092.4065', '1.0924065', 'USDT'),
  //   BUY BBB: Q = round_down_8(1095.0140935) = 1095.0140935; q = floor_step(1095.0140935 / 22 = 49.77, 1) = 49;
  //   q×p = 1078; cash 17.0140935; commission 0.049 BBB; h_BBB = 48.951.
  trade('2024-01-05', 'BBBUSDT', 'BUY', '49', '22', '1078', '0.049', 'BBB'),
];

describe.each(['fast', 'reference'] as const)('full mode, by hand (%s engine)', (engine) => {
  let r: BacktestResult;
  beforeAll(() => {
    r = run({}, engine);
  });

  it('fills: floor_step, commissions in the received asset, the swap converted before the sell', () => {
    expect(r.trades).toEqual([
      ...FIRST_FILLS,
      // D4 (BBB again; full mode sells and rebuys): SELL floor_step(48.951, 1) = 48 at 24: 1152, commission
      //   1.152; cash 17.0140935 + 1152 − 1.152 = 1167.8620935; h_BBB = 0.951 (dust).
      trade('2024-01-06', 'BBBUSDT', 'SELL', '48', '24', '1152', '1.152', 'USDT'),
      //   BUY Q = 1167.8620935 / 24 = 48.66 -> 48; 1152; cash 15.8620935; commission 0.048; h_BBB = 0.951 + 47.952 = 48.903.
      trade('2024-01-06', 'BBBUSDT', 'BUY', '48', '24', '1152', '0.048', 'BBB'),
      // D5: SELL floor_step(48.903, 1) = 48 at 23: 1104, commission 1.104; cash 15.8620935 + 1104 − 1.104
      //   = 1118.7580935; h_BBB = 0.903 (dust).
      trade('2024-01-07', 'BBBUSDT', 'SELL', '48', '23', '1104', '1.104', 'USDT'),
      //   BUY CCC at 0.006: q = floor_step(1118.7580935 / 0.006 = 186459.68, 1) = 186459; q×p = 1118.754;
      //   cash 0.0040935; commission 186.459 CCC; h_CCC = 186272.541.
      trade('2024-01-07', 'CCCUSDT', 'BUY', '186459', '0.006', '1118.754', '186.459', 'CCC'),
    ]);
  });

  it('rejections: no_price for the halted symbol, min_notional for the leftover cash', () => {
    expect(r.rejected).toEqual([
      { date: '2024-01-04', symbol: 'CCCUSDT', side: 'SELL', reason: 'no_price' },
      { date: '2024-01-04', symbol: 'AAAUSDT', side: 'BUY', reason: 'min_notional' },
    ]);
  });

  it('equity at every close (§9), the halted day at the last known close', () => {
    expect(r.equity).toEqual([
      { date: '2024-01-02', equity: 1000 }, // E(from − 1) = initial_quote
      { date: '2024-01-03', equity: 1096.1065 }, // 3.7 + 242.757 × 4.5 (= 1092.4065)
      { date: '2024-01-04', equity: 1096.1065 }, // no CCC candle: last known close 4.5
      { date: '2024-01-05', equity: 1191.8380935 }, // 17.0140935 + 48.951 × 24 (= 1174.824)
      { date: '2024-01-06', equity: 1140.6310935 }, // 15.8620935 + 48.903 × 23 (= 1124.769)
      // 0.0040935 + BBB dust 0.903 × 23 (= 20.769) + 186272.541 × 0.0066 (= 1229.3987706)
      { date: '2024-01-07', equity: 1250.1718641 },
    ]);
  });

  it('metrics: computeMetrics fed with this equity, every fill notional and every fee in quote', () => {
    const E = [1000, 1096.1065, 1096.1065, 1191.8380935, 1140.6310935, 1250.1718641];
    const rets = E.slice(1).map((e, i) => e / (E[i] as number) - 1);
    const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
    const down = Math.sqrt(rets.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / rets.length);
    const m = r.metrics;
    expect(m.n_trades).toBe(7);
    // Σ q×p = 996.3 + 1092.4065 + 1078 + 1152 + 1152 + 1104 + 1118.754 = 7693.4605
    // mean(E) over the 6 points (E(from−1) included) = 6774.8540511 / 6
    expect(m.turnover).toBeCloseTo(7693.4605 / (6774.8540511 / 6), 12);
    // fees valued in quote at the fill price: 0.243×4.1 = 0.9963, 1.0924065, 0.049×22 = 1.078, 1.152,
    // 0.048×24 = 1.152, 1.104, 186.459×0.006 = 1.118754; Σ = 7.6934605
    expect(m.fees).toBeCloseTo(7.6934605, 12);
    expect(m.total_return).toBeCloseTo(0.2501718641, 14);
    expect(m.cagr).toBeCloseTo(1.2501718641 ** (365 / 5) - 1, 6);
    // peak 1191.8380935 then 1140.6310935
    expect(m.max_drawdown).toBeCloseTo(1 - 1140.6310935 / 1191.8380935, 14);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(365), 10);
    expect(m.volatility).toBeCloseTo(sd * Math.sqrt(365), 12);
    expect(m.sortino).toBeCloseTo((mean / down) * Math.sqrt(365), 10);
    expect(m.calmar).toBeCloseTo((m.cagr as number) / m.max_drawdown, 10);
  });

  it('benchmarks: no BTCUSDT in the data (BTC hold stays in cash); equal weight = the strategy with top_n = all', () => {
    expect(r.benchmark_equity.btc_hold.map((p) => p.equity)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    expect(r.benchmarks.btc_hold.n_trades).toBe(0);
    const all = run({ strategy: { top_n: '500' } }, engine);
    expect(r.benchmark_equity.equal_weight).toEqual(all.equity);
    expect(r.benchmarks.equal_weight).toEqual(all.metrics);
  });

  it('holdings at each close (cash under USDT; dust below 0.1 % of equity left out)', () => {
    const close = (
      h: BacktestResult['holdings'][number] | undefined,
      date: string,
      values: Record<string, number>,
    ) => {
      expect(h?.date).toBe(date);
      expect(Object.keys(h?.values ?? {}).sort()).toEqual(Object.keys(values).sort());
      for (const [asset, v] of Object.entries(values)) expect(h?.values[asset]).toBeCloseTo(v, 9);
    };
    close(r.holdings[0], '2024-01-03', { USDT: 3.7, CCC: 1092.4065 });
    // 01-07: BBB dust 20.769 is 1.7 % of equity, so it is shown.
    close(r.holdings[4], '2024-01-07', { USDT: 0.0040935, BBB: 20.769, CCC: 1229.3987706 });
  });
});

describe.each(['fast', 'reference'] as const)('delta mode, by hand (%s engine)', (engine) => {
  let r: BacktestResult;
  beforeAll(() => {
    r = run({ portfolio: { rebalance_mode: 'delta' } }, engine);
  });

  it('trades only the difference; buys scaled to the cash after the sells (60-digit division, then round_down_8)', () => {
    expect(r.trades).toEqual([
      // D1: E = 1000, T = 1000 × 1 / 1; B = T − 0 = 1000 <= cash: the same BUY as full mode.
      // D2: V_CCC at the last close (no candle): 242.757 × 4.5 = 1092.4065; E = T = 1096.1065. SELL CCC:
      //   no_price. B_AAA = T = 1096.1065 > cash 3.7: scale = 3.7 / 1096.1065, which does not terminate
      //   (1096.1065 = 2192213 / 2000, 2192213 is odd and not a power of 5) and is truncated to 60 digits;
      //   B × scale is therefore just below 3.7 and Q = round_down_8(…) = 3.69999999 -> q = floor_step(3.69999999/12,
      //   0.01) = 0.3, 3.6 < 5: min_notional.
      // D3: swap to 242757; V = 242757 × 0.0045 = 1092.4065; E = T = 1096.1065. SELL CCC as in full mode.
      //   cash 1095.0140935 < B_BBB = 1096.1065: Q = round_down_8(B × trunc60(cash / B)) = 1095.01409349 (just
      //   below the cash, as on D2); q = floor_step(1095.01409349 / 22 = 49.77, 1) = 49 -> the same fill.
      ...FIRST_FILLS,
      // D4: BBB held and selected: V = 48.951 × 24 = 1174.824 < T = E = 17.0140935 + 1174.824 = 1191.8380935,
      //   no trim; B = T − V = 17.0140935 = cash (not above it: no scaling); q = floor_step(17.01/24 = 0.709, 1) = 0:
      //   zero_quantity. (Full mode sold and rebought 48 here.)
      // D5: V_BBB = 48.951 × 23 = 1125.873; E = T = 1142.8870935. SELL BBB floor_step(48.951) = 48 at 23:
      //   1104, commission 1.104; cash = 17.0140935 + 1104 − 1.104 = 1119.9100935; h_BBB = 0.951.
      trade('2024-01-07', 'BBBUSDT', 'SELL', '48', '23', '1104', '1.104', 'USDT'),
      //   B_CCC = 1142.8870935 > cash: Q = 1119.91009349; q = floor_step(1119.91009349 / 0.006 = 186651.68, 1)
      //   = 186651; q×p = 1119.906; cash 0.0040935; commission 186.651; h_CCC = 186464.349.
      trade('2024-01-07', 'CCCUSDT', 'BUY', '186651', '0.006', '1119.906', '186.651', 'CCC'),
    ]);
    expect(r.rejected).toEqual([
      { date: '2024-01-04', symbol: 'CCCUSDT', side: 'SELL', reason: 'no_price' },
      { date: '2024-01-04', symbol: 'AAAUSDT', side: 'BUY', reason: 'min_notional' },
      { date: '2024-01-06', symbol: 'BBBUSDT', side: 'BUY', reason: 'zero_quantity' },
    ]);
  });

  it('equity at every close', () => {
    expect(r.equity.map((p) => p.equity)).toEqual([
      1000,
      1096.1065,
      1096.1065,
      1191.8380935, // as full mode
      1142.8870935, // 17.0140935 + 48.951 × 23 (= 1125.873)
      // 0.0040935 + 0.951 × 23 (= 21.873) + 186464.349 × 0.0066 (= 1230.6647034)
      1252.5417969,
    ]);
  });
});

describe('rebalance_every_days and the period', () => {
  it('decision days are from + k × rebalance_every_days (§1): every 2 days trades on D1, D3, D5 only', () => {
    const r = run({ strategy: { rebalance_every_days: '2' } }, 'fast');
    expect([...new Set(r.trades.map((t) => t.date))]).toEqual(['2024-01-03', '2024-01-05', '2024-01-07']);
    const ref = run({ strategy: { rebalance_every_days: '2' } }, 'reference');
    expect(r.trades).toEqual(ref.trades);
    expect(r.rejected).toEqual(ref.rejected);
    expect(r.equity).toEqual(ref.equity);
    expect(r.benchmark_equity).toEqual(ref.benchmark_equity);
  });

  it('a price with more decimals than the fast path keeps falls back to the reference engine, same results', async () => {
    const odd = SCENARIO.map((s) =>
      s.symbol === 'AAAUSDT'
        ? { ...s, candles: s.candles.map(([d, o, c]) => [d, decStr(dec(o).plus('0.000000001')), c] as const) }
        : s,
    );
    const oddDir = writeTinyData(odd);
    try {
      const m = backtestMarketOf(await loadDataset(oddDir));
      const s = settings({ strategy: { top_n: '3' } });
      const auto = runBacktest(m, { settings: s, from: '2024-01-03', to: '2024-01-07' });
      expect(auto.engine).toBe('reference');
      const ref = runBacktest(m, { settings: s, from: '2024-01-03', to: '2024-01-07', engine: 'reference' });
      expect(auto.result.trades.some((t) => t.price === '11.000000001')).toBe(true);
      expect(auto.result.trades).toEqual(ref.result.trades);
      expect(auto.result.equity).toEqual(ref.result.equity);
      expect(auto.result.holdings).toEqual(ref.result.holdings);
      expect(auto.result.metrics).toEqual(ref.result.metrics);
    } finally {
      rmSync(oddDir, { recursive: true, force: true });
    }
  });
});
