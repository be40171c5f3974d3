/**
 * The Metabase provisioner (issue 12 item 2): makes Metabase show the ledger's dashboards, from the
 * dashboard specs, and on a run again updates them in place.
 *
 * Steps: (1) `GET /api/session/properties`; when setup is needed (or a setup token is given) and allowed,
 * `POST /api/setup` with the first admin; else log in (`POST /api/session`) or use the API key;
 * (2) READ everything it needs (databases, collections, cards, the dashboards of its collection) and make
 * a plan; (3) print the plan; stop there on `dryRun` or when the plan has conflicts; (4) apply it:
 * `POST /api/database/`, `POST /api/collection/`, `POST`/`PUT /api/card/…`, `POST /api/dashboard/` then
 * `PUT /api/dashboard/{id}` with `dashcards` and `parameters`.
 * Found by name within its collection; objects of the same name elsewhere are left alone; it never
 * deletes anything (see marker.ts for what it considers its own).
 */
import type { DashboardSpec } from './dashboard-spec.ts';
import type { PostgresDetails } from './database-details.ts';
import { MetabaseAuthError, MetabaseConfigError } from './errors.ts';
import type { MetabaseClient } from './http-client.ts';
import { hasMarker, isManaged, managedMarker } from './marker.ts';
import { formatPlan, type PlanStep } from './plan-format.ts';
import { cardBody, dashboardCreateBody, dashboardPutBody, type ExistingDashcard } from './request-bodies.ts';
import { isPinnedVersion, METABASE_VERSION } from './version.ts';

/** What the provisioner is asked to do. */
export interface ProvisionOptions {
  readonly client: MetabaseClient;
  readonly specs: readonly DashboardSpec[];
  /** Name of the collection it owns (created at the root when missing). */
  readonly collectionName: string;
  /** Name of the Metabase database connection to the ledger (found, or created from `databaseDetails`). */
  readonly databaseName: string;
  /** The ledger's Postgres connection; needed only when the database connection must be created. */
  readonly databaseDetails?: PostgresDetails;
  /** `--user` / `--password-env`: session login, and the first admin when setup runs. */
  readonly login?: { readonly email: string; readonly password: string; readonly passwordEnv: string };
  /** `--api-key-env`: the API key and the name of its env var (for messages). */
  readonly apiKey?: { readonly key: string; readonly envVar: string };
  /** `--setup-token-env`: the setup token; when given, setup runs if the instance is not set up. */
  readonly setupToken?: string;
  /** Print the plan and write nothing. */
  readonly dryRun: boolean;
  /** Update same-named objects in the collection that lack the provisioner's marker. */
  readonly adopt: boolean;
  /** Where the plan and progress lines go (stdout in the CLI). */
  readonly print: (line: string) => void;
}

/** What a run did (ids are Metabase's). */
export interface ProvisionResult {
  readonly plan: readonly PlanStep[];
  readonly applied: boolean;
  readonly version: string | undefined;
  readonly databaseId?: number;
  readonly collectionId?: number;
  readonly cardIds: Readonly<Record<string, number>>;
  readonly dashboardIds: Readonly<Record<string, number>>;
}

interface Named {
  readonly id: number;
  readonly name: string;
  readonly description?: string | null;
  readonly collection_id?: number | null;
  readonly archived?: boolean;
}
interface Collection extends Named {
  readonly personal_owner_id?: number | null;
  readonly location?: string;
}
interface Database extends Named {
  readonly engine?: string;
  readonly details?: Record<string, unknown> | null;
}

/**
 * Provisions the dashboards. Returns the plan and the ids; throws the client's errors (unreachable 69,
 * auth 77, missing endpoint 69) and MetabaseConfigError (78) when setup is needed without credentials,
 * no database connection can be found or made, or same-named hand-made objects are in the way (the plan
 * is printed first, nothing is written).
 */
