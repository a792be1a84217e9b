import { readFile } from 'node:fs/promises';
import { DepguardError } from '../errors.js';

/** A plain JSON object as parsed: keys such as `__proto__` stay ordinary own properties. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property lookup: `obj.constructor` must never answer for a key named "constructor". */
export function own<T = unknown>(object: JsonObject | null | undefined, key: string): T | undefined {
  if (!object || !Object.hasOwn(object, key)) return undefined;
  return object[key] as T;
}

/** Own string-valued entries of an object field, ignoring anything that is not a string. */
export function stringEntries(value: unknown): Array<[string, string]> {
  if (!isJsonObject(value)) return [];
  return Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { line, column };
}

/**
 * A JSON object from untrusted text (a package.json inside a tarball), or null
 * when it is not valid JSON or not an object; a byte-order mark is allowed.
 */
export function jsonObjectOrNull(text: string): JsonObject | null {
  try {
    const data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
    return isJsonObject(data) ? data : null;
  } catch {
    return null;
  }
}

/** Parses JSON text, turning a syntax error into a message with file, line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    // A byte-order mark is valid in files npm writes on some platforms.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (text.trim() === '') {
      throw new DepguardError('EJSON_PARSE', `${file} is empty: expected a JSON document`, { file });
    }
    const position = /position (\d+)/.exec(reason);
    const where = position ? lineAndColumn(text, Number(position[1])) : null;
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    const detail = reason
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/ in JSON at position \d+/, '')
      // V8 quotes the text around the error ("root:x:0:0"… is not valid JSON): a file's bytes never go into a message
      // (a symlinked lockfile may point at /etc/passwd; a lockfile may hold a token in a URL).
      .replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON/, '')
      .replace(/Unexpected token '(.)'/, (whole, char: string) => (/[\w]/.test(char) ? 'Unexpected token' : whole));
    throw new DepguardError('EJSON_PARSE', `${file} is not valid JSON${at}: ${detail}`, { file });
  }
}

export async function readJsonFile(path: string, displayName: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  return parseJson(text, displayName);
}
