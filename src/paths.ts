/**
 * Locations inside the installed package. This file sits one level below the package root, as does the
 * bundled `dist/cli.mjs` it is compiled into, so `../` is the package root in both.
 */

/** The package root (holds `data/`, `sql/`, `package.json`). */
export const PACKAGE_ROOT = new URL('../', import.meta.url);

/** The SQL migrations and views (`sql/migrations`, `sql/views`). */
export const SQL_DIR = new URL('sql/', PACKAGE_ROOT);

/** The bundled dataset shipped with the package. */
export const BUNDLED_DATA_URL = new URL('data/', PACKAGE_ROOT);
