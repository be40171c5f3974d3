# The scheduler daemon (`momentum-rebalancer schedule`) in a container (issue 11 item 5). Compose file:
# deploy/docker-compose.yml; how to run it: README.md "Running it unattended" → Docker.
# CI cannot run Docker; test/deploy/docker.test.ts checks this file (pinned base image, non-root USER,
# npm ci --omit=dev, the CLI bundled at build time, HEALTHCHECK, ENTRYPOINT = our bin) and runs the
# HEALTHCHECK command against a real daemon.
#
#   docker build -t momentum-rebalancer:0.1.0 .
#   docker run --rm momentum-rebalancer:0.1.0 help

# Pinned by tag (the Node of package.json "engines" >= 20.19, Debian 12).
FROM node:20.20.2-bookworm-slim

ENV NODE_ENV=production \
    REBALANCER_LOG_FORMAT=json
WORKDIR /app

# Dependencies first (a layer cached until package*.json change); no devDependencies. esbuild is a
# runtime dependency: the launcher bundles the CLI with it.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY sql ./sql
COPY data ./data
COPY tsconfig.json user.cfg.example ./

# The bundled CLI (dist/cli.mjs) built now, at image build, so the container never writes to /app; the
# one writable directory is var/ (a PGlite ledger when no DATABASE_URL is given; compose uses Postgres).
RUN node scripts/build.mjs \
 && mkdir -p /app/var \
 && chown node:node /app/var

# The image's unprivileged user (uid 1000), never root.
USER node

# Healthy = the ledger database answers and an advisory lock is held in it (the daemon holds its
# account's lock for its whole life: src/adapters/postgres/instance-lock.ts). Without DATABASE_URL
# (embedded PGlite) only the process is watched (it is PID 1: the container stops when it dies).
HEALTHCHECK --interval=60s --timeout=15s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const u=process.env.DATABASE_URL;if(!u)process.exit(0);const c=new (require('pg').Client)({connectionString:u,connectionTimeoutMillis:10000});c.connect().then(()=>c.query(\"select count(*)::int as n from pg_locks where locktype='advisory' and granted and database=(select oid from pg_database where datname=current_database())\")).then((r)=>process.exit(r.rows[0].n>0?0:1),()=>process.exit(1))"]

# `docker run IMAGE <command> [flags]` runs any CLI command; the default is the daemon. SIGTERM (docker
# stop) lets the running job finish: give it time (compose: stop_grace_period).
ENTRYPOINT ["node", "/app/bin/momentum-rebalancer.js"]
CMD ["schedule"]
