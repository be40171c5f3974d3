-- 001_ledger: the ledger of the momentum rebalancer.
--
-- Conventions (src/ports/ledger.ts):
--   * money, quantities and prices are `numeric` without precision limit (exact decimals, never floats);
--     prices are in quote asset per base unit, quantities in base units, money in the quote asset;
--   * every instant is `timestamptz` (UTC), every calendar day a `date` (the UTC day);
--   * ids are `bigint generated always as identity`;
--   * floats (`double precision`) only for scores and metrics (ranking score, slippage, age).
-- Applied by src/adapters/postgres/migrate.ts inside one transaction; recorded in schema_migrations.

-- ---- accounts ---------------------------------------------------------------------------------------
create table accounts (
  id             bigint generated always as identity primary key,
  name           text        not null unique,
  exchange_kind  text        not null check (exchange_kind in ('replay', 'testnet', 'live')),
  quote_asset    text        not null check (quote_asset <> ''),
  initial_quote  numeric     not null check (initial_quote >= 0),
  state_run_id   bigint,
  state_saved_at timestamptz,
  created_at     timestamptz not null default now()
);
comment on table accounts is 'Ledger accounts (paper, testnet or live). One account keeps its books in one quote asset.';
comment on column accounts.name is 'Account name as configured ([paper] account / --account); unique.';
comment on column accounts.exchange_kind is 'replay (simulated over recorded candles), testnet or live.';
comment on column accounts.quote_asset is 'Asset the books are kept in, e.g. USDT.';
comment on column accounts.initial_quote is 'Starting paper balance, in the quote asset. equity - initial_quote = realized + unrealized P/L.';
comment on column accounts.state_run_id is 'Run whose saved state (balances, positions) is the current state; null = fresh account.';
comment on column accounts.state_saved_at is 'When the current state was saved (UTC).';
comment on column accounts.created_at is 'When the account was created (UTC).';

-- ---- runs -------------------------------------------------------------------------------------------
create table runs (
  id              bigint generated always as identity primary key,
  account_id      bigint      not null references accounts (id),
  kind            text        not null check (kind in ('rebalance', 'backtest')),
  period          date        not null,
  rebalance_mode  text        not null,
  strategy_mode   text        not null,
  status          text        not null default 'running'
                  check (status in ('running', 'completed', 'failed', 'skipped')),
  dry_run         boolean     not null default false,
  forced          boolean     not null default false,
  config          jsonb,
  decision_time   timestamptz not null,
  started_at      timestamptz not null,
  finished_at     timestamptz,
  duration_ms     bigint,
  timings         jsonb,
  summary         jsonb,
  exit_reason     text,
  constraint runs_finished_when_not_running check ((status = 'running') = (finished_at is null))
);
create index runs_account_kind_period_idx on runs (account_id, kind, period, started_at);
create index runs_completed_idx on runs (account_id, kind, period desc, started_at desc)
  where status = 'completed' and not dry_run;
alter table accounts
  add constraint accounts_state_run_fk foreign key (state_run_id) references runs (id);
comment on table runs is 'One row per rebalance or backtest run (also skipped and failed ones).';
comment on column runs.kind is 'rebalance (scheduled/manual run) or backtest.';
comment on column runs.period is 'Period key: the UTC decision day.';
comment on column runs.rebalance_mode is 'full or delta.';
comment on column runs.strategy_mode is 'momentum or reversal.';
comment on column runs.status is 'running, completed, failed or skipped.';
comment on column runs.dry_run is 'True when nothing was placed nor recorded beyond the run itself.';
comment on column runs.forced is 'True when the run was forced (--force) past the already-rebalanced / not-due checks.';
comment on column runs.config is 'Effective validated configuration of the run (no secrets).';
comment on column runs.decision_time is 'Decision instant (UTC); 00:00 of the period day for replay.';
comment on column runs.started_at is 'Run start (UTC).';
comment on column runs.finished_at is 'Run end (UTC); null while running.';
comment on column runs.duration_ms is 'finished_at - started_at, in milliseconds.';
comment on column runs.timings is 'Phase timings in milliseconds, e.g. {"load":120,"plan":3,"execute":40,"record":30,"total":200}.';
comment on column runs.summary is 'Small JSON summary for dashboards (counts, equity, fees; decimals as strings).';
comment on column runs.exit_reason is 'Why the run ended as it did: ok, already_rebalanced, not_due: ..., or an error message.';

