/**
 * Booking a triggered exchange stop (StopJournal.bookTriggeredStop, issue 10) on both real ledgers: PGlite
 * and the Postgres server of DATABASE_URL. One transaction: the order's outcome and fills, the intraday
 * exit, position_risk and the saved book — all or nothing, exactly once.
 *
 * Hand-computed book: the saved state holds 5000 USDT and 100 MATIC (cost 50 USDT). The stop sells
 * 100 MATIC @ 0.6 = 60 USDT, fee 0.06 USDT → USDT 5000 + 60 − 0.06 = 5059.94; MATIC 0 (its balance row
 * removed); position MATIC quantity 0, cost 0, realized P/L 60 − 0.06 − 50 = 9.94, fees 0.06.
 */
import { describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { unfilledOutcome } from '../../../src/app/trading/order-rows.ts';
import type { TriggeredStopBooking } from '../../../src/ports/stop-journal.ts';
import { LEDGER_BACKENDS } from '../../support/ledger-scratch.ts';
import { useMigratedLedger } from '../../support/migrated-ledger.ts';
import { rebalanceRun } from '../../support/rebalance-run.ts';

const T0 = Date.UTC(2021, 2, 1, 0, 0, 30);

/** Balances of `matic` MATIC and `usdt` USDT, nothing locked. */
const maticAndUsdt = (matic: string, usdt: string) => [
  { asset: 'MATIC', free: matic, locked: '0' },
  { asset: 'USDT', free: usdt, locked: '0' },
];
/** The MATIC position (MATICUSDT): quantity, cost basis, realized P/L and fees, in USDT. */
const maticPosition = (quantity: string, costBasis: string, realizedPnl: string, feesQuote: string) => ({
  asset: 'MATIC',
  symbol: 'MATICUSDT',
  quantity,
  costBasis,
  realizedPnl,
  feesQuote,
});

describe.each(LEDGER_BACKENDS)('a triggered stop booked in one transaction on $name', (backend) => {
  let ledger: PostgresLedger;
  useMigratedLedger(backend, (l) => {
    ledger = l;
  });

  /** An account whose run 1 saved the state above, placed a stop on MATIC and stored its §10 state. */
  async function accountWithStop(name: string, saveState: boolean) {
    const account = (
      await ledger.ensureAccount({ name, exchangeKind: 'testnet', quoteAsset: 'USDT', initialQuote: '5050' })
    ).id;
    const run = await ledger.startRun(rebalanceRun(account, '2021-03-01', T0));
    const id = await ledger.recordStopOrder(
      {
        runId: run.id,
        accountId: account,
        clientOrderId: `${name}-stop`,
        symbol: 'MATICUSDT',
        side: 'SELL',
        leg: 'stop',
        quantity: '100',
        quoteOrderQty: null,
        decisionPrice: '0.6',
        decidedAt: T0,
      },
      '0.6',
      'stop_loss',
    );
    // Accepted by the exchange (id 7) and resting: nothing executed yet.
    await ledger.completeOrder(
      id,
      { ...unfilledOutcome('NEW', null, null), exchangeOrderId: '7', transactTime: T0 },
      [],
    );
    await ledger.saveRiskStates(
      account,
      [
        {
          symbol: 'MATICUSDT',
          costBasis: '50',
          holding: '100',
          peak: '0.5',
          lastCandleOpenMs: null,
          pending: null,
        },
      ],
      run.id,
      T0,
    );
    if (saveState) {
      await ledger.saveState(run.id, account, {
        balances: maticAndUsdt('100', '5000'),
        positions: [
          {
            ...maticPosition('100', '50', '0', '0'),
            markPrice: '0.5',
            marketValue: '50',
            unrealizedPnl: '0',
          },
        ],
        adjustments: [],
        equity: {
          day: '2021-03-01',
          markedAt: T0,
          priceBasis: 'last',
          cash: '5000',
          positionsValue: '50',
          equity: '5050',
          realizedPnl: '0',
          unrealizedPnl: '0',
          feesQuote: '0',
        },
      });
    }
    const [stop] = await ledger.openStops(account);
    if (!stop) throw new Error('no open stop');
    const booking: TriggeredStopBooking = {
      accountId: account,
      stop,
      outcome: {
        status: 'FILLED',
        exchangeOrderId: '7',
        executedQty: '100',
        cummulativeQuoteQty: '60',
        avgPrice: '0.6',
        slippageBps: 0,
        rejectCode: null,
        rejectReason: null,
        rejectMessage: null,
        transactTime: T0 + 3_600_000,
        latencyMs: null,
      },
      fills: [
        {
          tradeId: '99',
          symbol: 'MATICUSDT',
          side: 'SELL',
          price: '0.6',
          quantity: '100',
          quoteQuantity: '60',
          commission: '0.06',
          commissionAsset: 'USDT',
          commissionQuote: '0.06',
          filledAt: T0 + 3_600_000,
        },
      ],
      exit: {
        at: T0 + 3_600_000,
        symbol: 'MATICUSDT',
        reason: 'stop_loss',
        level: '0.6',
        decisionPrice: '0.6',
        quantity: '100',
        price: '0.6',
        slippageBps: 0,
        clientOrderId: stop.clientOrderId,
      },
      risk: {
        symbol: 'MATICUSDT',
        costBasis: '0',
        holding: '0',
        peak: '0.5',
        lastCandleOpenMs: null,
        pending: null,
      },
      book: { balances: maticAndUsdt('0', '5059.94'), positions: [maticPosition('0', '0', '9.94', '0.06')] },
    };
    return { account, run: run.id, booking };
  }

  it.skipIf(backend.skip)(
    'writes everything once; a second booking of the same stop writes nothing',
    async () => {
      const { account, run, booking } = await accountWithStop('sb-once', true);
      expect(await ledger.bookTriggeredStop(booking)).toBe(true);
      const state = await ledger.loadState(account);
      expect(state.balances).toEqual([{ asset: 'USDT', free: '5059.94', locked: '0' }]);
      expect(state.positions).toEqual([maticPosition('0', '0', '9.94', '0.06')]);
      expect(await ledger.openStops(account)).toEqual([]);
      expect(await ledger.riskStates(account)).toEqual([]);
      const exits = await ledger.intradayExits(account);
      expect(exits.map((e) => [e.symbol, e.reason, e.quantity, e.price])).toEqual([
        ['MATICUSDT', 'stop_loss', '100', '0.6'],
      ]);
      const orders = await ledger.runOrders(run);
      expect(orders.orders.map((o) => [o.status, o.executedQty])).toEqual([['FILLED', '100']]);
      expect(orders.fills).toHaveLength(1);

      expect(await ledger.bookTriggeredStop(booking)).toBe(false);
      expect(await ledger.intradayExits(account)).toHaveLength(1);
      expect((await ledger.runOrders(run)).fills).toHaveLength(1);
      expect((await ledger.loadState(account)).balances).toEqual(state.balances);
    },
  );

  it.skipIf(backend.skip)(
    'a booking that fails writes nothing: the stop stays NEW, the book as it was',
    async () => {
      const { account, booking } = await accountWithStop('sb-fail', true);
      // an exit row the database refuses (NOT NULL symbol) after the order and fills were written
      const bad = { ...booking, exit: { ...booking.exit, symbol: null as unknown as string } };
      await expect(ledger.bookTriggeredStop(bad)).rejects.toThrow();
      expect((await ledger.openStops(account)).map((s) => s.clientOrderId)).toEqual(['sb-fail-stop']);
      expect(await ledger.intradayExits(account)).toEqual([]);
      expect((await ledger.loadState(account)).balances).toEqual(maticAndUsdt('100', '5000'));
      expect((await ledger.riskStates(account)).map((r) => r.holding)).toEqual(['100']);
    },
  );

  it.skipIf(backend.skip)(
    'the run that placed the stop never saved its state: the saved book is left to its crash recovery',
    async () => {
      const { account, booking } = await accountWithStop('sb-unsaved', false);
      expect(await ledger.bookTriggeredStop(booking)).toBe(true);
      // no state saved: the book is the initial quote; the stop's fills wait in the unsettled run
      expect((await ledger.loadState(account)).balances).toEqual([
        { asset: 'USDT', free: '5050', locked: '0' },
      ]);
      const unsettled = await ledger.unsettledOrders(account);
      expect(unsettled.fills.map((f) => [f.symbol, f.side, f.quantity])).toEqual([
        ['MATICUSDT', 'SELL', '100'],
      ]);
    },
  );
});
