/**
 * `momentum-rebalancer metabase --url URL [flags]` (also `npm run metabase -- …`): provisions the
 * ledger's dashboards in a Metabase instance from the specs in deploy/metabase/dashboards/
 * (src/metabase/provision.ts). Secrets come only from environment variables named by flags.
 * Exit codes (src/cli/exit-codes.ts): 0 done or dry run; 1 Metabase refused a request; 2 bad flags;
 * 69 Metabase unreachable, 5xx after retries, or an endpoint missing (another version); 77 credentials
 * refused; 78 configuration (a missing env var, a bad spec, no database to use, same-named objects made
 * by hand in the collection).
 */
import { fileURLToPath } from 'node:url';
import { exitCodeOf, UserInputError } from '../app/errors.ts';
import { redactDsn } from '../config/redact-dsn.ts';
import { loadDashboardSpecs } from '../metabase/dashboard-spec.ts';
import { postgresDetails } from '../metabase/database-details.ts';
import { MetabaseConfigError } from '../metabase/errors.ts';
import { MetabaseClient } from '../metabase/http-client.ts';
import { provisionMetabase } from '../metabase/provision.ts';
import { METABASE_VERSION } from '../metabase/version.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { parseCommandFlags } from './configured-command.ts';
import { EXIT } from './exit-codes.ts';
import { flags } from './flag-options.ts';
import { helpRows } from './flags.ts';

/** Default `--specs`: the dashboard specs shipped with the package. */
export const DEFAULT_SPECS_DIR = fileURLToPath(new URL('deploy/metabase/dashboards/', PACKAGE_ROOT));
const DEFAULT_COLLECTION = 'Momentum rebalancer';
const DEFAULT_DATABASE = 'Momentum rebalancer ledger';

/** The metabase command's help text. */
export const METABASE_USAGE = `Usage: momentum-rebalancer metabase --url URL [flags]
       npm run metabase -- --url http://localhost:3000 --user admin@example.com --password-env MB_PASSWORD

Adds the ledger's Postgres connection, a collection, native-SQL questions on the ledger's views and the
dashboards of --specs to a Metabase ${METABASE_VERSION}.x instance (the pinned version, README "Dashboards
(Metabase)"). Run again, it updates them in place (found by name in the collection, cards replaced) and
never duplicates; same-named objects elsewhere are left alone; nothing is ever deleted. The plan is printed
first. Secrets are read only from the environment variables you name.

Flags:
${helpRows([
  ['--url URL', "Metabase's root URL (required), e.g. http://localhost:3000"],
  ['--user EMAIL', 'log in as this user (with --password-env); also the first admin on setup'],
  ['--password-env VAR', 'environment variable holding the password of --user'],
  ['--api-key-env VAR', 'environment variable holding a Metabase API key (instead of --user)'],
  [
    '--setup-token-env VAR',
    'environment variable holding the setup token: complete setup of a fresh instance',
  ],
  ['--database-url DSN', "the ledger's Postgres (default DATABASE_URL); needed when the connection is new"],
  ['--database-name NAME', `name of Metabase's connection to the ledger (default "${DEFAULT_DATABASE}")`],
  ['--collection NAME', `the collection it owns (default "${DEFAULT_COLLECTION}")`],
  ['--specs DIR', 'directory of dashboard specs *.json (default: deploy/metabase/dashboards of the package)'],
  ['--adopt', 'also update same-named objects in the collection that were made by hand'],
  ['--dry-run', 'print the plan only; change nothing'],
  ['--timeout-ms N', 'per-request timeout (default 15000)'],
  ['-h, --help', 'show this text'],
])}

