/**
 * The columns of an account's current-state rows (`balances`, `positions`; the snapshots add their own),
 * shared by the full state save (PostgresLedger.saveState) and the save of an unfinished run's book
 * (unfinished-state.ts). Each caller brings its decimal check, so the error it throws names it.
 */
import type { Balance } from '../../domain/types.ts';
import type { PositionRow } from '../../ports/ledger-rows.ts';

/** Validates a decimal string and returns it canonical (a `numeric` column value); throws naming `what`. */
export type DecimalColumn = (value: string, what: string) => string;

/** The `balances` columns of `b` (free and locked through `dec`, named `balance <asset>.free|locked`). */
export function balanceColumns(b: Balance, dec: DecimalColumn) {
  return {
    asset: b.asset,
    free: dec(b.free, `balance ${b.asset}.free`),
    locked: dec(b.locked, `balance ${b.asset}.locked`),
  };
}

/** The `positions` columns of `p` (decimals through `dec`, named `position <asset>.<field>`). */
export function positionColumns(p: PositionRow, dec: DecimalColumn) {
  return {
    asset: p.asset,
    symbol: p.symbol,
    quantity: dec(p.quantity, `position ${p.asset}.quantity`),
    cost_basis: dec(p.costBasis, `position ${p.asset}.costBasis`),
    realized_pnl: dec(p.realizedPnl, `position ${p.asset}.realizedPnl`),
    fees_quote: dec(p.feesQuote, `position ${p.asset}.feesQuote`),
  };
}
