// A registry on 127.0.0.1 for advisory tests: the bulk advisory endpoint
// (gzipped POST, as npm sends it), packuments as stored documents, and the
// OSV API (querybatch, vulns/<id>), each answering from data the test gives,
// or with a scripted failure. Every request is logged with its decoded body.
// The server itself is the tests' one loopback server (helpers/loopback-server.ts).

import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import semver from 'semver';
import { normaliseOsvRecord } from '../../src/enrich/advisories/osv-record.js';
import type { Advisory } from '../../src/enrich/advisories/types.js';
import { LoopbackServer, sendJson as send } from '../helpers/loopback-server.js';

export interface Logged {
  method: string;
  url: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}

export type BulkAnswer = (payload: Record<string, string[]>) => unknown;

export interface Failure {
  status: number;
  body: string;
}

export class AdvisoryServer extends LoopbackServer {
  readonly requests: Logged[] = [];
  readonly packuments = new Map<string, unknown>();
  /** OSV records by id, for the OSV API endpoints. */
  readonly osv = new Map<string, Record<string, unknown>>();
  bulk: BulkAnswer = () => ({});
  /** Replies by path that replace the normal answer. */
  readonly failures = new Map<string, Failure>();

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.#handle(req, Buffer.concat(chunks), res));
  }

  bulkRequests(): Logged[] {
    return this.requests.filter((request) => request.url === '/-/npm/v1/security/advisories/bulk');
  }

  #handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const url = req.url ?? '/';
    let body: unknown = null;
    if (raw.length > 0) {
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    this.requests.push({ method: req.method ?? 'GET', url, body, headers: req.headers });
    const failure = this.failures.get(url);
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json' });
      res.end(failure.body);
      return;
    }
    if (req.method === 'POST' && url === '/-/npm/v1/security/advisories/bulk') return send(res, 200, this.bulk(body as Record<string, string[]>));
    if (req.method === 'POST' && url === '/v1/querybatch') return send(res, 200, this.#querybatch(body));
    const vuln = /^\/v1\/vulns\/(.+)$/.exec(url);
    if (req.method === 'GET' && vuln) {
      const record = this.osv.get(decodeURIComponent(vuln[1]!));
      return record ? send(res, 200, record) : send(res, 404, { code: 5, message: 'Bug not found.' });
    }
    const name = decodeURIComponent(url.slice(1));
    if (req.method === 'GET' && this.packuments.has(name)) return send(res, 200, this.packuments.get(name));
    send(res, 404, { error: 'Not found' });
  }

  /** osv.dev's querybatch: the ids (and modified times) of the records whose npm ranges hold each version. */
  #querybatch(body: unknown): unknown {
    const queries = (body as { queries: Array<{ package: { name: string }; version: string }> }).queries;
    const normalised = [...this.osv.values()].flatMap((record) => normaliseOsvRecord(record, 'osv', String(record.id)).advisories);
    return {
      results: queries.map((query) => {
        const vulns = normalised
          .filter((advisory) => advisory.package === query.package.name && semver.satisfies(query.version, advisory.range, { includePrerelease: true, loose: true }))
          .map((advisory) => ({ id: advisory.id, modified: String(this.osv.get(advisory.id)!.modified) }));
        return vulns.length > 0 ? { vulns: [...new Map(vulns.map((v) => [v.id, v])).values()] } : {};
      }),
    };
  }
}

/**
 * The bulk endpoint's answer from normalised advisories: per asked name, those
 * whose range holds an asked version, listed by name then id (the order
 * depguard processes advisories in, so Arborist processes them alike).
 */
export function bulkFrom(advisories: Advisory[]): BulkAnswer {
  const ordered = [...advisories].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (payload) => {
    const answer: Record<string, unknown[]> = {};
    for (const advisory of ordered) {
      const versions = payload[advisory.package];
      if (!versions?.some((version) => semver.satisfies(version, advisory.range, { includePrerelease: true, loose: true }))) continue;
      (answer[advisory.package] ??= []).push({
        id: advisory.id,
        url: advisory.url,
        title: advisory.title,
        severity: advisory.severity,
        vulnerable_versions: advisory.range,
        cwe: advisory.cwe,
        cvss: { score: advisory.cvss?.score ?? 0, vectorString: advisory.cvss?.vector ?? null },
      });
    }
    return answer;
  };
}

/** Normalised advisories of every OSV record in a folder. */
export function osvFolderAdvisories(dir: string): Advisory[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => normaliseOsvRecord(JSON.parse(readFileSync(join(dir, file), 'utf8')), 'osv-db', file).advisories);
}

/** The old quick-audit answer (`advisories: {id: {...}}`) in the bulk shape, as Arborist's own tests convert it. */
export function bulkFromQuick(quick: { advisories: Record<string, Record<string, unknown>> }): Record<string, unknown[]> {
  const bulk: Record<string, unknown[]> = {};
  for (const advisory of Object.values(quick.advisories)) {
    (bulk[String(advisory.module_name)] ??= []).push({
      id: advisory.id,
      url: advisory.url,
      title: advisory.title,
      severity: advisory.severity,
      vulnerable_versions: advisory.vulnerable_versions,
    });
  }
  return bulk;
}

/** Serves Arborist's mock registry (its test fixtures' `registry-mocks/content` packuments) from `server`. */
export function serveArboristPackuments(server: AdvisoryServer, arboristFixtures: string): void {
  const content = join(arboristFixtures, 'registry-mocks/content');
  for (const file of readdirSync(content)) {
    const packument = JSON.parse(readFileSync(join(content, file), 'utf8')) as { name: string };
    server.packuments.set(packument.name, packument);
  }
}

/** A recorded quick-audit answer as the bulk endpoint gives it: only the asked names. */
export function bulkFromQuickAnswer(quickFile: string): BulkAnswer {
  const bulk = bulkFromQuick(JSON.parse(readFileSync(quickFile, 'utf8')));
  return (payload) => Object.fromEntries(Object.entries(bulk).filter(([name]) => Object.hasOwn(payload, name)));
}
