/** The Binance REST client as the adapter tests open it against the local emulator (or a proxy to it). */
import {
  type BinanceCredentials,
  BinanceRest,
  type BinanceRestOptions,
} from '../../src/adapters/binance/binance-rest.ts';
import { createLogger } from '../../src/cli/logger.ts';

/**
 * `BinanceRest.open` at `baseUrl` with the tests' defaults — 5000 ms timeout and recvWindow, a weight
 * budget of 3000 a minute, 2 retries from a 10 ms backoff, a silent logger — then `over`.
 */
export function openTestRest(
  baseUrl: string,
  credentials: BinanceCredentials | null,
  over: Partial<BinanceRestOptions> = {},
): Promise<BinanceRest> {
  const defaults = { timeoutMs: 5000, recvWindowMs: 5000, weightBudget: 3000, retries: 2, minBackoffMs: 10 };
  return BinanceRest.open({
    baseUrl,
    credentials,
    ...defaults,
    logger: createLogger('silent', 'json'),
    ...over,
  });
}
