// Reads yarn.lock text with yarn's own parser (@yarnpkg/parsers parseSyml:
// its PEG grammar for classic v1, js-yaml's failsafe schema for berry), and
// finds each entry's line by a scan of the unindented key lines, which both
// formats write one per entry.

import { parseSyml } from '@yarnpkg/parsers';
import { DepguardError } from '../../errors.js';
import { isJsonObject, own, type JsonObject } from '../../util/json.js';
import { splitKey } from './descriptors.js';

export const HINT = 'regenerate it with `yarn install --mode=update-lockfile` (berry) or `yarn install --frozen-lockfile=false --ignore-scripts` (classic)';

/** yarn's own test for a classic lockfile: its comment header. */
const CLASSIC_HEADER = /^(#.*(\r?\n))*?#\s+yarn\s+lockfile\s+v1\r?\n/i;

export interface YarnDocument {
  format: 'classic' | 'berry';
  /** 1 for classic; berry's `__metadata.version` (4 and later). */
  version: number;
  /** berry's `__metadata.cacheKey`, which names the cache format its checksums hash. */
  cacheKey: string | null;
  /** Every key (a descriptor each; classic's multi-descriptor keys split by the parser) to its entry. */
  entries: JsonObject;
}

export function readYarnDocument(text: string, file: string): YarnDocument {
  // A classic lockfile without its header (hand-trimmed, or written by another
  // tool) is still classic: its entries are `key value` lines, not YAML.
  const berry = /^__metadata:/m.test(text);
  const source = !berry && !CLASSIC_HEADER.test(text) && /\S/.test(text.replace(/^#.*$/gm, '')) ? `# yarn lockfile v1\n${text}` : text;
  const shift = source === text ? 0 : 1;
  let parsed: unknown;
  try {
    parsed = parseSyml(source);
  } catch (error) {
    throw new DepguardError('EBAD_LOCKFILE', `${file} is not a yarn lockfile${errorPlace(error, shift)}: ${firstLine(error)}`, { file, hint: HINT, cause: error });
  }
  if (!isJsonObject(parsed)) {
    throw new DepguardError('EBAD_LOCKFILE', `${file} is not a yarn lockfile: expected a mapping of descriptors to entries`, { file, hint: HINT });
  }
  const metadata = own(parsed, '__metadata');
  if (!berry || !isJsonObject(metadata)) return { format: 'classic', version: 1, cacheKey: null, entries: parsed };
  const version = Number(own(metadata, 'version'));
  if (!Number.isInteger(version) || version < 4) {
    throw new DepguardError('EBAD_LOCKFILE', `${file}: field "__metadata.version" must be a yarn berry lockfile version (4 or later), found ${JSON.stringify(own(metadata, 'version') ?? null)}`, {
      file,
      field: '__metadata.version',
      hint: HINT,
    });
  }
  const cacheKey = own(metadata, 'cacheKey');
  return { format: 'berry', version, cacheKey: typeof cacheKey === 'string' || typeof cacheKey === 'number' ? String(cacheKey) : null, entries: parsed };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** ` (line L, column C)` from the PEG grammar's `location` or js-yaml's `mark`. */
function errorPlace(error: unknown, shift: number): string {
  const value = error as { location?: { start?: { line?: number; column?: number } }; mark?: { line?: number; column?: number } };
  if (value?.location?.start?.line !== undefined) return ` (line ${value.location.start.line - shift}, column ${value.location.start.column})`;
  if (value?.mark?.line !== undefined) return ` (line ${value.mark.line + 1 - shift}, column ${(value.mark.column ?? 0) + 1})`;
  return '';
}

/** 1-based line of each descriptor's key line. */
export function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let start = 0;
  let number = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    number++;
    const first = line.charCodeAt(0);
    // Unindented, not a comment: a key line (`a@^1, "b@^2":`).
    if (line.length > 1 && first !== 32 && first !== 35 && first !== 9) {
      const key = line.replace(/\r$/, '').replace(/:\s*$/, '');
      for (const descriptor of splitKey(key)) if (!lines.has(descriptor)) lines.set(descriptor, number);
    }
    if (end < 0) break;
    start = end + 1;
  }
  return lines;
}
