// What the tree holds: every package with its dependency kind, source and
// depth, and the counts a review starts from (direct and transitive, by kind,
// by depth, packages installed in several versions, licences).

import semver from 'semver';
import { readLicense } from '../../checks/license/classify.js';
import type { DepGraph, DepNode } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import type { DependencyKind, Inventory, PackageEntry } from '../../render/report-model.js';

export function dependencyKind(node: DepNode): DependencyKind {
  if (node.dev) return 'dev';
  if (node.optional) return 'optional';
  if (node.devOptional) return 'dev-optional';
  if (node.peer) return 'peer';
  return 'prod';
}

/** Shortest distance of each node from the root or a workspace (which are 0). */
export function depths(graph: DepGraph): Map<string, number> {
  const depth = new Map<string, number>();
  let frontier: DepNode[] = [...graph.nodes.values()].filter((node) => node.location === '' || node.isWorkspace);
  for (const node of frontier) depth.set(node.location, 0);
  for (let level = 1; frontier.length > 0; level++) {
    const next: DepNode[] = [];
    for (const node of frontier) {
      for (const edge of node.edgesOut) {
        if (edge.to === null || depth.has(edge.to)) continue;
        const target = graph.nodes.get(edge.to);
        if (!target) continue;
        depth.set(edge.to, level);
        next.push(target);
      }
    }
    frontier = next;
  }
  return depth;
}

/**
 * The packages of the tree: every node but the root and the workspaces, by
 * name, version, location. `licenses` gives licences read beyond the graph
 * (the license check's, or the registry's for what the lockfile does not
 * record), by location.
 */
export function packageEntries(graph: DepGraph, licenses: ReadonlyMap<string, string | null> = new Map()): PackageEntry[] {
  const depth = depths(graph);
  return [...graph.nodes.values()]
    .filter((node) => node.location !== '' && !node.isWorkspace)
    .map((node) => {
      const license = node.license ?? licenses.get(node.location) ?? null;
      return {
        name: node.packageName,
        version: node.version,
        location: node.location,
        kind: dependencyKind(node),
        source: node.source,
        depth: depth.get(node.location) ?? null,
        license: license && license.trim() !== '' ? license.trim() : null,
      };
    })
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.location, b.location));
}

/** Semver order where both are versions, else string order. */
export function compareVersions(a: string, b: string): number {
  return semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : compareStrings(a, b);
}

type LicenseProblem = Inventory['licenseProblems'][number]['problem'];

/**
 * What a reviewer must look at in a declared licence, as the license check
 * reads it (checks/license/classify.ts), without spdx-correct's guesses: the
 * report lists licences as declared, and a misspelling is worth a look.
 */
export function licenseProblem(license: string | null): LicenseProblem | null {
  const status = readLicense(license, { correct: false }).status;
  return status === 'spdx' || status === 'corrected' ? null : status;
}

export function inventory(graph: DepGraph, packages: PackageEntry[]): Inventory {
  const byKind: Inventory['byKind'] = { prod: 0, dev: 0, optional: 0, 'dev-optional': 0, peer: 0 };
  const bySource: Inventory['bySource'] = {};
  const byDepth = new Map<number, number>();
  const versions = new Map<string, { versions: Set<string>; copies: number }>();
  const licenses = new Map<string, number>();
  const licenseProblems: Inventory['licenseProblems'] = [];
  let unreachable = 0;
  for (const entry of packages) {
    byKind[entry.kind]++;
    bySource[entry.source] = (bySource[entry.source] ?? 0) + 1;
    if (entry.depth === null) unreachable++;
    else byDepth.set(entry.depth, (byDepth.get(entry.depth) ?? 0) + 1);
    const seen = versions.get(entry.name) ?? { versions: new Set<string>(), copies: 0 };
    seen.versions.add(entry.version);
    seen.copies++;
    versions.set(entry.name, seen);
    const problem = licenseProblem(entry.license);
    licenses.set(entry.license ?? '(none)', (licenses.get(entry.license ?? '(none)') ?? 0) + 1);
    if (problem) licenseProblems.push({ name: entry.name, version: entry.version, license: entry.license, problem });
  }
  const direct = byDepth.get(1) ?? 0;
  return {
    packages: packages.length,
    direct,
    transitive: packages.length - direct - unreachable,
    unreachable,
    workspaces: graph.workspaces.length,
    byKind,
    bySource,
    byDepth: [...byDepth.entries()].sort(([a], [b]) => a - b).map(([depth, count]) => ({ depth, packages: count })),
    duplicates: [...versions.entries()]
      .filter(([, seen]) => seen.versions.size > 1)
      .map(([name, seen]) => ({ name, versions: [...seen.versions].sort(compareVersions), copies: seen.copies }))
      .sort((a, b) => b.versions.length - a.versions.length || b.copies - a.copies || compareStrings(a.name, b.name)),
    licenses: [...licenses.entries()]
      .map(([license, count]) => ({ license, packages: count, spdx: license !== '(none)' && licenseProblem(license) === null }))
      .sort((a, b) => b.packages - a.packages || compareStrings(a.license, b.license)),
    licenseProblems,
  };
}
