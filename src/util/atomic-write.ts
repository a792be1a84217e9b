import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a cache file atomically (a temporary file renamed over the target),
 * so a reader never sees half a record. A cache that cannot be written (a
 * read-only CI cache) is not an error: returns false.
 */
export async function writeCacheFile(target: string, content: string): Promise<boolean> {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temporary, content);
    await rename(temporary, target);
    return true;
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
}
