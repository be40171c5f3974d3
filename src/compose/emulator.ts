/**
 * The composition function of the emulator job (`npm run emulator`): loads the dataset (`--data`, else
 * the bundled data) and starts the Binance spot REST emulator over it on 127.0.0.1.
 */
import { loadDataset } from '../adapters/data/bundled-dataset.ts';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../emulator/server.ts';
import { BUNDLED_DATA_DIR } from './settings.ts';

/**
 * Starts the emulator of `opts` over the dataset of `opts.dataDir` (default: the bundled data), or over
 * `opts.dataset` when one is given.
 * @throws DataError for a missing or corrupt data directory; EmulatorConfigError for a bad option.
 */
export async function composeEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const dataset = opts.dataset ?? (await loadDataset(opts.dataDir ?? BUNDLED_DATA_DIR));
  return startEmulator({ ...opts, dataset });
}
