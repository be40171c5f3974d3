/**
 * The parts of a rebalance's result and records: universe rows, ranking, exclusions (§4, with "data ends
 * before D", 9.3), balances, the closing accounting (marks, P/L identity, equity point, README
 * "Accounting"), and the honest outcome of a run (9.2).
 */
import { markPositions, type Position } from '../../domain/accounting/average-cost.ts';
import { type Decimal, dec, decStr, ZERO } from '../../domain/decimal.ts';
import type { RankedSymbol } from '../../domain/ranking/rank.ts';
import { DAY_MS, msToDay } from '../../domain/time.ts';
import type { Balance, Candle } from '../../domain/types.ts';
import { EXCLUSION_REASONS, type UniverseDecision } from '../../domain/universe/eligibility.ts';
import type { EquityPoint, NewRun, PositionSnapshot, RunStatus } from '../../ports/ledger-rows.ts';
import type { MarketData } from '../../ports/market-data.ts';
import type { OrderReport, RebalanceResult } from '../rebalance-result.ts';
import type { RebalanceSettings } from '../settings.ts';
import { positionRowOf } from './opening-book.ts';

/** The parts of a result of a run that traded nothing. */
export const noTrade = {
  dust: { orders: 0, notional: '0' },
  partial_fills: [],
  ranking: [],
  excluded: { by_reason: {}, symbols: [] },
  adjustments: [],
  orders: [],
  fills: [],
  equity: null,
  pnl: null,
} as const satisfies Partial<RebalanceResult>;

/** The universe decision of every symbol considered, with its rank (ledger rows). */
export function universeRows(decisions: readonly UniverseDecision[], ranked: readonly RankedSymbol[]) {
  const rankOf = new Map(ranked.map((r) => [r.symbol, r]));
  return decisions.map((d) => ({
    symbol: d.symbol,
    baseAsset: d.baseAsset,
    score: d.score,
    marketCapUsd: d.marketCapUsd,
    ageDays: d.ageDays,
    meanQuoteVolume: d.meanQuoteVolume,
    rank: rankOf.get(d.symbol)?.rank ?? null,
    selected: rankOf.get(d.symbol)?.selected ?? false,
    reason: d.reason,
  }));
}

/** The ranking rows of the result (§5). */
export function rankingRows(decisions: readonly UniverseDecision[], ranked: readonly RankedSymbol[]) {
  const decisionOf = new Map(decisions.map((d) => [d.symbol, d]));
  return ranked.map((r) => ({
    rank: r.rank,
    symbol: r.symbol,
    trailing_return: r.score,
    market_cap_usd: decisionOf.get(r.symbol)?.marketCapUsd ?? null,
    age_days: decisionOf.get(r.symbol)?.ageDays ?? null,
    selected: r.selected,
  }));
}

/** The excluded symbols with their §4 reason (`data_ends` for those in `dataEnds`), and the count per reason. */
export function excludedOf(
  decisions: readonly UniverseDecision[],
  dataEnds: ReadonlyMap<string, number>,
): RebalanceResult['excluded'] {
  const symbols = decisions
    .filter((d) => !d.eligible)
    .map((d) => ({ symbol: d.symbol, reason: dataEnds.has(d.symbol) ? 'data_ends' : (d.reason as string) }));
  const byReason: Record<string, number> = {};
  for (const r of [...EXCLUSION_REASONS, 'data_ends']) {
    const n = symbols.filter((x) => x.reason === r).length;
    if (n > 0) byReason[r] = n;
  }
  if (dataEnds.size === 0) return { by_reason: byReason, symbols };
  const lastDays = [...new Set([...dataEnds.values()])].sort((a, b) => a - b).map(msToDay);
  return { by_reason: byReason, symbols, data_ends: { symbols: dataEnds.size, last_days: lastDays } };
}

/** `excluded: no_market_cap 12, not_trading 3` — the exclusion counts for a message. */
export function describeExcluded(
  decisions: readonly UniverseDecision[],
  dataEnds: ReadonlyMap<string, number>,
): string {
  const by = excludedOf(decisions, dataEnds).by_reason;
  const parts = Object.entries(by).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? `excluded: ${parts.join(', ')}` : 'no symbol in the data';
}

