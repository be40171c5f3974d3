/**
 * The process logger: pino to stderr (stdout carries the report or the JSON result), pretty on a TTY
 * (`[log] format = auto`), JSON otherwise. Known secret-bearing fields are redacted.
 */
import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';

/** Field paths that must never reach a log line (binance-api-node errors carry the signed URL). */
export const REDACT_PATHS = [
  'apiKey',
  'apiSecret',
  'secret',
  'signature',
  'password',
  '*.apiKey',
  '*.apiSecret',
  '*.secret',
  '*.signature',
  '*.password',
  'err.url',
  'error.url',
  'config.database.url',
];

/**
 * Creates the logger.
 * @param level pino level (`info`, `debug`, … or `silent`).
 * @param format `auto` (pretty when stderr is a TTY), `json` or `pretty`.
 */
export function createLogger(level: string, format: 'auto' | 'json' | 'pretty'): Logger {
  const usePretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const options = { level, redact: { paths: REDACT_PATHS, censor: '***' }, base: undefined };
  if (usePretty) {
    // Loaded only when used: pino-pretty costs ~100 ms of start-up.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(
      options,
      pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY === true, ignore: 'pid,hostname' }),
    );
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
