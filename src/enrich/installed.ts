// Manifests from an installed node_modules tree, read as data (JSON.parse of
// package.json, never require). Used when the lockfile lacks what a check
// needs (v1 lockfiles have no hasInstallScript, no lockfile has script text).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DepGraph, DepNode } from '../model.js';
import { isJsonObject, stringEntries } from '../util/json.js';
import type { ManifestSource, PackageManifest } from './types.js';

export function manifestFromJson(data: unknown, source: PackageManifest['source']): PackageManifest | null {
  if (!isJsonObject(data)) return null;
  const engines = Object.fromEntries(stringEntries(data.engines));
  return {
    name: typeof data.name === 'string' ? data.name : '',
    version: typeof data.version === 'string' ? data.version : '',
    scripts: Object.fromEntries(stringEntries(data.scripts)),
    engines: Object.keys(engines).length > 0 ? engines : null,
    gypfile: data.gypfile === true,
    deprecated: typeof data.deprecated === 'string' && data.deprecated !== '' ? data.deprecated : null,
    source,
  };
}

export class InstalledManifests implements ManifestSource {
  readonly #graph: DepGraph;

  constructor(graph: DepGraph) {
    this.#graph = graph;
  }

  async manifest(node: DepNode): Promise<PackageManifest | null> {
    if (node.location === '' || node.location.startsWith('..')) return null;
    // yarn.lock does not say where a package is installed: its node location is
    // depguard's own; yarn's node_modules linker hoists one copy to the top.
    const folders = this.#graph.lockfile?.manager === 'yarn' ? [node.location, `node_modules/${node.packageName}`] : [node.location];
    for (const folder of folders) {
      const manifest = await this.#read(node, folder);
      if (manifest) return manifest;
    }
    return null;
  }

  async #read(node: DepNode, folder: string): Promise<PackageManifest | null> {
    let text: string;
    try {
      text = await readFile(join(this.#graph.projectPath, folder, 'package.json'), 'utf8');
    } catch {
      return null;
    }
    let data: unknown;
    let manifest: PackageManifest | null;
    try {
      data = JSON.parse(text);
      manifest = manifestFromJson(data, 'node_modules');
    } catch {
      return null;
    }
    // An installed copy of another version is no evidence about this one.
    if (!manifest || manifest.version !== node.version) return null;
    // As npm does when it packs or builds: a binding.gyp means gypfile, unless the package opts out with `"gypfile": false`.
    if (!manifest.gypfile && isJsonObject(data) && data.gypfile !== false && existsSync(join(this.#graph.projectPath, folder, 'binding.gyp'))) {
      manifest.gypfile = true;
    }
    return manifest;
  }
}
