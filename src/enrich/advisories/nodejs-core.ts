// Node.js core vulnerabilities: the Node.js security working group's index
// (`vuln/core/index.json` of nodejs/security-wg, one entry per
// vulnerability with `cve`, `vulnerable` and `patched` semver ranges over Node
// versions, `severity`, `affectedEnvironments`, `ref`), the data
// is-my-node-vulnerable judges a Node.js version by. `depguard db update`
// keeps a copy under npm's cache; the engines check reads it from there, so
// judging needs no network.
//
// A version is affected as is-my-node-vulnerable judges it: it satisfies
// `vulnerable` and not `patched`, whatever the platform (the environments
// travel in the evidence).

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactUrl, type FetchOptions } from '../npm-config.js';
import { isJsonObject } from '../../util/json.js';
import semver from 'semver';

/** Where the working group publishes the index (is-my-node-vulnerable reads the same file). */
export const DEFAULT_NODEJS_CORE_URL = 'https://raw.githubusercontent.com/nodejs/security-wg/main/vuln/core/index.json';
export const NODEJS_CORE_FILE = 'index.json';
/** Far above the index's size (~0.2 MB); a larger answer is not the index. */
const MAX_INDEX_BYTES = 32 * 1024 * 1024;

export interface CoreVulnerability {
  /** `NSWG-COR-<key>`, the key of the entry in the index. */
  id: string;
  cves: string[];
  /** Semver ranges over Node.js versions, as the index gives them (`patched` is `<0.0.0-0` when absent: nothing). */
  vulnerable: string;
  patched: string;
  severity: string;
  description: string | null;
  ref: string | null;
  affectedEnvironments: string[];
}

export interface CoreIndex {
  vulnerabilities: CoreVulnerability[];
  /** Entries whose ranges are not semver ranges: not judged. */
  skipped: string[];
}

export class CoreIndexError extends Error {
  readonly code = 'ENODE_VULNERABILITIES';
}

/** The folder under npm's cache that `depguard db update` keeps the index in. */
export function defaultNodejsCoreDir(cache: string): string {
  return join(cache, '_depguard', 'nodejs-core');
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The index parsed leniently: an entry without readable ranges is skipped, not fatal. */
export function parseCoreIndex(data: unknown, where: string): CoreIndex {
  if (!isJsonObject(data)) throw new CoreIndexError(`${where} is not a JSON object of Node.js core vulnerabilities`);
  const vulnerabilities: CoreVulnerability[] = [];
  const skipped: string[] = [];
  for (const [key, entry] of Object.entries(data)) {
    if (!isJsonObject(entry)) {
      skipped.push(key);
      continue;
    }
    const vulnerable = typeof entry.vulnerable === 'string' ? entry.vulnerable : null;
    const patched = typeof entry.patched === 'string' ? entry.patched : '<0.0.0-0';
    if (vulnerable === null || semver.validRange(vulnerable) === null || semver.validRange(patched) === null) {
      skipped.push(key);
      continue;
    }
    vulnerabilities.push({
      id: `NSWG-COR-${key}`,
      cves: strings(entry.cve),
      vulnerable,
      patched,
      severity: typeof entry.severity === 'string' ? entry.severity : 'unknown',
      description: typeof entry.description === 'string' ? entry.description : null,
      ref: typeof entry.ref === 'string' ? entry.ref : null,
      affectedEnvironments: strings(entry.affectedEnvironments),
    });
  }
  if (Object.keys(data).length > 0 && vulnerabilities.length === 0) throw new CoreIndexError(`${where} holds no Node.js core vulnerability with readable ranges`);
  return { vulnerabilities, skipped };
}

const loaded = new Map<string, Promise<CoreIndex | null>>();

/** The index kept in a folder, or null when there is none; an unreadable one is an error. Read once per process. */
export function readCoreIndex(dir: string): Promise<CoreIndex | null> {
  const file = join(dir, NODEJS_CORE_FILE);
  let loading = loaded.get(file);
  if (!loading) {
    loading = (async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new CoreIndexError(`could not read ${file}: ${(error as Error).message}`);
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new CoreIndexError(`${file} is not valid JSON`);
      }
      return parseCoreIndex(data, file);
    })();
    loaded.set(file, loading);
  }
  return loading;
}

/** Forgets what readCoreIndex read (after `db update` replaced the file in this process). */
export function forgetCoreIndex(): void {
  loaded.clear();
}

export interface CoreUpdateResult {
  dir: string;
  url: string;
  bytes: number;
  vulnerabilities: number;
}

/**
 * Downloads the index into `dir` and replaces the copy there atomically,
 * only once the download parsed as an index: a failed update leaves the
 * previous copy in place.
 */
export async function updateCoreIndex(options: { dir: string; url?: string; fetchOptions: FetchOptions; offline?: boolean }): Promise<CoreUpdateResult> {
  const url = options.url ?? DEFAULT_NODEJS_CORE_URL;
  const shown = redactUrl(url);
  if (options.offline) throw new CoreIndexError(`offline mode (npm's \`offline\` setting) forbids downloading ${shown}`);
  const { default: fetch } = await import('npm-registry-fetch');
  let body: Buffer;
  try {
    // Not through npm's cache: this is not registry data.
    const response = await fetch(url, { ...options.fetchOptions, cache: undefined, headers: { accept: 'application/json' } });
    body = await response.buffer();
  } catch (error) {
    const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
    throw new CoreIndexError(typeof statusCode === 'number' ? `${shown} answered ${statusCode}` : `could not reach ${shown}: ${typeof code === 'string' ? code : (error as Error).message}`, { cause: error });
  }
  if (body.length > MAX_INDEX_BYTES) throw new CoreIndexError(`${shown} sent ${body.length} bytes: not the Node.js core vulnerability index`);
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CoreIndexError(`${shown} did not send JSON`);
  }
  const index = parseCoreIndex(data, shown);
  if (index.vulnerabilities.length === 0) throw new CoreIndexError(`${shown} sent an index without a single vulnerability`);
  await mkdir(options.dir, { recursive: true });
  const target = join(options.dir, NODEJS_CORE_FILE);
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, body);
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
  forgetCoreIndex();
  return { dir: options.dir, url, bytes: body.length, vulnerabilities: index.vulnerabilities.length };
}

/** When the index in a folder was last updated, or null when there is none. */
export async function coreIndexTime(dir: string): Promise<Date | null> {
  try {
    return (await stat(join(dir, NODEJS_CORE_FILE))).mtime;
  } catch {
    return null;
  }
}
