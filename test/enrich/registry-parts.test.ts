// The registry client's parts that need no server: Retry-After, what a failed
// request means, when cached data answers, and the progress / concurrency
// tracker. The client as a whole runs against a loopback registry in
// registry-client.test.ts.
import { describe, expect, it } from 'vitest';
import type { CompactRecord } from '../../src/enrich/compact-cache.js';
import { COMPACT_FORMAT } from '../../src/enrich/compact-cache.js';
import { PackumentShapeError } from '../../src/enrich/packument.js';
import { isFresh, recordFor, responseCacheState, sameValidators } from '../../src/enrich/registry-cache.js';
import { classifyRequestError, RegistryError } from '../../src/enrich/registry-errors.js';
import { RequestTracker, type RegistryProgress } from '../../src/enrich/registry-progress.js';
import { headerValue, retryAfterMs, retryAfterWait } from '../../src/enrich/registry-retry.js';

const URL = 'https://user:secret@registry.example.org/left-pad';

/** An npm-registry-fetch HttpErrorGeneral as it reaches the client: a status and the response headers as arrays. */
function httpError(statusCode: number, headers: Record<string, string[]> = {}): Error {
  return Object.assign(new Error(`${statusCode} - GET ${URL}`), { statusCode, code: `E${statusCode}`, headers });
}

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:07 GMT', now)).toBe(7000);
    // A date already past waits 0, not a negative time.
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });

  it('reads a header of an error as a string or the first of an array', () => {
    expect(headerValue({ 'retry-after': ['2', '9'] }, 'retry-after')).toBe('2');
    expect(headerValue({ 'retry-after': '4' }, 'retry-after')).toBe('4');
    expect(headerValue({ 'retry-after': [5] }, 'retry-after')).toBeNull();
    expect(headerValue(undefined, 'retry-after')).toBeNull();
  });

  it('waits once, only after a 429 or 503 that says for how long, and not past the limit', () => {
    expect(retryAfterWait(httpError(429, { 'retry-after': ['2'] }), 0, 60_000)).toBe(2000);
    expect(retryAfterWait(httpError(503, { 'retry-after': ['60'] }), 0, 60_000)).toBe(60_000);
    expect(retryAfterWait(httpError(503, { 'retry-after': ['61'] }), 0, 60_000)).toBeNull();
    expect(retryAfterWait(httpError(429, { 'retry-after': ['2'] }), 1, 60_000)).toBeNull();
    expect(retryAfterWait(httpError(429), 0, 60_000)).toBeNull();
    expect(retryAfterWait(httpError(500, { 'retry-after': ['2'] }), 0, 60_000)).toBeNull();
    expect(retryAfterWait(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 0, 60_000)).toBeNull();
    expect(retryAfterWait(undefined, 0, 60_000)).toBeNull();
  });
});

describe('what a failed request means', () => {
  const classify = (error: unknown, offline = false): RegistryError => classifyRequestError(error, 'left-pad', URL, 'packument', offline);

  it('maps statuses to codes, keeps the status and never shows credentials', () => {
    const cases: Array<[number, string]> = [
      [404, 'REGISTRY_NOT_FOUND'],
      [401, 'REGISTRY_AUTH'],
      [403, 'REGISTRY_AUTH'],
      [408, 'REGISTRY_UNREACHABLE'],
      [429, 'REGISTRY_UNREACHABLE'],
      [500, 'REGISTRY_UNREACHABLE'],
      [503, 'REGISTRY_UNREACHABLE'],
      [418, 'REGISTRY_BAD_RESPONSE'],
    ];
    for (const [status, code] of cases) {
      const error = classify(httpError(status));
      expect([status, error.code]).toEqual([status, code]);
      expect(error.status).toBe(status);
      expect(error.packageName).toBe('left-pad');
      expect(error.message).not.toContain('secret');
      expect(error.url).not.toContain('secret');
    }
  });

  it('a cache miss says why the registry was not asked', () => {
    const miss = Object.assign(new Error('request to ... failed: cache mode is only-if-cached'), { code: 'ENOTCACHED' });
    expect(classify(miss, true)).toMatchObject({ code: 'REGISTRY_NOT_CACHED', message: expect.stringContaining('offline mode') });
    expect(classify(miss, false)).toMatchObject({ code: 'REGISTRY_NOT_CACHED', message: expect.stringContaining('the cache was required') });
  });

  it('integrity, bad JSON, a bad packument, timeouts and network errors each have their code', () => {
    expect(classify(Object.assign(new Error('sha512 mismatch'), { code: 'EINTEGRITY' })).code).toBe('REGISTRY_TARBALL_INTEGRITY');
    expect(classify(Object.assign(new Error('bad json'), { type: 'invalid-json' })).code).toBe('REGISTRY_BAD_RESPONSE');
    expect(classify(new PackumentShapeError('the packument has no versions')).code).toBe('REGISTRY_BAD_RESPONSE');
    expect(classify(Object.assign(new Error('timed out'), { type: 'request-timeout' }))).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('timed out') });
    const refused = classify(Object.assign(new Error(`connect ECONNREFUSED ${URL}`), { code: 'ECONNREFUSED' }));
    expect(refused).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(refused.message).not.toContain('secret');
  });

  it('a RegistryError passes through unchanged', () => {
    const original = new RegistryError('REGISTRY_TARBALL_TOO_LARGE', 'left-pad', 'too large');
    expect(classify(original)).toBe(original);
  });
});

