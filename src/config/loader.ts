/**
 * Loads the configuration: built-in defaults < `user.cfg` (INI) < environment variables < CLI flags,
 * validated with {@link configSchema} and deeply frozen. All problems are collected and thrown together
 * as one {@link ConfigError} (exit 78).
 *
 * Environment variables: `REBALANCER_<SECTION>_<KEY>` for every key (e.g. `REBALANCER_STRATEGY_TOP_N=5`),
 * plus `DATABASE_URL` (= `[database] url`) and `LOG_LEVEL` (= `[log] level`); when both the generic and the
 * `REBALANCER_` variable are set, the `REBALANCER_` one wins, and an empty `DATABASE_URL` / `LOG_LEVEL`
 * counts as unset (an empty `REBALANCER_*` variable sets the key to the empty string). Any other
 * `REBALANCER_*` variable is an error. Exchange credentials are never config keys: they are read only
 * from `BINANCE_API_KEY`, `BINANCE_API_SECRET`, `BINANCE_PRIVATE_KEY_PATH` ({@link LoadedConfig.credentials}),
 * and the Telegram bot token only from `TELEGRAM_TOKEN` ({@link LoadedConfig.notifySecrets}; a
 * `[notify] telegram_chat_id` without it, or the token without a chat id, is a config error).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { readIni } from './ini-file.ts';
import { isKeyValueDsn, redactDsn } from './redact-dsn.ts';
import { riskConfigProblems } from './risk-config.ts';
import {
  CONFIG_KEYS,
  type Config,
  checkValue,
  configSchema,
  defaultRawConfig,
  isKey,
  isSection,
  KEY_DOCS,
  type KeyDoc,
  type KeySpec,
  keysOf,
  type RawConfig,
  SECTION_NAMES,
  type SectionName,
} from './schema.ts';

export { ConfigError, type ConfigProblem } from './errors.ts';
export type { Config, SectionName } from './schema.ts';

/**
 * Values that override everything else (the CLI layer fills it from flags, see {@link FLAG_KEYS}):
 * `{ [section]: { [key]: value } }` with INI spellings and string values as they would be written in
 * `user.cfg`, e.g. `{ strategy: { top_n: '5' }, data: { dir: './mydata' } }`. `undefined` values are ignored.
 */
export type Overrides = { [S in SectionName]?: Record<string, string | undefined> };

/**
 * CLI flag name (without the leading `--`) → `[section, key]` it sets, derived from the `flag` of each key
 * in {@link CONFIG_KEYS}. Relative paths given by flag (`--data`) are resolved against the working
 * directory.
 */
export const FLAG_KEYS: Readonly<Record<string, readonly [SectionName, string]>> = Object.freeze(
  Object.fromEntries(
    tableEntries()
      .filter(([, , k]) => k.flag !== undefined)
      .map(([section, key, k]) => [k.flag as string, Object.freeze([section, key] as const)]),
  ),
);

/** Prefix of the per-key environment variables. */
export const ENV_PREFIX = 'REBALANCER_';

/**
 * Generic environment variables that also set a key (lower precedence than the `REBALANCER_` one),
 * derived from the `env` of each key in {@link CONFIG_KEYS}: `DATABASE_URL`, `LOG_LEVEL`.
 */
export const ENV_ALIASES: Readonly<Record<string, readonly [SectionName, string]>> = Object.freeze(
  Object.fromEntries(
    tableEntries().flatMap(([section, key, k]) =>
      (k.env ?? []).map((name) => [name, Object.freeze([section, key] as const)]),
    ),
  ),
);

/** Every key of the table as `[section, key, spec]`, in table order. */
function tableEntries(): [SectionName, string, KeySpec][] {
  return (Object.entries(CONFIG_KEYS) as [SectionName, Record<string, KeySpec>][]).flatMap(
    ([section, keys]) =>
      Object.entries(keys).map(([key, k]) => [section, key, k] as [SectionName, string, KeySpec]),
  );
}

