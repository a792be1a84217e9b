// Which install-time scripts a dependency runs: from the lockfile's
// hasInstallScript (v2+), and the script text (or the answer for v1 lockfiles,
// git and directory dependencies) from the package's manifest.

import type { ManifestRequest, PackageManifest } from '../../enrich/types.js';
import type { DepGraph, DepNode } from '../../model.js';

export const EVENTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;
export type LifecycleEvent = (typeof EVENTS)[number];

/** What npm runs for a package with a binding.gyp and neither install nor preinstall script. */
export const GYP_INSTALL_SCRIPT = 'node-gyp rebuild';

/** What depguard knows about one package's install scripts. */
export interface Scripts {
  /** true: it has install scripts; null: cannot tell (v1 lockfile or git/directory prepare, no manifest). */
  has: true | null;
  /** Script text by event, or null when the text is unavailable. */
  scripts: Partial<Record<LifecycleEvent, string>> | null;
  /** Where the answer came from. */
  from: PackageManifest['source'] | 'lockfile' | null;
  /** The install script was synthesised from a binding.gyp. */
  gyp: boolean;
  /** The name the package's own package.json claims, when it differs from its trusted identity. */
  claimedName?: string;
  /** Why the answer is unknown. */
  unknownReason?: 'lockfile-v1' | 'not-recorded' | 'prepare-unknown';
}

/** `prepare` runs only for packages npm builds from source: git and directory (link) dependencies. */
function runsPrepare(node: DepNode): boolean {
  return node.source === 'git' || node.source === 'directory';
}

/** The install-time scripts a manifest declares, as npm would run them for this node. */
export function installScripts(manifest: PackageManifest, node: DepNode): { scripts: Partial<Record<LifecycleEvent, string>>; gyp: boolean } {
  const scripts: Partial<Record<LifecycleEvent, string>> = {};
  for (const event of EVENTS) {
    if (event === 'prepare' && !runsPrepare(node)) continue;
    const text = Object.hasOwn(manifest.scripts, event) ? manifest.scripts[event] : undefined;
    if (typeof text === 'string' && text !== '') scripts[event] = text;
  }
  // npm runs `node-gyp rebuild` for a binding.gyp unless the package has its own install or preinstall.
  const gyp = manifest.gypfile && scripts.install === undefined && scripts.preinstall === undefined;
  if (gyp) {
    const ordered: Partial<Record<LifecycleEvent, string>> = {};
    for (const event of EVENTS) {
      if (event === 'install') ordered.install = GYP_INSTALL_SCRIPT;
      else if (scripts[event] !== undefined) ordered[event] = scripts[event];
    }
    return { scripts: ordered, gyp };
  }
  return { scripts, gyp };
}

/** Does the lockfile settle the question for this node without a manifest? */
function lockfileSettles(graph: DepGraph, node: DepNode): boolean {
  if (graph.loadedFrom !== 'lockfile' || !node.installScriptKnown) return false;
  // The lockfile's flag covers preinstall, install and postinstall, never prepare.
  return !runsPrepare(node);
}

/**
 * The manifest a node's scripts need (the enrich stage's request): when the
 * lockfile does not settle them, or to add the text of the scripts it flags.
 * With the lockfile's flag set the manifest only adds the script text, so a
 * miss is not fatal; otherwise it decides.
 */
export function manifestRequest(graph: DepGraph, node: DepNode): ManifestRequest | null {
  return node.hasInstallScript || !lockfileSettles(graph, node) ? { required: !node.hasInstallScript } : null;
}

/** A node's install scripts from the lockfile and, where it was asked for (manifestRequest), its manifest. */
export function scriptsOf(graph: DepGraph, node: DepNode, manifest: PackageManifest | null): Scripts | null {
  if (manifest) {
    const { scripts, gyp } = installScripts(manifest, node);
    const claimed = manifest.name !== '' && manifest.name !== node.packageName ? { claimedName: manifest.name } : {};
    if (Object.keys(scripts).length > 0) return { has: true, scripts, from: manifest.source, gyp, ...claimed };
    // The lockfile (or the registry) says there are scripts the manifest does not show: trust it, without text.
    if (node.hasInstallScript || manifest.hasInstallScript === true) return { has: true, scripts: null, from: 'lockfile', gyp: false, ...claimed };
    return null;
  }
  if (node.hasInstallScript) return { has: true, scripts: null, from: 'lockfile', gyp: false };
  if (lockfileSettles(graph, node)) return null;
  // Read from node_modules: Arborist already read the installed package.json, there is nothing more to learn.
  if (graph.loadedFrom !== 'lockfile') return null;
  // A v1 lockfile, or a git/directory dependency whose prepare the lockfile does not record.
  const unrecorded = (graph.lockfile?.manager ?? 'npm') === 'npm' ? 'lockfile-v1' : 'not-recorded';
  return { has: null, scripts: null, from: null, gyp: false, unknownReason: node.installScriptKnown ? 'prepare-unknown' : unrecorded };
}
