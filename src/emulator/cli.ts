/**
 * `npm run emulator -- [--port N] [--host H] [--as-of YYYY-MM-DD] [--rtt-ms N] [--symbols N] [--data DIR]
 *  [--api-key K --api-secret S] [--slippage-bps N] [--weight-limit N] [--order-limit N] [--bnb-fees]
 *  [--test-controls]`
 *
 * Starts the local Binance spot REST emulator (server.ts) and prints its base URL, the API credentials
 * and the config lines to point the rebalancer at it. Exit codes: 0 after SIGINT/SIGTERM (closed
 * cleanly), 2 for a bad flag or option, 66 for a missing or corrupt data directory, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { DataError } from '../adapters/data/data-error.ts';
import { flags } from '../cli/flag-options.ts';
import { composeEmulator } from '../compose/emulator.ts';
import { EmulatorConfigError, type EmulatorOptions, type startEmulator } from './server.ts';

const USAGE = `usage: npm run emulator -- [options]
  --port N            listen port (default 0: a free port)
  --host H            listen address (default 127.0.0.1)
  --as-of YYYY-MM-DD  the clock starts at this day 00:00 UTC (default: the last day of the data)
  --rtt-ms N          latency added to every response, ms (default 0)
  --symbols N         pad the TRADING USDT universe to N symbols with replica symbols (load tests)
  --data DIR          data directory of the shared layout (default: the bundled data/)
  --api-key K         API key of the account (with --api-secret; default: the demo account)
  --api-secret S      its HMAC secret
  --slippage-bps N    fill slippage against the taker, bps (default 0)
  --weight-limit N    REQUEST_WEIGHT per minute (default 6000)
  --order-limit N     ORDERS per 10 seconds (default 50)
  --bnb-fees          pay commissions in BNB with the 25 % discount when the account holds enough BNB
  --test-controls     serve POST /emulator/test-controls (delayed orders, partial fills, clock skew,
                      state reset; docs/emulator.md "Test controls") — for tests only
  --help              this text`;

class UsageError extends Error {}

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new UsageError(`--${flag} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Parses the command line into emulator options. @throws UsageError for an unknown or bad flag. */
function optionsFrom(argv: string[]): EmulatorOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...flags(
          'string',
          'port',
          'host',
          'as-of',
          'rtt-ms',
          'symbols',
          'data',
          'api-key',
          'api-secret',
          'slippage-bps',
          'weight-limit',
          'order-limit',
        ),
        ...flags('boolean', 'bnb-fees', 'test-controls', 'help'),
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const s = (k: string) => values[k] as string | undefined;
  if ((s('api-key') === undefined) !== (s('api-secret') === undefined)) {
    throw new UsageError('--api-key and --api-secret go together');
  }
  const port = int('port', s('port'));
  if (port !== undefined && port > 65535) throw new UsageError(`--port must be ≤ 65535, got ${port}`);
  const slippage = s('slippage-bps');
  if (slippage !== undefined && !/^\d+(\.\d+)?$/.test(slippage)) {
    throw new UsageError(`--slippage-bps must be a number ≥ 0, got ${JSON.stringify(slippage)}`);
  }
  const opts: EmulatorOptions = {};
  if (port !== undefined) opts.port = port;
  if (s('host') !== undefined) opts.host = s('host');
  if (s('as-of') !== undefined) opts.asOf = s('as-of');
  const rtt = int('rtt-ms', s('rtt-ms'));
  if (rtt !== undefined) opts.rttMs = rtt;
  const symbols = int('symbols', s('symbols'));
  if (symbols !== undefined) opts.symbols = symbols;
  if (s('data') !== undefined) opts.dataDir = s('data');
  const key = s('api-key');
  const secret = s('api-secret');
  if (key !== undefined && secret !== undefined) opts.accounts = [{ apiKey: key, secret }];
  if (slippage !== undefined) opts.slippageBps = Number(slippage);
  const wl = int('weight-limit', s('weight-limit'));
  if (wl !== undefined) opts.weightLimitPerMinute = wl;
  const ol = int('order-limit', s('order-limit'));
  if (ol !== undefined) opts.orderLimitPer10s = ol;
  if (values['bnb-fees']) opts.payFeesInBnb = true;
  if (values['test-controls']) opts.testControls = true;
  return opts;
}

async function main(): Promise<number> {
  let opts: EmulatorOptions | 'help';
  try {
    opts = optionsFrom(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`emulator: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emu = await composeEmulator(opts);
  } catch (err) {
    process.stderr.write(`emulator: ${(err as Error).message}\n`);
    if (err instanceof EmulatorConfigError) return 2;
    if (err instanceof DataError) return 66;
    return 1;
  }
  const acct = emu.accounts[0];
  const lines = [
    `Binance spot emulator listening on ${emu.baseUrl}`,
    `  clock starts ${emu.asOf}T00:00:00Z and runs in real time; ${emu.tradingSymbols} USDT symbols TRADING`,
    `  API key:    ${acct?.apiKey ?? ''}`,
    `  API secret: ${acct?.secret ?? ''}`,
    `  rebalancer: [exchange] kind = testnet, base_url = ${emu.baseUrl}  with env BINANCE_API_KEY=${acct?.apiKey ?? ''} BINANCE_API_SECRET=${acct?.secret ?? ''}`,
    ...(opts.payFeesInBnb
      ? ['  fees: paid in BNB with the 25 % discount when the account holds enough BNB']
      : []),
    '  Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      emu.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`emulator: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
