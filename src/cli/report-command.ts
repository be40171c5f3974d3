/**
 * `momentum-rebalancer report [--account NAME] --out FILE.html` (issue 12 item 4): the live account's
 * self-contained HTML report from the ledger (no exchange call, nothing written to the ledger). The file
 * is written atomically (temp file + rename): an interrupted run leaves no half-written report.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { UserInputError } from '../app/errors.ts';
import { composeBookReader } from '../compose/read-only.ts';
import { settingsFrom } from '../compose/settings.ts';
import type { LoadedConfig } from '../config/loader.ts';
import { renderAccountReport } from '../report/account-report.ts';
import { EXIT } from './exit-codes.ts';

/**
 * Writes the report of the configured account (`--account` / `[paper] account`) to `--out`.
 * @returns exit code 0; prints the file's path and size on stdout.
 * @throws UserInputError (exit 2) without `--out`, when the ledger or the account does not exist, or
 *   when the output directory does not exist; LockHeldError (75); LedgerConnectionError (69).
 */
export async function runReportCommand(
  loaded: LoadedConfig,
  logger: Logger,
  values: Readonly<Record<string, string | boolean | undefined>>,
): Promise<number> {
  const config = loaded.config;
  const out = values.out;
  if (typeof out !== 'string' || out === '')
    throw new UserInputError('report: --out FILE.html is required (where to write the report)');
  const file = path.resolve(out);
  if (!existsSync(path.dirname(file)))
    throw new UserInputError(`report: --out ${out}: the directory ${path.dirname(file)} does not exist`);
  const account = settingsFrom(config).account;
  if (!config.database.url && !existsSync(path.join(config.database.data_dir, 'PG_VERSION'))) {
    throw new UserInputError(
      `no ledger yet at ${config.database.data_dir}: nothing has been recorded (run "momentum-rebalancer rebalance" first, or set DATABASE_URL)`,
    );
  }
  const opened = await composeBookReader(config, logger, 'report');
  try {
    const data = await opened.reportReader.accountReport(account);
    if (data === null) {
      const known = await opened.reader.accounts();
      throw new UserInputError(
        `no account "${account}" in the ledger (${opened.target}); accounts: ${known.length === 0 ? '(none)' : known.join(', ')} — choose one with --account`,
      );
    }
    const html = renderAccountReport(data, Date.now());
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, html);
    renameSync(tmp, file);
    process.stdout.write(
      `report of account "${account}" written to ${file} (${(html.length / 1024).toFixed(0)} KiB; ${data.days.length} day(s), ${data.orders.length} order(s))\n`,
    );
    return EXIT.OK;
  } finally {
    await opened.close();
  }
}
