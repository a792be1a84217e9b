// The dependency specs pnpm and bun add to npm's: `catalog:` /
// `catalog:<name>` (the spec a workspace catalog holds for the dependency;
// pnpm-workspace.yaml's catalogs, or bun's in package.json) and `workspace:`
// (`workspace:*`, `workspace:^`, `workspace:~`, `workspace:1.2.x`, or
// `workspace:<alias>@<range>`). Both are resolved before a range is matched,
// so an edge's validity means what it means for npm: the locked version
// satisfies what package.json asks for.

import npa from 'npm-package-arg';
import semver from 'semver';
import type { DepNode, EdgeType } from '../model.js';

export interface SpecContext {
  /** Catalog name → dependency → spec ('default' for `catalog:`). */
  catalogs: Record<string, Record<string, string>>;
}

/** The catalog a `catalog:` spec names, or null when the spec is not a catalog reference. */
export function catalogName(spec: string): string | null {
  if (!spec.startsWith('catalog:')) return null;
  const name = spec.slice('catalog:'.length).trim();
  return name === '' ? 'default' : name;
}

/** The spec a `catalog:` reference stands for; the spec itself when it is none; null when the catalog lacks it. */
export function resolveCatalog(name: string, spec: string, catalogs: SpecContext['catalogs']): string | null {
  const catalog = catalogName(spec);
  if (catalog === null) return spec;
  const entries = Object.hasOwn(catalogs, catalog) ? catalogs[catalog]! : undefined;
  return entries && Object.hasOwn(entries, name) ? entries[name]! : null;
}

/** The range a `workspace:` spec asks for: null for `*`, `^`, `~` (any version of the workspace). */
export function workspaceRange(spec: string): string | null {
  const rest = spec.slice('workspace:'.length);
  const range = rest.includes('@') && !rest.startsWith('@') ? rest.slice(rest.lastIndexOf('@') + 1) : rest;
  return range === '*' || range === '^' || range === '~' || range === '' ? null : range;
}

function satisfies(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range, { loose: true, includePrerelease: false }) || semver.satisfies(version, range, { loose: true, includePrerelease: true });
  } catch {
    return false;
  }
}

/** Does the locked node satisfy the spec? Specs that name no version range (git, URLs, paths, tags) are satisfied by whatever the manager locked. */
export function edgeValidity(name: string, spec: string, type: EdgeType, target: DepNode | null, context: SpecContext): boolean {
  if (target === null) return type === 'optional' || type === 'peerOptional';
  const resolved = resolveCatalog(name, spec, context.catalogs);
  if (resolved === null) return false;
  if (resolved.startsWith('workspace:')) {
    if (!target.isWorkspace && target.source !== 'root') return false;
    const range = workspaceRange(resolved);
    return range === null || target.version === '' || satisfies(target.version, range);
  }
  if (resolved.startsWith('link:')) return true;
  let parsed: ReturnType<typeof npa.resolve>;
  try {
    parsed = npa.resolve(name, resolved, '/');
  } catch {
    return true;
  }
  const actual = parsed.type === 'alias' && parsed.subSpec ? parsed.subSpec : parsed;
  if (parsed.type === 'alias' && parsed.subSpec?.name && parsed.subSpec.name !== target.packageName) return false;
  if (actual.type === 'range' || actual.type === 'version') {
    // bun links a workspace whose package.json has no version by name, whatever the range.
    if (target.isWorkspace && target.version === '') return true;
    return target.version !== '' && satisfies(target.version, actual.fetchSpec ?? actual.rawSpec);
  }
  return true;
}
