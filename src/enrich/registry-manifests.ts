// Manifests for checks: the installed node_modules copy first (what npm
// actually runs), then the registry. Only registry-sourced nodes are looked
// up, by the name and version the lockfile gives them (never by their
// `resolved` URL); git, remote, file and link nodes never cause a request.
// The abbreviated packument is enough unless the version has install
// scripts, whose text only the full packument holds.

import { packageRef, type DepNode, type Diagnostic, type PackageRef } from '../model.js';
import { isRegistryError, type RegistryClient, type RegistryManifest } from './registry-client.js';
import type { ManifestRequest, ManifestSource, PackageManifest } from './types.js';

export interface MissingManifest {
  package: PackageRef;
  code: string;
  message: string;
  /** Some check needed it to judge the package (see ManifestRequest). */
  required: boolean;
}

function toPackageManifest(manifest: RegistryManifest): PackageManifest {
  const result: PackageManifest = {
    name: manifest.name,
    version: manifest.version,
    scripts: { ...manifest.scripts },
    engines: manifest.engines ? { ...manifest.engines } : null,
    gypfile: manifest.gypfile === true,
    deprecated: manifest.deprecated,
    source: manifest.source,
    hasInstallScript: manifest.hasInstallScript,
  };
  if (manifest.scripts === null) result.partial = true;
  return result;
}

export class RegistryManifests implements ManifestSource {
  readonly #client: RegistryClient;
  readonly #installed: ManifestSource | null;
  readonly #memo = new Map<string, Promise<PackageManifest | null>>();
  /**
   * Misses by location; `blocking` is false when asking again could not help:
   * packages depguard never fetches (git, file…) and names or versions that
   * cannot be looked up (the lockfile check reports those).
   */
  readonly #missing = new Map<string, Omit<MissingManifest, 'required'> & { blocking: boolean }>();
  /** Locations some check asked for as required. */
  readonly #required = new Set<string>();

  /**
   * false: the client only reads caches (the run makes no request), and a
   * manifest that is not there is "not fetched": a warning, never a reason
   * to fail the run.
   */
  readonly fetches: boolean;

  /**
   * @param installed where to look first (node_modules, npm's tarball cache: LocalManifests), or null.
   * @param options.fetches false when the client is cache-only because the run asks the registry nothing.
   */
  constructor(client: RegistryClient, installed: ManifestSource | null, options: { fetches?: boolean } = {}) {
    this.#client = client;
    this.#installed = installed;
    this.fetches = options.fetches ?? true;
  }

  get client(): RegistryClient {
    return this.#client;
  }

  manifest(node: DepNode, request: ManifestRequest = {}): Promise<PackageManifest | null> {
    if (request.required !== false) this.#required.add(node.location);
    let loading = this.#memo.get(node.location);
    if (!loading) {
      loading = this.#load(node);
      this.#memo.set(node.location, loading);
    }
    return loading;
  }

  /** Packages whose manifest could not be had, sorted by location. */
  missing(): MissingManifest[] {
    return [...this.#missing.values()]
      .map((missing) => ({ ...missing, required: missing.blocking && this.#required.has(missing.package.location) }))
      .sort((a, b) => (a.package.location < b.package.location ? -1 : a.package.location > b.package.location ? 1 : 0))
      .map(({ blocking: _, ...missing }) => missing);
  }

  diagnostics(): Diagnostic[] {
    return this.missing().map((missing) => ({
      level: missing.required ? 'error' : 'warning',
      code: missing.code,
      message: missing.message,
      package: missing.package,
    }));
  }

  async #load(node: DepNode): Promise<PackageManifest | null> {
    if (node.location === '') return null;
    const installed = this.#installed ? await this.#installed.manifest(node) : null;
    if (installed) return installed;
    if (node.inBundle) {
      // Shipped inside its parent's tarball: the registry's copy of that name and version need not be what is bundled.
      this.#miss(node, 'MANIFEST_NOT_FROM_REGISTRY', `${node.packageName}@${node.version || '?'} is bundled in its parent's tarball and node_modules has no copy of it: depguard does not take the registry's manifest for it`, false);
      return null;
    }
    if (node.source !== 'registry') {
      // Never fetched: a git, remote or file package is not the registry's to describe.
      this.#miss(node, 'MANIFEST_NOT_FROM_REGISTRY', `${node.packageName}@${node.version || '?'} is a ${node.source} dependency: depguard fetches only registry packages, and node_modules has no copy of it (install with \`npm ci --ignore-scripts\` to let depguard read it)`, false);
      return null;
    }
    if (!node.version) {
      this.#miss(node, 'REGISTRY_BAD_NAME', `${node.packageName} has no version in the lockfile: not looked up`, false);
      return null;
    }
    try {
      let manifest = await this.#client.manifest(node.packageName, node.version);
      // Script text is in the full packument only; fetch it only for versions that have install scripts.
      if (manifest.scripts === null && manifest.hasInstallScript) manifest = await this.#client.manifest(node.packageName, node.version, { full: true });
      return toPackageManifest(manifest);
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      if (!this.fetches && error.code === 'REGISTRY_NOT_CACHED') {
        this.#miss(node, 'MANIFEST_NOT_FETCHED', `${node.packageName}@${node.version}: not fetched: no installed copy or cached copy, and this run asks the registry nothing (no selected check needs it)`, false);
        return null;
      }
      this.#miss(node, error.code, error.message, error.code !== 'REGISTRY_BAD_NAME');
      return null;
    }
  }

  #miss(node: DepNode, code: string, message: string, blocking: boolean): void {
    this.#missing.set(node.location, { package: packageRef(node), code, message, blocking });
  }
}
