import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DepguardError } from '../errors.js';
import { redactText } from './redact.js';

/** Writes a file the user asked for atomically: a reader never sees half a report. */
export function writeAtomically(path: string, content: string): void {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content, { mode: 0o644 });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new DepguardError('EWRITE', `could not write ${path}: ${(error as Error).message}`, { file: path });
  }
}

/**
 * Writes a cache file atomically (a temporary file renamed over the target),
 * so a reader never sees half a record. A cache that cannot be written (a
 * read-only CI cache) is not an error: returns false.
 */
export async function writeCacheFile(target: string, content: string): Promise<boolean> {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true });
    // A cache outlives the run and is shared (CI caches ~/.npm): it never holds a credential.
    await writeFile(temporary, redactText(content));
    await rename(temporary, target);
    return true;
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
}
