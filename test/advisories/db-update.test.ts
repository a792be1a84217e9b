// depguard db update: the OSV export downloaded (nock replays a zip of the
// fixture records at osv.dev's export URL), indexed per package, and read
// back by `--advisory-source db` from the index alone; a failed update
// leaves the previous database in place.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_URL, updateDatabase } from '../../src/enrich/advisories/db-update.js';
import { EXPORT_FILE, INDEX_FILE, INDEX_HEADER, OsvDatabaseSource } from '../../src/enrich/advisories/osv-db.js';
import { AdvisorySourceError } from '../../src/enrich/advisories/types.js';
import { REPO } from '../helpers/project.js';

const ZIP = readFileSync(join(REPO, 'fixtures/advisories/osv-export/npm-all.zip'));
const url = new URL(DEFAULT_EXPORT_URL);
const fetchOptions = { retry: { retries: 0 } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('depguard db update', () => {
  it('downloads the export, writes the zip and a per-package index, and the db source reads the index alone', async () => {
    nock(url.origin).get(url.pathname).reply(200, ZIP, { 'content-type': 'application/zip' });
    const dir = mkdtempSync(join(tmpdir(), 'depguard-db-'));
    const result = await updateDatabase({ dir, fetchOptions });
    expect(result).toMatchObject({ records: 4, advisories: 4, packages: 3, bytes: ZIP.length, skipped: [] });
    const index = readFileSync(join(dir, INDEX_FILE), 'utf8').split('\n');
    expect(index[0]).toBe(INDEX_HEADER);
    expect(index.slice(1).map((line) => line.split('\t')[0])).toEqual(['event-stream', 'flatmap-stream', 'minimist', '']);
    // The index answers without the zip.
    rmSync(join(dir, EXPORT_FILE));
    const { advisories } = await new OsvDatabaseSource(dir, 'db').advisories(new Map([['minimist', new Set(['1.2.5'])]]));
    expect(advisories.map((a) => a.id).sort()).toEqual(['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h']);
  });

  it('fails naming the export when it cannot be had or is not a zip, and keeps the previous database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-db-'));
    nock(url.origin).get(url.pathname).reply(200, ZIP);
    await updateDatabase({ dir, fetchOptions });
    const before = readFileSync(join(dir, INDEX_FILE), 'utf8');
    nock(url.origin).get(url.pathname).reply(404, 'NoSuchKey');
    await expect(updateDatabase({ dir, fetchOptions })).rejects.toThrow(/answered 404/);
    nock(url.origin).get(url.pathname).reply(200, '<html>captive portal</html>');
    const error = await updateDatabase({ dir, fetchOptions }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdvisorySourceError);
    expect((error as AdvisorySourceError).message).toContain('is not a readable zip file');
    expect(readFileSync(join(dir, INDEX_FILE), 'utf8')).toBe(before);
    expect(existsSync(join(dir, EXPORT_FILE))).toBe(true);
  });
});
