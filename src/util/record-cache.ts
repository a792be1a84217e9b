// depguard's file caches (compact packuments, capability analyses): one small
// JSON file per record under `<npm cache>/_depguard/<folder>/`, named by a
// hash of its key so that no key can steer the path; read back only when it
// parses and its own check accepts it (format, key), otherwise ignored and
// rewritten; written atomically (temporary file + rename) so that concurrent
// runs never read half a record. A cache that cannot be written (a read-only
// CI cache) is not an error.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCacheFile } from './atomic-write.js';
import { isJsonObject, type JsonObject } from './json.js';

export class RecordCache<T> {
  readonly dir: string;

  /**
   * @param cache npm's cache folder (config `cache`)
   * @param folder the record kind and its format version, e.g. `packuments-v3`
   * @param accepts whether a parsed record is a current one for that key
   */
  constructor(
    cache: string,
    folder: string,
    private readonly accepts: (record: JsonObject, key: string) => boolean,
  ) {
    this.dir = join(cache, '_depguard', folder);
  }

  file(key: string): string {
    const hash = createHash('sha256').update(key).digest('hex');
    return join(this.dir, hash.slice(0, 2), `${hash.slice(2)}.json`);
  }

  async read(key: string): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return null;
    }
    try {
      const record = JSON.parse(text) as unknown;
      return isJsonObject(record) && this.accepts(record, key) ? (record as unknown as T) : null;
    } catch {
      return null;
    }
  }

  write(key: string, record: T): Promise<boolean> {
    return writeCacheFile(this.file(key), JSON.stringify(record));
  }
}
