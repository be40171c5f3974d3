/**
 * The backtest use case: how would the strategy have done over real Binance history?
 * (strategy-semantics.md §1–§9; issue "Backtests over real history"). Returns the results-file contract
 * (`BacktestResult`, src/app/backtest-result.ts) plus the exact equity curves; printing, files and the
 * ledger are the CLI's job.
 *
 * The same domain rules as a live rebalance, on the whole history at once:
 * - point-in-time universe: every symbol of the data (delisted ones included) is visible exactly while it
 *   has candles; §2 segments; decisions at `D` read candles up to `D − 1` and the open of `D` only;
 * - decision days `from + k × rebalance_every_days` (§1); equity at the close of every day of
 *   `[from, to]`, `E(from − 1) = initial_quote` (§9); holdings crossing a §2 split converted first thing on
 *   the split day;
 * - metrics by `computeMetrics` (src/domain/metrics/performance.ts); benchmarks per §9: BTC hold (one BUY
 *   of BTCUSDT with `quoteOrderQty = initial_quote` at the open of `from`, through the same fill model)
 *   and the equal-weight universe (this strategy with `top_n` = all eligible), run in lockstep with the
 *   strategy on the same rankings.
 *
 * Engines: the fast engine (src/domain/backtest/: float columns for ranking, exact bigint money) by
 * default; the reference engine (src/app/backtest-reference.ts: the domain functions and SimExchange in
 * decimal.js) on request, and automatically when a value does not fit the fast path's scales. Both give
 * identical results (tested).
 */
import { type Book, type BookLedger, type RejectionTally, tallyRejections } from '../domain/backtest/book.ts';
import { FastPathUnsupported } from '../domain/backtest/exact.ts';
import { type BookParams, FastBook } from '../domain/backtest/fast-book.ts';
import { FastUniverse, type FastUniverseParams } from '../domain/backtest/fast-universe.ts';
import { type BacktestMarket, buildBacktestMarket, type PriceRows } from '../domain/backtest/market.ts';
import { type Ranker, simulate, type Track, type TrackCurve } from '../domain/backtest/simulate.ts';
import { dec, decStr } from '../domain/decimal.ts';
import { computeMetrics } from '../domain/metrics/performance.ts';
import { intradayRuleOn } from '../domain/risk/risk-settings.ts';
import { DAY_MS, dayToMs, msToDay } from '../domain/time.ts';
import type { Candle, SymbolInfo, SymbolRules } from '../domain/types.ts';
import type { MarketCapObservation } from '../ports/market-caps.ts';
import type { SegmentInfo } from '../ports/market-data.ts';
import { type HourlyCandles, hourlyDataDays, IntradayBook } from './backtest-intraday.ts';
import { ReferenceBook, ReferenceUniverse } from './backtest-reference.ts';
import type {
  BacktestExit,
  BacktestMetrics,
  BacktestRejection,
  BacktestResult,
  BacktestTrade,
  EquityPoint,
  HoldingsPoint,
} from './backtest-result.ts';
import { UserInputError } from './errors.ts';
import { type RebalanceSettings, universeRulesOf } from './settings.ts';

export type { BacktestMarket } from '../domain/backtest/market.ts';

/** The symbol of the BTC-hold benchmark (§9). */
export const BTC_SYMBOL = 'BTCUSDT';

/**
 * Holdings worth less than this share of the day's equity are left out of `holdings` (they are in the
 * equity): the dust every full sell leaves (`h − floor_step(h)`, §8), which would otherwise list nearly
 * every asset ever held on every day.
 */
export const HOLDINGS_MIN_SHARE = 0.001;

