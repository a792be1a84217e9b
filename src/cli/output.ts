import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DepguardError } from '../errors.js';

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

/** A report to stdout, or to --output (atomically) with a line on stderr saying so. */
export function emit(text: string, output: string | undefined, summary: string): void {
  if (output) {
    writeAtomically(output, text);
    process.stderr.write(`${summary}\nwrote ${output}\n`);
  } else {
    process.stdout.write(text);
  }
}
