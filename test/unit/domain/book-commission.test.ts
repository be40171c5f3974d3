/**
 * Which asset of the book pays a fill's commission (src/domain/accounting/commission.ts bookCommission). Expected values
 * by hand: a BUY of 0.34573 BTC for 9999.7665999 USDT whose commission the exchange took in BNB
 * (0.20074692 BNB at 37.3596 = 7.499824632432 USDT); 7.499824632432 × 0.34573 / 9999.7665999 =
 * 0.000259299… BTC, rounded up to 8 decimals: 0.0002593.
 */
import { describe, expect, it } from 'vitest';
import { bookCommission } from '../../../src/domain/accounting/commission.ts';
import { dec, decStr } from '../../../src/domain/decimal.ts';

const buy = {
  quantity: '0.34573',
  quoteQuantity: '9999.7665999',
  commission: '0.20074692',
  commissionAsset: 'BNB',
};
const value = dec('7.499824632432');
const charge = (f: typeof buy, side: 'BUY' | 'SELL', managed: Record<string, string>) => {
  const c = bookCommission(
    f,
    side,
    'BTC',
    'USDT',
    value,
    new Map(Object.entries(managed).map(([a, v]) => [a, dec(v)])),
  );
  return [c.asset, decStr(c.amount)];
};

describe('bookCommission', () => {
  it('a commission in the base or quote asset is charged as the exchange charged it', () => {
    expect(charge({ ...buy, commission: '0.00034573', commissionAsset: 'BTC' }, 'BUY', {})).toEqual([
      'BTC',
      '0.00034573',
    ]);
    expect(charge({ ...buy, commission: '10.13', commissionAsset: 'USDT' }, 'SELL', {})).toEqual([
      'USDT',
      '10.13',
    ]);
  });
  it('BNB the book holds (at least the commission) pays it', () => {
    expect(charge(buy, 'BUY', { BNB: '0.20074692' })).toEqual(['BNB', '0.20074692']);
  });
  it("BNB that is the account's, not the book's: the value in the received asset", () => {
    expect(charge(buy, 'BUY', {})).toEqual(['BTC', '0.0002593']);
    expect(charge(buy, 'BUY', { BNB: '0.2' })).toEqual(['BTC', '0.0002593']); // 0.2 < 0.20074692
    expect(charge(buy, 'SELL', {})).toEqual(['USDT', '7.499824632432']);
  });
});
