/**
 * The Metabase provisioner (issue 12 item 2) over real HTTP against a local stand-in of Metabase's API
 * (provisioner-stand-in.ts; no real Metabase can run here). Every request body the provisioner sends is
 * validated with Ajv against the endpoint's request schema in test/fixtures/metabase/api-subset.json.
 * Expected values come from the fixture spec test/fixtures/metabase/dashboards/live.json (2 cards, one
 * `account` filter) and from Metabase's documented behaviour (ids assigned by the server, negative
 * dashcard ids for new dashcards).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDashboardSpecs } from '../../../src/metabase/dashboard-spec.ts';
import { postgresDetails } from '../../../src/metabase/database-details.ts';
import { MetabaseConfigError } from '../../../src/metabase/errors.ts';
import { MetabaseClient } from '../../../src/metabase/http-client.ts';
import { hasMarker } from '../../../src/metabase/marker.ts';
import { type ProvisionOptions, provisionMetabase } from '../../../src/metabase/provision.ts';
import { type StandIn, startStandIn } from './provisioner-stand-in.ts';

const SPECS = fileURLToPath(new URL('../../fixtures/metabase/dashboards/', import.meta.url));
/** The specs shipped with the package (written on another branch; present once merged). */
const SHIPPED = fileURLToPath(new URL('../../../deploy/metabase/dashboards/', import.meta.url));
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery', passwordEnv: 'MB_PASSWORD' };
const DSN = 'postgres://ledger:db-pass-s3cret@db.internal:5433/rebalancer?sslmode=require';

// biome-ignore lint/suspicious/noExplicitAny: recorded JSON bodies are read loosely in assertions
type Loose = Record<string, any>;

let mb: StandIn;
let out: string[];

beforeEach(async () => {
  mb = await startStandIn();
  out = [];
});
afterEach(async () => {
  await mb.close();
});

async function run(over: Partial<ProvisionOptions> = {}) {
  return provisionMetabase({
    client: new MetabaseClient({ baseUrl: mb.url, timeoutMs: 2_000, retries: 2, minBackoffMs: 10 }),
    specs: await loadDashboardSpecs(SPECS),
    collectionName: 'Momentum rebalancer',
    databaseName: 'Momentum rebalancer ledger',
    databaseDetails: postgresDetails(DSN, '--database-url'),
    login: ADMIN,
    dryRun: false,
    adopt: false,
    print: (l) => out.push(l),
    ...over,
  });
}

/** Every body sent was valid against its endpoint's request schema (and had one). */
function expectAllBodiesValid() {
  const bad = mb.requests.filter((r) => r.schemaErrors !== null);
  expect(bad.map((r) => ({ req: `${r.method} ${r.path}`, errors: r.schemaErrors }))).toEqual([]);
}

const writes = () => mb.requests.filter((r) => r.method !== 'GET' && r.endpoint !== 'POST /api/session/');
const count = (endpoint: string) => mb.requests.filter((r) => r.endpoint === endpoint).length;
/** A collection made by hand on the instance: id 7, `name`, at the root. */
const addHandMadeCollection = (name: string) =>
  mb.state.collections.push({ id: 7, name, archived: false, personal_owner_id: null, location: '/' });

