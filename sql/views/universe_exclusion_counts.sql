-- universe_exclusion_counts: per run, how many symbols were excluded for each reason (universe_decisions
-- rows with a reason), and the run's totals of symbols considered and selected on every row.
create or replace view universe_exclusion_counts as
select
  u.run_id,
  r.account_id,
  a.name                                                       as account,
  r.period,
  u.reason,
  count(*)                                                     as symbols,
  t.considered,
  t.selected
from universe_decisions u
join runs r on r.id = u.run_id
join accounts a on a.id = r.account_id
join (
  select run_id, count(*) as considered, count(*) filter (where selected) as selected
  from universe_decisions group by run_id
) t on t.run_id = u.run_id
where u.reason is not null
group by u.run_id, r.account_id, a.name, r.period, u.reason, t.considered, t.selected;

comment on view universe_exclusion_counts is 'Per run and exclusion reason: number of symbols excluded for it, with the run''s symbols considered and selected.';
