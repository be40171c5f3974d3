/**
 * Inputs of the Metabase provisioner, before any HTTP: the dashboard spec files (bad ones are config
 * errors, exit 78, naming the file and the key), the ledger DSN → Metabase Postgres `details` (both DSN
 * forms; values by hand from the DSNs), and the OpenAPI fixture still being the same bytes as the shared
 * original it was copied from (sha256 recorded in test/fixtures/metabase/README.md).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDashboardSpecs } from '../../../src/metabase/dashboard-spec.ts';
import { postgresDetails } from '../../../src/metabase/database-details.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/metabase/api-subset.json', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../../shared/spec/metabase/api-subset.json', import.meta.url));
const LIVE = fileURLToPath(new URL('../../fixtures/metabase/dashboards/live.json', import.meta.url));

function specDir(spec: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mb-specs-'));
  writeFileSync(path.join(dir, 'a.json'), typeof spec === 'string' ? spec : JSON.stringify(spec));
  return dir;
}
const live = () => JSON.parse(readFileSync(LIVE, 'utf8'));

describe('dashboard specs', () => {
  it('loads the fixture spec: 2 cards, an account parameter', async () => {
    const [spec] = await loadDashboardSpecs(path.dirname(LIVE));
    expect(spec?.cards.map((c) => c.key)).toEqual(['equity', 'fees']);
    expect(spec?.parameters).toEqual([{ slug: 'account', name: 'Account', type: 'string/=' }]);
  });

  it('rejects bad specs with exit 78 naming file and key', async () => {
    const noDisplay = live();
    delete noDisplay.cards[1].display;
    await expect(loadDashboardSpecs(specDir(noDisplay))).rejects.toMatchObject({
      exitCode: 78,
      message: expect.stringMatching(/a\.json: key cards\.1\.display:/),
    });
    const untagged = live();
    untagged.cards[0].template_tags = {};
    await expect(loadDashboardSpecs(specDir(untagged))).rejects.toThrow(
      /key cards\.0\.sql: \{\{account\}\} has no entry in template_tags/,
    );
    const dup = live();
    dup.cards[1].key = 'equity';
    await expect(loadDashboardSpecs(specDir(dup))).rejects.toThrow(/card key "equity" is also used/);
    await expect(loadDashboardSpecs(specDir('{nope'))).rejects.toThrow(/a\.json: not valid JSON/);
    await expect(loadDashboardSpecs('/nonexistent/specs')).rejects.toMatchObject({ exitCode: 78 });
  });
});

describe('ledger DSN → Metabase postgres details', () => {
  it('URL form with sslmode, and libpq key/value form with a quoted password', () => {
    expect(postgresDetails('postgresql://u:p%40ss@db:6543/ledger?sslmode=verify-full', 'x')).toEqual({
      host: 'db',
      port: 6543,
      dbname: 'ledger',
      user: 'u',
      password: 'p@ss',
      ssl: true,
    });
    expect(postgresDetails("host=db dbname=ledger user=u password='p w'", 'x')).toEqual({
      host: 'db',
      port: 5432,
      dbname: 'ledger',
      user: 'u',
      password: 'p w',
      ssl: false,
    });
  });

  it('another scheme is a config error that does not echo the password', () => {
    let msg = '';
    try {
      postgresDetails('mysql://u:hunter2@db/x', '--database-url');
    } catch (err) {
      msg = (err as Error).message;
      expect((err as { exitCode: number }).exitCode).toBe(78);
    }
    expect(msg).toContain('--database-url mysql://u:***@db/x: scheme mysql: is not allowed');
    expect(msg).not.toContain('hunter2');
  });
});

describe('OpenAPI fixture provenance', () => {
  it('is byte-identical to ../shared/spec/metabase/api-subset.json (sha256 in its README)', () => {
    const sha = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    expect(sha).toBe('6079b195552fa8a41b49d012de5175d3f9519e1da35c819476744261cb38de59');
    if (existsSync(SHARED)) expect(readFileSync(FIXTURE).equals(readFileSync(SHARED))).toBe(true);
  });
});
