// Packages added, removed and changed between two graphs, by registry name
// and release (version, plus the source for git and tarball dependencies):
// for each name, the releases only head has and those only base has. Both
// kinds: changed (upgraded or downgraded, by the highest of each). Only
// head's: added (a new package, or another copy beside the kept one). Only
// base's: removed. The root and workspaces are the project's own code and are left
// out. Each entry carries up to three dependency paths, so a reviewer sees
// which direct dependency brought a new transitive package in.

import semver from 'semver';
import { dependencyPaths } from '../../load/paths.js';
import type { DepGraph, DepNode } from '../../model.js';
import type { AddedPackage, ChangedPackage, DependencyKind, NewInstallScript, RemovedPackage } from '../../render/diff-model.js';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What identifies one release of a package: its version, plus where it came from when that is not the registry. */
export function release(node: DepNode): string {
  if (node.source === 'registry' || node.source === 'unknown') return node.version;
  return `${node.version} (${node.resolved ?? node.source})`;
}

/** Dependencies by registry name, then release -> nodes (sorted by location). */
function byName(graph: DepGraph): Map<string, Map<string, DepNode[]>> {
  const names = new Map<string, Map<string, DepNode[]>>();
  const locations = [...graph.nodes.keys()].sort(cmp);
  for (const location of locations) {
    const node = graph.nodes.get(location)!;
    if (location === '' || node.isWorkspace || node.source === 'root' || node.source === 'workspace') continue;
    const releases = names.get(node.packageName) ?? new Map<string, DepNode[]>();
    const list = releases.get(release(node)) ?? [];
    list.push(node);
    releases.set(release(node), list);
    names.set(node.packageName, releases);
  }
  return names;
}

function projectLocations(graph: DepGraph): Set<string> {
  return new Set(['', ...graph.workspaces.map((workspace) => workspace.location)]);
}

function isDirect(graph: DepGraph, nodes: readonly DepNode[]): boolean {
  const project = projectLocations(graph);
  return nodes.some((node) => node.dependents.some((dependent) => project.has(dependent)));
}

/** The most production-like way any of the nodes is reached. */
function kindOf(nodes: readonly DepNode[]): DependencyKind {
  const kinds = nodes.map((node): DependencyKind => (node.dev || node.devOptional ? 'dev' : node.optional ? 'optional' : node.peer ? 'peer' : 'prod'));
  for (const kind of ['prod', 'optional', 'peer', 'dev'] as const) if (kinds.includes(kind)) return kind;
  return 'prod';
}

function pathsOf(graph: DepGraph, nodes: readonly DepNode[]): string[][] {
  const paths: string[][] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    for (const path of dependencyPaths(graph, node.location)) {
      const key = path.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      paths.push(path);
    }
  }
  return paths.sort((a, b) => a.length - b.length || cmp(a.join(' '), b.join(' '))).slice(0, 3);
}

function highest(versions: Iterable<string>): string | null {
  const valid = [...versions].map((version) => semver.valid(version.split(' ')[0]!, { loose: true })).filter((version): version is string => version !== null);
  return valid.length === 0 ? null : valid.sort(semver.rcompare)[0]!;
}

export interface PackagesDiff {
  added: AddedPackage[];
  removed: RemovedPackage[];
  changed: ChangedPackage[];
}

