/** Balances as a run reports them (and as the emulator's account lists them), all free. */

/** One asset's balance: `free` and `locked` as canonical decimal strings (units of the asset). */
export interface FreeBalance {
  asset: string;
  free: string;
  locked: '0';
}

/**
 * `{ BTC: '0.3', USDT: '12' }` → `[{ asset: 'BTC', free: '0.3', locked: '0' }, { asset: 'USDT', … }]`, in
 * the order of the keys (write them sorted by asset, as reports and the emulator list them).
 */
export function freeBalances(free: Record<string, string>): FreeBalance[] {
  return Object.entries(free).map(([asset, amount]) => ({ asset, free: amount, locked: '0' }));
}
