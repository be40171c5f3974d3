/** A migrated ledger per suite, on one of the two real ledgers (PGlite in memory, or the Postgres server). */
import { afterAll, beforeAll } from 'vitest';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import type { LedgerBackend } from './ledger-scratch.ts';
import { ScratchDatabases } from './postgres-server.ts';

/**
 * Registers, in the enclosing `describe`, a `beforeAll` that opens a ledger on `backend` — a fresh
 * database on the server of `backend.url`, else PGlite in memory —, migrates it and hands it to `opened`
 * (which may add the suite's fixtures), and an `afterAll` that closes it and drops the database. Does
 * nothing when `backend.skip`.
 */
export function useMigratedLedger(
  backend: Pick<LedgerBackend, 'url' | 'skip'>,
  opened: (ledger: PostgresLedger) => void | Promise<void>,
): void {
  let ledger: PostgresLedger | undefined;
  let scratch: ScratchDatabases | undefined;
  beforeAll(async () => {
    if (backend.skip) return;
    if (backend.url) {
      scratch = new ScratchDatabases(backend.url);
      ledger = await openLedger({ url: await scratch.create() });
    } else ledger = await openLedger({ dataDir: ':memory:' });
    await ledger.migrate();
    await opened(ledger);
  });
  afterAll(async () => {
    await ledger?.close();
    await scratch?.dropAll();
  });
}
