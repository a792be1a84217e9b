// The OSV API (osv.dev): `POST /v1/querybatch` with every (name, version) of
// the tree answers which advisory ids affect each, with their `modified`
// time; `GET /v1/vulns/<id>` gives each record, cached under the npm cache
// (`_depguard/osv-v1/`) and reused while its `modified` time is unchanged, so
// a warm run costs one batch query. Malicious-package reports (MAL-…) come
// back like any other record and are reported as malware.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { redactUrl, type FetchOptions } from '../npm-config.js';
import { isJsonObject } from '../../util/json.js';
import { fetchJson } from './http.js';
import { normaliseOsvRecord } from './osv-record.js';
import { advisoriesFor } from './select.js';
import { AdvisorySourceError, type Advisory, type AdvisoryLookup, type AdvisoryQuery, type AdvisorySource } from './types.js';

export const DEFAULT_OSV_API = 'https://api.osv.dev/';
/** The API's limit on queries per batch. */
export const BATCH_SIZE = 1000;
const CACHE_FORMAT = 1;

export interface OsvApiSourceOptions {
  /** The API's base URL (default https://api.osv.dev/). */
  api?: string;
  fetchOptions: FetchOptions;
  /** npm's cache folder: records are kept in `<cache>/_depguard/osv-v1/`. Null: no cache. */
  cache: string | null;
  /** Record requests in flight at most. */
  concurrency?: number;
}

interface Query {
  package: { name: string; ecosystem: 'npm' };
  version: string;
  page_token?: string;
}

export class OsvApiSource implements AdvisorySource {
  readonly name: string;
  readonly api: string;
  readonly #fetchOptions: FetchOptions;
  readonly #cacheDir: string | null;
  readonly #concurrency: number;

  constructor(options: OsvApiSourceOptions) {
    const api = options.api ?? DEFAULT_OSV_API;
    this.api = api.endsWith('/') ? api : `${api}/`;
    this.name = `osv (${redactUrl(this.api)})`;
    this.#fetchOptions = options.fetchOptions;
    this.#cacheDir = options.cache === null ? null : join(options.cache, '_depguard', `osv-v${CACHE_FORMAT}`);
    this.#concurrency = options.concurrency ?? 8;
  }

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    const queries: Query[] = [];
    for (const [name, versions] of query) for (const version of versions) queries.push({ package: { name, ecosystem: 'npm' }, version });
    const modified = new Map<string, string>();
    for (let start = 0; start < queries.length; start += BATCH_SIZE) await this.#batch(queries.slice(start, start + BATCH_SIZE), modified);
    const limit = pLimit(this.#concurrency);
    const records = await Promise.all([...modified].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, time]) => limit(() => this.#record(id, time))));
    const advisories: Advisory[] = [];
    const skipped: AdvisoryLookup['skipped'] = [];
    for (const { record, where } of records) {
      const normalised = normaliseOsvRecord(record, 'osv', where);
      advisories.push(...normalised.advisories);
      for (const problem of normalised.problems) skipped.push({ where, reason: problem });
    }
    return { advisories: advisoriesFor(advisories, query), skipped };
  }

  async #batch(queries: Query[], modified: Map<string, string>): Promise<void> {
    const url = `${this.api}v1/querybatch`;
    let pending = queries;
    // A result with next_page_token has more ids: ask again for those queries only.
    for (let round = 0; pending.length > 0; round++) {
      if (round > 100) throw new AdvisorySourceError(this.name, `${redactUrl(url)} kept answering next_page_token after 100 pages`);
      const data = await fetchJson(this.name, url, this.#fetchOptions, { method: 'POST', body: { queries: pending } });
      const results = isJsonObject(data) ? data.results : undefined;
      if (!Array.isArray(results) || results.length !== pending.length) {
        throw new AdvisorySourceError(this.name, `${redactUrl(url)} answered JSON that is not a querybatch result (expected "results" with ${pending.length} entries)`);
      }
      const next: Query[] = [];
      results.forEach((result, index) => {
        if (!isJsonObject(result)) throw new AdvisorySourceError(this.name, `${redactUrl(url)} answered a querybatch result that is not an object`);
        for (const vuln of Array.isArray(result.vulns) ? result.vulns : []) {
          if (isJsonObject(vuln) && typeof vuln.id === 'string' && vuln.id !== '') modified.set(vuln.id, typeof vuln.modified === 'string' ? vuln.modified : '');
        }
        if (typeof result.next_page_token === 'string' && result.next_page_token !== '') next.push({ ...pending[index]!, page_token: result.next_page_token });
      });
      pending = next;
    }
  }

  #cacheFile(id: string): string | null {
    if (!this.#cacheDir) return null;
    const hash = createHash('sha256').update(`${this.api}\n${id}`).digest('hex');
    return join(this.#cacheDir, hash.slice(0, 2), `${hash.slice(2)}.json`);
  }

  async #record(id: string, modified: string): Promise<{ record: unknown; where: string }> {
    const url = `${this.api}v1/vulns/${encodeURIComponent(id)}`;
    const file = this.#cacheFile(id);
    if (file && modified !== '') {
      try {
        const cached = JSON.parse(await readFile(file, 'utf8')) as unknown;
        if (isJsonObject(cached) && cached.format === CACHE_FORMAT && isJsonObject(cached.record) && cached.record.id === id && cached.record.modified === modified) {
          return { record: cached.record, where: url };
        }
      } catch {
        // Not cached (or unreadable): ask the API.
      }
    }
    const record = await fetchJson(this.name, url, this.#fetchOptions);
    if (!isJsonObject(record) || record.id !== id) {
      throw new AdvisorySourceError(this.name, `${redactUrl(url)} answered JSON that is not the OSV record ${id}`);
    }
    if (file) await writeAtomically(file, JSON.stringify({ format: CACHE_FORMAT, record }));
    return { record, where: url };
  }
}

/** A cache that cannot be written (read-only CI cache) is not an error. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}
