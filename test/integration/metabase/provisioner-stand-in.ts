/**
 * A small stand-in for Metabase's REST API (node:http on 127.0.0.1) for the provisioner tests — no real
 * Metabase can run on CI. It answers as Metabase's API docs describe (new objects get ids and are echoed
 * back; list endpoints answer arrays or `{data}` as Metabase v0.57 does), records every request, and
 * validates every request body with Ajv against the request schema of that endpoint in
 * test/fixtures/metabase/api-subset.json (see the README there for the one oneOf→anyOf workaround).
 * Knobs: `missing` (endpoints answering 404), `delayMs` (per endpoint, for timeouts), `fail5xx` (answers
 * 503 the first N times).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';

const SPEC_URL = new URL('../../fixtures/metabase/api-subset.json', import.meta.url);
/** Schemas whose oneOf can never pass (branches that match anything); read as anyOf. */
const ONE_OF_AS_ANY_OF = [
  'metabase.lib.schema.parameter.target',
  'metabase.lib.schema.parameter..variable.target',
  'metabase.parameters.schema.legacy-ref',
];

type Json = Record<string, unknown>;
type Validate = ((body: unknown) => boolean) & { errors?: unknown[] | null };

/** A compiled request-body validator per `METHOD /path/template` of the subset. */
export function loadRequestValidators(): Map<string, Validate> {
  cached ??= compileValidators();
  return cached;
}
let cached: Map<string, Validate> | undefined;