/** What a data adapter must offer (the bundled `Dataset` does, structurally). */
export interface BacktestDataset {
  /** First and last day (00:00 UTC ms) with any daily candle. */
  readonly firstDayMs: number;
  readonly lastDayMs: number;
  /** Every symbol (delisted ones included), sorted by symbol. */
  symbolList(): readonly SymbolInfo[];
  /** The whole ascending daily series of a symbol. */
  candlesOf(symbol: string): readonly Candle[];
  /** The candles with open time in `[fromMs, toMs]`, ascending. */
  candlesBetween(symbol: string, fromMs: number, toMs: number): readonly Candle[];
  /**
   * Optional: the rows of {@link candlesBetween} without building candles (the bundled `Dataset` has it;
   * the day grid is then built from them and candles only on first use).
   */
  priceRowsBetween?(symbol: string, fromMs: number, toMs: number): PriceRows | undefined;
  /** First open time and §2 splits. */
  segmentInfoOf(symbol: string): SegmentInfo;
  /** §6 rules. */
  rulesOf(symbol: string): SymbolRules;
  /** §4 filter 7 market caps. */
  readonly marketCaps: {
    capsAtSync(dayMs: number, maxAgeDays: number): ReadonlyMap<string, MarketCapObservation>;
  };
}

/**
 * Lays a dataset out on the backtest's day grid (builds the candles once). Build it once and run any number
 * of backtests on it.
 * @param window only the days `[fromMs, toMs]` (UTC ms, clipped to the data): a backtest of `[from, to]`
 *   reads candles from `from − lookback_days − 1` on (`backtestWindow`); default the whole data (581,720
 *   bundled candles; README "Benchmarks" has the measured cost).
 * @throws RangeError when the dataset (or window) has no candles.
 */
export function backtestMarketOf(
  dataset: BacktestDataset,
  window?: { readonly fromMs: number; readonly toMs: number },
): BacktestMarket {
  const { firstDayMs, lastDayMs } = gridDaysOf(dataset, window);
  return buildBacktestMarket({
    symbols: dataset.symbolList(),
    firstDayMs,
    lastDayMs,
    candlesOf: (s) => (window ? dataset.candlesBetween(s, firstDayMs, lastDayMs) : dataset.candlesOf(s)),
    priceRowsOf: (s) => dataset.priceRowsBetween?.(s, firstDayMs, lastDayMs),
    segmentInfoOf: (s) => dataset.segmentInfoOf(s),
    rulesOf: (s) => dataset.rulesOf(s),
    capsAt: (dayMs, maxAge) => dataset.marketCaps.capsAtSync(dayMs, maxAge),
  });
}

/**
 * The first and last day (00:00 UTC ms) of the day grid {@link backtestMarketOf} lays out: the data's,
 * clipped to `window` (`[fromMs, toMs]`, UTC ms) when one is given.
 */
export function gridDaysOf(
  dataset: Pick<BacktestDataset, 'firstDayMs' | 'lastDayMs'>,
  window?: { readonly fromMs: number; readonly toMs: number },
): { firstDayMs: number; lastDayMs: number } {
  return {
    firstDayMs: window ? Math.max(dataset.firstDayMs, window.fromMs) : dataset.firstDayMs,
    lastDayMs: window ? Math.min(dataset.lastDayMs, window.toMs) : dataset.lastDayMs,
  };
}

/**
 * The days a backtest of `[from, to]` reads (`YYYY-MM-DD`): from `from − lookback_days − 1` (the first
 * signal's base close) to `to`, as the `window` of {@link backtestMarketOf}. With the §11 entry filter on
 * (`entryFilterOn`) from the first day of the data: its "last `s` closes of the current segment" and
 * "`N` candles of the segment before D − 1" count candles, not days, so a gap can reach back any distance.
 */
export function backtestWindow(
  from: string,
  to: string,
  lookbackDays: number,
  entryFilterOn = false,
): { fromMs: number; toMs: number } {
  const fromMs = entryFilterOn ? Number.MIN_SAFE_INTEGER : dayToMs(from) - (lookbackDays + 1) * DAY_MS;
  return { fromMs, toMs: dayToMs(to) };
}

/** True when the §11 entry filter of `s` is on (the backtest then reads the whole history, {@link backtestWindow}). */
export function entryFilterOn(s: BacktestSettings): boolean {
  return s.risk !== undefined && s.risk.entryFilter !== 'none';
}

/** Which engine computes the books. */
export type BacktestEngine = 'fast' | 'reference';

