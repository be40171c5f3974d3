-- daily_equity: the last equity snapshot of each account for each UTC day, with total P/L and the
-- accounting identity check (identity_gap must be 0). Money in the account's quote asset.
create or replace view daily_equity as
select distinct on (e.account_id, e.day)
  e.account_id,
  a.name                                                      as account,
  a.quote_asset,
  e.day,
  e.marked_at,
  e.price_basis,
  e.cash,
  e.positions_value,
  e.equity,
  a.initial_quote,
  e.equity - a.initial_quote                                  as total_pnl,
  e.realized_pnl,
  e.unrealized_pnl,
  e.fees_quote,
  (e.equity - a.initial_quote) - (e.realized_pnl + e.unrealized_pnl) as identity_gap,
  e.run_id,
  r.kind                                                      as run_kind
from equity_snapshots e
join accounts a on a.id = e.account_id
join runs r on r.id = e.run_id
order by e.account_id, e.day, e.marked_at desc, e.id desc;

comment on view daily_equity is 'Last equity snapshot per account per UTC day (quote asset). identity_gap = (equity - initial_quote) - (realized + unrealized) and must be 0.';
