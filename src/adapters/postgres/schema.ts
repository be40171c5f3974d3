/**
 * Kysely table types of the ledger database (sql/migrations/001_ledger.sql), as the adapter's drivers
 * return them: both the `pg` pool and PGlite are configured (connect.ts) so that `bigint` and
 * `numeric` come back as strings, `date` as a `YYYY-MM-DD` string, `timestamptz` as a `Date` and
 * `jsonb` as parsed JSON. Values are written as strings (decimals, ids), `Date`s (instants) and JSON
 * text (jsonb), so no ledger value ever passes through a JS float.
 */
import type { ColumnType, GeneratedAlways } from 'kysely';

/** A `bigint` identity column: read as a decimal string, never written. */
type Id = GeneratedAlways<string>;
/** A `bigint` foreign key: read and written as a decimal string. */
type Ref = string;
/** A `numeric` column: an exact decimal string both ways. */
type Num = string;
/** A `timestamptz` column: read as `Date`, written as `Date`. */
type Ts = ColumnType<Date, Date, Date>;
/** A `timestamptz` column with a default (`now()`). */
type TsDefault = ColumnType<Date, Date | undefined, Date>;
/** A nullable column an insert may leave out (null then): read and written as `T | null`. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A `jsonb` column: read as parsed JSON, written as JSON text. */
type Json = ColumnType<unknown, string | null, string | null>;

/** `accounts`. */
export interface AccountsTable {
  id: Id;
  name: string;
  exchange_kind: string;
  quote_asset: string;
  initial_quote: Num;
  /** Migration 004: `replay` or `<kind> <base URL>`; null for a testnet/live account not yet adopted. */
  venue: Optional<string>;
  state_run_id: Optional<Ref>;
  state_saved_at: Optional<Date>;
  /** Migration 010: the last fill (fills.id) held in the current state; null = none. */
  state_fill_id: Optional<Ref>;
  created_at: TsDefault;
}

/** `runs`. */
export interface RunsTable {
  id: Id;
  account_id: Ref;
  kind: string;
  period: string;
  rebalance_mode: string;
  strategy_mode: string;
  status: ColumnType<string, string | undefined, string>;
  dry_run: boolean;
  forced: boolean;
  config: Json;
  decision_time: Ts;
  started_at: Ts;
  finished_at: Optional<Date>;
  duration_ms: Optional<string>;
  timings: Json;
  summary: Json;
  exit_reason: Optional<string>;
  /** Migration 004: the failed/abandoned run of the same period this run resumes. */
  continues_run_id: Optional<Ref>;
  /** Migration 004: last sign of life of a running run. */
  heartbeat_at: Optional<Date>;
}

/** `universe_decisions`. */
export interface UniverseDecisionsTable {
  id: Id;
  run_id: Ref;
  symbol: string;
  base_asset: string;
  score: number | null;
  market_cap_usd: Num | null;
  age_days: number | null;
  mean_quote_volume: Num | null;
  rank: number | null;
  selected: boolean;
  reason: string | null;
}

/** `orders`. */
export interface OrdersTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  client_order_id: string;
  exchange_order_id: string | null;
  symbol: string;
  side: string;
  leg: string;
  quantity: Num | null;
  quote_order_qty: Num | null;
  decision_price: Num;
  decided_at: Ts;
  status: ColumnType<string, string | undefined, string>;
  reject_code: number | null;
  reject_reason: string | null;
  reject_message: string | null;
  executed_qty: ColumnType<Num, Num | undefined, Num>;
  cummulative_quote_qty: ColumnType<Num, Num | undefined, Num>;
  avg_price: Num | null;
  slippage_bps: number | null;
  latency_ms: ColumnType<string | null, number | null | undefined, number | null>;
  transact_time: Optional<Date>;
  recorded_at: TsDefault;
  completed_at: Optional<Date>;
}

/** `fills`. */
export interface FillsTable {
  id: Id;
  order_id: Ref;
  run_id: Ref;
  account_id: Ref;
  trade_id: string;
  symbol: string;
  side: string;
  price: Num;
  quantity: Num;
  quote_quantity: Num;
  commission: Num;
  commission_asset: string;
  commission_quote: Num;
  filled_at: Ts;
}

/** `balance_snapshots`. */
export interface BalanceSnapshotsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  asset: string;
  free: Num;
  locked: Num;
  recorded_at: TsDefault;
}

