/**
 * exchangeInfo snapshots (Binance `GET /api/v3/exchangeInfo`) and the order-sizing rules derived from
 * them (strategy-semantics.md §6; filter meanings per Binance spot API `filters.md`: PRICE_FILTER,
 * LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL, NOTIONAL).
 */
import { msToDay } from '../../domain/time.ts';
import type { IsoDay, SymbolRules } from '../../domain/types.ts';
import { DataError } from './data-error.ts';

/** One Binance symbol filter as served (`filterType` plus string/number/boolean fields). */
export type ExchangeFilter = Readonly<Record<string, unknown>> & { readonly filterType: string };

/** The parts of an exchangeInfo symbol entry the adapters use (the raw object is kept in `raw`). */
export interface ExchangeSymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** `TRADING`, `BREAK`, … at the snapshot's time. */
  readonly status: string | undefined;
  readonly filters: readonly ExchangeFilter[];
}

/** One parsed exchangeInfo document. */
export interface ExchangeInfoSnapshot {
  /** The file it was read from. */
  readonly file: string;
  /** `serverTime` of the document, UTC ms. */
  readonly serverTimeMs: number;
  /** UTC day of `serverTime` (names the snapshot in `SymbolRules.source`). */
  readonly day: IsoDay;
  /** Its symbols by name. */
  readonly symbols: ReadonlyMap<string, ExchangeSymbol>;
}

/**
 * Parses an exchangeInfo JSON document.
 * @throws DataError when the text is not JSON, has no numeric `serverTime` or no `symbols` array, or a
 *   symbol entry lacks `symbol`/`baseAsset`/`quoteAsset`/`filters`.
 */
export function parseExchangeInfo(text: string, file: string): ExchangeInfoSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DataError(file, `corrupt: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { symbols?: unknown }).symbols)) {
    throw new DataError(file, 'not an exchangeInfo document: no "symbols" array');
  }
  const { serverTime, symbols } = doc as { serverTime?: unknown; symbols: unknown[] };
  if (typeof serverTime !== 'number' || !Number.isFinite(serverTime)) {
    throw new DataError(file, 'not an exchangeInfo document: no numeric "serverTime"');
  }
  const map = new Map<string, ExchangeSymbol>();
  for (const [i, s] of symbols.entries()) {
    const o = s as Partial<Record<keyof ExchangeSymbol, unknown>>;
    if (
      typeof o !== 'object' ||
      o === null ||
      typeof o.symbol !== 'string' ||
      typeof o.baseAsset !== 'string' ||
      typeof o.quoteAsset !== 'string' ||
      !Array.isArray(o.filters)
    ) {
      throw new DataError(file, `symbols[${i}] lacks symbol/baseAsset/quoteAsset/filters`);
    }
    map.set(o.symbol, {
      symbol: o.symbol,
      baseAsset: o.baseAsset,
      quoteAsset: o.quoteAsset,
      status: typeof o.status === 'string' ? o.status : undefined,
      filters: o.filters as ExchangeFilter[],
    });
  }
  return { file, serverTimeMs: serverTime, day: msToDay(serverTime), symbols: map };
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** Rules for a symbol no snapshot lists (strategy-semantics.md §6). */
export function defaultRules(symbol: string): SymbolRules {
  return {
    symbol,
    stepSize: '0',
    minQty: '0',
    minNotional: '10',
    tickSize: '0',
    source: 'default (no snapshot lists it)',
  };
}

/**
 * Order-sizing rules of `symbol` from the first snapshot in `newestFirst` that lists it
 * (strategy-semantics.md §6):
 * - `stepSize` = MARKET_LOT_SIZE.stepSize if it is > 0, else LOT_SIZE.stepSize; `minQty` from the same filter;
 * - `minNotional` = NOTIONAL.minNotional if `applyMinToMarket`, else MIN_NOTIONAL.minNotional if
 *   `applyToMarket`, else "0";
 * - `tickSize` = PRICE_FILTER.tickSize ("0" when absent);
 * - no snapshot lists it: step "0", minQty "0", minNotional "10", tickSize "0".
 * Values are the exchange's strings unchanged (e.g. "0.00001000"). `source` is `exchangeInfo <YYYY-MM-DD>`
 * (the snapshot's serverTime day) or `default (no snapshot lists it)`.
 */
export function rulesFromSnapshots(
  symbol: string,
  newestFirst: readonly ExchangeInfoSnapshot[],
): SymbolRules {
  for (const snap of newestFirst) {
    const s = snap.symbols.get(symbol);
    if (s) return rulesFromSymbol(s, `exchangeInfo ${snap.day}`);
  }
  return defaultRules(symbol);
}

/** The §6 rules of one exchangeInfo symbol entry (see {@link rulesFromSnapshots}). */
export function rulesFromSymbol(s: ExchangeSymbol, source: string): SymbolRules {
  const byType = new Map<string, ExchangeFilter>();
  for (const f of s.filters) if (!byType.has(f.filterType)) byType.set(f.filterType, f);
  const market = byType.get('MARKET_LOT_SIZE');
  const lot = byType.get('LOT_SIZE');
  const marketStep = str(market?.stepSize);
  const useMarket = marketStep !== undefined && Number(marketStep) > 0;
  const sizing = useMarket ? market : lot;
  const notional = byType.get('NOTIONAL');
  const legacy = byType.get('MIN_NOTIONAL');
  let minNotional = '0';
  if (notional && notional.applyMinToMarket === true) minNotional = str(notional.minNotional) ?? '0';
  else if (legacy && legacy.applyToMarket === true) minNotional = str(legacy.minNotional) ?? '0';
  return {
    symbol: s.symbol,
    stepSize: str(sizing?.stepSize) ?? '0',
    minQty: str(sizing?.minQty) ?? '0',
    minNotional,
    tickSize: str(byType.get('PRICE_FILTER')?.tickSize) ?? '0',
    source,
  };
}
