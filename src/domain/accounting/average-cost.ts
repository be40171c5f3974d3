/**
 * Average-cost accounting of positions, exact in decimals.
 *
 * Definitions (README "Accounting"):
 * - `costBasis` of an asset = quote spent on the units still held. A BUY adds `q × p` (plus a commission
 *   paid in quote, if any); a buy commission paid in the base asset is already in it as units not received.
 * - A SELL (or any reduction: commission paid in this asset, token-swap rounding) removes the average cost
 *   of the units removed: `removed = costBasis × q / quantity` (rounded to 18 decimals; the whole cost
 *   when the position is closed).
 * - realized P/L += proceeds − quote commission − removed cost. Fees are therefore inside realized
 *   (sell commissions) and unrealized (buy commissions) P/L; `feesQuote` tracks them separately for reports.
 * - unrealized P/L = quantity × mark − costBasis.
 * Consequence (tested): `equity − initial_quote = Σ realized + Σ unrealized` exactly, at any marks,
 * because `cash + Σ costBasis − Σ realized` never changes.
 */
import { type Decimal, type DecimalInput, dec, ZERO } from '../decimal.ts';
import type { Side } from '../types.ts';

/** A position with exact decimals. */
export interface Position {
  readonly asset: string;
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly costBasis: Decimal;
  readonly realizedPnl: Decimal;
  readonly feesQuote: Decimal;
}

/** A fill as the accounting needs it (decimals; commissionQuote = commission valued in quote). */
export interface AccountingFill {
  readonly side: Side;
  readonly quantity: DecimalInput;
  readonly quoteQuantity: DecimalInput;
  readonly commission: DecimalInput;
  readonly commissionAsset: string;
  readonly commissionQuote: DecimalInput;
}

/** An empty position. */
export function emptyPosition(asset: string, symbol: string): Position {
  return { asset, symbol, quantity: ZERO, costBasis: ZERO, realizedPnl: ZERO, feesQuote: ZERO };
}

const COST_DP = 18;

/**
 * Removes `q` units from a position at average cost and books `proceeds − removed` as realized P/L.
 * @throws Error when `q` exceeds the quantity held (the ledger would lose track of money).
 */
export function reducePosition(pos: Position, q: DecimalInput, proceeds: DecimalInput): Position {
  const qty = dec(q);
  if (qty.isZero()) return pos;
  if (qty.gt(pos.quantity)) {
    throw new Error(
      `${pos.asset}: cannot remove ${qty.toFixed()} units, only ${pos.quantity.toFixed()} held`,
    );
  }
  const closing = qty.eq(pos.quantity);
  const removed = closing
    ? pos.costBasis
    : pos.costBasis.times(qty).div(pos.quantity).toDecimalPlaces(COST_DP);
  return {
    ...pos,
    quantity: pos.quantity.minus(qty),
    costBasis: pos.costBasis.minus(removed),
    realizedPnl: pos.realizedPnl.plus(dec(proceeds)).minus(removed),
  };
}

/**
 * Applies one fill of `pos.symbol` to the traded position and, when the commission is paid in a third
 * asset (e.g. BNB), to that asset's position.
 * @param positions all positions by asset (not mutated).
 * @param quoteAsset e.g. `USDT`.
 * @returns the new positions map.
 * @throws Error when a SELL (or a commission) exceeds the quantity held.
 */
export function applyFill(
  positions: ReadonlyMap<string, Position>,
  asset: string,
  symbol: string,
  quoteAsset: string,
  fill: AccountingFill,
): Map<string, Position> {
  const out = new Map(positions);
  let pos = out.get(asset) ?? emptyPosition(asset, symbol);
  const q = dec(fill.quantity);
  const notional = dec(fill.quoteQuantity);
  const commission = dec(fill.commission);
  const commissionQuote = dec(fill.commissionQuote);
  if (fill.side === 'BUY') {
    // A commission in the base asset is units not received: the cost basis keeps the full q × p.
    const received = fill.commissionAsset === asset ? q.minus(commission) : q;
    const cost = fill.commissionAsset === quoteAsset ? notional.plus(commission) : notional;
    pos = { ...pos, quantity: pos.quantity.plus(received), costBasis: pos.costBasis.plus(cost) };
  } else {
    const proceeds = fill.commissionAsset === quoteAsset ? notional.minus(commission) : notional;
    pos = reducePosition(pos, q, proceeds);
    if (fill.commissionAsset === asset) pos = reducePosition(pos, commission, ZERO);
  }
  pos = { ...pos, feesQuote: pos.feesQuote.plus(commissionQuote) };
  out.set(asset, pos);
  if (fill.commissionAsset !== asset && fill.commissionAsset !== quoteAsset) {
    const other =
      out.get(fill.commissionAsset) ?? emptyPosition(fill.commissionAsset, fill.commissionAsset + quoteAsset);
    out.set(fill.commissionAsset, reducePosition(other, commission, ZERO));
  }
  return out;
}

/**
 * Marks positions: market value and unrealized P/L per position, and totals.
 * @param marks price per asset (quote per base); an asset without a mark throws.
 */
export function markPositions(
  positions: ReadonlyMap<string, Position>,
  marks: ReadonlyMap<string, Decimal>,
): {
  rows: { position: Position; mark: Decimal; marketValue: Decimal; unrealizedPnl: Decimal }[];
  marketValue: Decimal;
  unrealizedPnl: Decimal;
  realizedPnl: Decimal;
  feesQuote: Decimal;
} {
  let marketValue = ZERO;
  let unrealizedPnl = ZERO;
  let realizedPnl = ZERO;
  let feesQuote = ZERO;
  const rows = [];
  for (const position of [...positions.values()].sort((a, b) => (a.asset < b.asset ? -1 : 1))) {
    const mark = marks.get(position.asset) ?? (position.quantity.isZero() ? ZERO : undefined);
    if (mark === undefined) throw new Error(`no price to mark ${position.asset}`);
    const mv = position.quantity.times(mark);
    const u = mv.minus(position.costBasis);
    rows.push({ position, mark, marketValue: mv, unrealizedPnl: u });
    marketValue = marketValue.plus(mv);
    unrealizedPnl = unrealizedPnl.plus(u);
    realizedPnl = realizedPnl.plus(position.realizedPnl);
    feesQuote = feesQuote.plus(position.feesQuote);
  }
  return { rows, marketValue, unrealizedPnl, realizedPnl, feesQuote };
}
