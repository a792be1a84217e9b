// pnpm's side of depguard fix: where its overrides live and what of
// pnpm-workspace.yaml a verification copy may carry.
//
// Where: pnpm 10 reads `overrides` from package.json's `pnpm` field and from
// pnpm-workspace.yaml; pnpm 11 reads only pnpm-workspace.yaml (it warns that
// the `pnpm` field "is no longer read"). So the plan goes to
// pnpm-workspace.yaml when the project keeps its overrides there, or when its
// pnpm is 11 or later, or when it has that file and pnpm 10 and no
// package.json overrides; else to package.json `pnpm.overrides`.
//
// The copy: pnpm-workspace.yaml may name code pnpm runs or installs
// (`pnpmfile`, `globalPnpmfile`, `configDependencies`, `executionEnv`, hooks
// in later versions) and registries or credentials the user never chose. The
// copy keeps only the settings that shape resolution (allowlisted below).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { isMap, parseDocument, stringify } from 'yaml';
import { declaredManager } from '../load/index.js';
import { isJsonObject, own, type JsonObject } from '../util/json.js';
import type { Replaced } from './merge.js';

export const PNPM_WORKSPACE = 'pnpm-workspace.yaml';

/**
 * pnpm-workspace.yaml settings that decide which versions resolve; every other
 * key (pnpmfile, configDependencies, registries, executionEnv, …) is left out
 * of a verification copy.
 */
const RESOLUTION_SETTINGS = [
  'packages',
  'catalog',
  'catalogs',
  'overrides',
  'packageExtensions',
  'peerDependencyRules',
  'allowedDeprecatedVersions',
  'supportedArchitectures',
  'ignoredOptionalDependencies',
  'autoInstallPeers',
  'dedupePeerDependents',
  'dedupeDirectDeps',
  'resolutionMode',
  'resolvePeersFromWorkspaceRoot',
  'excludeLinksFromLockfile',
  'lockfileIncludeTarballUrl',
  'minimumReleaseAge',
  'minimumReleaseAgeExclude',
  'trustPolicy',
  'trustPolicyExclude',
  'injectWorkspacePackages',
  'linkWorkspacePackages',
  'preferWorkspacePackages',
  'saveWorkspaceProtocol',
  'catalogMode',
] as const;

/** The major version a `pnpm@x.y.z` declaration or a binary's version names. */
function majorOf(version: string | null | undefined): number | null {
  if (!version) return null;
  const coerced = semver.coerce(version);
  return coerced ? coerced.major : null;
}

/** The pnpm major package.json declares (packageManager / devEngines.packageManager), or null. */
export function declaredPnpmMajor(manifest: JsonObject): number | null {
  const declared = declaredManager(manifest);
  if (declared?.manager !== 'pnpm') return null;
  const at = declared.value.indexOf('@');
  return at < 0 ? null : majorOf(declared.value.slice(at + 1).split('+')[0]);
}

export function readWorkspace(projectPath: string): JsonObject | null {
  const path = join(projectPath, PNPM_WORKSPACE);
  if (!existsSync(path)) return null;
  try {
    const doc = parseDocument(readFileSync(path, 'utf8'));
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    return isJsonObject(value) ? value : {};
  } catch {
    return {};
  }
}

/** Where the project's pnpm reads the overrides the plan adds (see the top of this file). */
export function pnpmOverridesTarget(projectPath: string, manifest: JsonObject, binaryVersion: string | null): 'package.json' | typeof PNPM_WORKSPACE {
  const major = declaredPnpmMajor(manifest) ?? majorOf(binaryVersion);
  const workspace = readWorkspace(projectPath);
  const pnpmField = own(manifest, 'pnpm');
  const inManifest = isJsonObject(pnpmField) && own(pnpmField, 'overrides') !== undefined;
  if (workspace && own(workspace, 'overrides') !== undefined) return PNPM_WORKSPACE;
  if (major !== null && major >= 11) return PNPM_WORKSPACE;
  if (workspace && !inManifest && (major === null || major >= 10)) return PNPM_WORKSPACE;
  return 'package.json';
}

/** pnpm-workspace.yaml for a verification copy: the resolution settings only (null when the project has none). */
export function sanitizedWorkspace(text: string): string | null {
  let value: unknown;
  try {
    value = parseDocument(text).toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
  if (!isJsonObject(value)) return null;
  const kept = Object.fromEntries(RESOLUTION_SETTINGS.filter((key) => Object.hasOwn(value, key)).map((key) => [key, value[key]]));
  return Object.keys(kept).length > 0 ? stringify(kept) : null;
}

/**
 * `text` (pnpm-workspace.yaml, '' when absent) with `overrides` merged in:
 * comments, key order and the other settings kept; a replaced value is
 * returned so the caller can say so.
 */
export function withWorkspaceOverrides(text: string, overrides: Record<string, string>): { text: string; replaced: Replaced[]; changed: boolean } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw doc.errors[0]!;
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) throw new TypeError('pnpm-workspace.yaml must hold a mapping of settings');
  const existing = doc.get('overrides');
  if (existing !== undefined && existing !== null && !isMap(existing)) throw new TypeError('pnpm-workspace.yaml: "overrides" must be a mapping of selector to version');
  const replaced: Replaced[] = [];
  let changed = false;
  for (const [selector, version] of Object.entries(overrides)) {
    const old: unknown = doc.getIn(['overrides', selector]);
    if (old === version) continue;
    if (typeof old === 'string') replaced.push({ path: selector, old, new: version });
    doc.setIn(['overrides', selector], version);
    changed = true;
  }
  return { text: doc.toString(), replaced, changed };
}