export async function provisionMetabase(o: ProvisionOptions): Promise<ProvisionResult> {
  const { client } = o;
  const plan: PlanStep[] = [];
  const props = await client.request<Record<string, unknown>>(
    'GET',
    '/api/session/properties',
    undefined,
    'GET /api/session/properties',
  );
  const version = versionTag(props);
  if (!isPinnedVersion(version))
    o.print(
      `warning: Metabase reports version ${version ?? '(none)'}; the provisioner is pinned to ${METABASE_VERSION}.x — requests may not match this version`,
    );
  const hasUser = props?.['has-user-setup'];
  const setupNeeded = hasUser === false || (o.setupToken !== undefined && hasUser !== true);
  const empty = { plan, applied: false, version, cardIds: {}, dashboardIds: {} };
  if (setupNeeded) {
    const token =
      o.setupToken ?? (typeof props?.['setup-token'] === 'string' ? props['setup-token'] : undefined);
    if (o.login === undefined)
      throw new MetabaseConfigError(
        `Metabase at ${client.baseUrl} is not set up yet: pass --user EMAIL --password-env VAR to create the first admin`,
      );
    if (token === undefined)
      throw new MetabaseConfigError(
        `Metabase at ${client.baseUrl} is not set up yet and shows no setup token: pass --setup-token-env VAR (the token from MB_SETUP_TOKEN or the setup page)`,
      );
    plan.push({ action: 'create', kind: 'setup', name: `first admin ${o.login.email}` });
    if (o.dryRun) {
      plan.push({ action: 'note', kind: 'setup', name: 'after setup everything below is created' });
      for (const spec of o.specs) plan.push(...createAllSteps(o, spec));
      o.print(formatPlan(client.baseUrl, version, plan, true));
      return empty;
    }
    client.addSecret(o.login.password);
    client.addSecret(token);
    const session = await client.request<{ id?: unknown }>(
      'POST',
      '/api/setup/',
      {
        token,
        user: { email: o.login.email, password: o.login.password, first_name: null, last_name: null },
        prefs: { site_name: 'Momentum rebalancer' },
      },
      'POST /api/setup/',
    );
    if (typeof session?.id !== 'string')
      throw new MetabaseConfigError('POST /api/setup/ answered without a session id');
    client.setAuth({ kind: 'session', sessionId: session.id, user: o.login.email });
    o.print(`setup: first admin ${o.login.email} created`);
  } else if (o.apiKey !== undefined) {
    client.setAuth({ kind: 'api-key', apiKey: o.apiKey.key, envVar: o.apiKey.envVar });
  } else if (o.login !== undefined) {
    client.addSecret(o.login.password);
    const session = await loginAs(client, o.login);
    client.setAuth({ kind: 'session', sessionId: session, user: o.login.email });
  } else {
    throw new MetabaseConfigError(
      'no Metabase credentials: pass --user EMAIL --password-env VAR, or --api-key-env VAR',
    );
  }

  // ---- read, plan
  const databases = listOf<Database>(
    await client.request('GET', '/api/database/', undefined, 'GET /api/database/'),
  );
  const database = findDatabase(databases, o.databaseName, o.databaseDetails);
  if (database !== undefined)
    plan.push({ action: 'use', kind: 'database', id: database.id, name: database.name });
  else if (o.databaseDetails !== undefined)
    plan.push({
      action: 'create',
      kind: 'database',
      name: o.databaseName,
      note: describeDetails(o.databaseDetails),
    });
  else
    throw new MetabaseConfigError(
      `Metabase has no database connection named "${o.databaseName}": pass --database-url (or set DATABASE_URL) to the ledger's Postgres so it can be added`,
    );

  const collections = listOf<Collection>(
    await client.request('GET', '/api/collection/?archived=false', undefined, 'GET /api/collection/'),
  ).filter((c) => typeof c.id === 'number' && c.personal_owner_id == null && c.archived !== true);
  const sameName = collections.filter((c) => c.name === o.collectionName);
  const collection =
    sameName.find((c) => hasMarker(c.description, 'collection', o.collectionName)) ??
    sameName.find((c) => c.location === undefined || c.location === '/') ??
    sameName[0];
  if (collection === undefined) plan.push({ action: 'create', kind: 'collection', name: o.collectionName });
  else
    plan.push({
      action: 'use',
      kind: 'collection',
      id: collection.id,
      name: collection.name,
      ...(isManaged(collection.description) ? {} : { note: 'made by hand; its other items are left alone' }),
    });
  const collectionNames = new Map(collections.map((c) => [c.id, c.name]));

  const cards = listOf<Named>(await client.request('GET', '/api/card/?f=all', undefined, 'GET /api/card/'));
  const cardIds = new Map<string, number>();
  const cardUpdates = new Map<string, number>();
  let conflicts = 0;
  for (const spec of o.specs) {
    for (const card of spec.cards) {
      const mine = cards.filter(
        (c) => collection !== undefined && c.collection_id === collection.id && c.archived !== true,
      );
      const found =
        mine.find((c) => hasMarker(c.description, 'card', card.key)) ??
        mine.find((c) => c.name === card.name);
      for (const other of cards)
        if (other.name === card.name && other !== found && other.collection_id !== collection?.id)
          plan.push({
            action: 'untouched',
            kind: 'card',
            id: other.id,
            name: other.name,
            note: `in ${other.collection_id == null ? 'the root collection' : `collection #${other.collection_id} "${collectionNames.get(other.collection_id) ?? '?'}"`}, not in "${o.collectionName}"`,
          });
      if (found === undefined)
        plan.push({ action: 'create', kind: 'card', name: card.name, note: `key ${card.key}` });
      else if (hasMarker(found.description, 'card', card.key) || o.adopt) {
        cardUpdates.set(card.key, found.id);
        plan.push({
          action: 'update',
          kind: 'card',
          id: found.id,
          name: found.name,
          note: hasMarker(found.description, 'card', card.key)
            ? `key ${card.key}`
            : `key ${card.key}; adopted (made by hand)`,
        });
      } else {
        conflicts++;
        plan.push({
          action: 'conflict',
          kind: 'card',
          id: found.id,
          name: found.name,
          note: `in "${o.collectionName}" but not made by the provisioner; rename or move it, or pass --adopt to let it be updated`,
        });
      }
    }
  }

  const dashboards =
    collection === undefined
      ? []
      : listOf<Named & { model?: string }>(
          await client.request(
            'GET',
            `/api/collection/${collection.id}/items?models=dashboard`,
            undefined,
            'GET /api/collection/:id/items',
          ),
        ).filter((d) => d.model === undefined || d.model === 'dashboard');
  const dashboardUpdates = new Map<string, number>();
  for (const spec of o.specs) {
    const found =
      dashboards.find((d) => hasMarker(d.description, 'dashboard', spec.name)) ??
      dashboards.find((d) => d.name === spec.name);
    if (found === undefined) {
      plan.push({ action: 'create', kind: 'dashboard', name: spec.name, note: `${spec.cards.length} cards` });
    } else if (hasMarker(found.description, 'dashboard', spec.name) || o.adopt) {
      dashboardUpdates.set(spec.name, found.id);
      plan.push({
        action: 'update',
        kind: 'dashboard',
        id: found.id,
        name: found.name,
        note: `${spec.cards.length} cards replaced in place; cards added by hand are kept`,
      });
    } else {
      conflicts++;
      plan.push({
        action: 'conflict',
        kind: 'dashboard',
        id: found.id,
        name: found.name,
        note: `in "${o.collectionName}" but not made by the provisioner; rename or move it, or pass --adopt`,
      });
    }
  }
  o.print(formatPlan(client.baseUrl, version, plan, o.dryRun));
  if (conflicts > 0)
    throw new MetabaseConfigError(
      `${conflicts} object(s) in collection "${o.collectionName}" have the provisioner's names but were not made by it (see "conflict" in the plan); nothing was changed`,
    );
  if (o.dryRun) return { ...empty, cardIds: {}, dashboardIds: {} };

  // ---- apply
  let databaseId = database?.id;
  if (databaseId === undefined) {
    const created = await client.request<{ id: number }>(
      'POST',
      '/api/database/',
      {
        name: o.databaseName,
        engine: 'postgres',
        details: o.databaseDetails,
        is_full_sync: true,
        is_on_demand: false,
        connection_source: 'admin',
      },
      'POST /api/database/',
    );
    databaseId = created.id;
    o.print(`database: created #${databaseId} "${o.databaseName}"`);
  }
  let collectionId = collection?.id;
  if (collectionId === undefined) {
    const created = await client.request<{ id: number }>(
      'POST',
      '/api/collection/',
      { name: o.collectionName, description: managedMarker('collection', o.collectionName), parent_id: null },
      'POST /api/collection/',
    );
    collectionId = created.id;
    o.print(`collection: created #${collectionId} "${o.collectionName}"`);
  }
  for (const spec of o.specs) {
    for (const card of spec.cards) {
      const body = cardBody(card, databaseId, collectionId);
      const id = cardUpdates.get(card.key);
      if (id !== undefined) {
        await client.request('PUT', `/api/card/${id}`, body, 'PUT /api/card/{id}');
        cardIds.set(card.key, id);
        o.print(`card: updated #${id} "${card.name}"`);
      } else {
        const created = await client.request<{ id: number }>('POST', '/api/card/', body, 'POST /api/card/');
        cardIds.set(card.key, created.id);
        o.print(`card: created #${created.id} "${card.name}"`);
      }
    }
  }
  const dashboardIds: Record<string, number> = {};
  for (const spec of o.specs) {
    let id = dashboardUpdates.get(spec.name);
    let current: ExistingDashcard[] = [];
    if (id === undefined) {
      const created = await client.request<{ id: number }>(
        'POST',
        '/api/dashboard/',
        dashboardCreateBody(spec, collectionId),
        'POST /api/dashboard/',
      );
      id = created.id;
    } else {
      const got = await client.request<{ dashcards?: ExistingDashcard[] }>(
        'GET',
        `/api/dashboard/${id}`,
        undefined,
        'GET /api/dashboard/{id}',
      );
      current = got?.dashcards ?? [];
    }
    const ourIds = new Set(spec.cards.map((c) => cardIds.get(c.key)));
    const existing = new Map<number, ExistingDashcard>();
    for (const d of current)
      if (d.card_id != null && ourIds.has(d.card_id) && !existing.has(d.card_id)) existing.set(d.card_id, d);
    const kept = current.filter((d) => d.card_id == null || !ourIds.has(d.card_id));
    await client.request(
      'PUT',
      `/api/dashboard/${id}`,
      dashboardPutBody(spec, collectionId, cardIds, existing, kept),
      'PUT /api/dashboard/{id}',
    );
    dashboardIds[spec.name] = id;
    o.print(
      `dashboard: ${dashboardUpdates.has(spec.name) ? 'updated' : 'created'} #${id} "${spec.name}" (${spec.cards.length} cards${kept.length > 0 ? `, ${kept.length} kept` : ''})`,
    );
  }
  return {
    plan,
    applied: true,
    version,
    databaseId,
    collectionId,
    cardIds: Object.fromEntries(cardIds),
    dashboardIds,
  };
}

