// Packuments for checks that judge a package by its registry metadata
// (release-age, deprecated, provenance), looked up per graph node. Only
// registry packages are looked up, by the name and version the lockfile gives
// them (never by their `resolved` URL); git, remote, file, link and bundled
// nodes are not the registry's to describe and cause no request. A lookup
// that fails is recorded on the node, like RegistryManifests does, so the
// audit's fail-closed step (access.ts checkCompleteness) treats both alike.

import { packageRef, type DepNode, type Diagnostic } from '../model.js';
import type { CompactVersion } from './packument.js';
import { isRegistryError, versionKey, type Packument, type RegistryClient } from './registry-client.js';
import type { MissingManifest } from './registry-manifests.js';
import { matchesNamePattern } from '../util/name-patterns.js';

export interface PackumentLookup {
  /**
   * Full metadata (publish times) rather than the abbreviated document. One
   * full fetch answers later abbreviated requests; not the other way round.
   */
  full?: boolean;
  /**
   * true (the default): the check cannot judge the package without it, so a
   * miss fails the run (exit 2) unless the user accepted incomplete data.
   */
  required?: boolean;
}

export interface NodePackument {
  packument: Packument;
  /** The compact record of the node's own version. */
  version: CompactVersion;
}

/** Whether a node stands for a registry package that is looked up at all (the others are not misses, just not applicable). */
export function isRegistryLookup(node: DepNode): boolean {
  return node.location !== '' && node.source === 'registry' && !node.inBundle && !node.isWorkspace && node.version !== '';
}

export class RegistryPackuments {
  readonly #client: RegistryClient;
  readonly #memo = new Map<string, Promise<NodePackument | null>>();
  readonly #missing = new Map<string, Omit<MissingManifest, 'required'> & { blocking: boolean }>();
  readonly #required = new Set<string>();

  constructor(client: RegistryClient) {
    this.#client = client;
  }

  get client(): RegistryClient {
    return this.#client;
  }

  /**
   * The packument of the registry package a node stands for, with the node's
   * version; null when the node is not looked up (see isRegistryLookup) or
   * the data cannot be had (the reason is recorded on the node).
   */
  lookup(node: DepNode, request: PackumentLookup = {}): Promise<NodePackument | null> {
    if (!isRegistryLookup(node)) return Promise.resolve(null);
    if (request.required !== false) this.#required.add(node.location);
    const key = `${request.full === true ? 'full' : 'corgi'}|${node.location}`;
    let loading = this.#memo.get(key);
    if (!loading) {
      loading = this.#load(node, request.full === true);
      this.#memo.set(key, loading);
    }
    return loading;
  }

  /** Packages whose packument could not be had, sorted by location. */
  /**
   * Every registry node of the graph whose name no `ignore` pattern matches,
   * with its packument: looked up concurrently, answered in graph order, the
   * nodes whose data cannot be had left out (their misses are recorded).
   */
  async lookupAll(nodes: Iterable<DepNode>, ignore: readonly string[], request: PackumentLookup = {}): Promise<Array<{ node: DepNode; found: NodePackument }>> {
    const wanted = [...nodes].filter((node) => isRegistryLookup(node) && !matchesNamePattern(node.packageName, ignore));
    const found = await Promise.all(wanted.map((node) => this.lookup(node, request)));
    return wanted.flatMap((node, index) => (found[index] ? [{ node, found: found[index] }] : []));
  }

  missing(): MissingManifest[] {
    return [...this.#missing.values()]
      .map(({ blocking, ...missing }) => ({ ...missing, required: blocking && this.#required.has(missing.package.location) }))
      .sort((a, b) => (a.package.location < b.package.location ? -1 : a.package.location > b.package.location ? 1 : 0));
  }

  diagnostics(): Diagnostic[] {
    return this.missing().map((missing) => ({ level: missing.required ? 'error' : 'warning', code: missing.code, message: missing.message, package: missing.package }));
  }

  async #load(node: DepNode, full: boolean): Promise<NodePackument | null> {
    try {
      // manifest() asks again once when a cached packument lacks the version (published since).
      const version = await this.#client.manifest(node.packageName, node.version, { full });
      const packument = await this.#client.packument(node.packageName, { full });
      const key = versionKey(packument.versions, node.version);
      return { packument, version: key === null ? version : packument.versions[key]! };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      // A name that cannot be looked up is the lockfile check's to report; asking again would not help.
      this.#missing.set(node.location, { package: packageRef(node), code: error.code, message: error.message, blocking: error.code !== 'REGISTRY_BAD_NAME' });
      return null;
    }
  }
}
