/**
 * The simulated exchange (`[exchange] kind = replay`): fills MARKET orders exactly as a Binance MARKET
 * order per strategy-semantics.md §7 (commission in the asset received, LOT_SIZE / NOTIONAL filters,
 * -1013 / -2010 rejections), at a reference price supplied by the caller (the open of the decision day
 * in replay). Balances are in memory; the caller loads them from and saves them to the ledger.
 */
import { type Decimal, type DecimalInput, dec, decStr, ZERO } from '../../domain/decimal.ts';
import { fillMarketBuy, fillMarketSell, type ModelOutcome } from '../../domain/execution/market-fill.ts';
import type { Balance, SymbolRules } from '../../domain/types.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Exchange, MarketOrderRequest, OrderOutcome } from '../../ports/exchange.ts';

/** What the simulated exchange needs to know about the market. */
export interface SimMarket {
  /** Base and quote asset of a symbol, or null for a symbol the market does not list. */
  assets(symbol: string): { base: string; quote: string } | null;
  /** Order-sizing rules (§6). */
  rules(symbol: string): SymbolRules;
  /** Unslipped reference price (open of D), or null when the symbol has no candle at D. */
  referencePrice(symbol: string): DecimalInput | null;
}

/** Options of {@link SimExchange}. */
export interface SimExchangeOptions {
  readonly market: SimMarket;
  /** Starting balances (free), decimal strings by asset. */
  readonly balances: readonly Balance[];
  /** Taker fee rate, fraction (0.001 = 0.1 %). */
  readonly feeRate: DecimalInput;
  /** Slippage against us, bps. */
  readonly slippageBps: number;
  /** Transaction timestamps (UTC ms). */
  readonly clock: Clock;
}

/**
 * In-memory Binance-like spot account with MARKET orders only.
 * Never throws for business rejections: they come back as `REJECTED` outcomes with Binance's code.
 */
export class SimExchange implements Exchange {
  readonly kind = 'replay' as const;
  private readonly free = new Map<string, Decimal>();
  private readonly orders = new Map<string, OrderOutcome>();
  private nextOrderId = 1;
  private nextTradeId = 1;

  constructor(private readonly opts: SimExchangeOptions) {
    for (const b of opts.balances) {
      const total = dec(b.free).plus(dec(b.locked));
      if (!total.isZero()) this.free.set(b.asset, total);
    }
  }

  /** Balances of every asset with a non-zero balance, sorted by asset; all free (no open orders). */
  async balances(): Promise<readonly Balance[]> {
    return this.balancesSync();
  }

  /** Synchronous {@link balances}. */
  balancesSync(): Balance[] {
    return [...this.free.entries()]
      .filter(([, v]) => !v.isZero())
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([asset, v]) => ({ asset, free: decStr(v), locked: '0' }));
  }

  /** Free balance of one asset (zero when none). */
  freeOf(asset: string): Decimal {
    return this.free.get(asset) ?? ZERO;
  }

  /**
   * Fills a MARKET order per §7. SELL needs `quantity`, BUY needs `quoteOrderQty` (the only shapes the
   * rebalancer sends). A clientOrderId seen before is rejected (-2010 `Duplicate order sent.`).
   */
  async placeMarketOrder(req: MarketOrderRequest): Promise<OrderOutcome> {
    return this.placeSync(req);
  }

  /** Synchronous {@link placeMarketOrder}. */
  placeSync(req: MarketOrderRequest): OrderOutcome {
    const reject = (code: number | null, reason: string, message: string): OrderOutcome => ({
      status: 'REJECTED',
      symbol: req.symbol,
      side: req.side,
      clientOrderId: req.clientOrderId,
      code,
      reason,
      message,
    });
    if (this.orders.has(req.clientOrderId)) return reject(-2010, 'duplicate_order', 'Duplicate order sent.');
    const assets = this.opts.market.assets(req.symbol);
    if (!assets) return reject(-1121, 'unknown_symbol', 'Invalid symbol.');
    const ctx = {
      rules: this.opts.market.rules(req.symbol),
      referencePrice: this.opts.market.referencePrice(req.symbol),
      slippageBps: this.opts.slippageBps,
      feeRate: this.opts.feeRate,
      available: this.freeOf(req.side === 'SELL' ? assets.base : assets.quote),
    };
    let model: ModelOutcome;
    if (req.side === 'SELL') {
      if (req.quantity === undefined)
        return reject(-1102, 'bad_request', "Mandatory parameter 'quantity' was not sent.");
      model = fillMarketSell(req.quantity, ctx);
    } else {
      if (req.quoteOrderQty === undefined) {
        return reject(-1102, 'bad_request', "Mandatory parameter 'quoteOrderQty' was not sent.");
      }
      model = fillMarketBuy(req.quoteOrderQty, ctx);
    }
    let outcome: OrderOutcome;
    if (!model.ok) {
      outcome = reject(model.code, model.reason, model.message);
    } else {
      this.add(assets.base, model.baseDelta);
      this.add(assets.quote, model.quoteDelta);
      outcome = {
        status: 'FILLED',
        symbol: req.symbol,
        side: req.side,
        clientOrderId: req.clientOrderId,
        exchangeOrderId: String(this.nextOrderId++),
        executedQty: decStr(model.quantity),
        cummulativeQuoteQty: decStr(model.quoteQuantity),
        transactTime: this.opts.clock.now(),
        fills: [
          {
            tradeId: String(this.nextTradeId++),
            price: decStr(model.price),
            quantity: decStr(model.quantity),
            quoteQuantity: decStr(model.quoteQuantity),
            commission: decStr(model.commission),
            commissionAsset: model.commissionIn === 'base' ? assets.base : assets.quote,
          },
        ],
      };
    }
    this.orders.set(req.clientOrderId, outcome);
    return outcome;
  }

  /** The outcome of an order placed on this instance, by clientOrderId; null when unknown. */
  async queryOrder(_symbol: string, clientOrderId: string): Promise<OrderOutcome | null> {
    return this.orders.get(clientOrderId) ?? null;
  }

  private add(asset: string, delta: Decimal): void {
    const v = this.freeOf(asset).plus(delta);
    if (v.isNegative() && !v.isZero())
      throw new Error(`balance of ${asset} would go negative: ${v.toFixed()}`);
    this.free.set(asset, v);
  }
}
