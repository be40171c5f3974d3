-- 006_intraday: the live intraday pass (issue 10 item 4; strategy-semantics.md §10, §12). A pass is a run
-- of kind 'intraday'. Each held symbol's §10 position state (cost basis, holding, peak), the last candle
-- of [intraday] interval it evaluated and a pending exit live here, so a crashed or skipped pass catches
-- up on the candles it missed. The account's equity peak and previous-day equity feed portfolio risk.

alter table runs drop constraint runs_kind_check;
alter table runs add constraint runs_kind_check check (kind in ('rebalance', 'backtest', 'intraday'));
comment on column runs.kind is 'rebalance (scheduled/manual run), backtest, or intraday (the intraday pass, §12).';

create table position_risk (
  account_id       bigint      not null references accounts (id),
  symbol           text        not null,
  cost_basis       numeric     not null check (cost_basis >= 0),
  holding          numeric     not null check (holding >= 0),
  peak             numeric     check (peak > 0),
  last_candle_open timestamptz,
  pending_reason   text        check (pending_reason in ('signal', 'daily_loss', 'max_drawdown')),
  updated_run_id   bigint      references runs (id),
  updated_at       timestamptz not null,
  primary key (account_id, symbol)
);
comment on table position_risk is 'The §10 position state of each held symbol: cost basis C (quote), holding h (base units), peak P (quote per base); entry = C / h. Written by the rebalance when its fills change the book and by every intraday pass.';
comment on column position_risk.last_candle_open is 'Open time (UTC) of the last candle of [intraday] interval the intraday pass evaluated for this symbol; the next pass evaluates the closed candles after it.';
comment on column position_risk.pending_reason is 'An exit decided at a candle close (signal) or by portfolio risk, to execute at the next bar: signal, daily_loss or max_drawdown; null when none.';

create table intraday_accounts (
  account_id        bigint      primary key references accounts (id),
  equity_peak       numeric     not null check (equity_peak >= 0),
  equity_day        date        not null,
  prev_day_equity   numeric     not null check (prev_day_equity >= 0),
  last_equity       numeric     not null check (last_equity >= 0),
  updated_at        timestamptz not null
);
comment on table intraday_accounts is 'Portfolio risk memory of the intraday pass (§10): the equity peak (max of initial_quote and every pass''s equity), and E(D-1) = the last pass''s equity of the day before equity_day.';

create table intraday_decisions (
  id        bigint generated always as identity primary key,
  run_id    bigint not null references runs (id),
  symbol    text   not null,
  detail    jsonb  not null,
  unique (run_id, symbol)
);
comment on table intraday_decisions is 'Per position and intraday pass: entry, peak, levels, last price, candles evaluated, what fired or why not (JSON, decimals as strings).';

create table intraday_exits (
  id               bigint generated always as identity primary key,
  run_id           bigint      not null references runs (id),
  account_id       bigint      not null references accounts (id),
  at               timestamptz not null,
  symbol           text        not null,
  reason           text        not null check (reason in ('stop_loss', 'trailing_stop', 'take_profit', 'signal', 'daily_loss', 'max_drawdown')),
  level            numeric,
  decision_price   numeric     not null check (decision_price > 0),
  quantity         numeric     not null check (quantity >= 0),
  price            numeric,
  slippage_bps     double precision,
  client_order_id  text        not null
);
create index intraday_exits_account_idx on intraday_exits (account_id, at);
comment on table intraday_exits is 'Every SELL an intraday rule decided: when (the bar that fired, UTC), symbol, reason, the level that fired (null for an exit at an open), the decision price x, the quantity sold and average fill price (null when rejected), slippage of the fill against the level (or x) in bps, positive = worse.';