/** A backtest request. */
export interface BacktestRequest {
  /** The strategy, universe, portfolio and execution settings (`settingsFrom(config)`). */
  readonly settings: BacktestSettings;
  /** First day `YYYY-MM-DD` (default: the first day of the data + lookback_days + 1, the first with a signal). */
  readonly from?: string | undefined;
  /** Last day `YYYY-MM-DD` (default: the last day of the data). */
  readonly to?: string | undefined;
  /** The effective config stored in the results (no secrets). */
  readonly effectiveConfig?: Readonly<Record<string, unknown>>;
  /** Default `fast` (falls back to `reference` when a value does not fit the fast path). */
  readonly engine?: BacktestEngine;
  /** Fraction of days simulated, about every 1 %. */
  readonly onProgress?: (fraction: number) => void;
  /**
   * Hourly candles by symbol, needed when an intraday rule is on (§10; `intradayRuleOn(settings.risk)`):
   * they drive the strategy's exits and portfolio risk; the daily candles still drive §3–§9.
   */
  readonly hourly?: HourlyCandles;
}

/** The settings a backtest reads (a subset of the rebalance settings). */
export type BacktestSettings = Pick<
  RebalanceSettings,
  'quoteAsset' | 'initialQuote' | 'strategy' | 'universe' | 'portfolio' | 'execution' | 'risk'
>;

/** A finished backtest. */
export interface BacktestRun {
  /** The results-file contract. */
  readonly result: BacktestResult;
  /**
   * Exact equity (decimal strings, quote) of `result.equity`, same days (the first is `initial_quote`);
   * null for a benchmark that was not run.
   */
  readonly exact: {
    readonly strategy: readonly string[];
    readonly btc_hold: readonly string[] | null;
    readonly equal_weight: readonly string[] | null;
  };
  /** The engine that computed the books. */
  readonly engine: BacktestEngine;
  /** Number of strategy fills and rejected orders (without building `result.trades` / `result.rejected`). */
  readonly tradeCount: number;
  readonly rejectedCount: number;
  /**
   * The strategy's rejected orders by reason and each symbol's first `no_price` day, without building
   * `result.rejected` (for the terminal summary).
   */
  rejectionTally(): RejectionTally;
  /** First and last day, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  /** Simulation wall time, ms. */
  readonly simulationMs: number;
}

/** Day indices of a backtest's period. */
export interface BacktestPeriod {
  readonly fromDay: number;
  readonly toDay: number;
  readonly from: string;
  readonly to: string;
}

function parseDay(flag: string, day: string): number {
  try {
    return dayToMs(day);
  } catch {
    throw new UserInputError(`${flag} ${JSON.stringify(day)}: expected a UTC day YYYY-MM-DD`);
  }
}

/** What the period check needs to know about the data (a `BacktestMarket` or the loaded dataset). */
export interface DataBounds {
  /** First and last day (00:00 UTC ms) with any daily candle. */
  readonly firstDayMs: number;
  readonly lastDayMs: number;
  /** True when the data has the symbol. */
  hasSymbol(symbol: string): boolean;
}

/** The {@link DataBounds} of a market. */
export function boundsOf(market: BacktestMarket): DataBounds {
  return {
    firstDayMs: market.firstDayMs,
    lastDayMs: market.dayMs(market.nDays - 1),
    hasSymbol: (s) => market.indexOf.has(s),
  };
}

/**
 * Checks the period and the symbol lists of a request against the data, before anything runs or is
 * recorded. Default period: from the first day with a signal (first day of the data + lookback_days + 1)
 * to the last day of the data.
 * @returns the period as `YYYY-MM-DD` days.
 * @throws UserInputError (exit 2) for a day that is not `YYYY-MM-DD`, `--from` after `--to`, a day outside
 *   the data, or an unknown symbol in `[universe] include` / `exclude`.
 */
