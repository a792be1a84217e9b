// The capability cache: one small JSON file per analysed package under
// `<npm cache>/_depguard/capabilities-v<N>/`, keyed by the tarball's
// integrity (plus the folder, for a bundled dependency read from its
// parent's tarball). A published version never changes under its integrity,
// so a record never expires; N changes whenever the detectors do, which
// leaves older records unused. Written atomically (temporary file + rename);
// a record that does not parse or belongs to another key is ignored.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCacheFile } from '../../util/atomic-write.js';
import { isJsonObject } from '../../util/json.js';
import type { PackageAnalysis } from './types.js';

/** Bump whenever detectors or the record's shape change. */
export const ANALYSER_VERSION = 3;

export interface CacheRecord {
  format: typeof ANALYSER_VERSION;
  key: string;
  /** Where the analysed files came from. */
  from: 'registry' | 'node_modules';
  analysis: PackageAnalysis;
}

export class CapabilityCache {
  readonly dir: string;

  /** @param cache npm's cache folder (config `cache`), as the registry client uses it. */
  constructor(cache: string) {
    this.dir = join(cache, '_depguard', `capabilities-v${ANALYSER_VERSION}`);
  }

  /** A hash names the file, so no key can steer the path. */
  file(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return join(this.dir, hash.slice(0, 2), `${hash.slice(2)}.json`);
  }

  async read(key: string): Promise<CacheRecord | null> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return null;
    }
    try {
      const record = JSON.parse(text) as unknown;
      if (!isJsonObject(record) || record.format !== ANALYSER_VERSION || record.key !== key || !isJsonObject(record.analysis)) return null;
      if (record.from !== 'registry' && record.from !== 'node_modules') return null;
      return record as unknown as CacheRecord;
    } catch {
      return null;
    }
  }

  /** Writes a record atomically. A cache that cannot be written (read-only CI cache) is not an error. */
  async write(record: CacheRecord): Promise<boolean> {
    return writeCacheFile(this.file(record.key), JSON.stringify(record));
  }

}
