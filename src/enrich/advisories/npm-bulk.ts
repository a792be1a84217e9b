// The npm registry's bulk advisory endpoint, asked as npm itself asks it
// (Arborist's AuditReport): `POST <registry>/-/npm/v1/security/advisories/bulk`
// with a gzipped JSON body `{ "<name>": ["<version>", …] }`, to the audit
// registry (--audit-registry, npm's `audit-registry`) or else the default
// registry, with the user's auth. The answer, `{ "<name>": [ {id, url, title,
// severity, vulnerable_versions, cwe, cvss} ] }`, is normalised here.

import { redactUrl, type FetchOptions } from '../npm-config.js';
import type { Severity } from '../../model.js';
import { isJsonObject } from '../../util/json.js';
import { fetchJson } from './http.js';
import { isMaliciousId } from './osv-record.js';
import { AdvisorySourceError, type Advisory, type AdvisoryLookup, type AdvisoryQuery, type AdvisorySource } from './types.js';

export const BULK_PATH = '-/npm/v1/security/advisories/bulk';

const SEVERITIES: ReadonlySet<string> = new Set(['info', 'low', 'moderate', 'high', 'critical']);
const GHSA_URL = /\/advisories\/(GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})\b/i;

/** The request body npm sends: each name with its installed versions. */
export function bulkPayload(query: AdvisoryQuery): Record<string, string[]> {
  const payload: Record<string, string[]> = Object.create(null);
  for (const [name, versions] of query) payload[name] = [...versions];
  return payload;
}

/** One entry of a bulk answer as an Advisory; null when it has no id. */
export function bulkAdvisory(name: string, entry: unknown): Advisory | null {
  if (!isJsonObject(entry) || (typeof entry.id !== 'number' && typeof entry.id !== 'string') || entry.id === '') return null;
  const url = typeof entry.url === 'string' && entry.url !== '' ? entry.url : null;
  const match = url ? GHSA_URL.exec(url)?.[1] : undefined;
  const ghsa = match ? `GHSA${match.slice(4).toLowerCase()}` : undefined;
  const npmId = String(entry.id);
  // GitHub-era answers carry a numeric id and the GHSA in the url: the GHSA is what people waive.
  const id = ghsa ?? npmId;
  const aliases = ghsa && ghsa !== npmId ? [npmId] : [];
  const severity = typeof entry.severity === 'string' && SEVERITIES.has(entry.severity.toLowerCase()) ? (entry.severity.toLowerCase() as Severity) : 'high';
  const cwe = Array.isArray(entry.cwe) ? entry.cwe.filter((item): item is string => typeof item === 'string') : typeof entry.cwe === 'string' ? [entry.cwe] : [];
  const cvssData = isJsonObject(entry.cvss) ? entry.cvss : null;
  const vector = typeof cvssData?.vectorString === 'string' && cvssData.vectorString !== '' ? cvssData.vectorString : null;
  const score = typeof cvssData?.score === 'number' && cvssData.score > 0 ? cvssData.score : null;
  const title = typeof entry.title === 'string' && entry.title !== '' ? entry.title : id;
  return {
    id,
    aliases,
    package: name,
    title,
    url,
    severity,
    cvss: vector || score !== null ? { vector, score } : null,
    cwe,
    // metavuln-calculator: an advisory without a range affects every version.
    range: typeof entry.vulnerable_versions === 'string' && entry.vulnerable_versions.trim() !== '' ? entry.vulnerable_versions : '*',
    patched: [],
    malicious: cwe.includes('CWE-506') || /^malware in /i.test(title) || isMaliciousId(id),
    origin: 'npm',
  };
}

/** A bulk answer as advisories; anything that is not `{ name: [entries] }` is garbage (AdvisorySourceError). */
export function parseBulkResponse(data: unknown, source: string, url: string): AdvisoryLookup {
  if (!isJsonObject(data)) {
    throw new AdvisorySourceError(source, `${redactUrl(url)} answered JSON that is not a bulk advisory report (expected an object of package name to advisories, got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`})`);
  }
  const advisories: Advisory[] = [];
  const skipped: AdvisoryLookup['skipped'] = [];
  for (const [name, entries] of Object.entries(data)) {
    if (!Array.isArray(entries)) {
      throw new AdvisorySourceError(source, `${redactUrl(url)} answered JSON that is not a bulk advisory report ("${name}" holds ${entries === null ? 'null' : `a ${typeof entries}`}, expected a list of advisories)`);
    }
    for (const entry of entries) {
      const advisory = bulkAdvisory(name, entry);
      if (advisory) advisories.push(advisory);
      else skipped.push({ where: `${redactUrl(url)} ${name}`, reason: 'an advisory without an id' });
    }
  }
  return { advisories, skipped };
}

export interface NpmBulkSourceOptions {
  /** The registry to ask: --audit-registry, npm's `audit-registry`, else the default registry. */
  registry: string;
  /** npm's fetch options (auth, proxy, TLS, retries). Holds secrets. */
  fetchOptions: FetchOptions;
}

export class NpmBulkSource implements AdvisorySource {
  readonly name: string;
  readonly url: string;
  readonly #fetchOptions: FetchOptions;

  constructor(options: NpmBulkSourceOptions) {
    const registry = options.registry.endsWith('/') ? options.registry : `${options.registry}/`;
    this.url = `${registry}${BULK_PATH}`;
    this.name = `npm (${redactUrl(registry)})`;
    this.#fetchOptions = { ...options.fetchOptions, registry };
  }

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    if (query.size === 0) return { advisories: [], skipped: [] };
    const data = await fetchJson(this.name, this.url, this.#fetchOptions, { method: 'POST', body: bulkPayload(query), gzip: true });
    return parseBulkResponse(data, this.name, this.url);
  }
}
