// Where a package's licence is read from, cheapest first: the lockfile
// (npm v2/v3 record `license` for every package; an installed package.json
// when the graph came from node_modules), then the registry's full
// packument for the version, then the package.json inside the published
// tarball. The last two are asked only for the few packages the lockfile
// says nothing about: npm records `license` but not the older `licenses`
// array (busboy@1.6.0 declares MIT that way).

import type { RegistryClient } from '../../enrich/registry-client.js';
import { isRegistryLookup, type NodePackument, type RegistryPackuments } from '../../enrich/registry-packuments.js';
import { enrichTarballManifests, type TarballManifestAnswer } from '../../enrich/stage.js';
import type { DepNode } from '../../model.js';
import { declaredLicense } from '../../util/declared-license.js';

export type LicenseSource = 'lockfile' | 'node_modules' | 'package.json' | 'registry' | 'tarball';

export interface FoundLicense {
  /** The declared licence text, or null when the package declares none. */
  declared: string | null;
  /** Where it was read; null when it could not be read at all (see `unknown`). */
  source: LicenseSource | null;
  /** Why the licence could not be read, when it could not. */
  unknown?: string;
}

/** What the registry said about a package the lockfile records no licence for; null when the registry was not asked. */
export interface LicenseLookup {
  /** The version's full packument, or null when it could not be had. */
  packument: NodePackument | null;
  /** The tarball's package.json, when the packument records no licence. */
  tarball?: TarballManifestAnswer;
}

/** Whether the registry is asked about a package's licence: the lockfile records none and the registry describes it. */
export function needsLookup(node: DepNode): boolean {
  return node.license === null && isRegistryLookup(node);
}

/** Whether the packument says nothing of the licence, so that the tarball's package.json decides. */
export function needsTarball(found: NodePackument): boolean {
  return typeof found.version.license !== 'string';
}

/** The licence of one package, from the first source that records one (a pure reading of what was fetched). */
export function licenseFrom(node: DepNode, graphSource: LicenseSource, lookup: LicenseLookup | null): FoundLicense {
  if (node.license !== null) return { declared: node.license, source: graphSource };
  if (!isRegistryLookup(node)) {
    return { declared: null, source: null, unknown: `${graphSource === 'lockfile' ? 'the lockfile records' : 'its package.json declares'} none, and a ${node.source} package is not looked up in the registry` };
  }
  if (!lookup) return { declared: null, source: null, unknown: 'the lockfile records none, and registry lookups are off' };
  const found = lookup.packument;
  if (!found) return { declared: null, source: null, unknown: `the lockfile records none, and the packument of ${node.packageName} could not be had` };
  const registered = found.version.license;
  if (typeof registered === 'string') return { declared: registered, source: 'registry' };
  // The registry's document says nothing (or was cached before licences were kept): the package's own package.json decides.
  const tarball = lookup.tarball;
  if (!tarball) return { declared: null, source: null, unknown: `the packument of ${node.packageName}@${node.version} records no licence, and its tarball was not read` };
  if ('error' in tarball) return { declared: null, source: null, unknown: tarball.error };
  if (!tarball.manifest) return { declared: null, source: null, unknown: tarball.problem ?? 'no package.json' };
  return { declared: declaredLicense(tarball.manifest), source: 'tarball' };
}

/**
 * Licences of many packages, looked up outside the check (the report's
 * inventory): the full packuments of those the lockfile says nothing about,
 * then the tarballs of those the packument says nothing about. A packument
 * miss is recorded on `packuments` as a warning, not a fail-closed error.
 */
export async function findLicenses(nodes: readonly DepNode[], graphSource: LicenseSource, packuments: RegistryPackuments, registry: RegistryClient): Promise<Map<string, FoundLicense>> {
  const asked = nodes.filter(needsLookup);
  const found = await Promise.all(asked.map((node) => packuments.lookup(node, { full: true, required: false })));
  const byNode = new Map(asked.map((node, index) => [node, found[index] ?? null]));
  const tarballs = await enrichTarballManifests(registry, asked.filter((node) => byNode.get(node) && needsTarball(byNode.get(node)!)));
  return new Map(nodes.map((node) => [node.location, licenseFrom(node, graphSource, byNode.has(node) ? { packument: byNode.get(node)!, tarball: tarballs.get(node) } : null)]));
}

/** What node.license was read from, by how the graph was loaded (every lockfile format is 'lockfile'). */
export function graphLicenseSource(loadedFrom: string): LicenseSource {
  return loadedFrom === 'node_modules' ? 'node_modules' : loadedFrom === 'package.json' ? 'package.json' : 'lockfile';
}