-- ---- universe decisions -----------------------------------------------------------------------------
create table universe_decisions (
  id                bigint generated always as identity primary key,
  run_id            bigint           not null references runs (id),
  symbol            text             not null,
  base_asset        text             not null,
  score             double precision,
  market_cap_usd    numeric,
  age_days          double precision,
  mean_quote_volume numeric,
  rank              integer          check (rank >= 1),
  selected          boolean          not null,
  reason            text,
  unique (run_id, symbol),
  constraint universe_selected_has_rank check (not selected or rank is not null)
);
comment on table universe_decisions is 'Every symbol a run considered: eligibility, score, rank and selection.';
comment on column universe_decisions.symbol is 'Exchange symbol, e.g. BTCUSDT.';
comment on column universe_decisions.base_asset is 'Base asset of the symbol, e.g. BTC.';
comment on column universe_decisions.score is 'Trailing return r(s, D) as a fraction (0.1 = +10%); null where not computable.';
comment on column universe_decisions.market_cap_usd is 'Market capitalisation in USD where known.';
comment on column universe_decisions.age_days is 'Listing age in days of the current segment at D; null where unknown.';
comment on column universe_decisions.mean_quote_volume is 'Mean daily quote volume over the lookback, in the quote asset.';
comment on column universe_decisions.rank is 'Rank among eligible symbols (1 = first); null when excluded.';
comment on column universe_decisions.selected is 'True when in the top N (a target of the run).';
comment on column universe_decisions.reason is 'Exclusion reason (quote, excluded, not_trading, too_young, no_history, illiquid, no_market_cap, small_cap); null when eligible.';

