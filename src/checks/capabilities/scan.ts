// Where one package's capabilities come from, cheapest first: the
// capability cache (by tarball integrity), the installed copy in
// node_modules (read as data, when its package.json names the locked
// version), else the published tarball through the shared registry client
// (in memory, within its size and file-count limits, checked against the
// packument's integrity). A bundled dependency is read from its bundler's
// tarball. A package that cannot be had is an outcome with a code, never an
// exception.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRegistryError, type RegistryClient } from '../../enrich/registry-client.js';
import { DEFAULT_TARBALL_LIMITS, type TarballContents } from '../../enrich/tarball.js';
import type { DepGraph, DepNode } from '../../model.js';
import { isJsonObject } from '../../util/json.js';
import { DEFAULT_MAX_FILE_BYTES } from './analyse-package.js';
import { ANALYSER_VERSION, type CapabilityCache } from './cache.js';
import { installedFiles, PackageTooLargeError, tarballFiles, type PackageFile } from './files.js';
import { inThread, type Analyser } from './pool.js';
import type { ScanOutcome } from './types.js';

export type { ScanOutcome };

export interface ScannerOptions {
  graph: DepGraph;
  registry: RegistryClient | null;
  cache: CapabilityCache | null;
  maxFileBytes?: number;
  /** Where analysis runs (default: the calling thread). */
  analyser?: Analyser;
  /**
   * The engine's per-node packument lookups: a package whose packument cannot
   * be had is recorded there, which fails the run closed (exit 2) unless
   * incomplete data was accepted, as for every check that needs the registry.
   */
  packuments?: { lookup(node: DepNode): Promise<unknown> } | null;
}

export class CapabilityScanner {
  readonly #graph: DepGraph;
  readonly #registry: RegistryClient | null;
  readonly #cache: CapabilityCache | null;
  readonly #maxFileBytes: number;
  readonly #analyser: Analyser;
  readonly #packuments: ScannerOptions['packuments'];
  readonly #memo = new Map<string, Promise<ScanOutcome>>();
  /** Locations of packages that bundle others: their tarball is read once for them all. */
  readonly #bundlers = new Set<string>();
  readonly #bundlerTarballs = new Map<string, Promise<TarballContents>>();

  constructor(options: ScannerOptions) {
    this.#graph = options.graph;
    this.#registry = options.registry;
    this.#cache = options.cache;
    this.#maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#analyser = options.analyser ?? inThread;
    this.#packuments = options.packuments ?? null;
    for (const node of this.#graph.nodes.values()) {
      const bundler = node.inBundle ? this.#bundlerOf(node) : null;
      if (bundler) this.#bundlers.add(bundler.location);
    }
  }

  /** The outcome for a node; nodes of the same published version share one scan. */
  scan(node: DepNode): Promise<ScanOutcome> {
    const identity = node.source === 'registry' && !node.inBundle ? `registry|${node.packageName}@${node.version}|${node.integrity ?? ''}` : `location|${node.location}`;
    let outcome = this.#memo.get(identity);
    if (!outcome) {
      outcome = this.#scan(node);
      this.#memo.set(identity, outcome);
    }
    return outcome;
  }

  async #scan(node: DepNode): Promise<ScanOutcome> {
    const label = `${node.packageName}@${node.version || '?'}`;
    const bundler = node.inBundle ? this.#bundlerOf(node) : null;
    const folder = bundler ? `${node.location.slice(bundler.location.length + 1)}/` : '';
    const key = bundler ? (bundler.integrity ? `${bundler.integrity}#${folder}` : null) : await this.#integrityOf(node);

    if (key && this.#cache) {
      const record = await this.#cache.read(key);
      if (record) return { status: 'analysed', from: record.from, cached: true, integrity: key, analysis: record.analysis };
    }

    let installed: PackageFile[] | null;
    try {
      installed = await this.#installed(node);
    } catch (error) {
      if (!(error instanceof PackageTooLargeError)) throw error;
      return { status: 'unavailable', code: 'CAPABILITIES_TOO_LARGE', message: `${label} in ${node.location}: ${error.message}`, blocking: true };
    }
    if (installed) return this.#analysed(installed, 'node_modules', key);

