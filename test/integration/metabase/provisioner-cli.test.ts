/**
 * `momentum-rebalancer metabase …` end to end in-process (src/cli/metabase-command.ts → provisioner →
 * real HTTP → the local Metabase stand-in): the exit codes of src/cli/exit-codes.ts and the error texts a
 * user sees — unreachable (69, names the URL), 401 (77, names the auth method), an endpoint this Metabase
 * lacks (69, names it and the pinned version), a timeout (69), bad flags (2), a missing env var (78).
 * Secrets (password, API key, database password) must appear in no output.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runMetabaseCommand } from '../../../src/cli/metabase-command.ts';
import { type StandIn, startStandIn } from './provisioner-stand-in.ts';

const SPECS = fileURLToPath(new URL('../../fixtures/metabase/dashboards/', import.meta.url));
const ENV = {
  MB_PASSWORD: 'correct horse battery',
  MB_API_KEY: 'mb_api_key_secret',
  LEDGER_URL: 'postgres://ledger:db-pass-s3cret@127.0.0.1:55433/rebalancer_dev',
};
const SECRETS = [ENV.MB_PASSWORD, ENV.MB_API_KEY, 'db-pass-s3cret', 'wrong-password-xyz'];

let mb: StandIn;
let stdout: string;
let stderr: string;

beforeEach(async () => {
  mb = await startStandIn();
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await mb.close();
  for (const secret of SECRETS) {
    expect(stdout).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  }
});

const base = (url = mb.url) => ['--url', url, '--specs', SPECS, '--database-url', ENV.LEDGER_URL];
const login = ['--user', 'admin@example.com', '--password-env', 'MB_PASSWORD'];

describe('metabase command', () => {
  it('provisions with a session login and exits 0; the plan is printed', async () => {
    expect(await runMetabaseCommand([...base(), ...login], ENV)).toBe(0);
    expect(stdout).toMatch(/Metabase plan for http:\/\/127\.0\.0\.1:\d+ \(Metabase v0\.57\.4\)/);
    expect(stdout).toMatch(
      /create\s+database\s+"Momentum rebalancer ledger" — postgres ledger@127\.0\.0\.1:55433\/rebalancer_dev/,
    );
    expect(mb.state.dashboards).toHaveLength(1);
  });

  it('wrong password: exit 77 naming the session login, not the password', async () => {
    const code = await runMetabaseCommand([...base(), ...login], {
      ...ENV,
      MB_PASSWORD: 'wrong-password-xyz',
    });
    expect(code).toBe(77);
    expect(stderr).toMatch(/refused the session login as admin@example\.com \(password from \$MB_PASSWORD\)/);
  });

  it('a revoked API key: exit 77 naming the API key variable', async () => {
    mb.state.apiKeys.clear();
    const code = await runMetabaseCommand([...base(), '--api-key-env', 'MB_API_KEY'], ENV);
    expect(code).toBe(77);
    expect(stderr).toMatch(/HTTP 401: auth by API key from \$MB_API_KEY \(X-API-KEY\)/);
  });

  it('unreachable: exit 69 naming the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const code = await runMetabaseCommand([...base(`http://127.0.0.1:${port}`), ...login], ENV);
    expect(code).toBe(69);
    expect(stderr).toContain(`Metabase at http://127.0.0.1:${port} is unreachable`);
    expect(stderr).toContain('ECONNREFUSED');
  });

  it('an endpoint answering 404: exit 69, "this Metabase version lacks …" with the pinned version', async () => {
    mb.missing.add('PUT /api/dashboard/{id}');
    const code = await runMetabaseCommand([...base(), ...login], ENV);
    expect(code).toBe(69);
    expect(stderr).toContain('this Metabase version lacks PUT /api/dashboard/{id}');
    expect(stderr).toContain('pinned to Metabase v0.57.x');
  });

  it('no answer within --timeout-ms: exit 69 after bounded retries', async () => {
    mb.delayMs.set('GET /api/session/properties', 3_000);
    const code = await runMetabaseCommand([...base(), ...login, '--timeout-ms', '200'], ENV);
    expect(code).toBe(69);
    expect(stderr).toMatch(/no answer within 200 ms \(gave up after 4 attempt\(s\)\)/);
    expect(mb.requests.filter((r) => r.endpoint === 'GET /api/session/properties')).toHaveLength(4);
  });

  it('bad flags exit 2; a password variable that is not set exits 78 naming it; nothing sent', async () => {
    expect(await runMetabaseCommand(['--specs', SPECS], ENV)).toBe(2);
    expect(stderr).toContain('--url is required');
    expect(await runMetabaseCommand([...base(), '--user', 'a@b.c'], ENV)).toBe(2);
    expect(await runMetabaseCommand([...base(), '--bogus'], ENV)).toBe(2);
    expect(
      await runMetabaseCommand([...base('http://a:wrong-password-xyz@127.0.0.1:9'), ...login], ENV),
    ).toBe(2);
    expect(stderr).toContain('--url must not hold credentials');
    expect(await runMetabaseCommand([...base(), '--user', 'a@b.c', '--password-env', 'NOPE'], ENV)).toBe(78);
    expect(stderr).toContain('--password-env NOPE: environment variable NOPE is not set or empty');
    expect(mb.requests).toEqual([]);
  });

  it('a Metabase that is not set up and no credentials to create the admin: exit 78 (API key cannot set up)', async () => {
    mb.state.setUp = false;
    const code = await runMetabaseCommand([...base(), '--api-key-env', 'MB_API_KEY'], ENV);
    expect(code).toBe(78);
    expect(stderr).toContain('is not set up yet: pass --user EMAIL --password-env VAR');
  });
});
