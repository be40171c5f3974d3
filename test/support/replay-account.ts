/** The replay accounts the ledger tests book into. */
import type { AccountBook } from '../../src/ports/account-book.ts';
import type { AccountRow } from '../../src/ports/ledger-rows.ts';

/** `ledger.ensureAccount` of a replay account `name` quoted in USDT, starting with `initialQuote` USDT. */
export function replayAccount(
  ledger: Pick<AccountBook, 'ensureAccount'>,
  name: string,
  initialQuote: string,
): Promise<AccountRow> {
  return ledger.ensureAccount({ name, exchangeKind: 'replay', quoteAsset: 'USDT', initialQuote });
}