export function diffPackages(base: DepGraph, head: DepGraph): PackagesDiff {
  const before = byName(base);
  const after = byName(head);
  const added: AddedPackage[] = [];
  const removed: RemovedPackage[] = [];
  const changed: ChangedPackage[] = [];
  for (const [name, releases] of after) {
    const old = before.get(name) ?? new Map<string, DepNode[]>();
    const from = [...old.keys()].filter((version) => !releases.has(version)).sort(cmp);
    const to = [...releases.keys()].filter((version) => !old.has(version)).sort(cmp);
    // Releases only head has, and base had no other release to replace: added.
    if (from.length === 0) {
      for (const version of to) {
        const nodes = releases.get(version)!;
        added.push({ name, version, direct: isDirect(head, nodes), kind: kindOf(nodes), source: nodes[0]!.source, hasInstallScript: nodes.some((node) => node.hasInstallScript), paths: pathsOf(head, nodes) });
      }
      continue;
    }
    // Releases only base has and nothing new in head: removed (below).
    if (to.length === 0) continue;
    const newNodes = to.flatMap((version) => releases.get(version)!);
    const [top, oldTop] = [highest(to), highest(from)];
    const change = top && oldTop && semver.neq(top, oldTop) ? (semver.gt(top, oldTop) ? 'upgraded' : 'downgraded') : 'changed';
    changed.push({
      name,
      from,
      to,
      change,
      direct: isDirect(head, newNodes),
      kind: kindOf(newNodes),
      source: newNodes[0]!.source,
      hasInstallScript: newNodes.some((node) => node.hasInstallScript),
      paths: pathsOf(head, newNodes),
    });
  }
  for (const [name, releases] of before) {
    const now = after.get(name) ?? new Map<string, DepNode[]>();
    const gone = [...releases.keys()].filter((version) => !now.has(version));
    // A name that also gained a release was reported as changed.
    if (gone.length === 0 || [...now.keys()].some((version) => !releases.has(version))) continue;
    for (const version of gone) {
      const nodes = releases.get(version)!;
      removed.push({ name, version, direct: isDirect(base, nodes), kind: kindOf(nodes), source: nodes[0]!.source, paths: pathsOf(base, nodes) });
    }
  }
  // Direct dependencies first, then by name and version.
  const order = (a: { direct: boolean; name: string }, b: { direct: boolean; name: string }) => Number(b.direct) - Number(a.direct) || cmp(a.name, b.name);
  added.sort((a, b) => order(a, b) || cmp(a.version, b.version));
  removed.sort((a, b) => order(a, b) || cmp(a.version, b.version));
  changed.sort(order);
  return { added, removed, changed };
}

/** The install-scripts check's inventory entry shape this module reads (checks["install-scripts"].packages). */
interface InventoryEntry {
  name?: unknown;
  version?: unknown;
  location?: unknown;
  approved?: unknown;
  events?: unknown;
}

/**
 * Releases that run install scripts in head and did not in base (new
 * packages, new versions, a version that gained scripts), with the approval
 * status the install-scripts check found when it ran.
 */
export function newInstallScripts(base: DepGraph, head: DepGraph, inventory: unknown): NewInstallScript[] {
  const before = new Set<string>();
  for (const node of base.nodes.values()) if (node.hasInstallScript) before.add(`${node.packageName}@${release(node)}`);
  const entries = new Map<string, InventoryEntry>();
  if (Array.isArray(inventory)) for (const entry of inventory as InventoryEntry[]) if (typeof entry?.location === 'string') entries.set(entry.location, entry);
  const groups = new Map<string, DepNode[]>();
  for (const node of [...head.nodes.values()].sort((a, b) => cmp(a.location, b.location))) {
    if (!node.hasInstallScript || node.location === '' || node.isWorkspace || node.inBundle) continue;
    const key = `${node.packageName}@${release(node)}`;
    if (before.has(key)) continue;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const result: NewInstallScript[] = [];
  for (const nodes of groups.values()) {
    const first = nodes[0]!;
    const entry = entries.get(first.location);
    const approved = entry && typeof entry.approved === 'boolean' ? entry.approved : null;
    const events = entry && Array.isArray(entry.events) ? entry.events.filter((event): event is string => typeof event === 'string') : null;
    result.push({ name: first.packageName, version: release(first), direct: isDirect(head, nodes), kind: kindOf(nodes), approved, events, paths: pathsOf(head, nodes) });
  }
  return result.sort((a, b) => Number(b.direct) - Number(a.direct) || cmp(a.name, b.name) || cmp(a.version, b.version));
}