/** The environment variables holding exchange credentials (never config keys). */
export const CREDENTIAL_ENV = Object.freeze({
  apiKey: 'BINANCE_API_KEY',
  apiSecret: 'BINANCE_API_SECRET',
  privateKeyPath: 'BINANCE_PRIVATE_KEY_PATH',
} as const);

/** The environment variable holding the Telegram bot token of `[notify]` (never a config key). */
export const TELEGRAM_TOKEN_ENV = 'TELEGRAM_TOKEN';

/** Secrets of the notification channels, from the environment; never logged or stored. */
export interface NotifySecrets {
  /** The Telegram bot token (env {@link TELEGRAM_TOKEN_ENV}), null when unset or empty. */
  readonly telegramToken: string | null;
}

/** Exchange credentials from the environment; null when unset or empty. Never logged or stored. */
export interface Credentials {
  readonly apiKey: string | null;
  readonly apiSecret: string | null;
  /** As given (relative paths are relative to the working directory). */
  readonly privateKeyPath: string | null;
}

/** The result of {@link loadConfig}. */
export interface LoadedConfig {
  /** The validated, deeply frozen configuration (mutation throws in strict mode). */
  readonly config: Config;
  readonly sources: {
    /** Absolute path of the config file read, or null when none was read. */
    readonly file: string | null;
    /**
     * Where each effective value came from, keyed `section.key` (e.g. `strategy.top_n`): `default`,
     * the file path as shown in messages, `env VAR`, `flag --x` or `override`.
     */
    readonly origins: Readonly<Record<string, string>>;
  };
  /**
   * The effective configuration, safe to log or store: a fresh deeply frozen copy of `config` with the
   * password (user-info and `password` query parameter) of `database.url` and `exchange.base_url`
   * replaced by `***`. Credentials are never part of the config, so none are in it.
   */
  redacted(): Config;
  /** The exchange credentials read from {@link CREDENTIAL_ENV} at load time. Not part of `config`. */
  credentials(): Credentials;
  /** The notification secrets read from {@link TELEGRAM_TOKEN_ENV} at load time. Not part of `config`. */
  notifySecrets(): NotifySecrets;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * `--config FILE`: the INI file to read (relative to `cwd`); it must exist. When absent, `./user.cfg`
   * in `cwd` is read if it exists, else no file.
   */
  configPath?: string;
  /** Working directory for the default file and for relative paths from env/flags; default `process.cwd()`. */
  cwd?: string;
  /** Environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Highest-precedence values (CLI flags). */
  overrides?: Overrides;
}

/** One row of {@link describeConfigKeys}. */
export interface ConfigKeyInfo {
  readonly section: SectionName;
  /** INI spelling, e.g. `top_n`. */
  readonly key: string;
  /** Default as written in `user.cfg`. */
  readonly default: string;
  /** Unit and/or allowed values. */
  readonly allowed: string;
  readonly description: string;
  /** Environment variables setting it, highest precedence first, e.g. `['REBALANCER_DATABASE_URL', 'DATABASE_URL']`. */
  readonly env: readonly string[];
  /** The CLI flag setting it (with `--`), or null. */
  readonly flag: string | null;
}

/** The environment variable `REBALANCER_<SECTION>_<KEY>` of a key, e.g. `REBALANCER_STRATEGY_TOP_N`. */
export function envVarName(section: string, key: string): string {
  return `${ENV_PREFIX}${section.toUpperCase()}_${key.toUpperCase()}`;
}

let keyTable: readonly ConfigKeyInfo[] | null = null;

/**
 * The key table, in section/key order: section, key, default, unit/allowed values, description,
 * environment variables and CLI flag of every config key. Used for docs, the help's flag rows and to
 * check `user.cfg.example`. Built once (it derives from constants; every command's help rows read it at
 * start-up, once per flag).
 */
export function describeConfigKeys(): readonly ConfigKeyInfo[] {
  if (keyTable === null) keyTable = buildKeyTable();
  return keyTable;
}

