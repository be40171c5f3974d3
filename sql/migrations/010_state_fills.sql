-- 010_state_fills: which fills the account's current state holds (issue 14: `balances` stale between a
-- failed run and its re-run). A run that fails (or finds a dead run's fills) after fills were booked now
-- saves the current state (`balances`, `positions`) with those fills; crash recovery then books only the
-- fills recorded after `state_fill_id`, and resolves the PENDING orders of every unfinished run whatever
-- `state_run_id` is — so no fill is counted twice and none is missed.

alter table accounts add column state_fill_id bigint;
comment on column accounts.state_fill_id is
  'Last fill (fills.id) of the account held in the current state (balances, positions); fills of unfinished runs after it are booked by crash recovery. null = none.';

-- Before 010 the state held every fill of the runs up to state_run_id (recovery booked those after it).
update accounts a
   set state_fill_id = (select max(f.id) from fills f where f.account_id = a.id and f.run_id <= a.state_run_id)
 where a.state_run_id is not null;
