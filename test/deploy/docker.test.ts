/**
 * The Docker deployment checked by machine (issue 11 item 5). Docker cannot run here (no daemon in CI),
 * so what can be checked without it is:
 * - deploy/docker-compose.yml validates with ajv against the Compose specification's JSON schema
 *   (compose-spec `schema/compose-spec.json`, vendored with its provenance in test/fixtures/compose/), and
 *   a misspelt key or an unknown depends_on condition fails it (mutated copies: the check can fail);
 * - the compose file: Postgres, the scheduler daemon and Metabase, every image pinned by a version tag
 *   (never `latest` or untagged), Metabase at the version the README names, every service with a health
 *   check, named volumes declared and mounted, keys from the git-ignored env file only;
 * - the Dockerfile: base image node 20 bookworm-slim pinned by tag, `npm ci --omit=dev`, the bundled CLI
 *   built at image build, a non-root USER, a HEALTHCHECK, ENTRYPOINT = our bin (the package's `bin`),
 *   default command `schedule`; every COPY source exists and is not dropped by .dockerignore, which keeps
 *   node_modules, secrets and local ledgers out; every package the bundled CLI loads at run time is a
 *   production dependency (so `npm ci --omit=dev` installs it);
 * - the HEALTHCHECK command itself, run with node against a real daemon on a scratch database of the
 *   Postgres server: healthy while the daemon holds its account lock, unhealthy once it has stopped.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BIN } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE = path.join(ROOT, 'deploy', 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const SCHEMA = path.join(ROOT, 'test', 'fixtures', 'compose', 'compose-spec.json');
const serverUrl = process.env.DATABASE_URL;

// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
const compose = (): any => parseYaml(readFileSync(COMPOSE, 'utf8'));

/** The Dockerfile's instructions: [INSTRUCTION, arguments], continuation lines joined, comments dropped. */
function dockerfile(): [string, string][] {
  const out: [string, string][] = [];
  let cur = '';
  for (const raw of readFileSync(DOCKERFILE, 'utf8').split('\n')) {
    const line = raw.trim();
    if (cur === '' && (line === '' || line.startsWith('#'))) continue;
    cur += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) continue;
    const m = /^(\S+)\s+(.*)$/.exec(cur) as RegExpExecArray;
    out.push([(m[1] as string).toUpperCase(), (m[2] as string).trim()]);
    cur = '';
  }
  return out;
}
const args = (instr: string) =>
  dockerfile()
    .filter(([i]) => i === instr)
    .map(([, a]) => a);