async function loginAs(
  client: MetabaseClient,
  login: NonNullable<ProvisionOptions['login']>,
): Promise<string> {
  client.setAuth({ kind: 'none' });
  try {
    const session = await client.request<{ id?: unknown }>(
      'POST',
      '/api/session/',
      { username: login.email, password: login.password },
      'POST /api/session/',
    );
    if (typeof session?.id !== 'string')
      throw new MetabaseConfigError('POST /api/session/ answered without a session id');
    return session.id;
  } catch (err) {
    const e = err as { status?: number; name?: string };
    // Metabase answers a wrong password with 401 (or 400 on some versions): an auth problem either way.
    if (e.name === 'MetabaseRequestError' && e.status === 400) {
      throw new MetabaseAuthError(
        `Metabase at ${client.baseUrl} refused the session login as ${login.email} (password from $${login.passwordEnv}): HTTP 400`,
      );
    }
    if (e.name === 'MetabaseAuthError') {
      throw new MetabaseAuthError(
        `Metabase at ${client.baseUrl} refused the session login as ${login.email} (password from $${login.passwordEnv}) — check the email and the password`,
      );
    }
    throw err;
  }
}

function versionTag(props: Record<string, unknown> | null): string | undefined {
  const v = props?.version as { tag?: unknown } | undefined;
  return typeof v?.tag === 'string' ? v.tag : undefined;
}

