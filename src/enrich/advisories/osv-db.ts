// An offline OSV database: a folder of OSV JSON files at any depth (a checkout
// of the GitHub advisory database, an unpacked export), an OSV export zip
// (osv.dev publishes one per ecosystem, `npm/all.zip`), or the folder
// `depguard db update` fills (the zip plus a line-per-package index, read
// without unzipping anything). Zips are read with yauzl (random access,
// Zip64 for exports with more than 65,535 records), one entry at a time.
//
// Fails closed: a path that does not exist, a file that is not a zip, or a
// database without a single OSV record is an AdvisorySourceError. A record
// that does not parse is skipped with a warning: one bad file in thousands
// does not stop the audit.

import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import pLimit from 'p-limit';
import yauzl from 'yauzl';
import { isJsonObject } from '../../util/json.js';
import { normaliseOsvRecord } from './osv-record.js';
import { advisoriesFor, lowerNames, mayConcern } from './select.js';
import { AdvisorySourceError, type Advisory, type AdvisoryLookup, type AdvisoryQuery, type AdvisorySource } from './types.js';

/** What `depguard db update` writes beside the export: one line per package, `name<TAB>[advisories as JSON]`. */
export const INDEX_FILE = 'npm-index.tsv';
export const EXPORT_FILE = 'npm-all.zip';
/** First line of the index: the format, so an old or foreign file is never misread. */
export const INDEX_HEADER = '#depguard-osv-index 1';
/** No OSV record comes close; a larger entry is skipped rather than held in memory. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface RecordVisitor {
  /** Called with each record's text and where it came from; returns nothing. */
  (text: string, where: string): void;
}

export interface ReadStats {
  /** Entries read (.json files, zip entries). */
  records: number;
  /** Of those, the ones that are OSV records (or look like one, when not parsed). */
  osv: number;
  skipped: AdvisoryLookup['skipped'];
}

/** Every `.json` entry of a zip, in order, as text. */
/** Parses one record's text into `into`; unreadable JSON and unusable ranges land in `stats.skipped`. */
export function collectRecord(text: string, where: string, stats: ReadStats, into: Advisory[]): void {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    stats.skipped.push({ where, reason: 'not valid JSON' });
    return;
  }
  if (isJsonObject(record) && typeof record.id === 'string') stats.osv++;
  const normalised = normaliseOsvRecord(record, 'osv-db', where);
  into.push(...normalised.advisories);
  for (const problem of normalised.problems) stats.skipped.push({ where, reason: problem });
}

export async function readZipRecords(path: string, visit: RecordVisitor, stats: ReadStats, display: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: true, strictFileNames: false });
  } catch (error) {
    throw new AdvisorySourceError(display, `${display} is not a readable zip file: ${(error as Error).message}`, { cause: error });
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) continue;
      const where = `${display}:${entry.fileName}`;
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        stats.skipped.push({ where, reason: `larger than ${MAX_RECORD_BYTES} bytes` });
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      stats.records++;
      visit(Buffer.concat(chunks).toString('utf8'), where);
    }
  } catch (error) {
    if (error instanceof AdvisorySourceError) throw error;
    throw new AdvisorySourceError(display, `${display} is a damaged zip file: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}

async function walk(dir: string, files: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // .git of a checkout
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, files);
    else if (entry.isFile() && (entry.name.endsWith('.json') || entry.name.endsWith('.zip'))) files.push(path);
  }
}

async function isZip(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 3 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head.length === 4 && head.readUInt32LE(0) === 0x04034b50;
}

/** The advisories of the queried packages from a `db update` index; null when the file is not one. */
export async function readIndex(path: string, query: AdvisoryQuery, display: string): Promise<Advisory[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  if (!text.startsWith(`${INDEX_HEADER}\n`)) return null;
  const found: Advisory[] = [];
  const lower = lowerNames(query);
  let start = text.indexOf('\n') + 1;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const tab = line.indexOf('\t');
    if (tab <= 0 || !lower.has(line.slice(0, tab).toLowerCase())) continue;
    try {
      const advisories = JSON.parse(line.slice(tab + 1)) as unknown;
      if (Array.isArray(advisories)) found.push(...(advisories.filter(isJsonObject) as unknown as Advisory[]));
    } catch (error) {
      throw new AdvisorySourceError(display, `${path} is damaged (a line does not parse): run \`depguard db update\` again`, { cause: error });
    }
  }
  return found;
}

export class OsvDatabaseSource implements AdvisorySource {
  readonly name: string;
  readonly path: string;

  /** @param path absolute path of the folder, zip or JSON file; @param display how to name it (as the user wrote it). */
  constructor(path: string, display = path) {
    this.path = path;
    this.name = display;
  }

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.path);
    } catch (error) {
      throw new AdvisorySourceError(this.name, `the advisory database ${this.name} does not exist`, {
        cause: error,
        hint: 'give a folder of OSV JSON files or an OSV export zip, or run `depguard db update` and use --advisory-source db',
      });
    }
    if (info.isDirectory()) {
      const indexed = await readIndex(join(this.path, INDEX_FILE), query, this.name);
      if (indexed) return { advisories: advisoriesFor(indexed, query), skipped: [] };
    }
    const stats: ReadStats = { records: 0, osv: 0, skipped: [] };
    const collected: Advisory[] = [];
    const lower = lowerNames(query);
    const visit: RecordVisitor = (text, where) => {
      if (!mayConcern(text, lower)) {
        if (/"id"\s*:/.test(text)) stats.osv++;
        return;
      }
      collectRecord(text, where, stats, collected);
    };
    const files: string[] = [];
    if (info.isDirectory()) await walk(this.path, files);
    else files.push(this.path);
    // A checkout holds thousands of small files: read ahead, visit in order.
    const limit = pLimit(32);
    const texts = files.map((file) => (file.endsWith('.json') ? limit(() => readFile(file, 'utf8')).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))) : null));
    for (const [index, file] of files.entries()) {
      const where = info.isDirectory() ? `${this.name}/${relative(this.path, file)}` : this.name;
      if (file.endsWith('.zip') || (!info.isDirectory() && (await isZip(file)))) {
        await readZipRecords(file, visit, stats, where);
      } else if (file.endsWith('.json')) {
        stats.records++;
        const text = await texts[index]!;
        if (text instanceof Error) stats.skipped.push({ where, reason: `could not be read: ${text.message}` });
        else visit(text, where);
      } else {
        throw new AdvisorySourceError(this.name, `${this.name} is neither a folder, a zip file nor an OSV JSON file`);
      }
    }
    if (stats.osv === 0) {
      const what = stats.records === 0 ? 'no .json files or zip entries' : `${stats.records} JSON entr${stats.records === 1 ? 'y' : 'ies'}, none an OSV record`;
      throw new AdvisorySourceError(this.name, `the advisory database ${this.name} holds no OSV records (${what})`, {
        hint: 'point --advisory-source at a folder of OSV JSON files or an OSV export zip',
      });
    }
    return { advisories: advisoriesFor(collected, query), skipped: stats.skipped };
  }
}