describe('metabase provisioner against the stand-in', () => {
  it('first run creates the database connection, collection, 2 native questions and the dashboard with an account filter', async () => {
    const result = await run();
    expectAllBodiesValid();
    expect(result.applied).toBe(true);
    // Database details from the DSN (host, port, dbname, user, password, ssl from sslmode=require).
    const db = mb.requests.find((r) => r.endpoint === 'POST /api/database/')?.body as Record<string, unknown>;
    expect(db).toMatchObject({
      name: 'Momentum rebalancer ledger',
      engine: 'postgres',
      details: {
        host: 'db.internal',
        port: 5433,
        dbname: 'rebalancer',
        user: 'ledger',
        password: 'db-pass-s3cret',
        ssl: true,
      },
    });
    expect(mb.state.collections).toHaveLength(1);
    expect(mb.state.cards).toHaveLength(2);
    const equity = mb.state.cards.find((c) => c.name === 'Equity and drawdown') as Loose;
    expect(equity.collection_id).toBe(result.collectionId);
    expect(equity.dataset_query).toMatchObject({
      type: 'native',
      database: result.databaseId,
      native: { 'template-tags': { account: { name: 'account', 'display-name': 'Account', type: 'text' } } },
    });
    expect(equity.dataset_query.native.query).toContain('{{account}}');
    expect(hasMarker(equity.description, 'card', 'equity')).toBe(true);
    // POST /api/dashboard/ then PUT with dashcards: negative ids for new ones, layout from the spec.
    expect(count('POST /api/dashboard/')).toBe(1);
    const put = mb.requests.find((r) => r.endpoint === 'PUT /api/dashboard/{id}')?.body as Loose;
    expect(put.dashcards.map((d: Loose) => d.id)).toEqual([-1, -2]);
    expect(put.dashcards.map((d: Loose) => [d.row, d.col, d.size_x, d.size_y])).toEqual([
      [0, 0, 12, 6],
      [0, 12, 12, 6],
    ]);
    const paramId = put.parameters[0].id;
    expect(put.parameters[0]).toMatchObject({ slug: 'account', type: 'string/=', name: 'Account' });
    expect(put.dashcards[0].parameter_mappings).toEqual([
      {
        parameter_id: paramId,
        card_id: result.cardIds.equity,
        target: ['variable', ['template-tag', 'account']],
      },
    ]);
    const dash = mb.state.dashboards[0] as Loose;
    expect(dash.dashcards.map((d: Loose) => d.card_id)).toEqual([result.cardIds.equity, result.cardIds.fees]);
    // Session auth header on every call after login; the password and DB password never printed.
    expect(
      mb.requests.filter((r) => r.endpoint === 'GET /api/card/')[0]?.headers['x-metabase-session'],
    ).toMatch(/^session-/);
    expect(out.join('\n')).not.toContain('db-pass-s3cret');
    expect(out.join('\n')).not.toContain(ADMIN.password);
  });

  it('second run updates in place: zero POSTs of cards or dashboards, same ids, dashcards kept by id', async () => {
    const first = await run();
    const dashcardIds = (mb.state.dashboards[0] as Loose).dashcards.map((d: Loose) => d.id);
    mb.requests.length = 0;
    const second = await run();
    expectAllBodiesValid();
    expect(count('POST /api/card/')).toBe(0);
    expect(count('POST /api/dashboard/')).toBe(0);
    expect(count('POST /api/collection/')).toBe(0);
    expect(count('POST /api/database/')).toBe(0);
    expect(count('PUT /api/card/{id}')).toBe(2);
    expect(count('PUT /api/dashboard/{id}')).toBe(1);
    expect(second.cardIds).toEqual(first.cardIds);
    expect(second.dashboardIds).toEqual(first.dashboardIds);
    expect(mb.state.cards).toHaveLength(2);
    expect(mb.state.dashboards).toHaveLength(1);
    expect((mb.state.dashboards[0] as Loose).dashcards.map((d: Loose) => d.id)).toEqual(dashcardIds);
    expect(out.some((l) => /update\s+card\s+#\d+ "Equity and drawdown"/.test(l))).toBe(true);
  });

  it('a hand-made card of the same name in another collection is left untouched and named in the plan', async () => {
    addHandMadeCollection('Team');
    const mine = {
      id: 8,
      name: 'Equity and drawdown',
      description: 'my own',
      collection_id: 7,
      archived: false,
      display: 'table',
    };
    mb.state.cards.push({ ...mine });
    await run();
    await run();
    expectAllBodiesValid();
    expect(mb.state.cards.find((c) => c.id === 8)).toEqual(mine);
    expect(mb.requests.some((r) => r.path.startsWith('/api/card/8'))).toBe(false);
    expect(out.some((l) => l.includes('untouched') && l.includes('#8') && l.includes('"Team"'))).toBe(true);
    expect(mb.state.cards).toHaveLength(3);
  });

  it('a card added by hand to the managed dashboard survives a run again (nothing it did not create is removed)', async () => {
    await run();
    const dash = mb.state.dashboards[0] as Loose;
    dash.dashcards.push({
      id: 555,
      card_id: 8,
      row: 6,
      col: 0,
      size_x: 6,
      size_y: 4,
      parameter_mappings: [],
    });
    await run();
    expectAllBodiesValid();
    expect(dash.dashcards.map((d: Loose) => d.id)).toContain(555);
    expect(dash.dashcards).toHaveLength(3);
  });

  it('a same-named hand-made card inside the collection is a conflict: plan printed, nothing written, exit 78; --adopt updates it', async () => {
    addHandMadeCollection('Momentum rebalancer');
    mb.state.cards.push({
      id: 8,
      name: 'Equity and drawdown',
      description: null,
      collection_id: 7,
      archived: false,
    });
    mb.state.databases.push({ id: 3, name: 'Momentum rebalancer ledger', engine: 'postgres' });
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetabaseConfigError);
    expect((err as MetabaseConfigError).exitCode).toBe(78);
    expect(out.join('\n')).toMatch(/conflict\s+card\s+#8 "Equity and drawdown"/);
    expect(writes()).toEqual([]);
    await run({ adopt: true });
    expectAllBodiesValid();
    expect(count('PUT /api/card/{id}')).toBe(1);
    expect(hasMarker(mb.state.cards.find((c) => c.id === 8)?.description, 'card', 'equity')).toBe(true);
  });

  it('fresh instance: completes setup with the token Metabase shows, then provisions as the new admin', async () => {
    await mb.close();
    mb = await startStandIn({ setUp: false, users: new Map() });
    await run({ login: { ...ADMIN, email: 'first@example.com' } });
    expectAllBodiesValid();
    const setup = mb.requests.find((r) => r.endpoint === 'POST /api/setup/')?.body as Loose;
    expect(setup).toMatchObject({
      token: 'setup-token-0123',
      user: { email: 'first@example.com' },
      prefs: { site_name: 'Momentum rebalancer' },
    });
    expect(mb.state.users.get('first@example.com')).toBe(ADMIN.password);
    expect(count('POST /api/session/')).toBe(0); // setup returns the session
    expect(mb.state.dashboards).toHaveLength(1);
  });

  it('--dry-run prints the plan and sends no write at all', async () => {
    await run({ dryRun: true });
    expect(writes()).toEqual([]);
    expect(out.join('\n')).toMatch(/dry run, nothing will be changed/);
    expect(out.join('\n')).toMatch(/create\s+dashboard\s+"Momentum rebalancer — Live \(fixture\)"/);
  });

  it('API key auth: X-API-KEY on every request, no login', async () => {
    await run({ login: undefined, apiKey: { key: 'mb_api_key_secret', envVar: 'MB_API_KEY' } });
    expect(count('POST /api/session/')).toBe(0);
    const authed = mb.requests.filter((r) => r.endpoint !== 'GET /api/session/properties');
    expect(authed.every((r) => r.headers['x-api-key'] === 'mb_api_key_secret')).toBe(true);
  });

  it('retries a GET answered 503 twice, then succeeds', async () => {
    mb.fail5xx = 2;
    await run();
    expect(mb.requests.filter((r) => r.endpoint === 'GET /api/session/properties')).toHaveLength(3);
    expect(mb.state.dashboards).toHaveLength(1);
  });

  it('the validator is not a rubber stamp: a card body without display and a dashcard without size_y fail', async () => {
    const { loadRequestValidators } = await import('./provisioner-stand-in.ts');
    const v = loadRequestValidators();
    const card = v.get('POST /api/card/');
    expect(card?.({ name: 'x', visualization_settings: {}, dataset_query: {} })).toBe(false);
    const dash = v.get('PUT /api/dashboard/{id}');
    expect(dash?.({ dashcards: [{ id: -1, row: 0, col: 0, size_x: 4 }] })).toBe(false);
  });

  it.skipIf(!existsSync(SHIPPED))(
    'the shipped specs (deploy/metabase/dashboards) provision with every body valid, and a run again posts nothing',
    async () => {
      const specs = await loadDashboardSpecs(SHIPPED);
      const cards = specs.flatMap((s) => s.cards).length;
      await run({ specs });
      await run({ specs });
      expectAllBodiesValid();
      expect(mb.state.cards).toHaveLength(cards);
      expect(mb.state.dashboards).toHaveLength(specs.length);
      expect(count('POST /api/card/')).toBe(cards);
      expect(count('PUT /api/card/{id}')).toBe(cards);
    },
  );
});