/** `GET` list answers come as an array or as `{ data: [...] }` (Metabase ≥ 0.42 for databases and items). */
function listOf<T>(answer: unknown): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const data = (answer as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? (data as T[]) : [];
}

function findDatabase(
  all: readonly Database[],
  name: string,
  details: PostgresDetails | undefined,
): Database | undefined {
  const byName = all.find((d) => d.name === name);
  if (byName !== undefined || details === undefined) return byName;
  return all.find(
    (d) =>
      d.engine === 'postgres' &&
      d.details?.host === details.host &&
      Number(d.details?.port ?? 5432) === details.port &&
      d.details?.dbname === details.dbname,
  );
}

function describeDetails(d: PostgresDetails): string {
  return `postgres ${d.user}@${d.host}:${d.port}/${d.dbname}${d.ssl ? ' ssl' : ''}`;
}

function createAllSteps(o: ProvisionOptions, spec: DashboardSpec): PlanStep[] {
  return [
    ...spec.cards.map(
      (c): PlanStep => ({ action: 'create', kind: 'card', name: c.name, note: `key ${c.key}` }),
    ),
    {
      action: 'create',
      kind: 'dashboard',
      name: spec.name,
      note: `${spec.cards.length} cards in "${o.collectionName}"`,
    },
  ];
}
