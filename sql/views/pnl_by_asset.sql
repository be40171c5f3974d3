-- pnl_by_asset: the latest position snapshot of each account and asset (closed positions included,
-- quantity 0), with total P/L. Money in the account's quote asset.
create or replace view pnl_by_asset as
select distinct on (p.account_id, p.asset)
  p.account_id,
  a.name                                       as account,
  a.quote_asset,
  p.asset,
  p.symbol,
  p.quantity,
  p.cost_basis,
  case when p.quantity > 0 then p.cost_basis / p.quantity end as avg_cost,
  p.mark_price,
  p.market_value,
  p.unrealized_pnl,
  p.realized_pnl,
  p.realized_pnl + p.unrealized_pnl            as total_pnl,
  p.fees_quote,
  r.period,
  p.run_id
from position_snapshots p
join accounts a on a.id = p.account_id
join runs r on r.id = p.run_id
order by p.account_id, p.asset, p.id desc;

comment on view pnl_by_asset is 'Latest position snapshot per account and asset (quote asset): quantity, average cost, mark, realized/unrealized/total P/L, fees.';
