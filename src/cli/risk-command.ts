/**
 * `momentum-rebalancer risk status|reset` — the kill switch's operator commands (issue 10 item 5;
 * strategy-semantics.md §10 "Portfolio risk"; README "Kill switch"):
 * - `risk status [--account NAME] [--json]`: state, since, reason and the last events (who, when, figures),
 *   read from the ledger (no exchange call, nothing written);
 * - `risk reset --yes [--account NAME]`: clears a halt or daily-loss stop under the account's instance lock,
 *   recorded with actor `operator <os user>@<host>`; prints the state before and after. Without `--yes`:
 *   exit 2 with the usage, nothing changed.
 * Routing and config loading are main.ts's; flags are parsed there with {@link RISK_OPTIONS}.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { UserInputError } from '../app/errors.ts';
import { RESET_COMMAND } from '../app/rebalance/halt-gate.ts';
import { resetHalt } from '../app/risk/risk-reset.ts';
import { type RiskStatus, riskStatus } from '../app/risk/risk-status.ts';
import { composeRisk } from '../compose/risk.ts';
import { settingsFrom } from '../compose/settings.ts';
import type { LoadedConfig } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { systemClock } from '../ports/clock.ts';
import { EXIT } from './exit-codes.ts';
import { configFlagOptions, configFlagRows, helpRows } from './flags.ts';
import { table } from './table.ts';

/** How many journaled events `risk status` shows. */
export const RISK_EVENTS_SHOWN = 10;

/** The config-key flags the risk commands take (like `status`). */
const RISK_FLAGS = ['account', 'database-url', 'log-level', 'log-format'];
const flagRows = () =>
  configFlagRows(Object.keys(configFlagOptions()).filter((f) => !RISK_FLAGS.includes(f)));
const COMMON: [string, string][] = [
  ['--config FILE', 'config file (INI; default ./user.cfg when present)'],
  ['-h, --help', 'show the flags of this command'],
];

/** `risk` alone / `help risk`. */
export const RISK_USAGE = `Usage: momentum-rebalancer risk status [--account NAME] [--json]
       momentum-rebalancer risk reset --yes [--account NAME]

The kill switch of an account (strategy-semantics.md §10 "Portfolio risk"): the intraday pass sets it
when hourly equity falls by max_daily_loss in a day (daily_loss_stop: no BUY until the next decision
day's rebalance, which lifts it) or by max_drawdown from its peak (halted: no BUY until an operator
resets it). While it is on, a rebalance sells what is left and buys nothing (run status halted, exit 0).

Commands:
${helpRows([
  ['risk status', 'state, since, reason and the last events (who, when, figures); read-only'],
  ['risk reset --yes', 'clear a halt or daily-loss stop, recorded as operator <user>@<host>'],
])}
`;

/** `risk status --help`. */
export const RISK_STATUS_USAGE = `Usage: momentum-rebalancer risk status [flags]

The kill switch of an account, from the ledger (no exchange call, nothing written): running,
daily_loss_stop or halted, since when and why, and the last ${RISK_EVENTS_SHOWN} events with who set or cleared it, when,
and the figures that fired.

Flags:
${helpRows([
  ...COMMON,
  ['--json', 'print one JSON object { account, state, since, reason, buys_allowed, events }'],
  ...flagRows(),
])}
`;

/** `risk reset --help`, and what `risk reset` without `--yes` prints. */
export const RISK_RESET_USAGE = `Usage: momentum-rebalancer risk reset --yes [flags]

Clears the account's kill switch (a max_drawdown halt or a daily-loss stop): the next rebalance may buy
again. Recorded in the ledger with who (operator <OS user>@<host>) and when, even when nothing was on.
Takes the account's instance lock first: while a rebalance or the scheduler daemon holds it, this waits
[database] lock_wait_ms, then exits 75 naming the holder (stop the daemon, reset, start it again).

Flags:
${helpRows([
  ...COMMON,
  ['--yes', 'required: confirms the reset (without it nothing changes, exit 2)'],
  ['--json', 'print one JSON object { account, before, after, actor, at }'],
  ...flagRows(),
])}
`;

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;
const pick = (o: Options, keys: readonly string[]): Options =>
  Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));

/** The flags of `risk`, `risk status` and `risk reset` (main.ts parses them strictly). */
export const RISK_OPTIONS: Readonly<Record<string, Options>> = {
  risk: {},
  'risk status': { json: { type: 'boolean' }, ...pick(configFlagOptions(), RISK_FLAGS) },
  'risk reset': {
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
    ...pick(configFlagOptions(), RISK_FLAGS),
  },
};

/** The usage texts by command, for main.ts's tables. */
export const RISK_USAGES: Readonly<Record<string, string>> = {
  risk: RISK_USAGE,
  'risk status': RISK_STATUS_USAGE,
  'risk reset': RISK_RESET_USAGE,
};

