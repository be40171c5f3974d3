/**
 * What the rebalance use case runs on (adapters, built by the composition root in `compose/`) and what
 * one call asks for.
 */
import type { Logger } from 'pino';
import type { Balance, SymbolInfo, SymbolRules } from '../../domain/types.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Exchange } from '../../ports/exchange.ts';
import type { Ledger } from '../../ports/ledger.ts';
import type { MarketCaps } from '../../ports/market-caps.ts';
import type { MarketData } from '../../ports/market-data.ts';
import type { RebalanceSettings } from '../settings.ts';

/** What the exchange factory is told about the decision day (used by the simulated exchange). */
export interface ExchangeContext {
  readonly dayMs: number;
  /** The account's balances going into the run (ledger state after token-swap adjustments). */
  readonly balances: readonly Balance[];
  readonly symbols: ReadonlyMap<string, SymbolInfo>;
  rules(symbol: string): SymbolRules;
  /** Unslipped open of D (a real exchange: its last price), or null when the symbol cannot trade. */
  openAt(symbol: string): string | null;
  /** A dry run: the factory must return an exchange that places nothing (the simulated one). */
  readonly dryRun: boolean;
}

/** Adapters the use case runs on (built by the composition root in `jobs/`). */
export interface RebalanceDeps {
  readonly market: MarketData;
  readonly caps: MarketCaps;
  readonly ledger: Ledger;
  /** Builds the exchange for this run (the simulated one in replay). */
  openExchange(ctx: ExchangeContext): Promise<Exchange>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Real exchanges: requests sent and their total documented weight so far (for the run summary). */
  exchangeStats?(): { readonly requests: number; readonly weight: number };
  /**
   * Real exchanges: the exchange's clock (local time + the offset measured from its serverTime), UTC ms;
   * meaningful once market data was read (issue 14.4).
   */
  exchangeNow?(): number;
  /**
   * The composition holds the account's instance lock (issue 9.4) for the whole run: no other process
   * runs this account, so every run of it still `running` is a dead process's and is `abandoned` at once
   * (14.1); without it, only runs silent for RUN_LEASE_MS.
   */
  readonly holdsAccountLock?: boolean;
}

/** Per-call options (CLI flags). */
export interface RebalanceRequest {
  readonly settings: RebalanceSettings;
  /** Decision day D, UTC ms of 00:00 (the CLI parses `--as-of`); default: the latest day of the market data. */
  readonly dayMs?: number;
  /** Plan and simulate, place nothing, write nothing. */
  readonly dryRun: boolean;
  /** Run even when the period was already rebalanced or the next one is not due. */
  readonly force: boolean;
  /** The effective config, stored with the run (must hold no secrets). */
  readonly effectiveConfig: unknown;
}