export function checkBacktestPeriod(
  data: DataBounds,
  settings: BacktestSettings,
  from?: string,
  to?: string,
): { readonly from: string; readonly to: string } {
  const first = data.firstDayMs;
  const last = data.lastDayMs;
  if (!Number.isFinite(first) || !Number.isFinite(last))
    throw new UserInputError('the data has no daily candles');
  const coverage = `the data covers ${msToDay(first)} .. ${msToDay(last)}`;
  const L = settings.strategy.lookbackDays;
  const toMs = to === undefined ? last : parseDay('--to', to);
  const fromMs = from === undefined ? Math.min(first + (L + 1) * DAY_MS, toMs) : parseDay('--from', from);
  if (fromMs > toMs) throw new UserInputError(`--from ${msToDay(fromMs)} is after --to ${msToDay(toMs)}`);
  if (fromMs < first || fromMs > last)
    throw new UserInputError(`--from ${msToDay(fromMs)} is outside the data: ${coverage}`);
  if (toMs > last || toMs < first)
    throw new UserInputError(`--to ${msToDay(toMs)} is outside the data: ${coverage}`);
  for (const [key, list] of [
    ['include', settings.universe.include],
    ['exclude', settings.universe.exclude],
  ] as const) {
    const unknown = list.filter((s) => !data.hasSymbol(s));
    if (unknown.length > 0) {
      throw new UserInputError(
        `[universe] ${key}: unknown symbol(s) ${unknown.join(', ')} (not in the market data)`,
      );
    }
  }
  return { from: msToDay(fromMs), to: msToDay(toMs) };
}

/**
 * {@link checkBacktestPeriod} on a market, as day indices.
 * @throws UserInputError as {@link checkBacktestPeriod}.
 */
export function resolveBacktestPeriod(
  market: BacktestMarket,
  settings: BacktestSettings,
  from?: string,
  to?: string,
): BacktestPeriod {
  const p = checkBacktestPeriod(boundsOf(market), settings, from, to);
  return {
    fromDay: market.dayIndex(dayToMs(p.from)),
    toDay: market.dayIndex(dayToMs(p.to)),
    from: p.from,
    to: p.to,
  };
}

function universeParams(s: BacktestSettings): FastUniverseParams {
  return { ...universeRulesOf(s), mode: s.strategy.mode };
}

function bookParams(s: BacktestSettings, details: boolean, hold = false): BookParams {
  return {
    quoteAsset: s.quoteAsset,
    initialQuote: s.initialQuote,
    feeRate: s.execution.feeRate,
    slippageBps: s.execution.slippageBps,
    rebalanceMode: s.portfolio.rebalanceMode,
    cashBuffer: hold ? 0 : s.portfolio.cashBuffer,
    band: s.portfolio.band,
    details,
  };
}

/** The books of one simulation, after it ran. */
interface Simulated {
  readonly period: BacktestPeriod;
  readonly engine: BacktestEngine;
  readonly simulationMs: number;
  readonly strategy: { readonly curve: TrackCurve; readonly ledger: BookLedger };
  readonly btc: { readonly curve: TrackCurve; readonly ledger: BookLedger } | null;
  readonly equalWeight: { readonly curve: TrackCurve; readonly ledger: BookLedger } | null;
  /** `YYYY-MM-DD` from `from − 1` to `to`. */
  readonly dates: readonly string[];
  readonly initialQuote: number;
  /** The strategy's intraday exits (§10); empty without intraday rules. */
  readonly exits: readonly BacktestExit[];
  /** When the drawdown halt was set (UTC ms, close of the hour), or null. */
  readonly haltedAtMs: number | null;
}

/** Which tracks a simulation runs besides the strategy, and whether the strategy keeps its details. */
interface SimulateOptions {
  readonly btc: boolean;
  readonly equalWeight: boolean;
  readonly details: boolean;
}