/** The compose schema compiled with ajv 8 (draft-07; its `$schema` URI is spelt without `#`). */
function composeValidator() {
  const { $schema: _draft7, ...schema } = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

describe('deploy/docker-compose.yml', () => {
  it('validates against the Compose specification JSON schema', () => {
    const validate = composeValidator();
    const ok = validate(compose());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('fails a misspelt key and an unknown depends_on condition (the check can fail)', () => {
    const validate = composeValidator();
    const misspelt = compose();
    misspelt.services.scheduler.healthcheck.intervall = '60s';
    expect(validate(misspelt)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/services/scheduler/healthcheck',
        params: { additionalProperty: 'intervall' },
      }),
    );
    const condition = compose();
    condition.services.scheduler.depends_on.postgres.condition = 'service_ready';
    expect(validate(condition)).toBe(false);
  });

  it('Postgres, the daemon and Metabase: pinned images, health checks, named volumes, keys from the env file', () => {
    const c = compose();
    expect(Object.keys(c.services).sort()).toEqual(['metabase', 'postgres', 'scheduler']);
    for (const [name, s] of Object.entries(c.services) as [string, Record<string, unknown>][]) {
      // A version tag: name:1.2 / name:v0.50.36 / name:16.4-bookworm — never latest, never untagged.
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:v?\d+(\.\d+)+(-[a-z0-9.]+)?$/);
      expect(s.healthcheck, name).toMatchObject({ test: expect.any(Array) });
      expect(s.restart, name).toBe('unless-stopped');
      // Durations are plain strings in the schema: checked here in Compose's (Go) duration syntax.
      const hc = s.healthcheck as Record<string, unknown>;
      for (const k of ['interval', 'timeout', 'start_period'])
        expect(hc[k], `${name} healthcheck.${k}`).toMatch(/^(\d+(ms|s|m|h))+$/);
    }
    // The Metabase pin is the one the README names.
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const named = /`METABASE_IMAGE = ([^`]+)`/.exec(readme)?.[1];
    expect(named).toBe(c.services.metabase.image);
    // The daemon: our image built from the repository's Dockerfile, running `schedule` on the Postgres
    // service once it is healthy, with time to finish a running job on SIGTERM.
    const d = c.services.scheduler;
    expect(d.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(d.command).toEqual(['schedule']);
    expect(d.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(d.environment.DATABASE_URL).toMatch(
      /^postgres:\/\/rebalancer:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/rebalancer$/,
    );
    expect(d.stop_grace_period).toBe('15m');
    // Keys only from deploy/.env (git-ignored); no key or password written in the file.
    expect(d.env_file).toEqual([{ path: '.env', required: true }]);
    expect(readFileSync(COMPOSE, 'utf8')).not.toMatch(/BINANCE_API_(KEY|SECRET)\s*[:=]/);
    expect(spawnSync('git', ['check-ignore', '-q', 'deploy/.env'], { cwd: ROOT }).status).toBe(0);
    // The env example names every key the README tells the user to set.
    const example = readFileSync(path.join(ROOT, 'deploy', 'env.example'), 'utf8');
    for (const k of ['POSTGRES_PASSWORD', 'BINANCE_API_KEY', 'BINANCE_API_SECRET'])
      expect(example).toMatch(new RegExp(`^${k}=`, 'm'));
    // Named volumes, declared and mounted.
    expect(Object.keys(c.volumes).sort()).toEqual(['metabase-data', 'pgdata']);
    expect(c.services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(c.services.metabase.volumes).toEqual(['metabase-data:/metabase-data']);
    // The daemon's health check is the image's HEALTHCHECK.
    expect(['CMD', ...d.healthcheck.test.slice(1)]).toEqual(healthcheckCommand());
  });
});

/** The HEALTHCHECK's exec-form command, `["CMD", ...argv]`. */
function healthcheckCommand(): string[] {
  const [hc] = args('HEALTHCHECK');
  const json = /\bCMD\s+(\[.*\])$/.exec(hc ?? '')?.[1];
  expect(json, `HEALTHCHECK in exec form: ${hc}`).toBeDefined();
  return ['CMD', ...(JSON.parse(json as string) as string[])];
}

describe('Dockerfile', () => {
  it('node 20 bookworm-slim pinned by tag, npm ci --omit=dev, the CLI bundled at build, non-root, HEALTHCHECK', () => {
    const from = args('FROM');
    expect(from).toHaveLength(1);
    const m = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/.exec(from[0] as string);
    expect(m, `FROM ${from[0]}`).not.toBeNull();
    // package.json "engines": node >= 20.19.
    expect(Number(m?.[1]) > 20 || (Number(m?.[1]) === 20 && Number(m?.[2]) >= 19)).toBe(true);
    const run = args('RUN');
    expect(run.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(run.some((r) => /\bnpm (install|i)\b/.test(r))).toBe(false);
    expect(run.some((r) => r.startsWith('node scripts/build.mjs'))).toBe(true);
    // The last USER is not root (the node image's unprivileged `node` user, uid 1000).
    const user = args('USER').at(-1);
    expect(user).toBe('node');
    expect(healthcheckCommand().slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(args('HEALTHCHECK')[0]).toMatch(
      /--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+/,
    );
  });

  it('ENTRYPOINT runs our bin; the default command is the daemon', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const entry = JSON.parse(args('ENTRYPOINT')[0] as string) as string[];
    expect(entry).toEqual(['node', `/app/${pkg.bin['momentum-rebalancer']}`]);
    expect(args('WORKDIR')).toEqual(['/app']);
    expect(JSON.parse(args('CMD').at(-1) as string)).toEqual(['schedule']);
    expect(existsSync(path.join(ROOT, pkg.bin['momentum-rebalancer']))).toBe(true);
  });

  it('every COPY source exists and reaches the build context; .dockerignore keeps deps, secrets and ledgers out', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const must of ['node_modules', 'dist', 'var', '.env', '**/.env', 'user.cfg', '.git'])
      expect(ignore, must).toContain(must);
    for (const copy of args('COPY')) {
      const parts = copy.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(path.join(ROOT, src)), src).toBe(true);
        expect(ignore, `${src} is excluded by .dockerignore`).not.toContain(src);
      }
    }
  });

  it('every package the bundled CLI loads at run time is a production dependency (npm ci --omit=dev)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const build = readFileSync(path.join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const external = /external:\s*\[([^\]]*)\]/.exec(build)?.[1];
    expect(external).toBeDefined();
    const names = [...(external as string).matchAll(/'([^']+)'/g)].map((x) => x[1] as string);
    expect(names).toContain('esbuild'); // the launcher rebuilds with it
    for (const n of names) expect(pkg.dependencies[n], n).toBeDefined();
  });
});

describe.skipIf(!serverUrl)('the HEALTHCHECK command against a real daemon', () => {
  let db: { url: string; drop: () => Promise<void> };
  let cwd: string;
  let daemon: ChildProcessWithoutNullStreams | null = null;
  beforeAll(async () => {
    db = await freshServerDatabase(serverUrl as string, 'docker_health');
    cwd = mkdtempSync(path.join(os.tmpdir(), 'docker-health-'));
  });
  afterAll(async () => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    await db?.drop();
  });

  /** Runs the HEALTHCHECK's argv (node -e …) from the package root, as in /app; returns its exit code. */
  const probe = () => {
    const [, node, ...rest] = healthcheckCommand();
    expect(node).toBe('node');
    return spawnSync(process.execPath, rest, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      encoding: 'utf8',
      timeout: 30_000,
    }).status;
  };

  it('healthy while the daemon holds its account lock; unhealthy after it stopped', async () => {
    // Before any daemon: the database answers but no lock is held in it.
    expect(probe()).toBe(1);
    const base = { ...process.env };
    delete base.DATABASE_URL;
    const child = spawn(process.execPath, [BIN, 'schedule'], {
      cwd,
      env: {
        ...base,
        DATABASE_URL: db.url,
        LOG_LEVEL: 'info',
        REBALANCER_LOG_FORMAT: 'json',
        // Idle: no slot fires and nothing is caught up while the probe runs.
        REBALANCER_SCHEDULE_REBALANCE_AT: '00:00',
        REBALANCER_SCHEDULE_CATCH_UP: 'false',
      },
    });
    daemon = child;
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (stderr.includes('"msg":"next slot"')) resolve();
      });
      child.on('close', (code) => reject(new Error(`the daemon exited ${code}:\n${stderr.slice(-2000)}`)));
    });
    expect(probe()).toBe(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(probe()).toBe(1);
  }, 120_000);
});
