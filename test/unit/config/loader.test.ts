import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, FLAG_KEYS, loadConfig } from '../../../src/config/loader.ts';
import { configError, fromUserCfg, load, tempDir, writeFile } from './helpers.ts';

/** The [exchange] defaults but `kind` (README "Configuration"): no URL, mainnet off, 10 s, 5 s, half the weight, 20. */
const EXCHANGE_DEFAULTS = {
  base_url: '',
  allow_mainnet: false,
  timeout_ms: 10000,
  recv_window_ms: 5000,
  weight_share: 0.5,
  concurrency: 20,
};
const KNOWN_SECTIONS =
  'exchange, strategy, universe, portfolio, execution, risk, signals, intraday, paper, database, data, schedule, notify, log';

describe('loadConfig: defaults', () => {
  it('no file, no env, no overrides: the built-in defaults', () => {
    const cwd = tempDir();
    const loaded = loadConfig({ cwd, env: {} });
    expect(loaded.sources.file).toBeNull();
    expect(loaded.config).toEqual({
      exchange: { kind: 'replay', ...EXCHANGE_DEFAULTS },
      strategy: { mode: 'momentum', lookback_days: 7, top_n: 10, rebalance_every_days: 1 },
      universe: {
        quote_asset: 'USDT',
        min_age_days: 30,
        min_market_cap: 0,
        min_quote_volume: 0,
        exclude: [],
        include: [],
        allow_empty: false,
      },
      portfolio: { rebalance_mode: 'full', cash_buffer: 0, band: 0 },
      execution: { fee_rate: '0.001', slippage_bps: 0 },
      risk: {
        stop_loss: 0,
        trailing_stop: 0,
        trailing_activation: 0,
        take_profit: 0,
        max_daily_loss: 0,
        max_drawdown: 0,
      },
      signals: {
        exit_signal: 'none',
        exit_sma_fast: 12,
        exit_sma_slow: 48,
        exit_breakout_bars: 24,
        entry_filter: 'none',
        entry_sma_fast: 10,
        entry_sma_slow: 30,
        entry_breakout_days: 20,
      },
      intraday: { interval: '1h', check_every_minutes: 5, stop_on_exchange: false },
      paper: { initial_quote: '10000', account: '' },
      database: { url: '', data_dir: path.join(cwd, 'var/pglite'), lock_wait_ms: 5000 },
      data: {
        dir: '',
        market_caps: 'bundled',
        coingecko_url: 'https://api.coingecko.com/api/v3',
        market_url: '',
      },
      // rebalance_at 00:05 as the cron expression minute 5, hour 0 (hand-converted).
      schedule: { rebalance_at: '5 0 * * *', timezone: 'Etc/UTC', catch_up: true },
      notify: {
        webhook_url: '',
        telegram_chat_id: '',
        telegram_api_url: 'https://api.telegram.org',
        timeout_ms: 5000,
        retries: 2,
        on: ['summary', 'failure', 'reconciliation', 'exit', 'halt'],
      },
      log: { level: 'info', format: 'auto' },
    });
    expect(Object.values(loaded.sources.origins).every((o) => o === 'default')).toBe(true);
  });

  it('fee_rate and initial_quote stay decimal strings', () => {
    const { config } = load();
    expect(typeof config.execution.fee_rate).toBe('string');
    expect(typeof config.paper.initial_quote).toBe('string');
  });
});