function simulateRequest(market: BacktestMarket, req: BacktestRequest, opts: SimulateOptions): Simulated {
  const { details } = opts;
  const s = req.settings;
  const period = resolveBacktestPeriod(market, s, req.from, req.to);
  const t0 = performance.now();
  const btcIndex = market.indexOf.get(BTC_SYMBOL) ?? null;
  const intraday = s.risk !== undefined && intradayRuleOn(s.risk) ? s.risk : null;
  if (intraday !== null && req.hourly === undefined)
    throw new Error('a backtest with an intraday rule on needs hourly candles (BacktestRequest.hourly)');
  const hourly: HourlyCandles = req.hourly ?? new Map();
  const hourlyOn = intraday === null ? null : hourlyDataDays(hourly);
  let strategyBook: IntradayBook | null = null;
  const run = (engine: BacktestEngine) => {
    const make = (p: BookParams): Book =>
      engine === 'fast' ? new FastBook(market, p) : new ReferenceBook(market, p);
    if (intraday !== null) strategyBook = new IntradayBook(market, bookParams(s, details), hourly, intraday);
    const tracks: Track[] = [
      {
        book: strategyBook ?? make(bookParams(s, details)),
        trade: { kind: 'rebalance', topN: s.strategy.topN },
        values: details,
        minShare: HOLDINGS_MIN_SHARE,
      },
    ];
    if (opts.btc) {
      tracks.push({
        book: make(bookParams(s, false, true)),
        trade: { kind: 'hold', symbolIndex: btcIndex, quoteOrderQty: s.initialQuote },
        values: false,
      });
    }
    if (opts.equalWeight) {
      tracks.push({
        book: make(bookParams(s, false)),
        trade: { kind: 'rebalance', topN: Number.POSITIVE_INFINITY },
        values: false,
      });
    }
    const up: FastUniverseParams =
      hourlyOn === null ? universeParams(s) : { ...universeParams(s), intradayDataOn: hourlyOn };
    const ranker: Ranker =
      engine === 'fast' ? new FastUniverse(market, up) : new ReferenceUniverse(market, up);
    const curves = simulate(
      { from: period.fromDay, to: period.toDay, everyDays: s.strategy.rebalanceEveryDays },
      ranker,
      tracks,
      req.onProgress,
    );
    return tracks.map((t, k) => ({ curve: curves[k] as TrackCurve, ledger: t.book.ledger }));
  };
  // The intraday rules run in the reference engine only (IntradayBook: the fast book has no hours); the
  // ranking and the benchmarks keep the requested engine (identical results, tested).
  let engine: BacktestEngine = req.engine ?? 'fast';
  let books: ReturnType<typeof run>;
  try {
    books = run(engine);
  } catch (err) {
    if (!(err instanceof FastPathUnsupported) || engine !== 'fast') throw err;
    engine = 'reference';
    books = run(engine);
  }
  const dates: string[] = [];
  for (let d = period.fromDay - 1; d <= period.toDay; d++) dates.push(market.date(d));
  return {
    period,
    engine: intraday !== null ? 'reference' : engine,
    simulationMs: performance.now() - t0,
    strategy: books[0] as Simulated['strategy'],
    btc: opts.btc ? (books[1] ?? null) : null,
    equalWeight: opts.equalWeight ? (books[opts.btc ? 2 : 1] ?? null) : null,
    dates,
    initialQuote: Number(s.initialQuote),
    exits: (strategyBook as IntradayBook | null)?.exits ?? [],
    haltedAtMs: (strategyBook as IntradayBook | null)?.haltedAtMs ?? null,
  };
}

/** The equity points of a curve: `E(from − 1) = initial_quote`, then one per day. */
function pointsOf(sim: Simulated, curve: TrackCurve): EquityPoint[] {
  return [
    { date: sim.dates[0] as string, equity: sim.initialQuote },
    ...curve.equity.map((equity, k) => ({ date: sim.dates[k + 1] as string, equity })),
  ];
}

function metricsOf(
  sim: Simulated,
  book: { readonly curve: TrackCurve; readonly ledger: BookLedger },
): BacktestMetrics {
  return computeMetrics({
    equity: pointsOf(sim, book.curve),
    initialQuote: sim.initialQuote,
    fillNotionals: book.ledger.notionals,
    feesQuote: book.ledger.fees,
  });
}

function exactOf(initialQuote: string, curve: TrackCurve): string[] {
  return [decStr(dec(initialQuote)), ...curve.exact];
}

/** The equal-weight benchmark's part of a result. */
interface EqualWeightPart {
  readonly metrics: BacktestMetrics;
  readonly equity: readonly EquityPoint[];
  readonly exact: readonly string[];
}

