// The capability cache: records by integrity, written atomically, ignored
// when damaged or written for another key, never an error when unwritable.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSER_VERSION, CapabilityCache, type CacheRecord } from '../../../src/checks/capabilities/cache.js';

const record = (key: string): CacheRecord => ({
  format: ANALYSER_VERSION,
  key,
  from: 'registry',
  analysis: { capabilities: { network: { count: 1, strong: 1, evidence: [{ file: 'a.js', line: 1, kind: 'import', what: "require('http')", module: 'http' }] } }, files: { total: 2, parsed: 1, failed: 0, skipped: 0 }, parseErrors: [], skippedFiles: [] },
});

describe('capability cache', () => {
  it('keeps one file per key under _depguard/capabilities-v<N>, named by a hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-capcache-'));
    const cache = new CapabilityCache(dir);
    const key = 'sha512-' + 'a'.repeat(86) + '==';
    expect(await cache.read(key)).toBeNull();
    expect(await cache.write(record(key))).toBe(true);
    expect(await cache.read(key)).toEqual(record(key));
    expect(cache.file(key).startsWith(join(dir, '_depguard', `capabilities-v${ANALYSER_VERSION}`))).toBe(true);
    expect(cache.file('../../etc/passwd')).toMatch(/capabilities-v\d+\/[0-9a-f]{2}\/[0-9a-f]{62}\.json$/);
    // No temporary file left behind.
    expect(readdirSync(dirname(cache.file(key)))).toEqual([`${cache.file(key).split('/').pop()}`]);
  });

  it('ignores a damaged record, one of another format and one written for another key', async () => {
    const cache = new CapabilityCache(mkdtempSync(join(tmpdir(), 'depguard-capcache-')));
    const put = (key: string, content: string) => {
      mkdirSync(dirname(cache.file(key)), { recursive: true });
      writeFileSync(cache.file(key), content);
    };
    put('damaged', '{"format":');
    put('old', JSON.stringify({ ...record('old'), format: 0 }));
    put('moved', JSON.stringify(record('another key')));
    for (const key of ['damaged', 'old', 'moved']) expect(await cache.read(key)).toBeNull();
  });

  it('treats a cache it cannot write as no cache', async () => {
    // A file where the cache folder should be: mkdir fails, as on a read-only CI cache.
    const file = join(mkdtempSync(join(tmpdir(), 'depguard-capcache-')), 'not-a-folder');
    writeFileSync(file, '');
    expect(await new CapabilityCache(file).write(record('k'))).toBe(false);
    expect(await new CapabilityCache(file).read('k')).toBeNull();
  });
});