describe('loadConfig: sources and precedence', () => {
  it('reads ./user.cfg from cwd when present', () => {
    const cwd = tempDir();
    const file = writeFile(cwd, 'user.cfg', '[strategy]\ntop_n = 20\nmode = reversal\n');
    const loaded = loadConfig({ cwd, env: {} });
    expect(loaded.sources.file).toBe(file);
    expect(loaded.config.strategy.top_n).toBe(20);
    expect(loaded.config.strategy.mode).toBe('reversal');
    expect(loaded.config.strategy.lookback_days).toBe(7); // untouched keys keep their default
    expect(loaded.sources.origins['strategy.top_n']).toBe('user.cfg');
    expect(loaded.sources.origins['strategy.lookback_days']).toBe('default');
  });

  it('--config FILE is read relative to cwd; a missing one is an error naming it', () => {
    const cwd = tempDir();
    writeFile(cwd, 'conf/prod.cfg', '[portfolio]\nrebalance_mode = delta\nband = 0.05\n');
    const loaded = loadConfig({ cwd, env: {}, configPath: 'conf/prod.cfg' });
    expect(loaded.sources.file).toBe(path.join(cwd, 'conf/prod.cfg'));
    expect(loaded.config.portfolio).toEqual({ rebalance_mode: 'delta', cash_buffer: 0, band: 0.05 });

    const err = configError(() => loadConfig({ cwd, env: {}, configPath: 'nope.cfg' }));
    expect(err.message).toBe('nope.cfg: config file does not exist (given with --config)');
    expect(err.source).toBe('nope.cfg');
    expect(err.exitCode).toBe(78);
  });

  it('a config path that is a directory is an error naming it', () => {
    const cwd = tempDir();
    const err = configError(() => loadConfig({ cwd, env: {}, configPath: cwd }));
    expect(err.message).toContain(cwd);
    expect(err.message).toContain('directory');
  });

  it('env overrides the file; overrides (flags) beat env', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', '[strategy]\ntop_n = 20\nlookback_days = 14\n[log]\nlevel = warn\n');
    const env = { REBALANCER_STRATEGY_TOP_N: '5', REBALANCER_STRATEGY_LOOKBACK_DAYS: '30' };
    const a = loadConfig({ cwd, env });
    expect(a.config.strategy.top_n).toBe(5);
    expect(a.config.strategy.lookback_days).toBe(30);
    expect(a.config.log.level).toBe('warn');
    expect(a.sources.origins['strategy.top_n']).toBe('env REBALANCER_STRATEGY_TOP_N');

    const b = loadConfig({ cwd, env, overrides: { strategy: { top_n: '3' } } });
    expect(b.config.strategy.top_n).toBe(3);
    expect(b.config.strategy.lookback_days).toBe(30);
    expect(b.sources.origins['strategy.top_n']).toBe('flag --top-n');
  });

  it('DATABASE_URL and LOG_LEVEL set their keys; the REBALANCER_ variable wins over them; empty ones are ignored', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', '[database]\nurl = postgres://file@h/db\n');
    const a = loadConfig({ cwd, env: { DATABASE_URL: 'postgres://env@h/db', LOG_LEVEL: 'debug' } });
    expect(a.config.database.url).toBe('postgres://env@h/db');
    expect(a.config.log.level).toBe('debug');
    const b = loadConfig({
      cwd,
      env: { DATABASE_URL: 'postgres://env@h/db', REBALANCER_DATABASE_URL: 'postgres://specific@h/db' },
    });
    expect(b.config.database.url).toBe('postgres://specific@h/db');
    const c = loadConfig({ cwd, env: { DATABASE_URL: '', LOG_LEVEL: '' } });
    expect(c.config.database.url).toBe('postgres://file@h/db');
    expect(c.config.log.level).toBe('info');
    const d = loadConfig({ cwd, env: { LOG_LEVEL: 'debug' }, overrides: { log: { level: 'error' } } });
    expect(d.config.log.level).toBe('error');
  });

  it('every FLAG_KEYS entry is applied as an override', () => {
    expect(FLAG_KEYS).toEqual({
      data: ['data', 'dir'],
      'market-url': ['data', 'market_url'],
      'top-n': ['strategy', 'top_n'],
      'lookback-days': ['strategy', 'lookback_days'],
      strategy: ['strategy', 'mode'],
      'rebalance-mode': ['portfolio', 'rebalance_mode'],
      exchange: ['exchange', 'kind'],
      'base-url': ['exchange', 'base_url'],
      account: ['paper', 'account'],
      'database-url': ['database', 'url'],
      'log-level': ['log', 'level'],
      'log-format': ['log', 'format'],
      'fee-rate': ['execution', 'fee_rate'],
      'slippage-bps': ['execution', 'slippage_bps'],
      'initial-quote': ['paper', 'initial_quote'],
    });
    const cwd = tempDir();
    const { config } = loadConfig({
      cwd,
      env: {},
      overrides: {
        data: { dir: 'mydata', market_url: 'http://127.0.0.1:8090' },
        strategy: { top_n: '4', lookback_days: '3', mode: 'reversal' },
        portfolio: { rebalance_mode: 'delta' },
        exchange: { kind: 'testnet', base_url: 'https://testnet.binance.vision' },
        paper: { account: 'acct-2', initial_quote: '2500.50' },
        database: { url: 'postgresql://u@localhost:5432/ledger' },
        log: { level: 'trace', format: 'json' },
        execution: { fee_rate: '0.00075', slippage_bps: '2.5' },
      },
    });
    expect(config.data.dir).toBe(path.join(cwd, 'mydata'));
    expect(config.data.market_url).toBe('http://127.0.0.1:8090');
    expect(config.strategy).toEqual({
      mode: 'reversal',
      lookback_days: 3,
      top_n: 4,
      rebalance_every_days: 1,
    });
    expect(config.portfolio.rebalance_mode).toBe('delta');
    expect(config.exchange).toEqual({
      kind: 'testnet',
      base_url: 'https://testnet.binance.vision',
      allow_mainnet: false,
      timeout_ms: 10000,
      recv_window_ms: 5000,
      weight_share: 0.5,
      concurrency: 20,
    });
    expect(config.paper).toEqual({ account: 'acct-2', initial_quote: '2500.50' });
    expect(config.database.url).toBe('postgresql://u@localhost:5432/ledger');
    expect(config.log).toEqual({ level: 'trace', format: 'json' });
    expect(config.execution).toEqual({ fee_rate: '0.00075', slippage_bps: 2.5 });
  });

  it('undefined override values are ignored', () => {
    const { config } = load({ overrides: { strategy: { top_n: undefined } } });
    expect(config.strategy.top_n).toBe(10);
  });

  it('kind = live without allow_mainnet is still valid config', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', '[exchange]\nkind = live\n');
    expect(loadConfig({ cwd, env: {} }).config.exchange).toEqual({ kind: 'live', ...EXCHANGE_DEFAULTS });
    writeFile(cwd, 'user.cfg', '[exchange]\nkind = live\nallow_mainnet = TRUE\n');
    expect(loadConfig({ cwd, env: {} }).config.exchange.allow_mainnet).toBe(true);
  });
});

