-- 009_exchange_stops: exchange-side stops (issue 10 item 7, `[intraday] stop_on_exchange = true`). A
-- STOP_LOSS SELL kept on the exchange after a rebalance is an order of leg `stop` with its trigger price
-- and the §10 reason of its level. Existing rows are MARKET orders (order_type default 'MARKET').

alter table orders add column order_type text not null default 'MARKET'
  check (order_type in ('MARKET', 'STOP_LOSS'));
alter table orders add column stop_price numeric check (stop_price > 0);
alter table orders add column stop_reason text check (stop_reason in ('stop_loss', 'trailing_stop'));
alter table orders add constraint orders_stop_priced
  check ((order_type = 'STOP_LOSS') = (stop_price is not null));
create index orders_open_stops_idx on orders (account_id) where order_type = 'STOP_LOSS' and status = 'NEW';
comment on column orders.order_type is 'MARKET (the rebalance and intraday orders) or STOP_LOSS (an exchange-side stop, leg stop).';
comment on column orders.stop_price is 'STOP_LOSS trigger price (quote per base, floored to tickSize); null for MARKET orders.';
comment on column orders.stop_reason is 'The §10 reason of the stop level (stop_loss or trailing_stop); null for MARKET orders.';
comment on column orders.leg is 'Leg of the order: sell, trim or buy (rebalance), exit (intraday), stop (an exchange-side STOP_LOSS).';