function buildKeyTable(): readonly ConfigKeyInfo[] {
  const rows: ConfigKeyInfo[] = [];
  for (const section of SECTION_NAMES) {
    for (const [key, d] of Object.entries(KEY_DOCS[section])) {
      const doc = d as KeyDoc;
      const aliases = Object.entries(ENV_ALIASES)
        .filter(([, [s, k]]) => s === section && k === key)
        .map(([name]) => name);
      const flag = flagFor(section, key);
      rows.push(
        Object.freeze({
          section,
          key,
          default: doc.default,
          allowed: doc.allowed,
          description: doc.description,
          env: Object.freeze([envVarName(section, key), ...aliases]),
          flag: flag === null ? null : `--${flag}`,
        }),
      );
    }
  }
  return Object.freeze(rows);
}

/**
 * Loads, merges and validates the configuration (synchronous; reads at most one file).
 * Precedence, lowest to highest: defaults < file < environment < `overrides`.
 * Relative `[data] dir` / `[database] data_dir` become absolute: relative to the config file's directory
 * when set in the file, to `cwd` otherwise; a leading `~/` means the home directory. An empty `[data] dir`
 * stays `''` (the bundled dataset).
 * @throws ConfigError (exitCode 78) listing every problem found: missing/unreadable `--config` file,
 *   malformed lines, keys outside a section, unknown sections/keys/`REBALANCER_*` variables, duplicate
 *   keys, secrets in the file, bad values (even ones overridden by a higher-precedence source).
 */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const layers: Layer[] = [];

  const file = readConfigFile(opts.configPath, cwd, problems, layers);
  readEnvironment(env, cwd, problems, layers);
  readOverrides(opts.overrides ?? {}, cwd, problems, layers);

  const raw = defaultRawConfig() as unknown as Record<string, Record<string, string>>;
  const origins: Record<string, string> = {};
  const baseDirs: Record<string, string> = {};
  for (const section of SECTION_NAMES)
    for (const key of keysOf(section)) origins[`${section}.${key}`] = 'default';
  for (const l of layers) {
    (raw[l.section] as Record<string, string>)[l.key] = l.value;
    origins[`${l.section}.${l.key}`] = l.source;
    baseDirs[`${l.section}.${l.key}`] = l.baseDir;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = configSchema.safeParse(raw as RawConfig);
  if (!parsed.success) {
    // Unreachable when every value passed checkValue; kept so a schema change cannot slip through.
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const [section, key] = issue.path.map(String);
        const source = origins[`${section}.${key}`] ?? 'config';
        return {
          source,
          section: section ?? null,
          key: key ?? null,
          message: `${source} [${section}] ${key}: ${issue.message}`,
        };
      }),
    );
  }
  const config = parsed.data;
  const telegramToken = nonEmpty(env[TELEGRAM_TOKEN_ENV]);
  const crossKey = [
    ...riskConfigProblems(config as Config, origins),
    ...telegramProblems(config.notify.telegram_chat_id, telegramToken, origins),
  ];
  if (crossKey.length > 0) throw new ConfigError(crossKey);
  if (config.data.dir !== '') config.data.dir = resolvePath(config.data.dir, baseDirs['data.dir'] ?? cwd);
  config.database.data_dir = resolvePath(config.database.data_dir, baseDirs['database.data_dir'] ?? cwd);
  const frozen = deepFreeze(config) as Config;

  const credentials: Credentials = Object.freeze({
    apiKey: nonEmpty(env[CREDENTIAL_ENV.apiKey]),
    apiSecret: nonEmpty(env[CREDENTIAL_ENV.apiSecret]),
    privateKeyPath: nonEmpty(env[CREDENTIAL_ENV.privateKeyPath]),
  });
  const notifySecrets: NotifySecrets = Object.freeze({ telegramToken });
  return Object.freeze({
    config: frozen,
    sources: Object.freeze({ file, origins: Object.freeze(origins) }),
    redacted: () => redactConfig(frozen),
    credentials: () => credentials,
    notifySecrets: () => notifySecrets,
  });
}

// ---------------------------------------------------------------------------------------------

