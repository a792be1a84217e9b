// The compact packument cache: one small JSON file per (registry, package
// name) under `<npm cache>/_depguard/packuments-v3/`, holding the compact
// packument plus what is needed to tell whether it is still current: when it
// was fetched and the packument's validators (etag, last-modified,
// time.modified). Files are written atomically (temporary file + rename), so
// concurrent runs never read half a record; a record that does not parse or
// does not match its key is ignored and rewritten.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCacheFile } from '../util/atomic-write.js';
import { isJsonObject } from '../util/json.js';
import type { CompactPackument } from './packument.js';

// 2: versions carry dependency specs (advisories' metavulnerabilities); v1 records lack them.
// 3: only install-time scripts are kept (a third of a v2 record's bytes was test/build script text).
export const COMPACT_FORMAT = 3;

export interface CompactRecord {
  format: typeof COMPACT_FORMAT;
  /** When the packument was last fetched or confirmed unchanged (ms since the epoch). */
  checkedAt: number;
  etag: string | null;
  lastModified: string | null;
  packument: CompactPackument;
}

export class CompactCache {
  readonly dir: string;

  /** @param cache npm's cache folder (config `cache`). */
  constructor(cache: string) {
    this.dir = join(cache, '_depguard', `packuments-v${COMPACT_FORMAT}`);
  }

  /** The file of a (registry, name) pair: a hash, so no name can steer the path. */
  file(registry: string, name: string): string {
    const hash = createHash('sha256').update(`${registry}\n${name}`).digest('hex');
    return join(this.dir, hash.slice(0, 2), `${hash.slice(2)}.json`);
  }

  async read(registry: string, name: string): Promise<CompactRecord | null> {
    let text: string;
    try {
      text = await readFile(this.file(registry, name), 'utf8');
    } catch {
      return null;
    }
    try {
      const record = JSON.parse(text) as unknown;
      if (!isJsonObject(record) || record.format !== COMPACT_FORMAT || typeof record.checkedAt !== 'number') return null;
      const packument = record.packument;
      if (!isJsonObject(packument) || packument.name !== name || packument.registry !== registry || !isJsonObject(packument.versions)) return null;
      return record as unknown as CompactRecord;
    } catch {
      return null;
    }
  }

  /** Writes a record atomically. A cache that cannot be written (read-only CI cache) is not an error. */
  async write(record: CompactRecord): Promise<boolean> {
    return writeCacheFile(this.file(record.packument.registry, record.packument.name), JSON.stringify(record));
  }

}
