// The registry client against a real HTTP server on 127.0.0.1: the real
// npm-registry-fetch / make-fetch-happen / cacache code runs; retries and
// timeouts are shortened through the same options npm's config sets.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError, versionKey, type RegistryClientOptions, type RequestEvent } from '../../src/enrich/registry-client.js';
import { makeTarball, TestRegistry } from './registry-server.js';

const FAST = { retry: { retries: 0 }, timeout: 3000 };
let server: TestRegistry;

beforeAll(async () => {
  server = await new TestRegistry().start();
});
afterAll(() => server.stop());
afterEach(() => {
  server.requests.length = 0;
  server.scripts.clear();
  server.packages.clear();
});

function client(options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({
    registries: { registry: server.url, scopes: {} },
    cache: mkdtempSync(join(tmpdir(), 'depguard-cache-')),
    fetchOptions: FAST,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('packuments', () => {
  it('asks for the abbreviated document by default and the full one on request, and keeps the fields checks read', async () => {
    server.add('left-pad', {
      versions: {
        '1.0.0': { engines: { node: '>=10' }, deprecated: 'use String.prototype.padStart', time: '2016-03-01T00:00:00.000Z' },
        '1.3.0': { scripts: { postinstall: 'node hello.js', test: 'tap' }, provenance: true, time: '2018-04-09T00:00:00.000Z' },
      },
      modified: '2024-02-02T00:00:00.000Z',
    });
    const registry = client();
    const corgi = await registry.packument('left-pad');
    expect(server.requests[0]!.headers.accept).toMatch(/^application\/vnd\.npm\.install-v1\+json/);
    expect(corgi).toMatchObject({ name: 'left-pad', full: false, source: 'registry', modified: '2024-02-02T00:00:00.000Z', distTags: { latest: '1.3.0' } });
    expect(corgi.versions['1.0.0']).toMatchObject({ engines: { node: '>=10' }, deprecated: 'use String.prototype.padStart', scripts: null, gypfile: null, published: null, provenance: false, hasInstallScript: false });
    expect(corgi.versions['1.3.0']).toMatchObject({ hasInstallScript: true, provenance: true, scripts: null });
    expect(corgi.versions['1.3.0']!.tarball).toBe(`${server.url}left-pad/-/left-pad-1.3.0.tgz`);
    expect(corgi.versions['1.3.0']!.integrity).toMatch(/^sha512-/);

    const full = await registry.packument('left-pad', { full: true });
    expect(server.requests[1]!.headers.accept).toBe('application/json');
    // Only install-time scripts are kept: `test` is dropped.
    expect(full.versions['1.3.0']).toMatchObject({ hasInstallScript: true, gypfile: false, published: '2018-04-09T00:00:00.000Z' });
    expect({ ...full.versions['1.3.0']!.scripts }).toEqual({ postinstall: 'node hello.js' });
    // Within a run, each document is fetched once, and a full one answers for the abbreviated one.
    await registry.packument('left-pad', { full: true });
    await registry.manifest('left-pad', '1.0.0');
    expect(server.requests).toHaveLength(2);
  });

  it('fetches a scoped package by its escaped name', async () => {
    server.add('@acme/widget', { versions: { '2.0.0': {} } });
    const manifest = await client().manifest('@acme/widget', '2.0.0');
    expect(manifest).toMatchObject({ name: '@acme/widget', version: '2.0.0', source: 'registry' });
    expect(server.requests.map((r) => r.url)).toEqual(['/@acme%2fwidget']);
  });

  it('404 is REGISTRY_NOT_FOUND (after trying the full document, as pacote does); a missing version too', async () => {
    const error = await failure(client().packument('no-such-package'));
    expect(error.code).toBe('REGISTRY_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(server.requests.map((r) => r.headers.accept)).toEqual([expect.stringMatching(/install-v1/), 'application/json']);
    server.add('ms', { versions: { '2.1.3': {} } });
    expect((await failure(client().manifest('ms', '9.9.9'))).code).toBe('REGISTRY_NOT_FOUND');
  });

  it('finds a version the lockfile records loosely as npm does (v20190909.0.0 is 20190909.0.0, santa-tracker-web)', async () => {
    server.add('google-closure-library', { versions: { '20190909.0.0': {}, '20200315.0.0': {} } });
    const manifest = await client().manifest('google-closure-library', 'v20190909.0.0');
    expect(manifest).toMatchObject({ name: 'google-closure-library', version: 'v20190909.0.0', source: 'registry' });
    expect(manifest.tarball).toBe(`${server.url}google-closure-library/-/google-closure-library-20190909.0.0.tgz`);
    expect(versionKey({ '20190909.0.0': {} }, 'v20190909.0.0')).toBe('20190909.0.0');
    expect(versionKey({ '1.0.0': {} }, '=1.0.0')).toBe('1.0.0');
    expect(versionKey({ '1.0.0': {} }, 'v1.0.1')).toBeNull();
    expect(versionKey({ '1.0.0': {} }, 'not-a-version')).toBeNull();
  });

  it('401 and 403 are REGISTRY_AUTH', async () => {
    server.script('/private', [{ status: 401, body: '{"error":"unauthorized"}' }]);
    expect((await failure(client().packument('private'))).code).toBe('REGISTRY_AUTH');
  });

  it('an invalid name is REGISTRY_BAD_NAME and causes no request', async () => {
    for (const name of ['../../-/whoami', 'a/b/c', '@scope', '.hidden', 'a b', 'x?y=1', '']) {
      expect((await failure(client().packument(name))).code).toBe('REGISTRY_BAD_NAME');
    }
    expect(server.requests).toEqual([]);
  });

  it('a malformed JSON packument is REGISTRY_BAD_RESPONSE, as is a packument of another name or without versions', async () => {
    server.script('/broken', [{ status: 200, body: '{"name":"broken","versions":{' }]);
    expect((await failure(client().packument('broken'))).code).toBe('REGISTRY_BAD_RESPONSE');
    server.script('/impostor', [{ status: 200, body: JSON.stringify({ name: 'other', versions: {} }) }]);
    expect((await failure(client().packument('impostor'))).message).toContain('got one named "other"');
    server.script('/empty', [{ status: 200, body: '[]' }]);
    expect((await failure(client().packument('empty'))).code).toBe('REGISTRY_BAD_RESPONSE');
  });
});

describe('retries, backoff and timeouts', () => {
  const retrying = { retry: { retries: 2, factor: 1, minTimeout: 5, maxTimeout: 10 }, timeout: 3000 };

  it('429 then success: retried with npm-registry-fetch backoff', async () => {
    server.add('busy', { versions: { '1.0.0': {} } });
    server.script('/busy', [{ status: 429, body: '{}' }]);
    const events: RequestEvent[] = [];
    const packument = await client({ fetchOptions: retrying, onRequest: (event) => events.push(event) }).packument('busy');
    expect(Object.keys(packument.versions)).toEqual(['1.0.0']);
    expect(server.packumentRequests('busy')).toHaveLength(2);
    expect(events).toEqual([expect.objectContaining({ status: 200, attempts: 2 })]);
  });

  it('honours Retry-After with one more attempt once npm retries are spent', async () => {
    server.add('limited', { versions: { '1.0.0': {} } });
    server.script('/limited', [{ status: 429, headers: { 'retry-after': '0', 'content-type': 'application/json' }, body: '{}' }]);
    const events: RequestEvent[] = [];
    await client({ onRequest: (event) => events.push(event) }).packument('limited');
    expect(events.map((event) => event.status)).toEqual([429, 200]);
    // A Retry-After longer than the client accepts is not waited for.
    server.script('/limited', [{ status: 429, headers: { 'retry-after': '120', 'content-type': 'application/json' }, body: '{}' }]);
    const error = await failure(client({ maxRetryAfter: 1000 }).packument('limited'));
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', status: 429 });
  });

  it('500 until giving up is REGISTRY_UNREACHABLE after every retry', async () => {
    server.script('/down', [{ status: 500, body: 'oops' }], true);
    const error = await failure(client({ fetchOptions: retrying }).packument('down'));
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', status: 500 });
    expect(error.message).toContain('answered 500 after every retry');
    expect(server.packumentRequests('down')).toHaveLength(3);
  });

  it('a registry slower than fetch-timeout is REGISTRY_UNREACHABLE (timed out)', async () => {
    server.add('slow', { versions: { '1.0.0': {} } });
    server.script('/slow', [{ delayMs: 1500 }], true);
    const started = Date.now();
    const error = await failure(client({ fetchOptions: { retry: { retries: 0 }, timeout: 200 } }).packument('slow'));
    expect(error.code).toBe('REGISTRY_UNREACHABLE');
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('a refused connection is REGISTRY_UNREACHABLE, not a crash', async () => {
    const dead = client({ registries: { registry: 'http://127.0.0.1:9/', scopes: {} } });
    expect((await failure(dead.packument('anything'))).code).toBe('REGISTRY_UNREACHABLE');
  });

  it('keeps at most --concurrency requests in flight', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `pkg-${i}`);
    for (const name of names) {
      server.add(name, { versions: { '1.0.0': {} } });
      server.script(`/${name}`, [{ delayMs: 30 }]);
    }
    server.maxInFlight = 0;
    const registry = client({ concurrency: 3 });
    await Promise.all(names.map((name) => registry.packument(name)));
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });
});

describe('verbose events and progress', () => {
  it('reports each request without credentials, and counts progress', async () => {
    server.add('ms', { versions: { '2.1.3': {} } });
    const events: RequestEvent[] = [];
    const progress: Array<[number, number]> = [];
    const withCredentials = server.url.replace('http://', 'http://user:hunter2@');
    const registry = client({ registries: { registry: withCredentials, scopes: {} }, onRequest: (event) => events.push(event), onProgress: ({ done, total }) => progress.push([done, total]) });
    await registry.packument('ms');
    expect(events).toEqual([{ method: 'GET', url: `${server.url}ms`, status: 200, ms: expect.any(Number), cache: 'miss' }]);
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(progress).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});

describe('tarballs', () => {
  it('reads a tarball in memory, checked against the packument integrity', async () => {
    server.add('tiny', { versions: { '1.0.0': { tarball: makeTarball({ 'package.json': '{"name":"tiny","version":"1.0.0"}', 'lib/index.js': 'exports.x = 1;\n' }) } } });
    const tarball = await client().tarball('tiny', '1.0.0');
    expect(tarball.entries.map((entry) => entry.path)).toEqual(['package.json', 'lib/index.js']);
    expect(tarball.file('lib/index.js')!.data.toString()).toBe('exports.x = 1;\n');
    expect(tarball.integrity).toMatch(/^sha512-/);
  });

  it('verifies old packages that record only a sha1 shasum', async () => {
    const bytes = makeTarball({ 'package.json': '{}' });
    server.add('ancient', { versions: { '0.1.0': { tarball: bytes, shasumOnly: true } } });
    const tarball = await client().tarball('ancient', '0.1.0');
    expect(tarball.integrity).toMatch(/^sha1-/);
    server.add('ancient', { versions: { '0.1.0': { tarball: bytes, shasumOnly: true, tarballUrl: `${server.url}ancient/-/ancient-0.1.0.tgz` } } });
    server.script(server.tarballPath('ancient', '0.1.0'), [{ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: makeTarball({ 'package.json': '{"evil":true}' }) }]);
    expect((await failure(client().tarball('ancient', '0.1.0'))).code).toBe('REGISTRY_TARBALL_INTEGRITY');
  });

  it('a truncated tarball is REGISTRY_TARBALL_CORRUPT (no integrity to check) or REGISTRY_TARBALL_INTEGRITY', async () => {
    const whole = makeTarball({ 'package.json': '{}', 'big.txt': 'x'.repeat(50_000) });
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    server.add('cut', { versions: { '1.0.0': { tarball: cut, integrity: null } } });
    expect((await failure(client().tarball('cut', '1.0.0'))).code).toBe('REGISTRY_TARBALL_CORRUPT');
    server.add('cut2', { versions: { '1.0.0': { tarball: cut, integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}` } } });
    expect((await failure(client().tarball('cut2', '1.0.0'))).code).toBe('REGISTRY_TARBALL_INTEGRITY');
  });

  it('a connection dropped mid-tarball is a diagnostic code, not a crash', async () => {
    const bytes = makeTarball({ 'package.json': '{}', 'big.txt': 'y'.repeat(20_000) });
    server.add('dropped', { versions: { '1.0.0': { tarball: bytes, integrity: null } } });
    server.script(server.tarballPath('dropped', '1.0.0'), [{ status: 200, headers: { 'content-length': String(bytes.length * 2) }, body: bytes.subarray(0, 100), hangUp: true }]);
    const error = await failure(client().tarball('dropped', '1.0.0'));
    expect(error.code).toBe('REGISTRY_TARBALL_CORRUPT');
    expect(error.message).toContain('was cut short');
  });

  it('limits size and file count', async () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.js`, '1']));
    server.add('many', { versions: { '1.0.0': { tarball: makeTarball(many) } } });
    expect((await failure(client({ tarballLimits: { maxFiles: 10 } }).tarball('many', '1.0.0'))).code).toBe('REGISTRY_TARBALL_TOO_LARGE');
    expect((await failure(client({ tarballLimits: { maxBytes: 100 } }).tarball('many', '1.0.0'))).code).toBe('REGISTRY_TARBALL_TOO_LARGE');
    expect((await failure(client({ tarballLimits: { maxUnpackedBytes: 4096 } }).tarball('many', '1.0.0'))).code).toBe('REGISTRY_TARBALL_TOO_LARGE');
  });

  it('never fetches a tarball from another host than the registry', async () => {
    const elsewhere = await new TestRegistry().start();
    try {
      server.add('moved', { versions: { '1.0.0': { tarballUrl: `${elsewhere.url}moved/-/moved-1.0.0.tgz` } } });
      expect((await failure(client().tarball('moved', '1.0.0'))).code).toBe('REGISTRY_TARBALL_FOREIGN_HOST');
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });
});