/** One value from one source, before validation. */
interface Layer {
  readonly section: SectionName;
  readonly key: string;
  readonly value: string;
  /** `ConfigProblem.source`. */
  readonly source: string;
  /** Message prefix before ` = "value"`, e.g. `user.cfg [strategy] top_n`. */
  readonly where: string;
  /** Directory relative paths from this source are resolved against. */
  readonly baseDir: string;
}

/**
 * Validates `l`'s value: a valid value joins `layers`, a bad one becomes a problem (so a bad value is
 * reported even when a higher-precedence source overrides it).
 */
function addChecked(l: Layer, problems: ConfigProblem[], layers: Layer[]): void {
  const checked = checkValue(l.section, l.key, l.value);
  if (checked.ok) {
    layers.push(l);
    return;
  }
  problems.push({
    source: l.source,
    section: l.section,
    key: l.key,
    message: `${l.where} = ${showValue(l.section, l.key, l.value)}: ${checked.message}`,
  });
}

function knownSections(): string {
  return SECTION_NAMES.join(', ');
}

function knownKeys(section: SectionName): string {
  return keysOf(section).join(', ');
}

function flagFor(section: string, key: string): string | null {
  for (const [flag, [s, k]] of Object.entries(FLAG_KEYS)) if (s === section && k === key) return flag;
  return null;
}

/**
 * Telegram needs both the chat id (`[notify] telegram_chat_id`) and the bot token (env TELEGRAM_TOKEN):
 * one without the other is a problem naming both (the token's value is never shown).
 */
function telegramProblems(
  chatId: string,
  token: string | null,
  origins: Readonly<Record<string, string>>,
): ConfigProblem[] {
  if ((chatId === '') === (token === null)) return [];
  const source = origins['notify.telegram_chat_id'] ?? 'default';
  const message =
    chatId === ''
      ? `env ${TELEGRAM_TOKEN_ENV} is set but [notify] telegram_chat_id is empty: set telegram_chat_id (a numeric chat id or @channelusername) to send notifications to Telegram, or unset ${TELEGRAM_TOKEN_ENV}`
      : `${source} [notify] telegram_chat_id is set but the environment variable ${TELEGRAM_TOKEN_ENV} (the bot token) is not: set ${TELEGRAM_TOKEN_ENV}, or leave telegram_chat_id empty`;
  return [
    {
      source: chatId === '' ? `env ${TELEGRAM_TOKEN_ENV}` : source,
      section: 'notify',
      key: 'telegram_chat_id',
      message,
    },
  ];
}

/** The env var to use instead when `key` looks like a credential, else null. */
function credentialEnvFor(key: string): string | null {
  const k = key
    .trim()
    .toLowerCase()
    .replace(/[-\s.]/g, '_');
  if (/^(notify_)?telegram_?(bot_?)?token$/.test(k)) return TELEGRAM_TOKEN_ENV;
  if (/^(binance_)?api_?key$/.test(k)) return CREDENTIAL_ENV.apiKey;
  if (/^(binance_)?(api_?)?secret(_?key)?$/.test(k)) return CREDENTIAL_ENV.apiSecret;
  if (/^(binance_)?private_?key(_?(path|file))?$/.test(k)) return CREDENTIAL_ENV.privateKeyPath;
  return null;
}

function credentialMessage(envVar: string): string {
  const what = envVar === TELEGRAM_TOKEN_ENV ? 'the Telegram bot token is' : 'exchange credentials are';
  return `is not a config key: ${what} read only from the environment variable ${envVar}; set that instead (the value was ignored and is not shown)`;
}

