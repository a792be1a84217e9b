// What checks may ask for beyond the graph. Checks declare their needs in
// their metadata; the engine builds only the sources the selected checks need,
// so an offline check never waits for the network.

import type { DepNode, Diagnostic } from '../model.js';

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
  /**
   * Whether the version runs a preinstall, install or postinstall script, as
   * the registry records it (`hasInstallScript`) or as its scripts show.
   * Absent when unknown.
   */
  hasInstallScript?: boolean;
  /**
   * True when the manifest comes from the registry's abbreviated metadata of a
   * version without install scripts: `scripts` is then empty although the
   * package may have others (test, build), which npm never runs on install.
   */
  partial?: boolean;
}

/** How much a check depends on a manifest it asks for. */
export interface ManifestRequest {
  /**
   * true (the default): the check cannot judge the package without it, so a
   * manifest that cannot be had fails the run (exit 2) unless the user
   * accepted incomplete data. false: it only adds detail (script text for
   * evidence); a miss is a warning and the run goes on.
   */
  required?: boolean;
}

/** Where manifests come from: node_modules, then the registry client (RegistryManifests). */
export interface ManifestSource {
  /**
   * The manifest of the package version a node stands for, or null when it
   * cannot be had; the reason is recorded as a diagnostic on the package.
   */
  manifest(node: DepNode, request?: ManifestRequest): Promise<PackageManifest | null>;
  /** Why manifests could not be had, one diagnostic per package (sources that fetch nothing have none). */
  diagnostics?(): Diagnostic[];
  /** false: this source asks the registry nothing (the run makes no request); a missing manifest was not fetched. */
  readonly fetches?: boolean;
  /** Per package, when only some may be fetched (a diff's narrowed run): false, a missing manifest was not fetched. */
  fetchesFor?(node: DepNode): boolean;
}
