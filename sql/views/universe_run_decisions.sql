-- universe_run_decisions: every symbol each run considered (table universe_decisions, which this view
-- cannot be named after) with the run's account and decision day: rank, score, selection and exclusion
-- reason. Scores are floats (trailing return as a fraction); volumes and caps numeric.
create or replace view universe_run_decisions as
select
  u.run_id,
  r.account_id,
  a.name                                                       as account,
  r.kind                                                       as run_kind,
  r.period,
  r.decision_time,
  r.strategy_mode,
  u.symbol,
  u.base_asset,
  u.rank,
  u.score,
  u.selected,
  u.reason                                                     as exclusion_reason,
  u.reason is null                                             as eligible,
  u.market_cap_usd,
  u.age_days,
  u.mean_quote_volume
from universe_decisions u
join runs r on r.id = u.run_id
join accounts a on a.id = r.account_id;

comment on view universe_run_decisions is 'Per run and symbol considered: rank among eligible symbols, score (trailing return, fraction), selected (in the top N), exclusion_reason (null when eligible), market cap (USD), listing age (days) and mean daily quote volume.';