/** Path as shown in messages: relative to cwd when inside it, else absolute. */
function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function readConfigFile(
  configPath: string | undefined,
  cwd: string,
  problems: ConfigProblem[],
  layers: Layer[],
): string | null {
  const explicit = configPath !== undefined;
  const abs = path.resolve(cwd, configPath ?? 'user.cfg');
  if (!explicit && !fs.existsSync(abs)) return null;
  const label = explicit && !path.isAbsolute(configPath) ? configPath : displayPath(abs, cwd);

  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `config file does not exist${explicit ? ' (given with --config)' : ''}`
        : code === 'EISDIR'
          ? 'cannot read config file: it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot read config file: permission denied'
            : `cannot read config file: ${code ?? (err as Error).message}`;
    problems.push({ source: label, section: null, key: null, message: `${label}: ${why}` });
    return null;
  }
  if (text.includes('\0')) {
    const message = `${label}: not a text INI file (contains NUL bytes)`;
    problems.push({ source: label, section: null, key: null, message });
    return abs;
  }

  const doc = readIni(text);
  const baseDir = path.dirname(abs);
  // Problems are reported in line order; values are checked in place.
  const found: { line: number; problems: ConfigProblem[] }[] = [];
  const at = (line: number, message: string, section: string | null = null, key: string | null = null) =>
    found.push({ line, problems: [{ source: label, section, key, message }] });

  for (const m of doc.malformed) at(m.line, `${label}:${m.line}: malformed line: ${m.reason}`);
  const reportedSections = new Set<string>();
  for (const s of doc.sections) {
    if (!isSection(s.name) && !reportedSections.has(s.name)) {
      reportedSections.add(s.name);
      at(s.line, `${label}: unknown section [${s.name}]; known sections: ${knownSections()}`, s.name);
    }
  }
  const seen = new Map<string, number>();
  for (const e of doc.entries) {
    const credentialEnv = credentialEnvFor(e.key);
    if (credentialEnv !== null) {
      const where = e.section === null ? `${label}:${e.line}` : `${label} [${e.section}]`;
      at(e.line, `${where}: "${e.key}" ${credentialMessage(credentialEnv)}`, e.section, e.key);
      continue;
    }
    if (e.section === null) {
      const homes = SECTION_NAMES.filter((s) => isKey(s, e.key));
      const hint = homes.length === 1 ? `; put it under [${homes[0]}]` : '; add a [section] header above it';
      at(e.line, `${label}:${e.line}: key "${e.key}" is outside any section${hint}`, null, e.key);
      continue;
    }
    if (!isSection(e.section)) continue; // reported once, at its header
    if (!isKey(e.section, e.key)) {
      at(
        e.line,
        `${label} [${e.section}]: unknown key "${e.key}"; known keys: ${knownKeys(e.section)}`,
        e.section,
        e.key,
      );
      continue;
    }
    const id = `${e.section}.${e.key}`;
    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      at(
        e.line,
        `${label} [${e.section}]: duplicate key "${e.key}" (lines ${firstLine} and ${e.line})`,
        e.section,
        e.key,
      );
      continue;
    }
    seen.set(id, e.line);
    const entryProblems: ConfigProblem[] = [];
    addChecked(
      {
        section: e.section,
        key: e.key,
        value: e.value,
        source: label,
        where: `${label} [${e.section}] ${e.key}`,
        baseDir,
      },
      entryProblems,
      layers,
    );
    if (entryProblems.length > 0) found.push({ line: e.line, problems: entryProblems });
  }
  found.sort((a, b) => a.line - b.line);
  for (const f of found) problems.push(...f.problems);
  return abs;
}

function readEnvironment(
  env: NodeJS.ProcessEnv,
  cwd: string,
  problems: ConfigProblem[],
  layers: Layer[],
): void {
  const byName = new Map<string, readonly [SectionName, string]>();
  for (const section of SECTION_NAMES)
    for (const key of keysOf(section)) byName.set(envVarName(section, key), [section, key]);
  const known = () => [...byName.keys(), ...Object.keys(ENV_ALIASES)].join(', ');
  const names = Object.keys(env).sort();

  // Generic aliases first so that the specific REBALANCER_ variable wins.
  for (const name of names) {
    const target = Object.hasOwn(ENV_ALIASES, name) ? ENV_ALIASES[name] : undefined;
    const value = env[name];
    if (target === undefined || value === undefined || value === '') continue;
    const source = `env ${name}`;
    addChecked(
      { section: target[0], key: target[1], value, source, where: source, baseDir: cwd },
      problems,
      layers,
    );
  }
  for (const name of names) {
    if (!name.startsWith(ENV_PREFIX)) continue;
    const value = env[name];
    if (value === undefined) continue;
    const target = byName.get(name);
    if (target === undefined) {
      const credentialEnv = credentialEnvFor(
        name.slice(ENV_PREFIX.length).replace(/^(EXCHANGE|BINANCE)_/, ''),
      );
      problems.push({
        source: `env ${name}`,
        section: null,
        key: null,
        message:
          credentialEnv !== null
            ? `env ${name} ${credentialMessage(credentialEnv)}`
            : `env ${name}: unknown variable; known variables: ${known()}`,
      });
      continue;
    }
    const source = `env ${name}`;
    addChecked(
      { section: target[0], key: target[1], value, source, where: source, baseDir: cwd },
      problems,
      layers,
    );
  }
}