describe('when cached data answers', () => {
  const record = (full: boolean, checkedAt: number, validators: { etag?: string; lastModified?: string } = {}): CompactRecord => ({
    format: COMPACT_FORMAT,
    checkedAt,
    etag: validators.etag ?? null,
    lastModified: validators.lastModified ?? null,
    packument: { name: 'left-pad', registry: 'https://registry.example.org/', full, distTags: {}, modified: null, maintainerSets: [], versions: {} },
  });

  it('a full record answers both requests, an abbreviated one only the abbreviated', () => {
    const abbreviated = record(false, 0);
    const full = record(true, 0);
    expect(recordFor(abbreviated, false)).toBe(abbreviated);
    expect(recordFor(abbreviated, true)).toBeNull();
    expect(recordFor(full, true)).toBe(full);
    expect(recordFor(full, false)).toBe(full);
    expect(recordFor(null, false)).toBeNull();
  });

  it('online, a record is fresh within --max-age and not from the future; offline and prefer-offline, at any age', () => {
    const hour = 3_600_000;
    const now = 10 * hour;
    expect(isFresh(record(false, now - hour + 1), 'online', hour, now)).toBe(true);
    expect(isFresh(record(false, now - hour), 'online', hour, now)).toBe(false);
    expect(isFresh(record(false, now + 1), 'online', hour, now)).toBe(false);
    expect(isFresh(record(false, now), 'online', 0, now)).toBe(false);
    expect(isFresh(record(false, 0), 'offline', hour, now)).toBe(true);
    expect(isFresh(record(false, 0), 'prefer-offline', hour, now)).toBe(true);
  });

  it("reads npm's cache headers: a hit or stale copy is from the cache, dated no later than now", () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(responseCacheState('hit', 'Tue, 01 Dec 2026 09:00:00 GMT', now)).toEqual({ source: 'cache', bodyCached: true, checkedAt: now - 3_600_000 });
    expect(responseCacheState('stale', 'Tue, 01 Dec 2026 11:00:00 GMT', now)).toEqual({ source: 'cache', bodyCached: true, checkedAt: now });
    expect(responseCacheState('hit', null, now)).toEqual({ source: 'cache', bodyCached: true, checkedAt: 0 });
    expect(responseCacheState('revalidated', 'Tue, 01 Dec 2026 09:00:00 GMT', now)).toEqual({ source: 'registry', bodyCached: true, checkedAt: now });
    expect(responseCacheState('miss', null, now)).toEqual({ source: 'registry', bodyCached: false, checkedAt: now });
    expect(responseCacheState(null, null, now)).toEqual({ source: 'registry', bodyCached: false, checkedAt: now });
  });

  it('a response with the record’s etag (else last-modified), in the same form, is the packument already held', () => {
    const tagged = record(false, 0, { etag: '"abc"', lastModified: 'Mon, 30 Nov 2026 10:00:00 GMT' });
    expect(sameValidators(tagged, false, '"abc"', null)).toBe(true);
    expect(sameValidators(tagged, true, '"abc"', null)).toBe(false);
    expect(sameValidators(tagged, false, '"def"', 'Mon, 30 Nov 2026 10:00:00 GMT')).toBe(false);
    expect(sameValidators(tagged, false, null, 'Mon, 30 Nov 2026 10:00:00 GMT')).toBe(true);
    expect(sameValidators(tagged, false, null, null)).toBe(false);
    expect(sameValidators(record(false, 0), false, null, null)).toBe(false);
    expect(sameValidators(null, false, '"abc"', null)).toBe(false);
  });
});

describe('progress and concurrency', () => {
  it('runs at most `concurrency` tasks at once and counts started and finished work, failures included', async () => {
    const progress: RegistryProgress[] = [];
    const tracker = new RequestTracker({ concurrency: 2, onProgress: (event) => progress.push(event) });
    let running = 0;
    let most = 0;
    const work = (fail: boolean) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (fail) throw new Error('failed');
      return 'done';
    };
    const results = await Promise.allSettled([tracker.task(work(false)), tracker.task(work(true)), tracker.task(work(false)), tracker.task(work(false))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(most).toBe(2);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4 });
    expect(progress.slice(0, 4).map((event) => event.total)).toEqual([1, 2, 3, 4]);
    expect(progress.filter((event) => event.done > event.total)).toEqual([]);
  });

  it('passes request events on, and a concurrency below 1 still runs work', async () => {
    const events: string[] = [];
    const tracker = new RequestTracker({ concurrency: 0, onRequest: (event) => events.push(`${event.cache} ${event.url}`) });
    tracker.emit({ method: 'GET', url: 'https://registry.example.org/left-pad', status: null, ms: 0, cache: 'compact' });
    expect(await tracker.task(async () => 42)).toBe(42);
    expect(events).toEqual(['compact https://registry.example.org/left-pad']);
  });
});
