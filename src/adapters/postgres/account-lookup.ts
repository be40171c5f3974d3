/** {@link AccountLookup} over the ledger's `accounts` table (read-only). */
import type { Kysely } from 'kysely';
import type { AccountLookup } from '../../ports/account-lookup.ts';
import type { Database } from './schema.ts';

/** Finds accounts by name in a migrated ledger; ids are decimal strings like the rest of the adapter. */
export class PostgresAccountLookup implements AccountLookup {
  constructor(private readonly db: Kysely<Database>) {}

  async accountIdOf(name: string): Promise<string | null> {
    const row = await this.db.selectFrom('accounts').select('id').where('name', '=', name).executeTakeFirst();
    return row ? String(row.id) : null;
  }

  async accountNames(): Promise<readonly string[]> {
    const rows = await this.db.selectFrom('accounts').select('name').orderBy('name').execute();
    return rows.map((r) => r.name);
  }
}