function readOverrides(overrides: Overrides, cwd: string, problems: ConfigProblem[], layers: Layer[]): void {
  for (const [section, keys] of Object.entries(
    overrides as Record<string, Record<string, unknown> | undefined>,
  )) {
    if (keys === undefined) continue;
    if (!isSection(section)) {
      problems.push({
        source: 'override',
        section,
        key: null,
        message: `override: unknown section [${section}]; known sections: ${knownSections()}`,
      });
      continue;
    }
    for (const [key, value] of Object.entries(keys)) {
      if (value === undefined) continue;
      const credentialEnv = credentialEnvFor(key);
      if (credentialEnv !== null || !isKey(section, key)) {
        problems.push({
          source: 'override',
          section,
          key,
          message:
            credentialEnv !== null
              ? `override [${section}] "${key}" ${credentialMessage(credentialEnv)}`
              : `override [${section}]: unknown key "${key}"; known keys: ${knownKeys(section)}`,
        });
        continue;
      }
      const flag = flagFor(section, key);
      const source = flag === null ? 'override' : `flag --${flag}`;
      addChecked(
        {
          section,
          key,
          value: String(value),
          source,
          where: flag === null ? `override [${section}] ${key}` : source,
          baseDir: cwd,
        },
        problems,
        layers,
      );
    }
  }
}

function nonEmpty(v: string | undefined): string | null {
  return v === undefined || v === '' ? null : v;
}

function resolvePath(p: string, baseDir: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return path.resolve(baseDir, p);
}

const URL_KEYS = new Set(['database.url', 'exchange.base_url', 'notify.webhook_url']);

/** A value quoted for a message: URLs redacted, long values shortened. */
function showValue(section: string, key: string, value: string): string {
  let v = value;
  if (URL_KEYS.has(`${section}.${key}`)) {
    // URL and libpq key/value forms are redacted; anything else that might hold `user:pw@` is not shown.
    if (!URL.canParse(v.trim()) && !isKeyValueDsn(v) && /[@:]/.test(v))
      return '(value not shown: it may contain a password)';
    // A webhook URL keeps its secret in the path: only its scheme and host are shown.
    v = section === 'notify' && key === 'webhook_url' ? redactWebhookUrl(v.trim()) : redactDsn(v);
  }
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/**
 * A webhook URL fit for storage and logs: scheme and host only, its path and query (where webhook
 * services put their secret) as `/***`.
 */
export function redactWebhookUrl(url: string): string {
  if (url === '' || !URL.canParse(url)) return url === '' ? '' : '***';
  const u = new URL(url);
  const hidden = u.pathname.length > 1 || u.search !== '' || u.username !== '' || u.password !== '';
  return `${u.protocol}//${u.host}${hidden ? '/***' : ''}`;
}

function redactConfig(config: Config): Config {
  const copy = structuredClone(config) as {
    database: { url: string };
    exchange: { base_url: string };
    notify: { webhook_url: string };
  };
  copy.database.url = redactDsn(copy.database.url);
  copy.exchange.base_url = redactDsn(copy.exchange.base_url);
  copy.notify.webhook_url = redactWebhookUrl(copy.notify.webhook_url);
  return deepFreeze(copy) as unknown as Config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
