// The compact packument cache in front of npm's cacache: warm runs make no
// HTTP request, --max-age expiry revalidates (ETag / 304), a changed
// packument replaces the record, --offline and --prefer-offline read caches only.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompactCache } from '../../src/enrich/compact-cache.js';
import { RegistryClient, RegistryError, type RegistryClientOptions, type RequestEvent } from '../../src/enrich/registry-client.js';
import { TestRegistry } from './registry-server.js';

const HOUR = 60 * 60 * 1000;
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

function newCache(): string {
  return mkdtempSync(join(tmpdir(), 'depguard-cache-'));
}

function client(cache: string, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ registries: { registry: server.url, scopes: {} }, cache, fetchOptions: { retry: { retries: 0 }, timeout: 3000 }, ...options });
}

function addMs(versions: string[] = ['2.1.3']): void {
  server.add('ms', { versions: Object.fromEntries(versions.map((version) => [version, { engines: { node: '>=6' } }])), modified: `2024-0${versions.length}-01T00:00:00.000Z` });
}

describe('compact cache', () => {
  it('serves the second run from the compact cache without any HTTP request', async () => {
    const cache = newCache();
    addMs();
    await client(cache).manifest('ms', '2.1.3');
    expect(server.requests).toHaveLength(1);
    const events: RequestEvent[] = [];
    const second = await client(cache, { onRequest: (event) => events.push(event) }).manifest('ms', '2.1.3');
    expect(second).toMatchObject({ engines: { node: '>=6' }, source: 'cache' });
    expect(server.requests).toHaveLength(1);
    expect(events).toEqual([expect.objectContaining({ cache: 'compact', status: null })]);
    // Only the derived fields are stored, not the packument.
    const dir = new CompactCache(cache).dir;
    const [bucket] = readdirSync(dir);
    const [file] = readdirSync(join(dir, bucket!));
    const record = JSON.parse(readFileSync(join(dir, bucket!, file!), 'utf8'));
    expect(Object.keys(record)).toEqual(['format', 'checkedAt', 'etag', 'lastModified', 'packument']);
    expect(Object.keys(record.packument.versions['2.1.3']).sort()).toEqual(['bundled', 'declared', 'dependencies', 'deprecated', 'engines', 'gypfile', 'hasInstallScript', 'integrity', 'maintainers', 'provenance', 'published', 'publisher', 'scripts', 'signatures', 'tarball'].sort());
  });

  it('after --max-age asks again; an unchanged packument (304) is not re-read, and the record counts as fresh again', async () => {
    const cache = newCache();
    addMs();
    await client(cache).packument('ms');
    const later = () => Date.now() + 2 * HOUR;
    const events: RequestEvent[] = [];
    const revalidated = await client(cache, { now: later, onRequest: (event) => events.push(event) }).packument('ms');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['if-none-match']).toBeTruthy();
    expect(events).toEqual([expect.objectContaining({ status: 200, cache: 'revalidated' })]);
    expect(Object.keys(revalidated.versions)).toEqual(['2.1.3']);
    await client(cache, { now: later }).packument('ms');
    expect(server.requests).toHaveLength(2);
    // --max-age 0: always ask.
    await client(cache, { maxAge: 0 }).packument('ms');
    expect(server.requests).toHaveLength(3);
  });

  it('a changed packument replaces the record once --max-age has passed', async () => {
    const cache = newCache();
    addMs(['2.1.3']);
    await client(cache).packument('ms');
    addMs(['2.1.3', '3.0.0']);
    // Within --max-age the record is trusted.
    expect(Object.keys((await client(cache).packument('ms')).versions)).toEqual(['2.1.3']);
    const refreshed = await client(cache, { now: () => Date.now() + 2 * HOUR }).packument('ms');
    expect(Object.keys(refreshed.versions)).toEqual(['2.1.3', '3.0.0']);
    expect(refreshed.modified).toBe('2024-02-01T00:00:00.000Z');
    expect(Object.keys((await client(cache).packument('ms')).versions)).toEqual(['2.1.3', '3.0.0']);
  });

  it('a version the record lacks (published since) makes it ask again within --max-age', async () => {
    const cache = newCache();
    addMs(['2.1.3']);
    await client(cache).packument('ms');
    addMs(['2.1.3', '3.0.0']);
    const manifest = await client(cache).manifest('ms', '3.0.0');
    expect(manifest).toMatchObject({ version: '3.0.0', source: 'registry' });
    expect(server.requests).toHaveLength(2);
  });

  it('a full record answers abbreviated requests; an abbreviated one does not answer full ones', async () => {
    const cache = newCache();
    addMs();
    await client(cache).packument('ms');
    const full = await client(cache).packument('ms', { full: true });
    expect(full.full).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect((await client(cache).packument('ms')).full).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('ignores a damaged record and fetches again', async () => {
    const cache = newCache();
    addMs();
    await client(cache).packument('ms');
    const compact = new CompactCache(cache);
    writeFileSync(compact.file(server.url, 'ms'), '{"format":1,"checkedAt":');
    await client(cache).packument('ms');
    expect(server.requests).toHaveLength(2);
  });

  it('keeps registries apart: a record from one registry never answers for another', async () => {
    const cache = newCache();
    addMs();
    await client(cache).packument('ms');
    const other = await new TestRegistry().start();
    try {
      other.add('ms', { versions: { '9.0.0': {} } });
      const packument = await client(cache, { registries: { registry: other.url, scopes: {} } }).packument('ms');
      expect(Object.keys(packument.versions)).toEqual(['9.0.0']);
      expect(other.requests).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});

describe('--offline and --prefer-offline', () => {
  it('--offline with a cold cache is REGISTRY_NOT_CACHED and makes no request', async () => {
    addMs();
    const error = await client(newCache(), { mode: 'offline' })
      .packument('ms')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('REGISTRY_NOT_CACHED');
    expect(server.requests).toEqual([]);
  });

  it('--offline reads npm\'s cache when the compact record is gone, and stale records whatever their age', async () => {
    const cache = newCache();
    addMs();
    await client(cache).packument('ms');
    rmSync(join(cache, '_depguard'), { recursive: true });
    const fromCacache = await client(cache, { mode: 'offline' }).manifest('ms', '2.1.3');
    expect(fromCacache).toMatchObject({ source: 'cache', engines: { node: '>=6' } });
    const old = await client(cache, { mode: 'offline', now: () => Date.now() + 30 * 24 * HOUR }).manifest('ms', '2.1.3');
    expect(old.source).toBe('cache');
    expect(server.requests).toHaveLength(1);
  });

  it('--prefer-offline uses a stale record without asking, and fetches what is not cached', async () => {
    const cache = newCache();
    addMs();
    server.add('left-pad', { versions: { '1.3.0': {} } });
    await client(cache).packument('ms');
    const preferOffline = client(cache, { mode: 'prefer-offline', now: () => Date.now() + 30 * 24 * HOUR });
    await preferOffline.packument('ms');
    expect(server.requests).toHaveLength(1);
    await preferOffline.packument('left-pad');
    expect(server.requests.map((request) => request.url)).toEqual(['/ms', '/left-pad']);
    // A version the cached copy lacks is asked for past the caches.
    addMs(['2.1.3', '3.0.0']);
    expect(await client(cache, { mode: 'prefer-offline' }).manifest('ms', '3.0.0')).toMatchObject({ version: '3.0.0', source: 'registry' });
  });
});