Exit codes: 0 done (or dry run); 1 Metabase refused a request; 2 bad flags; 69 Metabase unreachable or
an endpoint missing (another Metabase version); 77 credentials refused; 78 configuration error (missing
environment variable, bad spec file, no database connection, same-named objects made by hand).
`;

type Values = Record<string, string | boolean | undefined>;

/**
 * Runs `metabase` with `argv` (the arguments after the command name) and `env`; returns the exit code.
 * The plan and progress go to stdout, errors to stderr. Never throws.
 */
export async function runMetabaseCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const values = parseCommandFlags(
    argv,
    {
      ...flags(
        'string',
        'url',
        'user',
        'password-env',
        'api-key-env',
        'setup-token-env',
        'database-url',
        'database-name',
        'collection',
        'specs',
        'timeout-ms',
      ),
      ...flags('boolean', 'adopt', 'dry-run'),
    },
    METABASE_USAGE,
  );
  if (typeof values === 'number') return values;
  try {
    const url = str(values, 'url');
    if (url === undefined) throw new UserInputError('--url is required (e.g. --url http://localhost:3000)');
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UserInputError(
        `--url ${JSON.stringify(redactDsn(url))}: expected an http:// or https:// URL`,
      );
    if (new URL(url).username !== '' || new URL(url).password !== '')
      throw new UserInputError(
        '--url must not hold credentials (they would be printed in messages): use --user with --password-env, or --api-key-env',
      );
    const user = str(values, 'user');
    const passwordEnv = str(values, 'password-env');
    if ((user === undefined) !== (passwordEnv === undefined))
      throw new UserInputError('--user and --password-env go together');
    const apiKeyEnv = str(values, 'api-key-env');
    const setupTokenEnv = str(values, 'setup-token-env');
    if (user === undefined && apiKeyEnv === undefined)
      throw new UserInputError('pass --user EMAIL --password-env VAR, or --api-key-env VAR');
    const timeout = str(values, 'timeout-ms') ?? '15000';
    if (!/^\d+$/.test(timeout) || Number(timeout) < 100 || Number(timeout) > 600_000)
      throw new UserInputError(
        `--timeout-ms ${JSON.stringify(timeout)}: a whole number of ms from 100 to 600000`,
      );
    const dsnFlag = str(values, 'database-url');
    const dsn = dsnFlag ?? (env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined);
    const specs = await loadDashboardSpecs(str(values, 'specs') ?? DEFAULT_SPECS_DIR);
    const client = new MetabaseClient({ baseUrl: url, timeoutMs: Number(timeout) });
    await provisionMetabase({
      client,
      specs,
      collectionName: str(values, 'collection') ?? DEFAULT_COLLECTION,
      databaseName: str(values, 'database-name') ?? DEFAULT_DATABASE,
      ...(dsn !== undefined
        ? {
            databaseDetails: postgresDetails(
              dsn,
              dsnFlag !== undefined ? '--database-url' : 'env DATABASE_URL',
            ),
          }
        : {}),
      ...(user !== undefined && passwordEnv !== undefined
        ? { login: { email: user, password: secretEnv(env, passwordEnv, '--password-env'), passwordEnv } }
        : {}),
      ...(apiKeyEnv !== undefined
        ? { apiKey: { key: secretEnv(env, apiKeyEnv, '--api-key-env'), envVar: apiKeyEnv } }
        : {}),
      ...(setupTokenEnv !== undefined
        ? { setupToken: secretEnv(env, setupTokenEnv, '--setup-token-env') }
        : {}),
      dryRun: values['dry-run'] === true,
      adopt: values.adopt === true,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    return EXIT.OK;
  } catch (err) {
    const kind =
      err instanceof Error && err.name !== 'Error' && !(err instanceof UserInputError) ? err.name : 'error';
    process.stderr.write(`${kind}: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err);
  }
}

function str(values: Values, flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The value of env var `name`. @throws MetabaseConfigError (78) naming the flag and the variable. */
function secretEnv(env: NodeJS.ProcessEnv, name: string, flag: string): string {
  const v = env[name];
  if (v === undefined || v === '')
    throw new MetabaseConfigError(`${flag} ${name}: environment variable ${name} is not set or empty`);
  return v;
}
