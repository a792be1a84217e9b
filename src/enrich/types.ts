// What checks may ask for beyond the graph. Checks declare their needs in
// their metadata; the engine builds only the sources the selected checks need,
// so an offline check never waits for the network.

import type { DepNode } from '../model.js';

/** The fields of a published package version that checks read (lenient: absent fields are empty). */
export interface PackageManifest {
  name: string;
  version: string;
  scripts: Record<string, string>;
  engines: Record<string, string> | null;
  /** npm sets this when the package ships a binding.gyp (and then runs `node-gyp rebuild`). */
  gypfile: boolean;
  /** The registry's deprecation message, when the version is deprecated. */
  deprecated: string | null;
  /** Where the manifest came from, for evidence: 'node_modules' | 'registry' | 'cache'. */
  source: 'node_modules' | 'registry' | 'cache';
}

/** Where manifests come from: node_modules, then (once configured) the registry client. */
export interface ManifestSource {
  /**
   * The manifest of the package version a node stands for, or null when it
   * cannot be had; the reason is recorded as a diagnostic on the package.
   */
  manifest(node: DepNode): Promise<PackageManifest | null>;
}
