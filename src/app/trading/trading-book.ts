/**
 * The book a trading session moves with every fill: what the strategy manages (asset → quantity), the
 * average-cost positions, and the exchange account's own deltas (for the after-run reconciliation).
 * Fill and commission booking: strategy-semantics.md §7, README "Accounting" (average cost).
 */
import { applyFill, type Position } from '../../domain/accounting/average-cost.ts';
import { bookCommission, type FillLike } from '../../domain/accounting/commission.ts';
import { type Decimal, dec, ZERO } from '../../domain/decimal.ts';
import type { Side } from '../../domain/types.ts';

/** Mutable book of one run (quantities in asset units, exact decimals). */
export class TradingBook {
  /** What the strategy manages (the ledger's balances), moved by every fill. */
  readonly managed: Map<string, Decimal>;
  /** The exchange account's own balance changes from this run's fills (commission as charged). */
  readonly exchangeDelta = new Map<string, Decimal>();
  /** Average-cost positions by asset. */
  positions: Map<string, Position>;

  /**
   * @param quoteAsset the asset the books are kept in (e.g. USDT).
   * @param baseAssetOf the base asset of a symbol, undefined when unknown (then the order's asset is used).
   */
  constructor(
    readonly quoteAsset: string,
    private readonly baseAssetOf: (symbol: string) => string | undefined,
    managed: ReadonlyMap<string, Decimal>,
    positions: ReadonlyMap<string, Position>,
  ) {
    this.managed = new Map(managed);
    this.positions = new Map(positions);
  }

  /** The managed quantity of an asset (0 when none). */
  get(asset: string): Decimal {
    return this.managed.get(asset) ?? ZERO;
  }

  /**
   * Books one fill: base and quote into `managed` and `exchangeDelta`, the commission as the exchange
   * charged it into `exchangeDelta` and as the book pays it ({@link bookCommission}) into `managed`, and
   * the fill into the average-cost position of `asset`.
   * @param commissionQuote the commission valued in the quote asset.
   */
  bookFill(asset: string, symbol: string, side: Side, f: FillLike, commissionQuote: Decimal): void {
    const baseAsset = this.baseAssetOf(symbol) ?? asset;
    const q = dec(f.quantity);
    const notional = dec(f.quoteQuantity);
    const commission = dec(f.commission);
    for (const m of [this.managed, this.exchangeDelta]) {
      bump(m, baseAsset, side === 'BUY' ? q : q.neg());
      bump(m, this.quoteAsset, side === 'BUY' ? notional.neg() : notional);
    }
    bump(this.exchangeDelta, f.commissionAsset, commission.neg());
    const charge = bookCommission(f, side, baseAsset, this.quoteAsset, commissionQuote, this.managed);
    bump(this.managed, charge.asset, charge.amount.neg());
    this.positions = applyFill(this.positions, asset, symbol, this.quoteAsset, {
      side,
      quantity: f.quantity,
      quoteQuantity: f.quoteQuantity,
      commission: charge.amount,
      commissionAsset: charge.asset,
      commissionQuote,
    });
  }
}

/** Adds `d` to `m[asset]`. */
export function bump(m: Map<string, Decimal>, asset: string, d: Decimal): void {
  m.set(asset, (m.get(asset) ?? ZERO).plus(d));
}