function assemble(
  market: BacktestMarket,
  req: BacktestRequest,
  sim: Simulated,
  ew: EqualWeightPart,
): BacktestRun {
  const s = req.settings;
  const { strategy } = sim;
  const btc = sim.btc as NonNullable<Simulated['btc']>;
  const engine = sim.engine;
  let holdings: HoldingsPoint[] | undefined;
  let tally: RejectionTally | undefined;
  const result: BacktestResult = {
    config: {
      ...(req.effectiveConfig ?? {}),
      backtest: { from: sim.period.from, to: sim.period.to, engine },
    },
    equity: pointsOf(sim, strategy.curve),
    // Built on first read (the CLI reads them only to write --out): hundreds of thousands of objects.
    get trades(): BacktestTrade[] {
      return strategy.ledger.fills() as BacktestTrade[];
    },
    get rejected(): BacktestRejection[] {
      return strategy.ledger.rejections() as BacktestRejection[];
    },
    metrics: metricsOf(sim, strategy),
    benchmarks: { btc_hold: metricsOf(sim, btc), equal_weight: ew.metrics },
    benchmark_equity: { btc_hold: pointsOf(sim, btc.curve), equal_weight: [...ew.equity] },
    // Built on first read (the report and --out read them; the summary table does not): one object with a
    // key per held asset and day, ~70 ms over 8 years.
    get holdings(): HoldingsPoint[] {
      holdings ??= strategy.curve.values.map((day, k) => {
        const values: Record<string, number> = { [s.quoteAsset]: day.cash };
        for (const [i, v] of day.values) values[market.series[i]?.info.baseAsset ?? String(i)] = v;
        return { date: sim.dates[k + 1] as string, values };
      });
      return holdings;
    },
    exits: [...sim.exits],
    halted_at: sim.haltedAtMs === null ? null : new Date(sim.haltedAtMs).toISOString(),
  };
  return {
    result,
    exact: {
      strategy: exactOf(s.initialQuote, strategy.curve),
      btc_hold: exactOf(s.initialQuote, btc.curve),
      equal_weight: ew.exact,
    },
    engine,
    tradeCount: strategy.ledger.fillCount(),
    rejectedCount: strategy.ledger.rejectionCount(),
    // Counted once (the reference engine's books keep no tally of their own: a pass over every rejection).
    rejectionTally: () => {
      tally ??= strategy.ledger.rejectionTally?.() ?? tallyRejections(strategy.ledger.rejections());
      return tally;
    },
    from: sim.period.from,
    to: sim.period.to,
    simulationMs: sim.simulationMs,
  };
}

/**
 * Runs one backtest with its benchmarks (see the module docstring).
 * @throws UserInputError for a bad period or an unknown symbol (see {@link resolveBacktestPeriod});
 *   RangeError from `computeMetrics` for an equity that is not > 0; Error for a broken invariant (a bug).
 */
export function runBacktest(market: BacktestMarket, req: BacktestRequest): BacktestRun {
  const sim = simulateRequest(market, req, { btc: true, equalWeight: true, details: true });
  const ew = sim.equalWeight as NonNullable<Simulated['equalWeight']>;
  return assemble(market, req, sim, {
    metrics: metricsOf(sim, ew),
    equity: pointsOf(sim, ew.curve),
    exact: exactOf(req.settings.initialQuote, ew.curve),
  });
}

/** The strategy's metrics and equity without benchmarks or trade details (one configuration of a sweep). */
export interface BacktestSummary {
  readonly metrics: BacktestMetrics;
  /** `E(from − 1)` … `E(to)`. */
  readonly equity: readonly EquityPoint[];
  /** The same, exact decimal strings. */
  readonly exact: readonly string[];
  readonly engine: BacktestEngine;
  readonly from: string;
  readonly to: string;
  readonly simulationMs: number;
}

/**
 * The strategy alone (no benchmarks, no trade list): what a sweep needs of each configuration.
 * @throws as {@link runBacktest}.
 */
export function runBacktestSummary(market: BacktestMarket, req: BacktestRequest): BacktestSummary {
  const sim = simulateRequest(market, req, { btc: false, equalWeight: false, details: false });
  return {
    metrics: metricsOf(sim, sim.strategy),
    equity: pointsOf(sim, sim.strategy.curve),
    exact: exactOf(req.settings.initialQuote, sim.strategy.curve),
    engine: sim.engine,
    from: sim.period.from,
    to: sim.period.to,
    simulationMs: sim.simulationMs,
  };
}
