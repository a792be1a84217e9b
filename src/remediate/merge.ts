// Merging suggested overrides into the ones a package.json already has, and
// spelling them for each package manager: npm `overrides` (nested by parent),
// pnpm `pnpm.overrides` (`parent>name` selectors) and yarn `resolutions`
// (`parent/name` paths). A user's override is never dropped silently: every
// value the merge replaces is returned so the caller can say so.

import type { PackageManager } from '../load/index.js';
import type { OverrideValue } from './types.js';

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const satisfies readonly PackageManager[];
export type { PackageManager };

export interface Replaced {
  /** The override's path, e.g. `mkdirp > minimist`. */
  path: string;
  old: OverrideValue;
  new: OverrideValue;
}

type Overrides = { [name: string]: OverrideValue };

function isObject(value: unknown): value is Overrides {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Existing keys keep their place; new keys go last. */
export function mergeOverrides(existing: Overrides, added: Overrides, path: string[] = []): { merged: Overrides; replaced: Replaced[] } {
  const merged: Overrides = { ...existing };
  const replaced: Replaced[] = [];
  for (const [name, value] of Object.entries(added)) {
    const old = merged[name];
    const here = [...path, name];
    if (old === undefined) {
      merged[name] = value;
    } else if (isObject(old) && isObject(value)) {
      const inner = mergeOverrides(old, value, here);
      merged[name] = inner.merged;
      replaced.push(...inner.replaced);
    } else if (isObject(old) && typeof value === 'string') {
      // npm's `"name": {".": version, ...}` form keeps the user's nested overrides.
      if (old['.'] !== value) {
        if (old['.'] !== undefined) replaced.push({ path: [...here, '.'].join(' > '), old: old['.'], new: value });
        merged[name] = { ...old, '.': value };
      }
    } else if (old !== value) {
      replaced.push({ path: here.join(' > '), old, new: value });
      merged[name] = isObject(value) ? { '.': old, ...value } : value;
    }
  }
  return { merged, replaced };
}

/** npm overrides flattened to `[parents…, name] → version` pairs. */
export function flatten(overrides: Overrides, path: string[] = []): Array<[string[], string]> {
  return Object.entries(overrides).flatMap(([name, value]): Array<[string[], string]> => {
    if (typeof value === 'string') return [[name === '.' ? path : [...path, name], value]];
    return flatten(value, [...path, name]);
  });
}

/** The overrides in a package manager's own field and syntax: `{ field, value }` where field is a dotted path in package.json. */
export function forManager(overrides: Overrides, manager: PackageManager, flavor?: 'classic' | 'berry'): { field: string; value: Record<string, OverrideValue> } {
  if (manager === 'npm') return { field: 'overrides', value: overrides };
  const pairs = flatten(overrides);
  if (manager === 'pnpm') return { field: 'pnpm.overrides', value: Object.fromEntries(pairs.map(([path, version]) => [path.join('>'), version])) };
  // bun reads top-level overrides only: a scoped one applies everywhere (scopedForBun names them so the plan says so).
  if (manager === 'bun') return { field: 'overrides', value: Object.fromEntries(pairs.map(([path, version]) => [path[path.length - 1]!, version])) };
  // yarn 1 reads a bare name as the top-level copy only: every copy is `**/name` there (berry reads a bare name as every copy).
  return { field: 'resolutions', value: Object.fromEntries(pairs.map(([path, version]) => [path.length === 1 && flavor === 'classic' ? `**/${path[0]}` : path.join('/'), version])) };
}

/** The scoped overrides bun cannot express (it reads top-level `overrides` only): `parent > name`, which bun applies everywhere. */
export function scopedForBun(overrides: Overrides): string[] {
  return flatten(overrides)
    .filter(([path]) => path.length > 1)
    .map(([path]) => path.join(' > '));
}
