// The package-manager settings a project commits, read as data: the
// project's .npmrc (npm, and pnpm, which reads it too) through `ini`, npm's
// own parser, pnpm-workspace.yaml / .yarnrc.yml through `yaml`, and bun's
// bunfig.toml through smol-toml (a maintained, dependency-free TOML 1.0
// parser; only its `[install]` table concerns installs). Each
// setting keeps its file and line so a finding can point at it; values are
// kept for the checks to judge but never printed by them (.npmrc holds
// credentials). Nothing here applies npm's layering or expands `${VAR}`.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseIni } from 'ini';
import { parse as parseToml } from 'smol-toml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { isJsonObject } from '../../util/json.js';

export type ConfigFileName = '.npmrc' | 'pnpm-workspace.yaml' | '.yarnrc.yml' | 'bunfig.toml';
export const CONFIG_FILES: readonly ConfigFileName[] = ['.npmrc', 'pnpm-workspace.yaml', '.yarnrc.yml', 'bunfig.toml'];

export interface ConfigEntry {
  file: ConfigFileName;
  /** 1-based line of the key. */
  line: number;
  /** The key path: one key for .npmrc, the nested keys for YAML and TOML (`npmScopes`, `acme`, `npmAuthToken`; `install`, `scopes`, `@acme`, `token`). */
  path: string[];
  /** The parsed value: a string, boolean, number, or an array of them. */
  value: unknown;
}

export interface ConfigFile {
  file: ConfigFileName;
  entries: ConfigEntry[];
  /** Why the file could not be read as settings (not valid YAML); entries is then empty. */
  error?: string;
}

export class ConfigReadError extends Error {
  constructor(
    readonly file: ConfigFileName,
    message: string,
  ) {
    super(message);
  }
}

/** The line of each key in .npmrc text: the last one wins, as in ini's parse. */
function npmrcLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) return;
    const equals = line.indexOf('=');
    let key = (equals < 0 ? line : line.slice(0, equals)).trim();
    if (key.length >= 2 && /^(['"]).*\1$/.test(key)) key = key.slice(1, -1);
    if (key.endsWith('[]')) key = key.slice(0, -2);
    lines.set(key, index + 1);
  });
  return lines;
}

export function parseNpmrc(text: string): ConfigEntry[] {
  const parsed = parseIni(text);
  const lines = npmrcLines(text);
  const entries: ConfigEntry[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    // [section] blocks are not npm config; npm ignores them too.
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) continue;
    entries.push({ file: '.npmrc', line: lines.get(key) ?? 1, path: [key], value });
  }
  return entries;
}

export function parseYamlSettings(text: string, file: ConfigFileName): ConfigEntry[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw new ConfigReadError(file, `${file} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  const entries: ConfigEntry[] = [];
  const lineOf = (node: unknown) => counter.linePos((node as YamlNode | null)?.range?.[0] ?? 0).line;
  const walk = (node: unknown, path: string[], keyNode: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : null;
        if (key === null) continue;
        walk(pair.value, [...path, key], pair.key);
      }
      return;
    }
    if (path.length === 0) return;
    const value = isSeq(node) ? node.toJSON() : isScalar(node) ? node.value : null;
    entries.push({ file, line: lineOf(keyNode), path, value });
  };
  walk(doc.contents, [], null);
  return entries;
}

/** `key`, `"key"`, `'key'` and dotted `a.b` keys as path segments. */
function keySegments(raw: string): string[] {
  const segments: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < raw.length && (match = pattern.exec(raw)) !== null) segments.push(match[1] ?? match[2] ?? match[3] ?? '');
  return segments;
}

/** The line of each table header and `key =` in the text, by its full path (`install.scopes.@acme`). */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let table: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const header = /^\[\[?([^\]]+)\]\]?/.exec(line);
    if (header) {
      table = keySegments(header[1]!);
      if (!lines.has(table.join('.'))) lines.set(table.join('.'), index + 1);
      return;
    }
    const assignment = /^((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=/.exec(line);
    if (!assignment) return;
    const path = [...table, ...keySegments(assignment[1]!)].join('.');
    if (!lines.has(path)) lines.set(path, index + 1);
  });
  return lines;
}

/**
 * bunfig.toml's `[install]` settings: `registry` and `scopes` (a URL, or
 * `{ url, token, username, password }`), `minimumReleaseAge` (seconds, bun
 * 1.3+)… Each becomes an entry whose path starts with `install`; its line is
 * its key's, found by scanning the text (the parser gives values, not positions).
 */
export function parseBunfig(text: string): ConfigEntry[] {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (error) {
    throw new ConfigReadError('bunfig.toml', `bunfig.toml is not valid TOML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  const install = isJsonObject(data) ? data.install : undefined;
  if (!isJsonObject(install)) return [];
  const lines = keyLines(text);
  const lineOf = (path: string[]): number => {
    for (let length = path.length; length > 0; length--) {
      const line = lines.get(path.slice(0, length).join('.'));
      if (line !== undefined) return line;
    }
    return 1;
  };
  const entries: ConfigEntry[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (isJsonObject(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
      return;
    }
    entries.push({ file: 'bunfig.toml', line: lineOf(path), path, value: value instanceof Date ? value.toISOString() : value });
  };
  walk(install, ['install']);
  return entries;
}

/** The project's package-manager config files that exist, parsed; one that does not parse has an `error` instead of entries. */
export async function readProjectConfig(projectPath: string): Promise<ConfigFile[]> {
  const files: ConfigFile[] = [];
  for (const file of CONFIG_FILES) {
    let text: string;
    try {
      text = await readFile(join(projectPath, file), 'utf8');
    } catch {
      continue;
    }
    try {
      files.push({ file, entries: file === '.npmrc' ? parseNpmrc(text) : file === 'bunfig.toml' ? parseBunfig(text) : parseYamlSettings(text, file) });
    } catch (error) {
      if (!(error instanceof ConfigReadError)) throw error;
      files.push({ file, entries: [], error: error.message });
    }
  }
  return files;
}