describe('loadConfig: paths', () => {
  it('relative paths in the file are relative to the file; from env/flags to cwd', () => {
    const cwd = tempDir();
    const confDir = path.join(cwd, 'etc');
    writeFile(confDir, 'my.cfg', '[data]\ndir = ../market\n[database]\ndata_dir = db\n');
    const a = loadConfig({ cwd, env: {}, configPath: 'etc/my.cfg' });
    expect(a.config.data.dir).toBe(path.join(cwd, 'market'));
    expect(a.config.database.data_dir).toBe(path.join(confDir, 'db'));

    const b = loadConfig({
      cwd,
      env: { REBALANCER_DATABASE_DATA_DIR: 'envdb' },
      configPath: 'etc/my.cfg',
      overrides: { data: { dir: 'flagdata' } },
    });
    expect(b.config.data.dir).toBe(path.join(cwd, 'flagdata'));
    expect(b.config.database.data_dir).toBe(path.join(cwd, 'envdb'));
  });

  it('absolute paths are kept; empty [data] dir means the bundled dataset', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', `[data]\ndir =\n[database]\ndata_dir = ${path.join(cwd, 'abs')}\n`);
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.data.dir).toBe('');
    expect(config.database.data_dir).toBe(path.join(cwd, 'abs'));
  });

  it('an empty data_dir is an error', () => {
    const err = configError(() => load({ env: { REBALANCER_DATABASE_DATA_DIR: '' } }));
    expect(err.message).toBe('env REBALANCER_DATABASE_DATA_DIR = "": must be a directory path (not empty)');
  });
});

describe('loadConfig: universe lists', () => {
  it('include/exclude: trimmed, upper-cased, empty entries dropped, duplicates removed', () => {
    const cwd = tempDir();
    writeFile(
      cwd,
      'user.cfg',
      '[universe]\nexclude = btcusdt, ETHUSDT ,, bnbusdt,BTCUSDT,\ninclude =  \nquote_asset = fdusd\n',
    );
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.universe.exclude).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
    expect(config.universe.include).toEqual([]);
    expect(config.universe.quote_asset).toBe('FDUSD');
  });

  it('include from env', () => {
    const { config } = load({ env: { REBALANCER_UNIVERSE_INCLUDE: 'solusdt,  adausdt' } });
    expect(config.universe.include).toEqual(['SOLUSDT', 'ADAUSDT']);
  });

  it('a bad symbol is an error naming it', () => {
    const err = configError(fromUserCfg('[universe]\nexclude = BTCUSDT, ETH-USDT, X\n'));
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(/^user\.cfg \[universe\] exclude = "BTCUSDT, ETH-USDT, X": /);
    expect(err.message).toContain('"ETH-USDT", "X" are not symbols');
    expect(err.section).toBe('universe');
    expect(err.key).toBe('exclude');
  });

  it('a quoted value keeps ; and #, an unquoted one treats them as a comment', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', '[universe]\nexclude = BTCUSDT ; ETHUSDT\n[paper]\naccount = "main" # note\n');
    const { config } = loadConfig({ cwd, env: {} });
    expect(config.universe.exclude).toEqual(['BTCUSDT']);
    expect(config.paper.account).toBe('main');
  });
});

