/**
 * The frame every config-reading command runs in (`rebalance`, `schedule`, `status`, `history`,
 * `db:migrate`, `download-data`): flag parsing with `--config` and `-h`/`--help`, the config loaded with
 * the flag overrides, the logger it configures, and one stderr line plus an exit code for any error.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { exitCodeOf, UserInputError } from '../app/errors.ts';
import { type LoadedConfig, loadConfig } from '../config/loader.ts';
import { EXIT } from './exit-codes.ts';
import { configOverrides } from './flags.ts';
import { createLogger } from './logger.ts';

/** Parsed flag values (parseArgs output). */
export type Values = Record<string, string | boolean | undefined>;
/** parseArgs options of a command. */
export type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * Parses a command's `argv` against `options` plus `-h`/`--help` (no positionals, unknown flags
 * refused). Returns the flag values, or the exit code when there is nothing to run: on a parse error it
 * prints the error and `usage` to stderr (EXIT.USAGE), on `--help` it prints `usage` to stdout (EXIT.OK).
 */
export function parseCommandFlags(argv: readonly string[], options: Options, usage: string): Values | number {
  let values: Values;
  try {
    values = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }).values as Values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return EXIT.USAGE;
  }
  if (values.help) {
    process.stdout.write(usage);
    return EXIT.OK;
  }
  return values;
}

/**
 * Runs a command: parses `argv` against `options` (plus `--config` and `-h`/`--help`); on a parse error
 * prints it and `usage` to stderr (exit 64), on `--help` prints `usage` (exit 0); else loads the config
 * (`--config`, the environment, the config-key flags among `values`), creates its logger and returns what
 * `body` returns. An error thrown by the config loader or `body` is logged when unexpected (exit 1) and
 * printed as one `error: …` (or `<ErrorName>: …`) line; its exit code is `exitCodeOf(err)`
 * (src/cli/exit-codes.ts). Never throws.
 */
export async function runConfiguredCommand(
  argv: readonly string[],
  options: Options,
  usage: string,
  body: (values: Values, loaded: LoadedConfig, logger: Logger) => Promise<number>,
): Promise<number> {
  const values = parseCommandFlags(argv, { ...options, config: { type: 'string' } }, usage);
  if (typeof values === 'number') return values;
  let logger = createLogger('info', 'auto');
  try {
    const overrides = configOverrides(values, (m) => process.stderr.write(`${m}\n`));
    const loaded = loadConfig({
      ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
      cwd: process.cwd(),
      env: process.env,
      overrides,
    });
    logger = createLogger(loaded.config.log.level, loaded.config.log.format);
    return await body(values, loaded, logger);
  } catch (err) {
    const code = exitCodeOf(err);
    const msg = err instanceof Error ? err.message : String(err);
    const kind = err instanceof Error ? err.name : 'Error';
    if (code === EXIT.FAILURE) logger.error({ err }, msg);
    process.stderr.write(`${kind === 'Error' || err instanceof UserInputError ? 'error' : kind}: ${msg}\n`);
    return code;
  }
}