/** `risk status …` → [`risk status`, flags]; `risk` with anything else → [`risk`, the rest] (usage). */
export function riskSubcommand(rest: readonly string[]): [string, string[]] {
  const [sub, ...flags] = rest;
  if (sub === 'status' || sub === 'reset') return [`risk ${sub}`, flags];
  return ['risk', [...rest]];
}

/** Who runs `risk reset`: `operator <OS user>@<host>` (node:os; `USER` when the OS has no user name). */
export function operatorActor(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `operator ${user}@${os.hostname()}`;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

/**
 * Runs `risk`, `risk status` or `risk reset` (after main.ts parsed the flags and loaded the config).
 * @returns the exit code: 0; 2 for `risk` without a subcommand or `risk reset` without `--yes` (nothing
 *   changed). @throws UserInputError (exit 2) for a missing ledger or account; LockHeldError (75);
 *   LedgerConnectionError (69).
 */
export async function runRiskCommand(
  command: string,
  loaded: LoadedConfig,
  logger: Logger,
  values: Values,
): Promise<number> {
  if (command === 'risk') {
    process.stderr.write(`risk: say what to do (status or reset)\n\n${RISK_USAGE}`);
    return EXIT.USAGE;
  }
  if (command === 'risk reset' && values.yes !== true) {
    process.stderr.write(
      `risk reset: --yes is required to clear the kill switch; nothing was changed\n\n${RISK_RESET_USAGE}`,
    );
    return EXIT.USAGE;
  }
  const config = loaded.config;
  assertLedgerExists(config);
  const account = settingsFrom(config).account;
  const opened = await composeRisk(config, logger, { writes: command === 'risk reset' });
  try {
    if (command === 'risk status') {
      const s = await riskStatus(opened.deps, account, RISK_EVENTS_SHOWN, opened.target);
      process.stdout.write(`${values.json ? JSON.stringify(s) : formatRiskStatus(s)}\n`);
      return EXIT.OK;
    }
    const actor = operatorActor();
    const r = await resetHalt({ ...opened.deps, clock: systemClock }, account, actor, opened.target);
    logger.info({ account, before: r.before.state, after: r.after.state, actor }, 'kill switch reset');
    const text = [
      `Kill switch of account "${account}": before ${stateText(r.before)} → after ${stateText(r.after)}`,
      `Recorded: operator_reset by ${r.actor} at ${r.at}.${r.before.state === 'running' ? ' (It was not on: nothing changed but the record.)' : ' The next rebalance may buy again.'}`,
    ].join('\n');
    process.stdout.write(`${values.json ? JSON.stringify(r) : text}\n`);
    return EXIT.OK;
  } finally {
    await opened.close();
  }
}

/** @throws UserInputError when the embedded ledger was never created (nothing recorded yet). */
function assertLedgerExists(config: Config): void {
  if (!config.database.url && !existsSync(path.join(config.database.data_dir, 'PG_VERSION'))) {
    throw new UserInputError(
      `no ledger yet at ${config.database.data_dir}: nothing has been recorded (run "momentum-rebalancer rebalance" first, or set DATABASE_URL)`,
    );
  }
}

/** `running`, or `halted since <ISO> (max_drawdown)`. */
function stateText(s: Pick<RiskStatus, 'state' | 'since' | 'reason'>): string {
  return s.state === 'running' ? 'running' : `${s.state} since ${s.since} (${s.reason})`;
}

/**
 * The one-line state of the kill switch (also the `status` command's line): what it blocks and how it
 * clears.
 */
export function haltStatusLine(s: Pick<RiskStatus, 'account' | 'state' | 'since' | 'reason'>): string {
  if (s.state === 'running') return 'Kill switch: running (buys allowed)';
  const clear = `${RESET_COMMAND} --account ${s.account}`;
  return s.state === 'halted'
    ? `Kill switch: HALTED since ${s.since} (${s.reason}) — rebalances buy nothing and sell what is left until an operator runs: ${clear}`
    : `Kill switch: DAILY-LOSS STOP since ${s.since} (${s.reason}) — no BUY until the next decision day's rebalance lifts it (or: ${clear})`;
}

/** `risk status` as text: the state line and the last events (newest first). */
export function formatRiskStatus(s: RiskStatus): string {
  const out = [`Account ${s.account}`, haltStatusLine(s), ''];
  if (s.events.length === 0) {
    out.push('No kill-switch event recorded for this account.');
    return out.join('\n');
  }
  out.push(`Last ${s.events.length} event(s), newest first:`);
  out.push(
    table(
      ['at (UTC)', 'event', 'change', 'actor', 'run', 'figures'],
      s.events.map((e) => [
        e.at,
        e.event,
        `${e.from} → ${e.to}`,
        e.actor ?? '-',
        e.run_id === null ? '-' : `#${e.run_id}`,
        e.detail === null || e.detail === undefined ? '' : JSON.stringify(e.detail),
      ]),
      '......',
    ),
  );
  return out.join('\n');
}
