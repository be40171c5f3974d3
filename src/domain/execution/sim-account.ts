/**
 * The pure part of the simulated exchange: an in-memory Binance-like spot account (free and locked
 * balances) that fills MARKET orders of every shape with the §7 model (strategy-semantics.md §7,
 * `market-fill.ts`). No I/O, no clock: the adapter `src/adapters/sim/sim-exchange.ts` adds order ids,
 * transaction times and the `Exchange` port; the reference backtest engine uses this directly.
 */
import { type Decimal, type DecimalInput, dec, decStr, floorStep, ZERO } from '../decimal.ts';
import type { Balance, Side, SymbolRules } from '../types.ts';
import {
  fillMarketBuy,
  fillMarketSell,
  fillPrice,
  type ModelFill,
  type ModelOutcome,
} from './market-fill.ts';

/** What the simulated exchange needs to know about the market. */
export interface SimMarket {
  /** Base and quote asset of a symbol, or null for a symbol the market does not list. */
  assets(symbol: string): { base: string; quote: string } | null;
  /** Order-sizing rules (§6). */
  rules(symbol: string): SymbolRules;
  /** Unslipped reference price (open of D), or null when the symbol has no candle at D. */
  referencePrice(symbol: string): DecimalInput | null;
}

/** Options of {@link SimAccount}. */
export interface SimAccountOptions {
  readonly market: SimMarket;
  /** Starting balances (free), decimal strings by asset. */
  readonly balances: readonly Balance[];
  /** Taker fee rate, fraction (0.001 = 0.1 %). */
  readonly feeRate: DecimalInput;
  /** Slippage against us, bps. */
  readonly slippageBps: number;
}

/**
 * A MARKET order in any of the shapes Binance accepts (rest-api.md "New order", type `MARKET`): BUY or
 * SELL, by base `quantity` or by quote `quoteOrderQty` — exactly one of the two.
 */
export interface SimMarketOrder {
  readonly symbol: string;
  readonly side: Side;
  /** Base quantity (BUY: bought, SELL: sold). */
  readonly quantity?: DecimalInput;
  /** Quote amount (BUY: to spend at most, SELL: to receive at most). */
  readonly quoteOrderQty?: DecimalInput;
}

/** Outcome of {@link SimAccount.executeMarketSync}. */
export type SimExecution =
  | {
      readonly ok: true;
      /** The §7 fill (price, quantity, quote quantity, commission and balance deltas). */
      readonly fill: ModelFill;
      readonly baseAsset: string;
      readonly quoteAsset: string;
    }
  | {
      readonly ok: false;
      /** Binance code (-1013 filter, -2010 balance, -1121 symbol, -1102 shape); null for `no_price`. */
      readonly code: number | null;
      /** The model's reason (`zero_quantity`, `min_qty`, `min_notional`, `no_price`, `insufficient_balance`), or `unknown_symbol` / `bad_request`. */
      readonly reason: string;
      readonly message: string;
    };

/**
 * In-memory Binance-like spot account filling MARKET orders with the §7 model.
 * Never throws for business rejections: they come back as `{ ok: false }` with Binance's code.
 */
export class SimAccount {
  private readonly free = new Map<string, Decimal>();
  private readonly locked = new Map<string, Decimal>();

  constructor(protected readonly opts: SimAccountOptions) {
    for (const b of opts.balances) {
      const total = dec(b.free).plus(dec(b.locked));
      if (!total.isZero()) this.free.set(b.asset, total);
    }
  }

  /**
   * Every asset whose free or locked amount is non-zero, sorted by asset;
   * `locked` is "0" unless {@link lock} reserved some.
   */
  balancesSync(): Balance[] {
    return this.allBalancesSync().filter((b) => !(dec(b.free).isZero() && dec(b.locked).isZero()));
  }

  /**
   * Every asset this account has ever held (zero balances included), sorted by asset; decimal strings
   * as {@link balancesSync}. (Binance's `GET /api/v3/account` lists zero balances unless
   * `omitZeroBalances=true`.)
   */
  allBalancesSync(): Balance[] {
    const assets = new Set([...this.free.keys(), ...this.locked.keys()]);
    return [...assets]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((asset) => ({ asset, free: decStr(this.freeOf(asset)), locked: decStr(this.lockedOf(asset)) }));
  }

  /** Free balance of one asset (zero when none). */
  freeOf(asset: string): Decimal {
    return this.free.get(asset) ?? ZERO;
  }

  /** Locked balance of one asset (reserved by resting orders via {@link lock}; zero when none). */
  lockedOf(asset: string): Decimal {
    return this.locked.get(asset) ?? ZERO;
  }