    const from = bundler ?? node;
    if (from.source !== 'registry') {
      const what = bundler ? `bundled in ${bundler.packageName}, a ${bundler.source} dependency,` : `a ${node.source} dependency`;
      return {
        status: 'unavailable',
        code: 'CAPABILITIES_NOT_INSTALLED',
        message: `${label} is ${what} and node_modules has no copy of it: depguard fetches only registry packages (install with \`npm ci --ignore-scripts\` to let depguard read it)`,
        blocking: false,
      };
    }
    if (!this.#registry) return { status: 'unavailable', code: 'CAPABILITIES_NO_REGISTRY', message: `${label} is not installed and no registry client was given`, blocking: false };
    if (!from.version) return { status: 'unavailable', code: 'REGISTRY_BAD_NAME', message: `${from.packageName} has no version in the lockfile: not looked up`, blocking: false };
    try {
      // Memoised by the client: the tarball request below asks for nothing more.
      await this.#packuments?.lookup(from);
      const tarball = await this.#tarball(from);
      const files = tarballFiles(tarball, folder);
      if (bundler && files.length === 0) {
        return { status: 'unavailable', code: 'CAPABILITIES_NOT_IN_TARBALL', message: `${label} is not in the tarball of ${bundler.packageName}@${bundler.version} that bundles it (${folder})`, blocking: false };
      }
      const integrity = bundler ? key : (tarball.integrity ?? key);
      return await this.#analysed(files, 'registry', integrity);
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { status: 'unavailable', code: error.code, message: error.message, blocking: error.code !== 'REGISTRY_BAD_NAME', url: error.url };
    }
  }

  async #analysed(files: PackageFile[], from: 'registry' | 'node_modules', key: string | null): Promise<ScanOutcome> {
    const analysis = await this.#analyser.analyse(files, { maxFileBytes: this.#maxFileBytes });
    if (key && this.#cache) await this.#cache.write({ format: ANALYSER_VERSION, key, from, analysis });
    return { status: 'analysed', from, cached: false, integrity: key, analysis };
  }

  /** A package's tarball; a bundler's is fetched once for itself and every package it bundles. */
  #tarball(node: DepNode): Promise<TarballContents> {
    // Checked against the lockfile's integrity (what npm ci verifies), else the packument's.
    if (!this.#bundlers.has(node.location)) return this.#registry!.tarball(node.packageName, node.version, { integrity: node.integrity });
    let loading = this.#bundlerTarballs.get(node.location);
    if (!loading) {
      loading = this.#registry!.tarball(node.packageName, node.version, { integrity: node.integrity });
      this.#bundlerTarballs.set(node.location, loading);
    }
    return loading;
  }

  /** The integrity a registry package is cached under: the lockfile's, else the packument's (compact cache, no tarball). */
  async #integrityOf(node: DepNode): Promise<string | null> {
    if (node.integrity) return node.integrity;
    if (node.source !== 'registry' || !this.#registry || !node.version) return null;
    try {
      return (await this.#registry.manifest(node.packageName, node.version)).integrity ?? null;
    } catch {
      return null; // the tarball request reports why
    }
  }

  /** The nearest ancestor folder that is not itself bundled: the package whose tarball ships this one. */
  #bundlerOf(node: DepNode): DepNode | null {
    let location = node.location;
    for (;;) {
      const at = location.lastIndexOf('/node_modules/');
      if (at < 0) return null;
      location = location.slice(0, at);
      const parent = this.#graph.nodes.get(location);
      if (parent && !parent.inBundle) return parent;
    }
  }

  /** The installed copy's files, when node_modules holds the locked version. */
  async #installed(node: DepNode): Promise<PackageFile[] | null> {
    const folder = join(this.#graph.projectPath, node.location);
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    } catch {
      return null;
    }
    // Another version installed there says nothing about the locked one.
    if (!isJsonObject(manifest) || manifest.version !== node.version) return null;
    return installedFiles(folder, DEFAULT_TARBALL_LIMITS);
  }
}
