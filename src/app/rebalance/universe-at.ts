/**
 * The universe and ranking of a rebalance at D (strategy-semantics.md §3–§5): eligibility with market
 * caps (stale caps refused on a real run, 9.3), the top N, and on replay the symbols whose data ends
 * before D (9.3).
 */
import type { Logger } from 'pino';
import { type RankedSymbol, rankUniverse } from '../../domain/ranking/rank.ts';
import { evaluateUniverse, type UniverseDecision } from '../../domain/universe/eligibility.ts';
import type { MarketCaps } from '../../ports/market-caps.ts';
import type { MarketData } from '../../ports/market-data.ts';
import { type RebalanceSettings, universeRulesOf } from '../settings.ts';
import type { MarketSnapshot } from '../trading/market-snapshot.ts';
import { assertFreshCaps, MAX_CAP_AGE_DAYS } from './guards.ts';
import { dataEndsBefore } from './result-parts.ts';

/** The universe decision of every symbol, the ranking, the selected top N, and the data ends (symbol → last day ms). */
export interface UniverseAtD {
  readonly decisions: readonly UniverseDecision[];
  readonly ranked: readonly RankedSymbol[];
  readonly selected: readonly RankedSymbol[];
  readonly dataEnds: ReadonlyMap<string, number>;
}

/**
 * Decides the universe at the snapshot's day. @throws StaleDataError on a real run (`snap.live`) with a
 * market-cap filter and no snapshot within 45 days of D.
 */
export async function universeAt(
  deps: { readonly market: MarketData; readonly caps: MarketCaps; readonly logger: Logger },
  snap: MarketSnapshot,
  s: RebalanceSettings,
): Promise<UniverseAtD> {
  const { dayMs, period } = snap.day;
  const caps = await deps.caps.capsAt(dayMs, MAX_CAP_AGE_DAYS);
  if (snap.live && s.universe.minMarketCap > 0) await assertFreshCaps(deps.caps, caps.size, dayMs);
  const decisions = evaluateUniverse(dayMs, snap.histories, caps, {
    ...universeRulesOf(s),
    tradingRule: snap.live ? 'live' : 'history',
  });
  const ranked = rankUniverse(decisions, s.strategy.mode, s.strategy.topN);
  const dataEnds = snap.live
    ? new Map<string, number>()
    : await dataEndsBefore(deps.market, decisions, dayMs);
  if (dataEnds.size > 0) {
    const considered = decisions.filter((d) => d.reason !== 'quote' && d.reason !== 'excluded').length;
    deps.logger.warn(
      { period, symbols: dataEnds.size, considered },
      `data ends before ${period} for ${dataEnds.size} symbol(s)${dataEnds.size * 2 > considered ? ' — most of the universe: this day is past the data' : ''}`,
    );
  }
  return { decisions, ranked, selected: ranked.filter((r) => r.selected), dataEnds };
}
