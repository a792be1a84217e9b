// Manifests for a run whose registry work is narrowed to some packages (a
// diff judges only what its change touched, src/checks/scope.ts): those
// packages may be fetched, every other one is read only from where it can be
// had without a request (node_modules, npm's caches), as in a run that asks
// the registry nothing. The checks that read manifests only as detail
// (install-scripts' text, engines of a v1 lockfile) then cost the same
// requests as the change, not as the tree.

import type { DepNode, Diagnostic } from '../model.js';
import type { RegistryClient } from './registry-client.js';
import type { MissingManifest, RegistryManifests } from './registry-manifests.js';
import type { ManifestRequest, ManifestSource, PackageManifest } from './types.js';

const byLocation = <T extends { package?: { location: string } | undefined }>(a: T, b: T) => {
  const [x, y] = [a.package?.location ?? '', b.package?.location ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
};

export class ScopedManifests implements ManifestSource {
  readonly #online: RegistryManifests;
  readonly #cached: RegistryManifests;
  readonly #fetchable: (node: DepNode) => boolean;
  readonly fetches = true;

  /**
   * @param online fetches what is not installed or cached.
   * @param cached reads caches only (its client in offline mode, `fetches: false`).
   * @param fetchable the packages the online source is asked about.
   */
  constructor(online: RegistryManifests, cached: RegistryManifests, fetchable: (node: DepNode) => boolean) {
    this.#online = online;
    this.#cached = cached;
    this.#fetchable = fetchable;
  }

  get client(): RegistryClient {
    return this.#online.client;
  }

  fetchesFor(node: DepNode): boolean {
    return this.#fetchable(node);
  }

  manifest(node: DepNode, request?: ManifestRequest): Promise<PackageManifest | null> {
    return (this.#fetchable(node) ? this.#online : this.#cached).manifest(node, request);
  }

  missing(): MissingManifest[] {
    return [...this.#online.missing(), ...this.#cached.missing()].sort(byLocation);
  }

  diagnostics(): Diagnostic[] {
    return [...this.#online.diagnostics(), ...this.#cached.diagnostics()].sort(byLocation);
  }
}
