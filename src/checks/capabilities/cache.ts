// The capability cache: one small JSON file per analysed package under
// `<npm cache>/_depguard/capabilities-v<N>/`, keyed by the tarball's
// integrity (plus the folder, for a bundled dependency read from its
// parent's tarball). A published version never changes under its integrity,
// so a record never expires; N changes whenever the detectors do, which
// leaves older records unused. Stored as every depguard cache is
// (util/record-cache.ts): atomic writes, a record that does not parse or
// belongs to another key ignored.

import { isJsonObject } from '../../util/json.js';
import { RecordCache } from '../../util/record-cache.js';
import type { PackageAnalysis } from './types.js';

/** Bump whenever detectors or the record's shape change. */
// 4: the analysis keeps the package's own package.json fields (manifest-confusion).
export const ANALYSER_VERSION = 4;

export interface CacheRecord {
  format: typeof ANALYSER_VERSION;
  key: string;
  /** Where the analysed files came from. */
  from: 'registry' | 'node_modules';
  analysis: PackageAnalysis;
}

export class CapabilityCache {
  readonly #records: RecordCache<CacheRecord>;

  /** @param cache npm's cache folder (config `cache`), as the registry client uses it. */
  constructor(cache: string) {
    this.#records = new RecordCache<CacheRecord>(
      cache,
      `capabilities-v${ANALYSER_VERSION}`,
      (record, key) => record.format === ANALYSER_VERSION && record.key === key && isJsonObject(record.analysis) && (record.from === 'registry' || record.from === 'node_modules'),
    );
  }

  get dir(): string {
    return this.#records.dir;
  }

  /** A hash names the file, so no key can steer the path. */
  file(key: string): string {
    return this.#records.file(key);
  }

  read(key: string): Promise<CacheRecord | null> {
    return this.#records.read(key);
  }

  /** Writes a record atomically. A cache that cannot be written (read-only CI cache) is not an error. */
  write(record: CacheRecord): Promise<boolean> {
    return this.#records.write(record.key, record);
  }
}
