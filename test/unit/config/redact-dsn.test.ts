/**
 * Issue 14 item 6: a DSN's secrets are redacted in URL AND libpq key/value form. Reproduces the probe's
 * finding: `DATABASE_URL='host=… password=… dbname=…'` (and the same as `[database] url` in user.cfg) was
 * echoed with its password in the ConfigError. The `pg` driver (pg-connection-string 2.x) does not read
 * the key/value form (it parses `host=db …` as a database name on host "base"), so it is rejected — with
 * the password hidden. Expected strings written by hand from the inputs.
 */
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/adapters/postgres/connect.ts';
import { isKeyValueDsn, redactDsn } from '../../../src/config/redact-dsn.ts';
import { configError, load, tempDir, writeFile } from './helpers.ts';

describe('redactDsn', () => {
  it('URL form: the user-info password and secret query parameters become ***, the rest is kept', () => {
    for (const [dsn, redacted] of [
      [
        'postgres://u:p%40ss@db.example:6543/ledger?sslmode=require&password=x',
        'postgres://u:***@db.example:6543/ledger?sslmode=require&password=***',
      ],
      ['postgresql://h/db?user=u&sslpassword=k3y', 'postgresql://h/db?user=u&sslpassword=***'],
      ['postgres://u@h/db', 'postgres://u@h/db'],
      ['', ''],
    ] as const) {
      expect(redactDsn(dsn)).toBe(redacted);
    }
  });

  it('key/value form: password, sslpassword and quoted values with spaces and escaped quotes', () => {
    for (const [dsn, redacted] of [
      ['host=db.example password=hunter2 dbname=ledger', 'host=db.example password=*** dbname=ledger'],
      [
        "host = db  password = 'two words \\' quote' dbname=ledger sslpassword=pk",
        'host = db  password = *** dbname=ledger sslpassword=***',
      ],
      ['host=db dbname=ledger', 'host=db dbname=ledger'],
    ] as const) {
      expect(redactDsn(dsn)).toBe(redacted);
    }
  });

  it('recognises the key/value form', () => {
    for (const [dsn, keyValue] of [
      ['host=db password=x dbname=y', true],
      ["password='a b'", true],
      ['postgres://u:p@h/db', false],
      ['just words', false],
      ['', false],
    ] as const) {
      expect(isKeyValueDsn(dsn)).toBe(keyValue);
    }
  });

  it('connect.ts redactUrl uses it for non-URL strings (quoted password with spaces no longer leaks)', () => {
    expect(redactUrl("host=db password='a secret phrase' dbname=x")).toBe('host=db password=*** dbname=x');
  });
});

describe('loadConfig: a key/value DATABASE_URL / [database] url', () => {
  const DSN = 'host=db.example port=5432 user=ledger password=Hunter2-Secret dbname=ledger';

  it('from DATABASE_URL: rejected (pg cannot read it) with the password hidden', () => {
    const err = configError(() => load({ env: { DATABASE_URL: DSN } }));
    expect(err.exitCode).toBe(78);
    expect(err.message).not.toContain('Hunter2-Secret');
    expect(err.message).toBe(
      'env DATABASE_URL = "host=db.example port=5432 user=ledger password=*** dbname=ledger": the libpq key=value form is not supported by the pg driver: write it as postgres://user:password@host:port/dbname',
    );
  });

  it('from [database] url in user.cfg: rejected, file and key named, password hidden', () => {
    const cwd = tempDir();
    writeFile(cwd, 'user.cfg', `[database]\nurl = ${DSN}\n`);
    const err = configError(() => load({ cwd }));
    expect(err.message).not.toContain('Hunter2-Secret');
    expect(err.message).toContain(
      'user.cfg [database] url = "host=db.example port=5432 user=ledger password=***',
    );
  });

  it('the redacted effective config hides a key/value-looking base_url password too', () => {
    const loaded = load({ env: { DATABASE_URL: 'postgres://u:Hunter2-Secret@h/db?sslpassword=K' } });
    expect(JSON.stringify(loaded.redacted())).not.toMatch(/Hunter2-Secret|=K\b/);
  });
});
