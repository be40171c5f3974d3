-- 005_risk_halt: the kill switch, persisted per account (issue 10 item 5; strategy-semantics.md §10
-- "Portfolio risk"). One row per account holds the current state of the halt state machine
-- (src/domain/risk/halt.ts); every change, and every operator reset, is journaled with who and when.

create table risk_halts (
  account_id   bigint      primary key references accounts (id),
  status       text        not null check (status in ('running', 'daily_loss_stop', 'halted')),
  since        timestamptz,
  reason       text,
  updated_at   timestamptz not null
);
comment on table risk_halts is 'The kill switch of each account: running (buys allowed), daily_loss_stop (no BUY until the next decision day''s rebalance lifts it) or halted (max drawdown: no BUY until an operator resets it). No row = running.';
comment on column risk_halts.since is 'When the stop or halt was set (UTC); null while running.';
comment on column risk_halts.reason is 'daily_loss or max_drawdown; null while running.';

create table risk_halt_events (
  id           bigint      generated always as identity primary key,
  account_id   bigint      not null references accounts (id),
  at           timestamptz not null,
  event        text        not null check (event in ('risk', 'rebalance', 'operator_reset')),
  from_status  text        not null,
  to_status    text        not null,
  actor        text,
  run_id       bigint      references runs (id),
  detail       jsonb
);
create index risk_halt_events_account_idx on risk_halt_events (account_id, at desc, id desc);
comment on table risk_halt_events is 'Journal of the kill switch: every state change and every operator reset (risk reset --yes) with who (actor) and when (at, UTC). detail holds the figures that fired (daily loss, drawdown).';
comment on column risk_halt_events.actor is 'Who caused it: the intraday pass, the rebalance, or the operator (OS user name and host) of risk reset.';
