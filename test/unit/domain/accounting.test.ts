import { describe, expect, it } from 'vitest';
import {
  type AccountingFill,
  applyFill,
  markPositions,
  type Position,
} from '../../../src/domain/accounting/average-cost.ts';
import { dec, decStr } from '../../../src/domain/decimal.ts';

/** An {@link AccountingFill}: side, quantity, quote quantity, commission, its asset, commission in quote. */
const fill = (
  side: AccountingFill['side'],
  quantity: string,
  quoteQuantity: string,
  commission: string,
  commissionAsset: string,
  commissionQuote: string,
): AccountingFill => ({ side, quantity, quoteQuantity, commission, commissionAsset, commissionQuote });

describe('average-cost accounting (hand-computed)', () => {
  it('buy, buy, partial sell: average cost, realized P/L net of fees, identity holds', () => {
    let cash = dec('10000');
    let pos = new Map<string, Position>();
    // BUY 2 @ 100, commission 0.002 AAA (0.1 %): cash -200, qty 1.998, cost 200
    pos = applyFill(pos, 'AAA', 'AAAUSDT', 'USDT', fill('BUY', '2', '200', '0.002', 'AAA', '0.2'));
    cash = cash.minus('200');
    // BUY 1 @ 130, commission 0.001 AAA: cash -130, qty 2.997, cost 330
    pos = applyFill(pos, 'AAA', 'AAAUSDT', 'USDT', fill('BUY', '1', '130', '0.001', 'AAA', '0.13'));
    cash = cash.minus('130');
    const a = pos.get('AAA') as Position;
    expect([decStr(a.quantity), decStr(a.costBasis)]).toEqual(['2.997', '330']);
    // SELL 0.999 @ 150: proceeds 149.85, commission 0.14985 USDT
    // removed cost = 330 × 0.999 / 2.997 = 110 ; realized = 149.85 - 0.14985 - 110 = 39.70015
    pos = applyFill(
      pos,
      'AAA',
      'AAAUSDT',
      'USDT',
      fill('SELL', '0.999', '149.85', '0.14985', 'USDT', '0.14985'),
    );
    cash = cash.plus('149.85').minus('0.14985');
    const b = pos.get('AAA') as Position;
    expect([decStr(b.quantity), decStr(b.costBasis), decStr(b.realizedPnl), decStr(b.feesQuote)]).toEqual([
      '1.998',
      '220',
      '39.70015',
      '0.47985',
    ]);
    // Mark at 120: value 239.76, unrealized 19.76; equity = cash 9819.70015 + 239.76 = 10059.46015
    const m = markPositions(pos, new Map([['AAA', dec('120')]]));
    expect(decStr(m.unrealizedPnl)).toBe('19.76');
    const equity = cash.plus(m.marketValue);
    expect(decStr(equity)).toBe('10059.46015');
    expect(decStr(equity.minus('10000'))).toBe(decStr(m.realizedPnl.plus(m.unrealizedPnl)));
  });

  it('a commission in a third asset (BNB) reduces that position at its average cost', () => {
    let pos = new Map<string, Position>();
    pos = applyFill(pos, 'BNB', 'BNBUSDT', 'USDT', fill('BUY', '1', '300', '0', 'BNB', '0'));
    pos = applyFill(pos, 'AAA', 'AAAUSDT', 'USDT', fill('BUY', '10', '1000', '0.0025', 'BNB', '0.75'));
    const bnb = pos.get('BNB') as Position;
    // 0.0025 BNB removed at 300/BNB = 0.75 realized loss
    expect([decStr(bnb.quantity), decStr(bnb.costBasis), decStr(bnb.realizedPnl)]).toEqual([
      '0.9975',
      '299.25',
      '-0.75',
    ]);
    expect(decStr((pos.get('AAA') as Position).quantity)).toBe('10');
  });

  it('selling more than held throws rather than losing track', () => {
    const pos = applyFill(new Map(), 'AAA', 'AAAUSDT', 'USDT', fill('BUY', '1', '1', '0', 'AAA', '0'));
    expect(() => applyFill(pos, 'AAA', 'AAAUSDT', 'USDT', fill('SELL', '2', '2', '0', 'USDT', '0'))).toThrow(
      /only 1 held/,
    );
  });
});
