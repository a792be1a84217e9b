// npm's configuration as depguard reads it, and the auth it implies: a token
// nerf-darted to a scoped registry's host reaches that host and no other.
// Hosts are placeholders answered by nock; nothing leaves the machine.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type RequestEvent } from '../../src/enrich/registry-client.js';
import { describeFetchOptions, loadNpmConfig, redactUrl, registryFor } from '../../src/enrich/npm-config.js';
import { tempProject } from '../helpers/project.js';
import { makeTarball, integrityOf } from './registry-server.js';

const TOKEN = 'npm_TESTTOKEN0123456789';
const PUBLIC = 'https://registry.example.org';
const ACME = 'https://npm.acme.example';

/** npm reads HOME's .npmrc and npm_config_* variables: give it an empty home and only what the test sets. */
function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'depguard-home-'));
  return { HOME: home, PATH: process.env.PATH ?? '', npm_config_registry: `${PUBLIC}/`, ...extra };
}

function project(npmrc: string): string {
  const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' } });
  writeFileSync(join(dir, '.npmrc'), npmrc);
  return dir;
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('loadNpmConfig', () => {
  it('reads the registry, scoped registries, auth and fetch settings from .npmrc and the environment', async () => {
    const dir = project(`@acme:registry=${ACME}/\n//npm.acme.example/:_authToken=${TOKEN}\nfetch-timeout=1234\nfetch-retries=1\nstrict-ssl=false\n`);
    const env = isolatedEnv();
    const config = await loadNpmConfig(dir, { env });
    expect(config.registries).toEqual({ registry: `${PUBLIC}/`, scopes: { '@acme': `${ACME}/` } });
    expect(config.fetchOptions).toMatchObject({ registry: `${PUBLIC}/`, '@acme:registry': `${ACME}/`, '//npm.acme.example/:_authToken': TOKEN, timeout: 1234, strictSSL: false });
    expect(config.fetchOptions.retry).toMatchObject({ retries: 1 });
    expect(config.cache).toBe(join(env.HOME!, '.npm'));
    expect(config.offline).toBe(false);
  });

  it('--registry and --cache override npm config; scoped registries stay', async () => {
    const dir = project(`@acme:registry=${ACME}/\noffline=true\n`);
    const config = await loadNpmConfig(dir, { env: isolatedEnv(), registry: 'https://mirror.example.org', cache: 'npm-cache' });
    expect(config.registries).toEqual({ registry: 'https://mirror.example.org/', scopes: { '@acme': `${ACME}/` } });
    expect(config.cache).toBe(join(dir, 'npm-cache'));
    expect(config.fetchOptions.cache).toBe(join(dir, 'npm-cache', '_cacache'));
    expect(config.offline).toBe(true);
  });

  it('never shows secrets when describing options or URLs', async () => {
    const dir = project(`//npm.acme.example/:_authToken=${TOKEN}\n//registry.example.org/:_auth=dXNlcjpwYXNz\n`);
    const { fetchOptions } = await loadNpmConfig(dir, { env: isolatedEnv() });
    const shown = JSON.stringify(describeFetchOptions(fetchOptions));
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain('dXNlcjpwYXNz');
    expect(shown).toContain('//npm.acme.example/:_authToken');
    expect(redactUrl('https://user:secret@registry.example.org/a?token=x')).toBe('https://registry.example.org/a?%E2%80%A6');
  });

  it('maps a name to its scope\'s registry', () => {
    const registries = { registry: `${PUBLIC}/`, scopes: { '@acme': `${ACME}/` } };
    expect(registryFor(registries, '@acme/widget')).toBe(`${ACME}/`);
    expect(registryFor(registries, '@other/widget')).toBe(`${PUBLIC}/`);
    expect(registryFor(registries, 'acme')).toBe(`${PUBLIC}/`);
  });
});

describe('scoped registry with auth', () => {
  it('sends the token only to the scoped registry host, for packuments and tarballs', async () => {
    const dir = project(`@acme:registry=${ACME}/\n//npm.acme.example/:_authToken=${TOKEN}\n`);
    const config = await loadNpmConfig(dir, { env: isolatedEnv() });
    const seen: Array<{ host: string; path: string; authorization: string | undefined }> = [];
    const widgetTarball = makeTarball({ 'package.json': '{"name":"@acme/widget","version":"1.0.0"}' });
    const padTarball = makeTarball({ 'package.json': '{"name":"left-pad","version":"1.3.0"}' });
    const corgi = (name: string, version: string, host: string, tarball: Buffer) => ({
      name,
      modified: '2024-01-01T00:00:00.000Z',
      'dist-tags': { latest: version },
      versions: { [version]: { name, version, dist: { integrity: integrityOf(tarball), tarball: `${host}/${name}/-/${name.split('/').pop()}-${version}.tgz` } } },
    });
    const corgiType = { 'content-type': 'application/vnd.npm.install-v1+json' };
    const acme = nock(ACME)
      .get('/@acme%2fwidget')
      .reply(200, corgi('@acme/widget', '1.0.0', ACME, widgetTarball), corgiType)
      .get('/@acme/widget/-/widget-1.0.0.tgz')
      .reply(200, widgetTarball);
    const pub = nock(PUBLIC).get('/left-pad').reply(200, corgi('left-pad', '1.3.0', PUBLIC, padTarball), corgiType).get('/left-pad/-/left-pad-1.3.0.tgz').reply(200, padTarball);
    // nock 15 hands listeners a fetch Request.
    const log = (host: string) => (req: Request) => seen.push({ host, path: new URL(req.url).pathname, authorization: req.headers.get('authorization') ?? undefined });
    acme.on('request', log('acme'));
    pub.on('request', log('public'));
    const events: RequestEvent[] = [];
    const client = new RegistryClient({
      registries: config.registries,
      fetchOptions: { ...config.fetchOptions, retry: { retries: 0 } },
      cache: mkdtempSync(join(tmpdir(), 'depguard-cache-')),
      onRequest: (event) => events.push(event),
    });
    await client.tarball('@acme/widget', '1.0.0');
    await client.tarball('left-pad', '1.3.0');
    expect(seen).toEqual([
      { host: 'acme', path: '/@acme%2fwidget', authorization: `Bearer ${TOKEN}` },
      { host: 'acme', path: '/@acme/widget/-/widget-1.0.0.tgz', authorization: `Bearer ${TOKEN}` },
      { host: 'public', path: '/left-pad', authorization: undefined },
      { host: 'public', path: '/left-pad/-/left-pad-1.3.0.tgz', authorization: undefined },
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(nock.isDone()).toBe(true);
  });
});
