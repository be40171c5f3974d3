/**
 * The mainnet interlock and the credentials check of the composition root: errors before any request
 * (DEVELOPERS.md "Bad input"; issue 3: mainnet only with kind = live, allow_mainnet = true and --live).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  binanceTarget,
  exchangeBaseUrl,
  exchangeCredentials,
  isMainnetUrl,
  MAINNET_URL,
  paperMarketUrl,
  TESTNET_URL,
} from '../../../src/adapters/binance/factory.ts';
import { venueOf } from '../../../src/compose/settings.ts';
import { ConfigError } from '../../../src/config/errors.ts';
import { loadConfig, type Overrides } from '../../../src/config/loader.ts';

const cfg = (exchange: Record<string, string>) =>
  loadConfig({ cwd: os.tmpdir(), env: {}, overrides: { exchange } as Overrides }).config;

describe('exchangeBaseUrl', () => {
  it('testnet by default; base_url overrides (the emulator)', () => {
    expect(exchangeBaseUrl(cfg({ kind: 'testnet' }), false)).toBe(TESTNET_URL);
    expect(exchangeBaseUrl(cfg({ kind: 'testnet', base_url: 'http://127.0.0.1:9' }), false)).toBe(
      'http://127.0.0.1:9',
    );
  });
  it('kind = testnet pointed at mainnet is refused', () => {
    expect(() =>
      exchangeBaseUrl(cfg({ kind: 'testnet', base_url: 'https://api.binance.com' }), true),
    ).toThrow(ConfigError);
    expect(() =>
      exchangeBaseUrl(cfg({ kind: 'testnet', base_url: 'https://api3.binance.com' }), true),
    ).toThrow(/mainnet needs kind = live, allow_mainnet = true and --live/);
  });
  it('kind = live needs allow_mainnet = true AND --live; the message names what is missing', () => {
    expect(() => exchangeBaseUrl(cfg({ kind: 'live' }), false)).toThrow(
      /allow_mainnet = true in \[exchange\] and the --live flag/,
    );
    expect(() => exchangeBaseUrl(cfg({ kind: 'live', allow_mainnet: 'true' }), false)).toThrow(
      /needs the --live flag/,
    );
    expect(() => exchangeBaseUrl(cfg({ kind: 'live' }), true)).toThrow(
      /needs allow_mainnet = true in \[exchange\] \(/,
    );
    expect(exchangeBaseUrl(cfg({ kind: 'live', allow_mainnet: 'true' }), true)).toBe(MAINNET_URL);
  });
  it('isMainnetUrl', () => {
    expect(isMainnetUrl('https://api.binance.com')).toBe(true);
    expect(isMainnetUrl('https://api-gcp.binance.com/')).toBe(true);
    expect(isMainnetUrl('https://testnet.binance.vision')).toBe(false);
    expect(isMainnetUrl('http://127.0.0.1:8080')).toBe(false);
    expect(isMainnetUrl('https://evilbinance.com')).toBe(false);
  });
});

describe('exchangeCredentials', () => {
  it('missing key or secret: names the variables, exit code 78', async () => {
    const e = await exchangeCredentials({ apiKey: null, apiSecret: null, privateKeyPath: null }).catch(
      (x) => x,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.exitCode).toBe(78);
    expect(e.message).toMatch(/BINANCE_API_KEY and BINANCE_API_SECRET \(or BINANCE_PRIVATE_KEY_PATH\)/);
    await expect(exchangeCredentials({ apiKey: 'k', apiSecret: null, privateKeyPath: null })).rejects.toThrow(
      /set BINANCE_API_SECRET/,
    );
  });
  it('HMAC or an Ed25519 PEM file; a bad file is named, its content never shown', async () => {
    expect(await exchangeCredentials({ apiKey: 'k', apiSecret: 's', privateKeyPath: null })).toEqual({
      apiKey: 'k',
      apiSecret: 's',
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(path.join(dir, 'ed.pem'), pem);
    const c = await exchangeCredentials({
      apiKey: 'k',
      apiSecret: null,
      privateKeyPath: path.join(dir, 'ed.pem'),
    });
    expect(c.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    writeFileSync(path.join(dir, 'bad.pem'), 'top-secret-not-a-key');
    const e = await exchangeCredentials({
      apiKey: 'k',
      apiSecret: null,
      privateKeyPath: path.join(dir, 'bad.pem'),
    }).catch((x) => x);
    expect(e.message).toMatch(/is not a PEM private key/);
    expect(e.message).not.toContain('top-secret');
    await expect(
      exchangeCredentials({ apiKey: 'k', apiSecret: null, privateKeyPath: path.join(dir, 'missing.pem') }),
    ).rejects.toThrow(/cannot read the Ed25519 private key file .*missing\.pem: ENOENT/);
  });
});

describe('kind = paper (issue 13 item 2): public market data, no credentials', () => {
  const paperCfg = (exchange: Record<string, string>, data: Record<string, string> = {}) =>
    loadConfig({ cwd: os.tmpdir(), env: {}, overrides: { exchange, data } as Overrides }).config;

  it('market URL: [data] market_url, else [exchange] base_url, else Binance mainnet (public data only); venue "paper <URL>"', () => {
    expect(paperMarketUrl(paperCfg({ kind: 'paper' }))).toBe(MAINNET_URL);
    expect(paperMarketUrl(paperCfg({ kind: 'paper', base_url: 'http://127.0.0.1:9/' }))).toBe(
      'http://127.0.0.1:9',
    );
    const both = paperCfg(
      { kind: 'paper', base_url: 'http://127.0.0.1:9' },
      { market_url: 'http://127.0.0.1:8/' },
    );
    expect(paperMarketUrl(both)).toBe('http://127.0.0.1:8');
    expect(venueOf(both)).toBe('paper http://127.0.0.1:8');
    expect(venueOf(paperCfg({ kind: 'paper' }))).toBe(`paper ${MAINNET_URL}`);
  });

  it('the target holds no credentials even when keys are set, and needs neither allow_mainnet nor --live', async () => {
    const t = await binanceTarget(paperCfg({ kind: 'paper' }), {
      credentials: { apiKey: 'k', apiSecret: 's', privateKeyPath: null },
    });
    expect(t).toEqual({ kind: 'paper', baseUrl: MAINNET_URL, credentials: null });
    // And without any key (a testnet target would throw here).
    await expect(binanceTarget(paperCfg({ kind: 'paper' }), {})).resolves.toMatchObject({ kind: 'paper' });
    await expect(binanceTarget(paperCfg({ kind: 'testnet' }), {})).rejects.toThrow(/no exchange API key/);
  });
});
