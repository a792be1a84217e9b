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

/**
 * The user's own npm config (~/.npmrc), which depguard trusts; the project's
 * .npmrc is the pull request's and decides nothing about fetching
 * (docs/security.md). Returns a project without an .npmrc and the env.
 */
function userConfigured(npmrc: string, extra: Record<string, string> = {}): { dir: string; env: Record<string, string> } {
  const env = isolatedEnv(extra);
  writeFileSync(join(env.HOME!, '.npmrc'), npmrc);
  return { dir: tempProject({ 'package.json': { name: 'app', version: '1.0.0' } }), env };
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
  it('reads the registry, scoped registries, auth and fetch settings from the user\'s .npmrc and the environment', async () => {
    const { dir, env } = userConfigured(`@acme:registry=${ACME}/\n//npm.acme.example/:_authToken=${TOKEN}\nfetch-timeout=1234\nfetch-retries=1\nstrict-ssl=false\n`);
    const config = await loadNpmConfig(dir, { env });
    expect(config.registries).toEqual({ registry: `${PUBLIC}/`, scopes: { '@acme': `${ACME}/` } });
    expect(config.fetchOptions).toMatchObject({ registry: `${PUBLIC}/`, '@acme:registry': `${ACME}/`, '//npm.acme.example/:_authToken': TOKEN, timeout: 1234, strictSSL: false });
    expect(config.fetchOptions.retry).toMatchObject({ retries: 1 });
    expect(config.cache).toBe(join(env.HOME!, '.npm'));
    expect(config.offline).toBe(false);
  });

  it('--registry and --cache override npm config; scoped registries stay', async () => {
    const { dir, env } = userConfigured(`@acme:registry=${ACME}/\noffline=true\n`);
    const config = await loadNpmConfig(dir, { env, registry: 'https://mirror.example.org', cache: 'npm-cache' });
    expect(config.registries).toEqual({ registry: 'https://mirror.example.org/', scopes: { '@acme': `${ACME}/` } });
    expect(config.cache).toBe(join(dir, 'npm-cache'));
    expect(config.fetchOptions.cache).toBe(join(dir, 'npm-cache', '_cacache'));
    expect(config.offline).toBe(true);
  });

  it('never shows secrets when describing options or URLs', async () => {
    const { dir, env } = userConfigured(`//npm.acme.example/:_authToken=${TOKEN}\n//registry.example.org/:_auth=dXNlcjpwYXNz\n`);
    const { fetchOptions } = await loadNpmConfig(dir, { env });
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
    const { dir, env } = userConfigured(`@acme:registry=${ACME}/\n//npm.acme.example/:_authToken=${TOKEN}\n`);
    const config = await loadNpmConfig(dir, { env });
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

describe("the project's .npmrc is not trusted (security-npmrc-redirect)", () => {
  it('sets no registry, scoped registry, credential, cache or offline mode; its settings for checks are still read', async () => {
    const dir = project(
      `registry=https://evil.example/\n@acme:registry=https://evil.example/\n//evil.example/:_authToken=\${NPM_TOKEN}\ncache=/tmp/evil-cache\noffline=true\nuserconfig=/tmp/evil-npmrc\nmin-release-age=5\n`,
    );
    const env = isolatedEnv({ NPM_TOKEN: TOKEN });
    const config = await loadNpmConfig(dir, { env });
    expect(config.registries).toEqual({ registry: `${PUBLIC}/`, scopes: {} });
    expect(JSON.stringify(config.fetchOptions)).not.toContain(TOKEN);
    expect(JSON.stringify(config.fetchOptions)).not.toContain('evil.example');
    expect(config.cache).toBe(join(env.HOME!, '.npm'));
    expect(config.offline).toBe(false);
    expect(config.settings.minReleaseAge).toEqual({ days: 5, origin: { where: 'project', file: '.npmrc' } });
  });

  it('a credentialed registry URL (--registry https://user:pass@host/) becomes a clean URL and auth for that host only', async () => {
    const { dir, env } = userConfigured('');
    const config = await loadNpmConfig(dir, { env, registry: 'https://ci:SECRETPW@mirror.example.org/npm/' });
    expect(config.registries.registry).toBe('https://mirror.example.org/npm/');
    expect(config.fetchOptions.registry).toBe('https://mirror.example.org/npm/');
    expect(config.fetchOptions['//mirror.example.org/npm/:_auth']).toBe(Buffer.from('ci:SECRETPW').toString('base64'));
    const { _auth: _, ...rest } = config.fetchOptions;
    expect(JSON.stringify({ ...rest, '//mirror.example.org/npm/:_auth': null })).not.toContain('SECRETPW');
  });
});
