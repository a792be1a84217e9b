// `depguard db update`: downloads osv.dev's export of every npm advisory (one
// zip, `npm/all.zip`) into a folder (default: under npm's cache) and writes
// beside it an index with one line per package (`name<TAB>[advisories]`), so
// later offline runs (`--advisory-source db`) read only the lines of the
// packages in the tree instead of unzipping every record. Both files are
// replaced atomically, and only once the download has been read in full:
// a failed update leaves the previous database in place.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { redactUrl, type FetchOptions } from '../npm-config.js';
import { collectRecord, EXPORT_FILE, INDEX_FILE, INDEX_HEADER, readZipRecords } from './osv-db.js';
import { AdvisorySourceError, type Advisory, type AdvisoryLookup } from './types.js';

/** osv.dev's per-ecosystem export (documented at google.github.io/osv.dev/data/). */
export const DEFAULT_EXPORT_URL = 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip';
/** Far above the npm export's size; a larger answer is not an OSV export. */
const MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

export interface UpdateOptions {
  dir: string;
  url?: string;
  /** npm's fetch options (proxy, TLS, timeouts). */
  fetchOptions: FetchOptions;
  /** npm's `offline` setting: nothing can be downloaded. */
  offline?: boolean;
}

export interface UpdateResult {
  dir: string;
  url: string;
  bytes: number;
  /** OSV records in the export. */
  records: number;
  /** npm advisories indexed (a record naming two packages counts twice; withdrawn ones not at all). */
  advisories: number;
  packages: number;
  skipped: AdvisoryLookup['skipped'];
}

async function download(url: string, target: string, fetchOptions: FetchOptions, source: string): Promise<number> {
  const { default: fetch } = await import('npm-registry-fetch');
  const shown = redactUrl(url);
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    // Not through npm's cache: a 100 MB zip does not belong there.
    response = await fetch(url, { ...fetchOptions, cache: undefined, headers: { accept: 'application/zip, */*' } });
  } catch (error) {
    const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
    const reason = typeof statusCode === 'number' ? `${shown} answered ${statusCode}` : `could not reach ${shown}: ${typeof code === 'string' ? code : (error as Error).message}`;
    throw new AdvisorySourceError(source, reason, { cause: error });
  }
  let bytes = 0;
  const counter = async function* (body: AsyncIterable<Buffer>) {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > MAX_DOWNLOAD_BYTES) throw new AdvisorySourceError(source, `${shown} sent more than ${MAX_DOWNLOAD_BYTES} bytes: not an OSV export`);
      yield chunk;
    }
  };
  try {
    await pipeline(response.body as unknown as AsyncIterable<Buffer>, counter, createWriteStream(target));
  } catch (error) {
    if (error instanceof AdvisorySourceError) throw error;
    throw new AdvisorySourceError(source, `the download from ${shown} was cut short: ${(error as Error).message}`, { cause: error });
  }
  return bytes;
}

/** The index text: a header line, then one line per package, sorted by name. */
export function indexText(advisories: Advisory[]): string {
  const byPackage = new Map<string, Advisory[]>();
  for (const advisory of advisories) {
    const list = byPackage.get(advisory.package);
    if (list) list.push(advisory);
    else byPackage.set(advisory.package, [advisory]);
  }
  const lines = [...byPackage.keys()]
    .filter((name) => !/[\t\n]/.test(name))
    .sort()
    .map((name) => `${name}\t${JSON.stringify(byPackage.get(name)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))}`);
  return `${INDEX_HEADER}\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
}

export async function updateDatabase(options: UpdateOptions): Promise<UpdateResult> {
  const url = options.url ?? DEFAULT_EXPORT_URL;
  const source = `the OSV export ${redactUrl(url)}`;
  if (options.offline) throw new AdvisorySourceError(source, `offline mode (npm's \`offline\` setting) forbids downloading ${redactUrl(url)}`);
  await mkdir(options.dir, { recursive: true });
  const suffix = `${randomBytes(6).toString('hex')}.tmp`;
  const zipTemp = join(options.dir, `.${EXPORT_FILE}.${suffix}`);
  const indexTemp = join(options.dir, `.${INDEX_FILE}.${suffix}`);
  try {
    const bytes = await download(url, zipTemp, options.fetchOptions, source);
    const advisories: Advisory[] = [];
    const stats = { records: 0, osv: 0, skipped: [] as AdvisoryLookup['skipped'] };
    await readZipRecords(
      zipTemp,
      (text, where) => collectRecord(text, where, stats, advisories),
      stats,
      source,
    );
    if (stats.osv === 0) throw new AdvisorySourceError(source, `${redactUrl(url)} sent a zip without a single OSV record`);
    await writeFile(indexTemp, indexText(advisories));
    // The zip first: a reader that finds the new index also finds the zip it was built from.
    await rename(zipTemp, join(options.dir, EXPORT_FILE));
    await rename(indexTemp, join(options.dir, INDEX_FILE));
    return { dir: options.dir, url, bytes, records: stats.osv, advisories: advisories.length, packages: new Set(advisories.map((advisory) => advisory.package)).size, skipped: stats.skipped };
  } finally {
    await rm(zipTemp, { force: true });
    await rm(indexTemp, { force: true });
  }
}

/** When the database in a folder was last updated, or null when there is none. */
export async function databaseTime(dir: string): Promise<Date | null> {
  try {
    return (await stat(join(dir, INDEX_FILE))).mtime;
  } catch {
    return null;
  }
}
