// Where a package's licence is read from, cheapest first: the lockfile
// (npm v2/v3 record `license` for every package; an installed package.json
// when the graph came from node_modules), then the registry's full
// packument for the version, then the package.json inside the published
// tarball. The last two are asked only for the few packages the lockfile
// says nothing about: npm records `license` but not the older `licenses`
// array (busboy@1.6.0 declares MIT that way).

import type { RegistryClient } from '../../enrich/registry-client.js';
import { isRegistryLookup, type RegistryPackuments } from '../../enrich/registry-packuments.js';
import type { DepNode } from '../../model.js';
import { declaredLicense } from '../../util/declared-license.js';
import { isJsonObject } from '../../util/json.js';

export type LicenseSource = 'lockfile' | 'node_modules' | 'package.json' | 'registry' | 'tarball';

export interface FoundLicense {
  /** The declared licence text, or null when the package declares none. */
  declared: string | null;
  /** Where it was read; null when it could not be read at all (see `unknown`). */
  source: LicenseSource | null;
  /** Why the licence could not be read, when it could not. */
  unknown?: string;
}

export interface LicenseSources {
  /** The graph's own record: where node.license comes from. */
  graphSource: LicenseSource;
  packuments: RegistryPackuments | null;
  registry: RegistryClient | null;
  /** Whether a packument miss fails the run closed (the check: yes; the report's inventory: a warning). Default true. */
  required?: boolean;
}

async function fromTarball(registry: RegistryClient, node: DepNode): Promise<FoundLicense> {
  try {
    const contents = await registry.tarball(node.packageName, node.version);
    const file = contents.file('package.json');
    if (!file) return { declared: null, source: null, unknown: `the tarball of ${node.packageName}@${node.version} has no package.json` };
    let manifest: unknown;
    try {
      manifest = JSON.parse(file.data.toString('utf8'));
    } catch {
      return { declared: null, source: null, unknown: `the package.json in the tarball of ${node.packageName}@${node.version} is not JSON` };
    }
    return { declared: isJsonObject(manifest) ? declaredLicense(manifest) : null, source: 'tarball' };
  } catch (error) {
    return { declared: null, source: null, unknown: error instanceof Error ? error.message : String(error) };
  }
}

/** The licence of one package, from the first source that records one. */
export async function findLicense(node: DepNode, sources: LicenseSources): Promise<FoundLicense> {
  if (node.license !== null) return { declared: node.license, source: sources.graphSource };
  if (!isRegistryLookup(node)) {
    return { declared: null, source: null, unknown: `${sources.graphSource === 'lockfile' ? 'the lockfile records' : 'its package.json declares'} none, and a ${node.source} package is not looked up in the registry` };
  }
  if (!sources.packuments || !sources.registry) return { declared: null, source: null, unknown: 'the lockfile records none, and registry lookups are off' };
  // Misses are recorded by RegistryPackuments and decide the fail-closed exit like any registry data.
  const found = await sources.packuments.lookup(node, { full: true, required: sources.required !== false });
  if (!found) return { declared: null, source: null, unknown: `the lockfile records none, and the packument of ${node.packageName} could not be had` };
  if (typeof found.version.license === 'string') return { declared: found.version.license, source: 'registry' };
  // The registry's document says nothing (or was cached before licences were kept): the package's own package.json decides.
  return fromTarball(sources.registry, node);
}

/** Licences of many packages, looked up concurrently (the registry client bounds requests), in the order given. */
export async function findLicenses(nodes: readonly DepNode[], sources: LicenseSources): Promise<Map<string, FoundLicense>> {
  const found = await Promise.all(nodes.map((node) => findLicense(node, sources)));
  return new Map(nodes.map((node, index) => [node.location, found[index]!]));
}

/** What node.license was read from, by how the graph was loaded (every lockfile format is 'lockfile'). */
export function graphLicenseSource(loadedFrom: string): LicenseSource {
  return loadedFrom === 'node_modules' ? 'node_modules' : loadedFrom === 'package.json' ? 'package.json' : 'lockfile';
}
