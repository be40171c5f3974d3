/** A suite's Binance emulator (src/emulator), started before its tests and closed after them. */
import { afterAll, beforeAll } from 'vitest';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';

/**
 * Starts the emulator with `opts` (or what `opts()` resolves to, e.g. with a dataset loaded first) in a
 * `beforeAll` of the enclosing suite and closes it in its `afterAll`; nothing is started when `skip` (a
 * suite whose tests are all skipped, e.g. on an absent ledger). Call the returned function from a test (or
 * a later hook) for the running emulator.
 * @throws Error when the returned function is called before the emulator started.
 */
export function useEmulator(
  opts: EmulatorOptions | (() => Promise<EmulatorOptions>),
  { skip = false }: { skip?: boolean } = {},
): () => RunningEmulator {
  let emu: RunningEmulator | undefined;
  beforeAll(async () => {
    if (skip) return;
    emu = await startEmulator(typeof opts === 'function' ? await opts() : opts);
  });
  afterAll(() => emu?.close());
  return () => {
    if (!emu) throw new Error('the emulator is not started yet (useEmulator: call it from a test)');
    return emu;
  };
}