function compileValidators(): Map<string, Validate> {
  const doc = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
    components: { schemas: Record<string, Json> };
  };
  for (const name of ONE_OF_AS_ANY_OF) {
    const s = doc.components.schemas[name] as Json;
    s.anyOf = s.oneOf;
    delete s.oneOf;
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'mb');
  const out = new Map<string, Validate>();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op.requestBody === undefined) continue;
      const pointer = `mb#/paths/${p.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
      const v = ajv.getSchema(pointer);
      if (v === undefined) throw new Error(`no schema at ${pointer}`);
      out.set(`${method.toUpperCase()} ${p}`, v as Validate);
    }
  }
  return out;
}

/** One recorded request. `schema`: the endpoint key validated against, or null when it has no body schema. */
export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly endpoint: string | null;
  readonly schemaErrors: unknown[] | null;
}

/** Objects the stand-in holds (what a Metabase instance would). */
export interface StandInState {
  setUp: boolean;
  setupToken: string;
  users: Map<string, string>;
  apiKeys: Set<string>;
  sessions: Set<string>;
  databases: Json[];
  collections: Json[];
  cards: Json[];
  dashboards: Json[];
  version: string;
}

/** The stand-in: its URL, state, records, knobs; `close()` when done. */
export interface StandIn {
  readonly url: string;
  readonly state: StandInState;
  readonly requests: Recorded[];
  readonly missing: Set<string>;
  readonly delayMs: Map<string, number>;
  fail5xx: number;
  close(): Promise<void>;
}

/** The endpoint key (method + path template of the subset, or of items) of a request path. */
function endpointOf(method: string, pathname: string): string | null {
  const table: [RegExp, string][] = [
    [/^\/api\/session\/properties$/, '/api/session/properties'],
    [/^\/api\/session\/?$/, '/api/session/'],
    [/^\/api\/setup\/?$/, '/api/setup/'],
    [/^\/api\/database\/?$/, '/api/database/'],
    [/^\/api\/collection\/?$/, '/api/collection/'],
    [/^\/api\/collection\/\d+\/items$/, '/api/collection/{id}/items'],
    [/^\/api\/card\/?$/, '/api/card/'],
    [/^\/api\/card\/\d+$/, '/api/card/{id}'],
    [/^\/api\/dashboard\/?$/, '/api/dashboard/'],
    [/^\/api\/dashboard\/\d+$/, '/api/dashboard/{id}'],
  ];
  const hit = table.find(([re]) => re.test(pathname));
  return hit === undefined ? null : `${method} ${hit[1]}`;
}

/** Starts a stand-in on 127.0.0.1 (random port). `setUp: false` = a fresh instance awaiting setup. */
export async function startStandIn(init: Partial<StandInState> = {}): Promise<StandIn> {
  const validators = loadRequestValidators();
  const state: StandInState = {
    setUp: true,
    setupToken: 'setup-token-0123',
    users: new Map([['admin@example.com', 'correct horse battery']]),
    apiKeys: new Set(['mb_api_key_secret']),
    sessions: new Set(),
    databases: [],
    collections: [],
    cards: [],
    dashboards: [],
    version: 'v0.57.4',
    ...init,
  };
  const requests: Recorded[] = [];
  let nextId = 100;
  const id = () => nextId++;
  const standIn: StandIn = {
    url: '',
    state,
    requests,
    missing: new Set(),
    delayMs: new Map(),
    fail5xx: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const u = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const endpoint = endpointOf(method, u.pathname);
    const validate = endpoint === null ? undefined : validators.get(endpoint);
    let schemaErrors: unknown[] | null = null;
    if (body !== undefined) {
      if (validate === undefined) schemaErrors = [`no request schema for ${method} ${u.pathname}`];
      else if (!validate(body)) schemaErrors = validate.errors ?? ['invalid'];
    }
    requests.push({
      method,
      path: `${u.pathname}${u.search}`,
      body,
      headers: req.headers,
      endpoint,
      schemaErrors,
    });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, {
        'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json',
      });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const delay = endpoint === null ? undefined : standIn.delayMs.get(endpoint);
    if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
    if (standIn.fail5xx > 0) {
      standIn.fail5xx--;
      return send(503, 'Service Unavailable');
    }
    // Metabase answers unknown API paths with 404 "API endpoint does not exist."
    if (endpoint === null || standIn.missing.has(endpoint)) return send(404, 'API endpoint does not exist.');
    const b = (body ?? {}) as Json;

    if (endpoint === 'GET /api/session/properties')
      return send(200, {
        'has-user-setup': state.setUp,
        ...(state.setUp ? {} : { 'setup-token': state.setupToken }),
        version: { tag: state.version },
      });
    if (endpoint === 'POST /api/setup/') {
      if (state.setUp)
        return send(403, {
          message:
            'The /api/setup route can only be used to create the first user, however a user currently exists.',
        });
      if (b.token !== state.setupToken)
        return send(400, { errors: { token: 'Token does not match the setup token.' } });
      const user = b.user as Json;
      state.users.set(String(user.email), String(user.password));
      state.setUp = true;
      const session = `session-${id()}`;
      state.sessions.add(session);
      return send(200, { id: session });
    }
    if (endpoint === 'POST /api/session/') {
      if (state.users.get(String(b.username)) !== b.password)
        return send(401, { errors: { password: 'did not match stored password' } });
      const session = `session-${id()}`;
      state.sessions.add(session);
      return send(200, { id: session });
    }
    const session = req.headers['x-metabase-session'];
    const key = req.headers['x-api-key'];
    const authed =
      (typeof session === 'string' && state.sessions.has(session)) ||
      (typeof key === 'string' && state.apiKeys.has(key));
    if (!authed) return send(401, 'Unauthenticated');

    const num = (s: string) => Number(s.split('/').filter(Boolean).pop());
    switch (endpoint) {
      case 'GET /api/database/':
        return send(200, { data: state.databases, total: state.databases.length });
      case 'POST /api/database/': {
        const db = { ...b, id: id() };
        state.databases.push(db);
        return send(200, db);
      }
      case 'GET /api/collection/':
        return send(200, [
          { id: 'root', name: 'Our analytics', can_write: true },
          ...state.collections.filter((c) => c.archived !== true),
        ]);
      case 'POST /api/collection/': {
        const c = { archived: false, personal_owner_id: null, location: '/', ...b, id: id() };
        state.collections.push(c);
        return send(200, c);
      }
      case 'GET /api/collection/{id}/items': {
        const cid = Number(u.pathname.split('/')[3]);
        const data = state.dashboards
          .filter((d) => d.collection_id === cid && d.archived !== true)
          .map((d) => ({ id: d.id, name: d.name, description: d.description, model: 'dashboard' }));
        return send(200, { data, total: data.length, models: ['dashboard'] });
      }
      case 'GET /api/card/':
        return send(
          200,
          state.cards.filter((c) => c.archived !== true),
        );
      case 'POST /api/card/': {
        const c = { archived: false, collection_id: null, ...b, id: id() };
        state.cards.push(c);
        return send(200, c);
      }
      case 'PUT /api/card/{id}': {
        const c = state.cards.find((x) => x.id === num(u.pathname));
        if (c === undefined) return send(404, 'Not found.');
        Object.assign(c, b);
        return send(200, c);
      }
      case 'POST /api/dashboard/': {
        const d = {
          archived: false,
          collection_id: null,
          parameters: [],
          ...b,
          dashcards: [],
          tabs: [],
          id: id(),
        };
        state.dashboards.push(d);
        return send(200, d);
      }
      case 'GET /api/dashboard/{id}': {
        const d = state.dashboards.find((x) => x.id === num(u.pathname));
        return d === undefined ? send(404, 'Not found.') : send(200, d);
      }
      case 'PUT /api/dashboard/{id}': {
        const d = state.dashboards.find((x) => x.id === num(u.pathname));
        if (d === undefined) return send(404, 'Not found.');
        const { dashcards, ...rest } = b;
        Object.assign(d, rest);
        // The documented replacement: the dashcards sent become the dashboard's; negative ids are new.
        if (Array.isArray(dashcards))
          d.dashcards = (dashcards as Json[]).map((dc) => ({
            ...dc,
            id: (dc.id as number) < 0 ? id() : dc.id,
          }));
        return send(200, d);
      }
      default:
        return send(404, 'API endpoint does not exist.');
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (standIn as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
