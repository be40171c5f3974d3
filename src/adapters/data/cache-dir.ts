/**
 * Where the derived data caches (the validated daily and hourly klines) live: `$MOMENTUM_REBALANCER_CACHE_DIR`
 * (`off` disables caching), else `$XDG_CACHE_HOME/momentum-rebalancer`, else
 * `node_modules/.cache/momentum-rebalancer` under the package root (outside the tracked files).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../paths.ts';

/** The cache directory from the environment (module docstring), or null when caching is off. */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.MOMENTUM_REBALANCER_CACHE_DIR;
  if (explicit === 'off') return null;
  if (explicit) return path.resolve(explicit);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'momentum-rebalancer');
  return path.join(fileURLToPath(PACKAGE_ROOT), 'node_modules', '.cache', 'momentum-rebalancer');
}