-- ---- orders -----------------------------------------------------------------------------------------
create table orders (
  id                    bigint generated always as identity primary key,
  run_id                bigint      not null references runs (id),
  account_id            bigint      not null references accounts (id),
  client_order_id       text        not null unique,
  exchange_order_id     text,
  symbol                text        not null,
  side                  text        not null check (side in ('BUY', 'SELL')),
  leg                   text        not null,
  quantity              numeric     check (quantity >= 0),
  quote_order_qty       numeric     check (quote_order_qty >= 0),
  decision_price        numeric     not null check (decision_price >= 0),
  decided_at            timestamptz not null,
  status                text        not null default 'PENDING'
                        check (status in ('PENDING', 'NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED',
                                          'PENDING_CANCEL', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH')),
  reject_code           integer,
  reject_reason         text,
  reject_message        text,
  executed_qty          numeric     not null default 0 check (executed_qty >= 0),
  cummulative_quote_qty numeric     not null default 0 check (cummulative_quote_qty >= 0),
  avg_price             numeric     check (avg_price >= 0),
  slippage_bps          double precision,
  latency_ms            bigint,
  transact_time         timestamptz,
  recorded_at           timestamptz not null default now(),
  completed_at          timestamptz,
  constraint orders_sized check (quantity is not null or quote_order_qty is not null)
);
create index orders_run_idx on orders (run_id, id);
create index orders_account_decided_idx on orders (account_id, decided_at);
create index orders_symbol_decided_idx on orders (symbol, decided_at);
comment on table orders is 'Every order, recorded (PENDING) before it is sent and completed with its outcome after.';
comment on column orders.client_order_id is 'Our client order id (newClientOrderId); unique across the ledger.';
comment on column orders.exchange_order_id is 'Exchange order id; null until accepted or when rejected.';
comment on column orders.side is 'BUY or SELL.';
comment on column orders.leg is 'Leg of the rebalance: sell, trim or buy.';
comment on column orders.quantity is 'Requested base quantity (SELL), in base units.';
comment on column orders.quote_order_qty is 'Requested quote amount (BUY), in the quote asset.';
comment on column orders.decision_price is 'Price the plan was sized at, quote per base unit (open of D in replay; last price live).';
comment on column orders.decided_at is 'When the order was decided (UTC).';
comment on column orders.status is 'PENDING (recorded, not yet answered) or the exchange status: NEW, PARTIALLY_FILLED, FILLED, EXPIRED, REJECTED, ...';
comment on column orders.reject_code is 'Binance error code of a rejection (e.g. -2010).';
comment on column orders.reject_reason is 'Our rejection category (e.g. insufficient_balance, min_notional).';
comment on column orders.reject_message is 'Exchange message of the rejection.';
comment on column orders.executed_qty is 'Executed base quantity, in base units.';
comment on column orders.cummulative_quote_qty is 'Executed quote amount (Binance spelling), in the quote asset.';
comment on column orders.avg_price is 'Average fill price, quote per base unit; null when nothing filled.';
comment on column orders.slippage_bps is '(avg fill - decision price) / decision price x 1e4, in basis points, positive = worse for us.';
comment on column orders.latency_ms is 'Decision-to-fill latency in milliseconds.';
comment on column orders.transact_time is 'Exchange transaction time (UTC).';
comment on column orders.recorded_at is 'When the order row was written (UTC, wall clock).';
comment on column orders.completed_at is 'When the outcome was written (UTC, wall clock); null while PENDING.';

-- ---- fills ------------------------------------------------------------------------------------------
create table fills (
  id               bigint generated always as identity primary key,
  order_id         bigint      not null references orders (id),
  run_id           bigint      not null references runs (id),
  account_id       bigint      not null references accounts (id),
  trade_id         text        not null,
  symbol           text        not null,
  side             text        not null check (side in ('BUY', 'SELL')),
  price            numeric     not null check (price >= 0),
  quantity         numeric     not null check (quantity >= 0),
  quote_quantity   numeric     not null check (quote_quantity >= 0),
  commission       numeric     not null check (commission >= 0),
  commission_asset text        not null,
  commission_quote numeric     not null check (commission_quote >= 0),
  filled_at        timestamptz not null,
  unique (order_id, trade_id)
);
create index fills_run_idx on fills (run_id, id);
create index fills_account_filled_idx on fills (account_id, filled_at);
comment on table fills is 'Every fill (trade) of every order.';
comment on column fills.trade_id is 'Exchange trade id.';
comment on column fills.price is 'Fill price, quote per base unit.';
comment on column fills.quantity is 'Filled base quantity, in base units.';
comment on column fills.quote_quantity is 'price x quantity, in the quote asset.';
comment on column fills.commission is 'Commission charged, in commission_asset units.';
comment on column fills.commission_asset is 'Asset the commission was charged in (base asset for BUYs, quote for SELLs on Binance spot).';
comment on column fills.commission_quote is 'Commission valued in the quote asset at the fill price.';
comment on column fills.filled_at is 'Fill time (UTC).';

-- ---- balances ---------------------------------------------------------------------------------------
create table balance_snapshots (
  id          bigint generated always as identity primary key,
  run_id      bigint      not null references runs (id),
  account_id  bigint      not null references accounts (id),
  asset       text        not null,
  free        numeric     not null check (free >= 0),
  locked      numeric     not null check (locked >= 0),
  recorded_at timestamptz not null default now(),
  unique (run_id, asset)
);
create index balance_snapshots_account_idx on balance_snapshots (account_id, run_id);
comment on table balance_snapshots is 'Balances of the account after each run.';
comment on column balance_snapshots.asset is 'Asset, e.g. USDT or BTC.';
comment on column balance_snapshots.free is 'Free balance, in asset units.';
comment on column balance_snapshots.locked is 'Locked balance (open orders), in asset units.';
comment on column balance_snapshots.recorded_at is 'When the snapshot was written (UTC, wall clock).';

create table balances (
  account_id bigint      not null references accounts (id),
  asset      text        not null,
  free       numeric     not null check (free >= 0),
  locked     numeric     not null check (locked >= 0),
  run_id     bigint      not null references runs (id),
  updated_at timestamptz not null default now(),
  primary key (account_id, asset)
);
comment on table balances is 'Current balances of each account (as saved by its latest run).';
comment on column balances.free is 'Free balance, in asset units.';
comment on column balances.locked is 'Locked balance, in asset units.';
comment on column balances.run_id is 'Run that saved this state.';

-- ---- positions --------------------------------------------------------------------------------------
create table position_snapshots (
  id             bigint generated always as identity primary key,
  run_id         bigint      not null references runs (id),
  account_id     bigint      not null references accounts (id),
  asset          text        not null,
  symbol         text        not null,
  quantity       numeric     not null check (quantity >= 0),
  cost_basis     numeric     not null,
  mark_price     numeric     not null check (mark_price >= 0),
  market_value   numeric     not null,
  unrealized_pnl numeric     not null,
  realized_pnl   numeric     not null,
  fees_quote     numeric     not null check (fees_quote >= 0),
  recorded_at    timestamptz not null default now(),
  unique (run_id, asset)
);
create index position_snapshots_account_asset_idx on position_snapshots (account_id, asset, id);
comment on table position_snapshots is 'Every position (incl. closed ones, quantity 0) with its average-cost P/L after each run.';
comment on column position_snapshots.asset is 'Base asset, e.g. BTC.';
comment on column position_snapshots.symbol is 'Symbol it trades under, e.g. BTCUSDT.';
comment on column position_snapshots.quantity is 'Units held, in base units.';
comment on column position_snapshots.cost_basis is 'Quote spent on the units still held (average cost x quantity), in the quote asset.';
comment on column position_snapshots.mark_price is 'Price used to mark the position, quote per base unit.';
comment on column position_snapshots.market_value is 'quantity x mark_price, in the quote asset.';
comment on column position_snapshots.unrealized_pnl is 'market_value - cost_basis, in the quote asset.';
comment on column position_snapshots.realized_pnl is 'Cumulative realized P/L of the asset net of sell commissions, in the quote asset.';
comment on column position_snapshots.fees_quote is 'Cumulative commissions on the asset''s trades, valued in the quote asset.';

create table positions (
  account_id   bigint      not null references accounts (id),
  asset        text        not null,
  symbol       text        not null,
  quantity     numeric     not null check (quantity >= 0),
  cost_basis   numeric     not null,
  realized_pnl numeric     not null,
  fees_quote   numeric     not null check (fees_quote >= 0),
  run_id       bigint      not null references runs (id),
  updated_at   timestamptz not null default now(),
  primary key (account_id, asset)
);
comment on table positions is 'Current positions of each account (every asset ever held; closed ones have quantity 0 and keep their realized P/L).';
comment on column positions.quantity is 'Units held, in base units.';
comment on column positions.cost_basis is 'Quote spent on the units still held, in the quote asset.';
comment on column positions.realized_pnl is 'Cumulative realized P/L, in the quote asset.';
comment on column positions.fees_quote is 'Cumulative commissions valued in the quote asset.';
comment on column positions.run_id is 'Run that saved this state.';

create table holding_adjustments (
  id              bigint generated always as identity primary key,
  run_id          bigint      not null references runs (id),
  account_id      bigint      not null references accounts (id),
  asset           text        not null,
  symbol          text        not null,
  kind            text        not null,
  quantity_before numeric     not null,
  quantity_after  numeric     not null,
  ratio           numeric     not null,
  note            text        not null default '',
  recorded_at     timestamptz not null default now()
);
create index holding_adjustments_account_idx on holding_adjustments (account_id, id);
comment on table holding_adjustments is 'Value-preserving conversions of holdings (token swaps / redenominations, strategy-semantics.md section 2).';
comment on column holding_adjustments.kind is 'e.g. segment_split.';
comment on column holding_adjustments.quantity_before is 'Units held before the conversion, in old base units.';
comment on column holding_adjustments.quantity_after is 'Units held after the conversion, in new base units.';
comment on column holding_adjustments.ratio is 'close_before / open_after (dimensionless).';

-- ---- equity -----------------------------------------------------------------------------------------
create table equity_snapshots (
  id              bigint generated always as identity primary key,
  run_id          bigint      not null unique references runs (id),
  account_id      bigint      not null references accounts (id),
  day             date        not null,
  marked_at       timestamptz not null,
  price_basis     text        not null check (price_basis in ('open', 'close', 'last')),
  cash            numeric     not null,
  positions_value numeric     not null,
  equity          numeric     not null,
  realized_pnl    numeric     not null,
  unrealized_pnl  numeric     not null,
  fees_quote      numeric     not null check (fees_quote >= 0),
  recorded_at     timestamptz not null default now(),
  constraint equity_is_cash_plus_positions check (equity = cash + positions_value)
);
create index equity_snapshots_account_day_idx on equity_snapshots (account_id, day, marked_at);
comment on table equity_snapshots is 'Equity of the account after each run. equity - accounts.initial_quote = realized_pnl + unrealized_pnl.';
comment on column equity_snapshots.day is 'UTC day the equity is for.';
comment on column equity_snapshots.marked_at is 'When the marks were taken (UTC).';
comment on column equity_snapshots.price_basis is 'open (marked at the open of the day after fills), close, or last.';
comment on column equity_snapshots.cash is 'Quote asset balance, in the quote asset.';
comment on column equity_snapshots.positions_value is 'Sum of the market values of the positions, in the quote asset.';
comment on column equity_snapshots.equity is 'cash + positions_value, in the quote asset.';
comment on column equity_snapshots.realized_pnl is 'Sum of the realized P/L of every asset ever held, in the quote asset.';
comment on column equity_snapshots.unrealized_pnl is 'Sum of the unrealized P/L of open positions, in the quote asset.';
comment on column equity_snapshots.fees_quote is 'Cumulative commissions valued in the quote asset.';