/** `balances` (current state). */
export interface BalancesTable {
  account_id: Ref;
  asset: string;
  free: Num;
  locked: Num;
  run_id: Ref;
  updated_at: TsDefault;
}

/** `position_snapshots`. */
export interface PositionSnapshotsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  asset: string;
  symbol: string;
  quantity: Num;
  cost_basis: Num;
  mark_price: Num;
  market_value: Num;
  unrealized_pnl: Num;
  realized_pnl: Num;
  fees_quote: Num;
  recorded_at: TsDefault;
}

/** `positions` (current state). */
export interface PositionsTable {
  account_id: Ref;
  asset: string;
  symbol: string;
  quantity: Num;
  cost_basis: Num;
  realized_pnl: Num;
  fees_quote: Num;
  run_id: Ref;
  updated_at: TsDefault;
}

/** `holding_adjustments`. */
export interface HoldingAdjustmentsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  asset: string;
  symbol: string;
  kind: string;
  quantity_before: Num;
  quantity_after: Num;
  ratio: Num;
  note: string;
  recorded_at: TsDefault;
}

/** `equity_snapshots`. */
export interface EquitySnapshotsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  day: string;
  marked_at: Ts;
  price_basis: string;
  cash: Num;
  positions_value: Num;
  equity: Num;
  realized_pnl: Num;
  unrealized_pnl: Num;
  fees_quote: Num;
  recorded_at: TsDefault;
}

/** `schema_migrations`: one row per applied migration file (`version` = file name without `.sql`). */
export interface SchemaMigrationsTable {
  version: string;
  applied_at: TsDefault;
}

/** The ledger database as kysely sees it. */
/** `kline_cache` (002). */
export interface KlineCacheTable {
  source: string;
  symbol: string;
  interval: string;
  open_time: Ts;
  open: Num;
  high: Num;
  low: Num;
  close: Num;
  volume: Num;
  quote_volume: Num | null;
  /** `bigint`, read as a decimal string. */
  trades: string | null;
  fetched_at: TsDefault;
}

/** `symbol_listings` (002). */
export interface SymbolListingsTable {
  source: string;
  symbol: string;
  first_open_time: Date | null;
  listed_before: Date | null;
  checked_at: TsDefault;
}

/** `exchange_balance_snapshots` (002). */
export interface ExchangeBalanceSnapshotsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  phase: string;
  asset: string;
  free: Num;
  locked: Num;
  recorded_at: TsDefault;
}

/** `reconciliations` (002). */
export interface ReconciliationsTable {
  id: Id;
  run_id: Ref;
  account_id: Ref;
  phase: string;
  asset: string;
  expected: Num;
  actual: Num;
  difference: Num;
  note: string;
  recorded_at: TsDefault;
}

export interface Database {
  kline_cache: KlineCacheTable;
  symbol_listings: SymbolListingsTable;
  exchange_balance_snapshots: ExchangeBalanceSnapshotsTable;
  reconciliations: ReconciliationsTable;
  accounts: AccountsTable;
  runs: RunsTable;
  universe_decisions: UniverseDecisionsTable;
  orders: OrdersTable;
  fills: FillsTable;
  balance_snapshots: BalanceSnapshotsTable;
  balances: BalancesTable;
  position_snapshots: PositionSnapshotsTable;
  positions: PositionsTable;
  holding_adjustments: HoldingAdjustmentsTable;
  equity_snapshots: EquitySnapshotsTable;
  schema_migrations: SchemaMigrationsTable;
}

/** `backtest_equity` (003): the daily equity curve of a recorded backtest. */
export interface BacktestEquityTable {
  run_id: Ref;
  day: string;
  equity: Num;
  benchmark_btc: Num | null;
  benchmark_equal_weight: Num | null;
}

export interface Database {
  backtest_equity: BacktestEquityTable;
}

/** `risk_halts` (005): the kill switch of each account; no row = running. */
export interface RiskHaltsTable {
  account_id: Ref;
  status: string;
  since: ColumnType<Date | null, Date | null, Date | null>;
  reason: string | null;
  updated_at: Ts;
}

/** `risk_halt_events` (005): the journal of the kill switch. */
export interface RiskHaltEventsTable {
  id: Id;
  account_id: Ref;
  at: Ts;
  event: string;
  from_status: string;
  to_status: string;
  actor: string | null;
  run_id: Optional<Ref>;
  detail: Json;
}

export interface Database {
  risk_halts: RiskHaltsTable;
  risk_halt_events: RiskHaltEventsTable;
}