/** Non-zero book entries as balances, sorted by asset. */
export function balancesOf(book: ReadonlyMap<string, Decimal>): Balance[] {
  return [...book.entries()]
    .filter(([, v]) => !v.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' }));
}

/** At least this many series ending on one day = the data's end, not delistings (9.3). */
const DATA_END_GROUP = 20;

/**
 * 9.3, replay: the symbols `not_trading` at D only because their data ends before D — a series that has
 * no candle from D-1 on and whose last day is also the last day of at least {@link DATA_END_GROUP}
 * series (the end of a source window, as `symbols.csv` notes it), not a one-off delisting.
 * @returns symbol → its last candle day (UTC ms).
 */
export async function dataEndsBefore(
  market: Pick<MarketData, 'dailyCandles'>,
  decisions: readonly UniverseDecision[],
  dayMs: number,
): Promise<Map<string, number>> {
  const ended = new Map<string, number>();
  for (const d of decisions.filter((x) => x.reason === 'not_trading')) {
    const last = await lastCandleUpTo(market, d.symbol, dayMs);
    if (!last || last.openTime >= dayMs - DAY_MS) continue;
    if ((await market.dailyCandles(d.symbol, dayMs, Number.MAX_SAFE_INTEGER)).length > 0) continue; // halted
    ended.set(d.symbol, last.openTime);
  }
  const perDay = new Map<number, number>();
  for (const t of ended.values()) perDay.set(t, (perDay.get(t) ?? 0) + 1);
  for (const [sym, t] of ended) if ((perDay.get(t) ?? 0) < DATA_END_GROUP) ended.delete(sym);
  return ended;
}

/** Windows (days back from D) {@link lastCandleUpTo} looks in before it reads the whole series up to D. */
const LAST_CANDLE_WINDOWS_DAYS = [40, 400];

/**
 * The last daily candle of `symbol` with open time `<= dayMs` (undefined: none): the same candle as the
 * last of `dailyCandles(symbol, 0, dayMs)`, looked up in growing windows back from D first, so that a
 * series that ended months before D (most of the universe on a day past the bundled data) is not read whole.
 */
async function lastCandleUpTo(
  market: Pick<MarketData, 'dailyCandles'>,
  symbol: string,
  dayMs: number,
): Promise<Candle | undefined> {
  for (const days of LAST_CANDLE_WINDOWS_DAYS) {
    const last = (await market.dailyCandles(symbol, dayMs - days * DAY_MS, dayMs)).at(-1);
    if (last) return last;
  }
  return (await market.dailyCandles(symbol, 0, dayMs)).at(-1);
}

/** The book after a run, marked: position snapshots with P/L and the equity point (quote asset). */
export interface ClosedBook {
  readonly snapshots: PositionSnapshot[];
  readonly equity: EquityPoint;
  /** equity − initial quote. */
  readonly total: Decimal;
}

/**
 * Marks the book after a run (README "Accounting", average cost) and checks the identity
 * `equity − initial = realized + unrealized`.
 * @param after the managed balances after the run; markOf the mark price of a symbol (null: none).
 * @throws Error for a balance without a position (the ledger would lose track of it) or a broken identity.
 */
export function closeBook(
  after: readonly Balance[],
  positions: ReadonlyMap<string, Position>,
  markOf: (symbol: string) => string | null,
  c: {
    readonly quoteAsset: string;
    readonly initialQuote: string;
    readonly period: string;
    readonly dayMs: number;
    readonly priceBasis: string;
  },
): ClosedBook {
  const marks = new Map<string, Decimal>();
  for (const p of positions.values()) {
    const mark = markOf(p.symbol);
    if (mark !== null) marks.set(p.asset, dec(mark));
  }
  for (const b of after) {
    if (b.asset !== c.quoteAsset && !positions.has(b.asset)) {
      throw new Error(`balance of ${b.asset} has no position in the ledger: refusing to lose track of it`);
    }
  }
  const marked = markPositions(positions, marks);
  const q = after.find((x) => x.asset === c.quoteAsset);
  const cash = q ? dec(q.free) : ZERO;
  const equity = cash.plus(marked.marketValue);
  const total = equity.minus(dec(c.initialQuote));
  const identity = marked.realizedPnl.plus(marked.unrealizedPnl);
  if (!total.eq(identity)) {
    throw new Error(
      `accounting identity broken: equity − initial = ${decStr(total)} but realized + unrealized = ${decStr(identity)}`,
    );
  }
  const snapshots: PositionSnapshot[] = marked.rows.map((r) => ({
    ...positionRowOf(r.position),
    markPrice: decStr(r.mark),
    marketValue: decStr(r.marketValue),
    unrealizedPnl: decStr(r.unrealizedPnl),
  }));
  return {
    snapshots,
    total,
    equity: {
      day: c.period,
      markedAt: c.dayMs,
      priceBasis: c.priceBasis,
      cash: decStr(cash),
      positionsValue: decStr(marked.marketValue),
      equity: decStr(equity),
      realizedPnl: decStr(marked.realizedPnl),
      unrealizedPnl: decStr(marked.unrealizedPnl),
      feesQuote: decStr(marked.feesQuote),
    },
  };
}

/**
 * Honest outcomes (9.2): rejections are not a clean completion; a phase whose every order was rejected
 * is named (the CLI exits non-zero for it).
 */
export function outcomeOf(
  orders: readonly OrderReport[],
  rejectedPhases: readonly string[],
): { status: RunStatus & ('completed' | 'completed_with_rejections'); exitReason: string; rejected: number } {
  const rejected = orders.filter((o) => o.status === 'REJECTED').length;
  const status = rejected > 0 ? 'completed_with_rejections' : 'completed';
  const exitReason =
    rejectedPhases.length > 0
      ? `every order of the ${rejectedPhases.join(' and ')} phase was rejected (${rejected} rejected of ${orders.length})`
      : rejected > 0
        ? `${rejected} of ${orders.length} orders rejected`
        : 'ok';
  return { status, exitReason, rejected };
}

/** The part of a run's report every outcome shares (account, period, exchange, modes, decision time). */
export type RunHeader = Omit<
  RebalanceResult['run'],
  'id' | 'status' | 'exit_reason' | 'guard' | 'rejected_phases' | 'duration_ms' | 'timings_ms'
>;

/** The report of a run that traded (or planned, for a dry run). */
export function completedResult(r: {
  readonly header: RunHeader;
  readonly runId: string | null;
  readonly dryRun: boolean;
  readonly outcome: {
    readonly status: 'completed' | 'completed_with_rejections';
    readonly exitReason: string;
  };
  readonly continuesRunId: string | null;
  readonly resumed: boolean;
  readonly timings: Record<string, number>;
  readonly decisions: readonly UniverseDecision[];
  readonly ranked: readonly RankedSymbol[];
  readonly dataEnds: ReadonlyMap<string, number>;
  readonly adjustments: RebalanceResult['adjustments'];
  readonly step: {
    readonly orders: OrderReport[];
    readonly fills: RebalanceResult['fills'];
    readonly dust: readonly { readonly notional: string }[];
    readonly partialFills: RebalanceResult['partial_fills'];
    readonly rejectedPhases: readonly ('sell' | 'buy')[];
  };
  readonly after: Balance[];
  readonly exchange: RebalanceResult['exchange'];
  readonly closed: ClosedBook;
  readonly initialQuote: string;
}): RebalanceResult {
  const e = r.closed.equity;
  return {
    run: {
      ...r.header,
      id: r.runId,
      status: r.dryRun ? 'dry_run' : r.outcome.status,
      exit_reason: r.dryRun ? 'dry run: nothing placed, nothing recorded' : r.outcome.exitReason,
      continues_run_id: r.continuesRunId,
      resumed: r.resumed,
      guard: null,
      rejected_phases: r.step.rejectedPhases,
      duration_ms: r.timings.total ?? 0,
      timings_ms: r.timings,
    },
    ranking: rankingRows(r.decisions, r.ranked),
    excluded: excludedOf(r.decisions, r.dataEnds),
    adjustments: r.adjustments,
    partial_fills: r.step.partialFills,
    dust: {
      orders: r.step.dust.length,
      notional: decStr(r.step.dust.reduce((a, d) => a.plus(dec(d.notional)), ZERO)),
    },
    orders: r.step.orders,
    fills: r.step.fills,
    balances: r.after,
    exchange: r.exchange,
    equity: {
      day: e.day,
      price_basis: e.priceBasis,
      cash: e.cash,
      positions_value: e.positionsValue,
      equity: e.equity,
      initial_quote: decStr(r.initialQuote),
    },
    pnl: {
      realized: e.realizedPnl,
      unrealized: e.unrealizedPnl,
      total: decStr(r.closed.total),
      fees: e.feesQuote,
      by_asset: r.closed.snapshots.map((p) => ({
        asset: p.asset,
        symbol: p.symbol,
        quantity: p.quantity,
        cost_basis: p.costBasis,
        mark_price: p.markPrice,
        market_value: p.marketValue,
        realized: p.realizedPnl,
        unrealized: p.unrealizedPnl,
        fees: p.feesQuote,
      })),
    },
  };
}

/** The run header and the journal row of a rebalance at decision day `dayMs` (UTC ms). */
export function runRecordsOf(
  s: RebalanceSettings,
  req: { readonly dryRun: boolean; readonly force: boolean; readonly effectiveConfig: unknown },
  accountId: string,
  dayMs: number,
  now: () => number,
): { header: RunHeader; newRun: () => NewRun } {
  const period = msToDay(dayMs);
  return {
    header: {
      account: s.account,
      period,
      exchange: s.exchangeKind,
      strategy_mode: s.strategy.mode,
      rebalance_mode: s.portfolio.rebalanceMode,
      forced: req.force,
      decision_time: new Date(dayMs).toISOString(),
    },
    newRun: () => ({
      accountId,
      kind: 'rebalance',
      period,
      rebalanceMode: s.portfolio.rebalanceMode,
      strategyMode: s.strategy.mode,
      dryRun: req.dryRun,
      forced: req.force,
      config: req.effectiveConfig,
      decisionTime: dayMs,
      startedAt: now(),
    }),
  };
}

/** The summary recorded with a completed run (counts, equity, requests, fees in the quote asset). */
export function completedSummary(
  selected: number,
  step: { readonly orders: readonly OrderReport[]; readonly fills: RebalanceResult['fills'] },
  rejected: number,
  equity: string,
  stats: { readonly requests: number; readonly weight: number } | undefined,
  reconciliationDifferences: number,
) {
  return {
    selected,
    orders: step.orders.length,
    rejected,
    fills: step.fills.length,
    equity,
    ...(stats ? { requests: stats.requests, weight: stats.weight } : {}),
    ...(reconciliationDifferences > 0 ? { reconciliation_differences: reconciliationDifferences } : {}),
    fees: decStr(step.fills.reduce((a, f) => a.plus(dec(f.commission_quote)), ZERO)),
  };
}
