// Reads pnpm-lock.yaml as a YAML stream. pnpm 11 and later may write two
// documents: an "env" document (the pnpm version the project pins and its
// config dependencies, under importers['.'].packageManagerDependencies /
// configDependencies) and then the project's lockfile. Both carry
// lockfileVersion. Read with a single-document API the file is either an
// error or the env document alone, which looks like a project with no
// dependencies: a false "clean" (pnpm/pnpm#13805). So every document is read,
// the last one with a lockfileVersion is the project's, and an earlier one is
// kept as the env document.

import { parseAllDocuments } from 'yaml';
import { DepguardError } from '../../errors.js';
import { isJsonObject, own, type JsonObject } from '../../util/json.js';

export interface PnpmDocuments {
  /** The project lockfile, or null when the file holds no document with a lockfileVersion (empty, comments only). */
  project: JsonObject | null;
  /** The env document, when the file has one before the project lockfile. */
  env: JsonObject | null;
  /** 0-based index of the project document among the file's documents. */
  projectIndex: number;
}

const HINT = 'regenerate it with `pnpm install --lockfile-only --ignore-scripts`';

export function readDocuments(text: string, file: string): PnpmDocuments {
  // uniqueKeys: yaml checks every key of a mapping against every other, which
  // is quadratic in the thousands of entries a lockfile has; entryLines()
  // finds duplicated entry keys in its one pass instead (duplicateEntryKey).
  const documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  // An empty stream (empty file, comments only) is an empty lockfile.
  if (!Array.isArray(documents)) return { project: null, env: null, projectIndex: -1 };
  const values: unknown[] = [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      const offset = error.pos[0];
      const before = text.slice(0, offset);
      const [line, column] = Number.isInteger(offset) ? [before.split('\n').length, offset - before.lastIndexOf('\n')] : [null, null];
      throw new DepguardError('EBAD_LOCKFILE', `${file} is not valid YAML${line === null ? '' : ` (line ${line}, column ${column})`}: ${error.message.split('\n')[0]}`, { file, hint: HINT });
    }
    values.push(document.toJS({ maxAliasCount: 100 }));
  }
  let projectIndex = -1;
  values.forEach((value, index) => {
    if (isJsonObject(value) && Object.hasOwn(value, 'lockfileVersion')) projectIndex = index;
  });
  if (projectIndex < 0) {
    const content = values.find((value) => value !== null && value !== undefined);
    if (content === undefined) return { project: null, env: null, projectIndex: -1 };
    throw new DepguardError(
      'EBAD_LOCKFILE',
      `${file} is not a pnpm lockfile: expected a mapping with a "lockfileVersion" field, found ${isJsonObject(content) ? `keys ${Object.keys(content).slice(0, 5).join(', ')}` : describe(content)}`,
      { file, field: 'lockfileVersion', hint: HINT },
    );
  }
  const env = values.slice(0, projectIndex).reverse().find((value): value is JsonObject => isJsonObject(value) && isEnvDocument(value)) ?? null;
  return { project: values[projectIndex] as JsonObject, env, projectIndex };
}

/** The env document records only packageManagerDependencies / configDependencies under its one importer. */
export function isEnvDocument(document: JsonObject): boolean {
  const importers = own(document, 'importers');
  const root = isJsonObject(importers) ? own(importers, '.') : undefined;
  return isJsonObject(root) && (Object.hasOwn(root, 'packageManagerDependencies') || Object.hasOwn(root, 'configDependencies'));
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/**
 * 1-based lines of the entries under each top-level section of each document
 * (`packages:`, `snapshots:`, `importers:`), found by a scan of the text
 * rather than YAML node positions: pnpm writes these keys at two spaces'
 * indent, and a scan costs a fraction of building the YAML syntax tree.
 */
export function entryLines(text: string, file: string): Array<Map<string, Map<string, number>>> {
  const documents: Array<Map<string, Map<string, number>>> = [new Map()];
  let section: Map<string, number> | null = null;
  let sawContent = false;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('---')) {
      // A leading `---` opens the first document rather than a second one.
      if (sawContent) documents.push(new Map());
      section = null;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    sawContent = true;
    const first = line.charCodeAt(0);
    if (first !== 32) {
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      section = new Map();
      documents[documents.length - 1]!.set(name, section);
      continue;
    }
    if (section === null || line.charCodeAt(1) !== 32 || line.charCodeAt(2) === 32 || line.charCodeAt(2) === 35 /* # */) continue;
    const key = yamlKey(line.slice(2));
    if (key === null) continue;
    if (section.has(key)) {
      const name = [...documents[documents.length - 1]!.entries()].find(([, entries]) => entries === section)![0];
      throw new DepguardError('EBAD_LOCKFILE', `${file}: ${name} key "${key}" appears twice (lines ${section.get(key)} and ${index + 1}): a YAML mapping holds each key once, and pnpm refuses such a lockfile`, {
        file,
        field: `${name}["${key}"]`,
        hint: HINT,
      });
    }
    section.set(key, index + 1);
  }
  return documents;
}

/** The key of a `key:` / `'key':` / `"key":` line, unquoted; null when the line is no mapping key. */
function yamlKey(text: string): string | null {
  if (text.startsWith("'")) {
    const end = text.indexOf("':");
    return end < 0 ? null : text.slice(1, end).replaceAll("''", "'");
  }
  if (text.startsWith('"')) {
    const end = text.indexOf('":');
    if (end < 0) return null;
    try {
      return JSON.parse(text.slice(0, end + 1)) as string;
    } catch {
      return null;
    }
  }
  const colon = text.search(/:(\s|$)/);
  return colon < 0 ? null : text.slice(0, colon);
}