  /**
   * Reserves `amount` (> 0) of `asset` for a resting order: moves it from free to locked. Returns false,
   * and changes nothing, when the free balance is smaller than `amount`.
   */
  lock(asset: string, amount: DecimalInput): boolean {
    const a = dec(amount);
    if (a.isNegative()) throw new Error(`lock of a negative amount: ${a.toFixed()}`);
    if (a.gt(this.freeOf(asset))) return false;
    this.free.set(asset, this.freeOf(asset).minus(a));
    this.locked.set(asset, this.lockedOf(asset).plus(a));
    return true;
  }

  /**
   * Releases `amount` of `asset` reserved by {@link lock} back to free (a canceled order).
   * @throws Error when more than the locked amount would be released (a caller bug).
   */
  unlock(asset: string, amount: DecimalInput): void {
    const a = dec(amount);
    const left = this.lockedOf(asset).minus(a);
    if (left.isNegative() && !left.isZero()) {
      throw new Error(
        `unlock of ${a.toFixed()} ${asset} exceeds the locked ${this.lockedOf(asset).toFixed()}`,
      );
    }
    this.locked.set(asset, left);
    this.free.set(asset, this.freeOf(asset).plus(a));
  }

  /**
   * Fills a MARKET order of any Binance shape with the §7 model (strategy-semantics.md §7,
   * `domain/execution/market-fill.ts`) against the free balances, at the market's reference price:
   * - SELL by `quantity`: `fillMarketSell(quantity)`;
   * - BUY by `quoteOrderQty` Q: `fillMarketBuy(Q)`;
   * - BUY by `quantity` q: `fillMarketBuy(q × p)` with p the BUY fill price (slippage included), which
   *   fills exactly `floor_step(q)` base (Q / p = q exactly) and costs q × p;
   * - SELL by `quoteOrderQty` Q: sells `floor_step(Q / p)` base (p the SELL fill price), the largest
   *   quantity whose proceeds do not exceed Q (rest-api.md: "sell as much … needed to receive
   *   quoteOrderQty"; market_orders_faq.md).
   * With `dryRun`, the outcome is computed but no balance changes. Never throws for business
   * rejections; an unknown symbol is `-1121`, neither or both of quantity/quoteOrderQty `-1102`.
   * No clientOrderId bookkeeping (the adapter `SimExchange.placeSync` adds the rebalancer's idempotent shape).
   */
  executeMarketSync(order: SimMarketOrder, opts: { readonly dryRun?: boolean } = {}): SimExecution {
    const assets = this.opts.market.assets(order.symbol);
    if (!assets) return { ok: false, code: -1121, reason: 'unknown_symbol', message: 'Invalid symbol.' };
    const hasQty = order.quantity !== undefined;
    const hasQuote = order.quoteOrderQty !== undefined;
    if (hasQty === hasQuote) {
      return {
        ok: false,
        code: -1102,
        reason: 'bad_request',
        message: "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
      };
    }
    const rules = this.opts.market.rules(order.symbol);
    const ref = this.opts.market.referencePrice(order.symbol);
    const ctx = {
      rules,
      referencePrice: ref,
      slippageBps: this.opts.slippageBps,
      feeRate: this.opts.feeRate,
      available: this.freeOf(order.side === 'SELL' ? assets.base : assets.quote),
    };
    let model: ModelOutcome;
    if (order.side === 'SELL') {
      const q =
        hasQty || ref === null
          ? (order.quantity ?? '0')
          : floorStep(
              dec(order.quoteOrderQty as DecimalInput).div(fillPrice('SELL', ref, this.opts.slippageBps)),
              rules.stepSize,
            );
      model = fillMarketSell(q, ctx);
    } else {
      const quote =
        hasQuote || ref === null
          ? (order.quoteOrderQty ?? '0')
          : dec(order.quantity as DecimalInput).times(fillPrice('BUY', ref, this.opts.slippageBps));
      model = fillMarketBuy(quote, ctx);
    }
    if (!model.ok) return { ok: false, code: model.code, reason: model.reason, message: model.message };
    if (!opts.dryRun) {
      this.add(assets.base, model.baseDelta);
      this.add(assets.quote, model.quoteDelta);
    }
    return { ok: true, fill: model, baseAsset: assets.base, quoteAsset: assets.quote };
  }

  /**
   * Moves the free balance of `asset` by `delta` (positive credits, negative debits) outside the §7
   * model: the emulator's "pay fees with BNB" refunds the commission taken from the received asset and
   * debits the discounted commission in BNB instead (src/emulator/trading.ts).
   * @throws Error when the free balance would go negative.
   */
  adjustFree(asset: string, delta: DecimalInput): void {
    this.add(asset, dec(delta));
  }

  private add(asset: string, delta: Decimal): void {
    const v = this.freeOf(asset).plus(delta);
    if (v.isNegative() && !v.isZero())
      throw new Error(`balance of ${asset} would go negative: ${v.toFixed()}`);
    this.free.set(asset, v);
  }
}
