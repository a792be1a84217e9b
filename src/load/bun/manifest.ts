// What bun reads from package.json besides the dependency fields: the
// catalogs (bun 1.2.14+: `workspaces.catalog` / `workspaces.catalogs`, or the
// same keys at the top level), and each workspace's declared dependencies,
// which bun compares with the lockfile's `workspaces` block.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeclaredDependencies } from '../../model.js';
import { isJsonObject, jsonObjectOrNull, own, stringEntries, type JsonObject } from '../../util/json.js';
import { define } from '../node.js';

const FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const;

/** A manifest's (or a lockfile workspace block's) dependency fields, string specs only, prototype-safe. */
export function dependencyFields(block: JsonObject): DeclaredDependencies {
  const declared: DeclaredDependencies = {};
  for (const field of FIELDS) {
    const specs = stringEntries(own(block, field));
    if (specs.length === 0) continue;
    const record: Record<string, string> = {};
    for (const [name, spec] of specs) define(record, name, spec);
    declared[field] = record;
  }
  return declared;
}

/** Catalog name ('default' for `catalog`) → dependency → spec; top-level keys win over `workspaces.*`, as in bun. */
export function readManifestCatalogs(manifest: JsonObject): Record<string, Record<string, string>> {
  const catalogs: Record<string, Record<string, string>> = {};
  const add = (name: string, value: unknown): void => {
    const specs = stringEntries(value);
    if (specs.length === 0) return;
    const record: Record<string, string> = Object.hasOwn(catalogs, name) ? catalogs[name]! : {};
    for (const [dependency, spec] of specs) define(record, dependency, spec);
    define(catalogs, name, record);
  };
  const workspaces = own(manifest, 'workspaces');
  for (const holder of [isJsonObject(workspaces) ? workspaces : {}, manifest]) {
    add('default', own(holder, 'catalog'));
    const named = own(holder, 'catalogs');
    if (isJsonObject(named)) for (const [name, entries] of Object.entries(named)) add(name, entries);
  }
  return catalogs;
}

/** A workspace's declared dependencies from its package.json, or null when it cannot be read. */
export async function readWorkspaceManifest(projectPath: string, location: string): Promise<DeclaredDependencies | null> {
  let text: string;
  try {
    text = await readFile(join(projectPath, location, 'package.json'), 'utf8');
  } catch {
    return null;
  }
  const manifest = jsonObjectOrNull(text);
  return manifest === null ? null : dependencyFields(manifest);
}
