-- holdings_daily: what each account held at the end of each UTC day (the positions of the day's last
-- run, as daily_equity picks it) and the quote cash, with each holding's value and weight in the equity.
-- The quote asset itself is one row (quantity = value = cash, mark_price 1). Money in the quote asset.
create or replace view holdings_daily as
select
  d.account_id,
  d.account,
  d.quote_asset,
  d.day,
  p.asset,
  p.symbol,
  p.quantity,
  p.mark_price,
  p.market_value                                               as value_quote,
  case when d.equity <> 0 then p.market_value / d.equity end   as weight,
  d.equity,
  d.run_id
from daily_equity d
join position_snapshots p on p.run_id = d.run_id and p.quantity > 0
union all
select
  d.account_id,
  d.account,
  d.quote_asset,
  d.day,
  d.quote_asset                                                as asset,
  null                                                         as symbol,
  d.cash                                                       as quantity,
  1::numeric                                                   as mark_price,
  d.cash                                                       as value_quote,
  case when d.equity <> 0 then d.cash / d.equity end           as weight,
  d.equity,
  d.run_id
from daily_equity d;

comment on view holdings_daily is 'Per account, UTC day and asset held at the end of the day (positions of the day''s last run, quantity > 0, plus the quote cash as one row): quantity, mark, value in the quote asset and weight = value / equity (weights of a day sum to 1).';
