-- intraday_exits_by_reason: the intraday pass's exits (issue 10; strategy-semantics.md section 10) per
-- account, UTC day and reason: how many, how much was sold (quote, at the fill price) and the mean slippage
-- of the fills against the level that fired (bps, positive = worse). Exits whose SELL was rejected count
-- in `exits` but not in `filled` or `sold_quote`. Money in the account's quote asset.
create or replace view intraday_exits_by_reason as
select
  x.account_id,
  a.name                                                    as account,
  a.quote_asset,
  (x.at at time zone 'UTC')::date                           as day,
  x.reason,
  count(*)                                                  as exits,
  count(x.price)                                            as filled,
  coalesce(sum(x.quantity * x.price) filter (where x.price is not null), 0) as sold_quote,
  avg(x.slippage_bps)                                       as mean_slippage_bps
from intraday_exits x
join accounts a on a.id = x.account_id
group by x.account_id, a.name, a.quote_asset, (x.at at time zone 'UTC')::date, x.reason;

comment on view intraday_exits_by_reason is 'Intraday exits per account, UTC day and reason (stop_loss, trailing_stop, take_profit, signal, daily_loss, max_drawdown): count, filled, quote sold, mean slippage against the level (bps).';
