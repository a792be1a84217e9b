// The compact packument cache: one small JSON file per (registry, package
// name) under `<npm cache>/_depguard/packuments-v3/`, holding the compact
// packument plus what is needed to tell whether it is still current: when it
// was fetched and the packument's validators (etag, last-modified,
// time.modified). Stored as every depguard cache is (util/record-cache.ts):
// atomic writes, a record that does not parse or does not match its key
// ignored and rewritten.

import { isJsonObject } from '../util/json.js';
import { RecordCache } from '../util/record-cache.js';
import type { CompactPackument } from './packument.js';

// 2: versions carry dependency specs (advisories' metavulnerabilities); v1 records lack them.
// 3: only install-time scripts are kept (a third of a v2 record's bytes was test/build script text).
// 4: versions carry their publisher, maintainer list, registry signatures and
//    the manifest fields a tarball's package.json is compared with (publisher,
//    signatures, manifest-confusion); packuments their distinct maintainer lists.
export const COMPACT_FORMAT = 4;

/** The record key of a (registry, name) pair (the file name hashes it). */
function keyOf(registry: string, name: string): string {
  return `${registry}\n${name}`;
}

export interface CompactRecord {
  format: typeof COMPACT_FORMAT;
  /** When the packument was last fetched or confirmed unchanged (ms since the epoch). */
  checkedAt: number;
  etag: string | null;
  lastModified: string | null;
  packument: CompactPackument;
}

export class CompactCache {
  readonly #records: RecordCache<CompactRecord>;

  /** @param cache npm's cache folder (config `cache`). */
  constructor(cache: string) {
    this.#records = new RecordCache<CompactRecord>(cache, `packuments-v${COMPACT_FORMAT}`, (record, key) => {
      if (record.format !== COMPACT_FORMAT || typeof record.checkedAt !== 'number') return false;
      const packument = record.packument;
      return isJsonObject(packument) && key === keyOf(String(packument.registry), String(packument.name)) && typeof packument.name === 'string' && typeof packument.registry === 'string' && isJsonObject(packument.versions);
    });
  }

  get dir(): string {
    return this.#records.dir;
  }

  /** The file of a (registry, name) pair: a hash, so no name can steer the path. */
  file(registry: string, name: string): string {
    return this.#records.file(keyOf(registry, name));
  }

  read(registry: string, name: string): Promise<CompactRecord | null> {
    return this.#records.read(keyOf(registry, name));
  }

  /** Writes a record atomically. A cache that cannot be written (read-only CI cache) is not an error. */
  write(record: CompactRecord): Promise<boolean> {
    return this.#records.write(keyOf(record.packument.registry, record.packument.name), record);
  }
}
