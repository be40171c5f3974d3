/**
 * The reconciler: the ledger's book against the exchange account's own balances (real exchanges only).
 * Pure comparisons; the use case records and reports the differences.
 */
import { type Decimal, dec, decStr, ZERO } from '../../domain/decimal.ts';
import type { Balance } from '../../domain/types.ts';
import type { ReconciliationRow } from '../../ports/ledger.ts';
import { bump } from './trading-book.ts';

/** Total (free + locked) per asset. */
export function totals(balances: readonly Balance[]): Map<string, Decimal> {
  return new Map(balances.map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]));
}

const HOLDS_LESS = 'the exchange holds less than the ledger manages: trading refused';
const HOLDS_MORE = 'the exchange holds more than the ledger manages: the surplus is not traded';
const DIFFERS_AFTER = "exchange balance after the run differs from its balance before plus the run's fills";

/** One asset that differs: `expected` and `actual` (asset units) and `difference` = `actual − expected`. */
function differenceRow(
  phase: ReconciliationRow['phase'],
  asset: string,
  expected: Decimal,
  actual: Decimal,
  note: string,
): ReconciliationRow {
  return {
    phase,
    asset,
    expected: decStr(expected),
    actual: decStr(actual),
    difference: decStr(actual.minus(expected)),
    note,
  };
}

/**
 * Before any order (and on the skip path): every asset the book manages against what the exchange
 * holds, both directions (issue 14.3). A row with a negative `difference`: the exchange holds LESS than
 * the book manages (the caller refuses to trade); positive: it holds MORE (reported; the surplus is not
 * the strategy's and is never traded). Assets the book does not manage are not compared.
 * @param managed the book (asset units); @param exchange the exchange's balances (GET /api/v3/account).
 */
export function reconcileBefore(
  managed: ReadonlyMap<string, Decimal>,
  exchange: readonly Balance[],
): ReconciliationRow[] {
  const held = totals(exchange);
  const rows: ReconciliationRow[] = [];
  for (const [asset, qty] of managed) {
    const actual = held.get(asset) ?? ZERO;
    if (qty.gt(actual)) {
      rows.push(differenceRow('before', asset, qty, actual, HOLDS_LESS));
    } else if (qty.gt(0) && actual.gt(qty)) {
      rows.push(differenceRow('before', asset, qty, actual, HOLDS_MORE));
    }
  }
  return rows;
}

/**
 * After the orders: the exchange's balances against its balances before plus this run's own deltas
 * (fills and commissions as charged). One row per asset that differs, sorted by asset.
 */
export function reconcileAfter(
  before: readonly Balance[],
  delta: ReadonlyMap<string, Decimal>,
  after: readonly Balance[],
): ReconciliationRow[] {
  const expected = totals(before);
  for (const [asset, d] of delta) bump(expected, asset, d);
  const actual = totals(after);
  const rows: ReconciliationRow[] = [];
  for (const asset of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const e = expected.get(asset) ?? ZERO;
    const a = actual.get(asset) ?? ZERO;
    if (!e.eq(a)) {
      rows.push(differenceRow('after', asset, e, a, DIFFERS_AFTER));
    }
  }
  return rows;
}