describe('loadConfig: unknown sections, keys, variables', () => {
  it('unknown section names the file, the section and the known sections', () => {
    const err = configError(fromUserCfg('[strateg]\ntop_n = 5\n'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(`user.cfg: unknown section [strateg]; known sections: ${KNOWN_SECTIONS}`);
    expect(err.source).toBe('user.cfg');
    expect(err.section).toBe('strateg');
    expect(err.key).toBeNull();
    expect(err.exitCode).toBe(78);
    expect(err.name).toBe('ConfigError');
  });

  it('unknown key names the file, the section, the key and the known keys', () => {
    const err = configError(fromUserCfg('[strategy]\ntopn = 5\n'));
    expect(err.message).toBe(
      'user.cfg [strategy]: unknown key "topn"; known keys: mode, lookback_days, top_n, rebalance_every_days',
    );
    expect(err.section).toBe('strategy');
    expect(err.key).toBe('topn');
  });

  it('an explicit config path is shown as given', () => {
    const cwd = tempDir();
    writeFile(cwd, 'cfg/a.cfg', '[strategy]\ntopn = 5\n');
    const err = configError(() => loadConfig({ cwd, env: {}, configPath: 'cfg/a.cfg' }));
    expect(err.message.startsWith('cfg/a.cfg [strategy]: unknown key "topn"')).toBe(true);
    expect(err.source).toBe('cfg/a.cfg');
  });

  it('a key outside any section is an error naming the file, the line and where it belongs', () => {
    const err = configError(fromUserCfg('# comment\ntop_n = 5\n[strategy]\n'));
    expect(err.message).toBe('user.cfg:2: key "top_n" is outside any section; put it under [strategy]');
  });

  it('a malformed line is an error naming the file and line, without echoing the line', () => {
    const err = configError(fromUserCfg('[strategy]\nhunter2-pasted-secret\n[broken\n'));
    expect(err.problems.map((p) => p.message)).toEqual([
      'user.cfg:2: malformed line: expected "key = value", "[section]" or a comment (; or #)',
      'user.cfg:3: malformed line: expected a section header like [strategy]',
    ]);
    expect(err.message).not.toContain('hunter2');
  });

  it('a duplicate key is an error', () => {
    const err = configError(fromUserCfg('[strategy]\ntop_n = 5\n\n[strategy]\ntop_n = 6\n'));
    expect(err.message).toBe('user.cfg [strategy]: duplicate key "top_n" (lines 2 and 5)');
  });

  it('an unknown REBALANCER_ variable names it and lists the known ones; other variables are ignored', () => {
    const err = configError(() => load({ env: { REBALANCER_STRATEGY_TOPN: '5', HOME: '/x', PATH: '/bin' } }));
    expect(err.message).toMatch(/^env REBALANCER_STRATEGY_TOPN: unknown variable; known variables: /);
    expect(err.message).toContain('REBALANCER_STRATEGY_TOP_N');
    expect(err.message).toContain('REBALANCER_DATA_DIR');
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain('LOG_LEVEL');
    expect(err.source).toBe('env REBALANCER_STRATEGY_TOPN');
  });

  it('unknown override sections and keys are errors', () => {
    const err = configError(() =>
      load({
        overrides: { strategy: { topn: '1' }, nope: { x: '1' } } as Record<string, Record<string, string>>,
      }),
    );
    expect(err.problems.map((p) => p.message)).toEqual([
      'override [strategy]: unknown key "topn"; known keys: mode, lookback_days, top_n, rebalance_every_days',
      `override: unknown section [nope]; known sections: ${KNOWN_SECTIONS}`,
    ]);
  });
});

describe('loadConfig: all problems at once', () => {
  it('collects file, env and flag problems, one line each, in that order', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', '[strategy]\ntop_n = abc\nmode = foo\n[bogus]\n[portfolio]\nband = 1\n');
    const err = configError(() =>
      loadConfig({
        cwd,
        env: { REBALANCER_STRATEGY_LOOKBACK_DAYS: '0', REBALANCER_NOPE: '1' },
        overrides: { strategy: { top_n: '501' } },
      }),
    );
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(err.problems.length);
    expect(lines[0]).toBe('user.cfg [strategy] top_n = "abc": must be an integer from 1 to 500');
    expect(lines[1]).toBe('user.cfg [strategy] mode = "foo": allowed values: momentum, reversal');
    expect(lines[2]).toContain('user.cfg: unknown section [bogus]');
    expect(lines[3]).toMatch(/^user\.cfg \[portfolio\] band = "1": must be a fraction/);
    expect(lines[4]).toMatch(/^env REBALANCER_NOPE: unknown variable/); // env: by variable name
    expect(lines[5]).toBe('env REBALANCER_STRATEGY_LOOKBACK_DAYS = "0": must be an integer from 1 to 365');
    expect(lines[6]).toBe('flag --top-n = "501": must be an integer from 1 to 500');
    expect(err.source).toBe('user.cfg');
    expect(err.problems[6]).toEqual({
      source: 'flag --top-n',
      section: 'strategy',
      key: 'top_n',
      message: 'flag --top-n = "501": must be an integer from 1 to 500',
    });
  });

  it('a bad file value is reported even when a higher source overrides it', () => {
    const err = configError(fromUserCfg('[strategy]\ntop_n = abc\n', { REBALANCER_STRATEGY_TOP_N: '5' }));
    expect(err.message).toBe('user.cfg [strategy] top_n = "abc": must be an integer from 1 to 500');
  });
});

describe('loadConfig: secrets', () => {
  it.each([
    ['exchange', 'api_key', 'BINANCE_API_KEY'],
    ['exchange', 'api_secret', 'BINANCE_API_SECRET'],
    ['exchange', 'secret', 'BINANCE_API_SECRET'],
    ['strategy', 'API_KEY', 'BINANCE_API_KEY'],
    ['bogus', 'secret', 'BINANCE_API_SECRET'],
    ['exchange', 'private_key_path', 'BINANCE_PRIVATE_KEY_PATH'],
  ])('[%s] %s in the file is rejected, pointing to %s, without echoing the value', (section, key, envVar) => {
    const cwd = tempDir();
    const value = 'Zq9SuperSecretValue123';
    writeFile(cwd, 'user.cfg', `[${section}]\n${key} = ${value}\n`);
    const err = configError(() => loadConfig({ cwd, env: {} }));
    const secretProblem = err.problems.find((p) => p.key === key);
    expect(secretProblem?.message).toContain(`"${key}" is not a config key`);
    expect(secretProblem?.message).toContain(envVar);
    expect(secretProblem?.message.startsWith('user.cfg')).toBe(true);
    expect(err.message).not.toContain(value);
    expect(JSON.stringify(err.problems)).not.toContain(value);
    expect(String(err.stack)).not.toContain(value);
  });

  it('a secret outside any section is rejected too', () => {
    const err = configError(fromUserCfg('api_key = Zq9SuperSecretValue123\n'));
    expect(err.message).toMatch(/^user\.cfg:1: "api_key" is not a config key/);
    expect(err.message).not.toContain('Zq9SuperSecretValue123');
  });

  it('REBALANCER_EXCHANGE_API_KEY is rejected, pointing to BINANCE_API_KEY, without echoing the value', () => {
    const err = configError(() =>
      load({ env: { REBALANCER_EXCHANGE_API_SECRET: 'Zq9SuperSecretValue123' } }),
    );
    expect(err.message).toContain('BINANCE_API_SECRET');
    expect(err.message).not.toContain('Zq9SuperSecretValue123');
  });

  it('credentials come only from BINANCE_* env and never appear in config, redacted() or JSON', () => {
    const loaded = load({
      env: {
        BINANCE_API_KEY: 'Key123456789',
        BINANCE_API_SECRET: 'Secret987654321',
        BINANCE_PRIVATE_KEY_PATH: '',
      },
    });
    expect(loaded.credentials()).toEqual({
      apiKey: 'Key123456789',
      apiSecret: 'Secret987654321',
      privateKeyPath: null,
    });
    for (const text of [
      JSON.stringify(loaded),
      JSON.stringify(loaded.redacted()),
      JSON.stringify(loaded.config),
    ]) {
      expect(text).not.toContain('Key123456789');
      expect(text).not.toContain('Secret987654321');
    }
  });
});

describe('loadConfig: redacted()', () => {
  it('hides the database password (user-info and query parameter) and keeps everything else', () => {
    const loaded = load({
      env: { DATABASE_URL: 'postgres://ledger:s3cr%40t-pw@db.example:5432/ledger?sslmode=require' },
      overrides: { exchange: { base_url: 'https://user:pw123@proxy.example/api' } },
    });
    expect(loaded.config.database.url).toBe(
      'postgres://ledger:s3cr%40t-pw@db.example:5432/ledger?sslmode=require',
    );
    const r = loaded.redacted();
    expect(r.database.url).toBe('postgres://ledger:***@db.example:5432/ledger?sslmode=require');
    expect(r.exchange.base_url).toBe('https://user:***@proxy.example/api');
    expect(JSON.stringify(r)).not.toContain('s3cr');
    expect(JSON.stringify(r)).not.toContain('pw123');
    expect({ ...r, database: null, exchange: null }).toEqual({
      ...loaded.config,
      database: null,
      exchange: null,
    });

    const q = load({ env: { DATABASE_URL: 'postgresql://h/db?user=u&password=qwerty' } }).redacted();
    expect(q.database.url).toBe('postgresql://h/db?user=u&password=***');
  });

  it('a URL without password is unchanged', () => {
    const loaded = load({ env: { DATABASE_URL: 'postgres://u@h/db' } });
    expect(loaded.redacted().database.url).toBe('postgres://u@h/db');
  });

  it('a bad database URL is reported with its password hidden', () => {
    const err = configError(() => load({ env: { DATABASE_URL: 'mysql://root:toor123@h/db' } }));
    expect(err.message).toBe(
      'env DATABASE_URL = "mysql://root:***@h/db": must be empty (embedded PGlite) or a postgres:// or postgresql:// URL',
    );
  });
});

describe('loadConfig: frozen result', () => {
  it('the config is deeply frozen: mutation throws', () => {
    const loaded = load({ env: { REBALANCER_UNIVERSE_EXCLUDE: 'BTCUSDT' } });
    const c = loaded.config as unknown as {
      strategy: { top_n: number };
      universe: { exclude: string[] };
      log: unknown;
    };
    expect(Object.isFrozen(loaded.config)).toBe(true);
    expect(() => {
      c.strategy.top_n = 99;
    }).toThrow(TypeError);
    expect(() => {
      c.universe.exclude.push('ETHUSDT');
    }).toThrow(TypeError);
    expect(() => {
      c.log = {};
    }).toThrow(TypeError);
    expect(Object.isFrozen(loaded.redacted().database)).toBe(true);
    expect(Object.isFrozen(loaded.sources.origins)).toBe(true);
  });
});

describe('loadConfig: [schedule] (issue 11 "Bad input")', () => {
  const env = (e: Record<string, string>) => loadConfig({ cwd: process.cwd(), env: e });
  it('HH:MM becomes a daily cron expression; a cron expression is kept', () => {
    expect(env({ REBALANCER_SCHEDULE_REBALANCE_AT: '23:59' }).config.schedule.rebalance_at).toBe(
      '59 23 * * *',
    );
    expect(env({ REBALANCER_SCHEDULE_REBALANCE_AT: '*/10  * * * * *' }).config.schedule.rebalance_at).toBe(
      '*/10 * * * * *',
    );
  });
  it.each([
    [
      'REBALANCER_SCHEDULE_REBALANCE_AT',
      '24:00',
      /REBALANCER_SCHEDULE_REBALANCE_AT = "24:00".*is not a time or a cron expression/,
    ],
    ['REBALANCER_SCHEDULE_REBALANCE_AT', '5 0 * *', /REBALANCER_SCHEDULE_REBALANCE_AT.*expected HH:MM/],
    ['REBALANCER_SCHEDULE_REBALANCE_AT', '61 0 * * *', /REBALANCER_SCHEDULE_REBALANCE_AT.*\(minute: 61/],
    [
      'REBALANCER_SCHEDULE_TIMEZONE',
      'Mars/Olympus',
      /REBALANCER_SCHEDULE_TIMEZONE = "Mars\/Olympus": must be an IANA time zone/,
    ],
  ])('%s=%s is a config error (exit 78) naming the variable', (name, value, message) => {
    let err: unknown;
    try {
      env({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect((err as { exitCode?: number }).exitCode).toBe(78);
    expect(String((err as Error).message)).toMatch(message);
  });
});
