// What a diff's registry-backed checks judge: the packages its change
// touched (src/checks/scope.ts says why that is enough). A package is touched
// when its identity (packageIdentity: name, version, source, resolved,
// integrity, dependency flags) is on one side only. Advisory matching also
// asks about the names of everything those packages depend on, on their own
// side: a changed package's metavulnerability starts at a vulnerable
// dependency that may be unchanged.
//
// One more kind of package is touched: an unchanged one that a waiver with a
// `path` pattern covers on one side and not on the other, because the change
// moved how it is reached. Its findings are then judged on both sides, so a
// finding the waiver no longer covers is new (and one it now covers resolved).

import { changedScope, packageIdentity, type JudgedScope } from '../../checks/scope.js';
import { dependencyPaths } from '../../load/paths.js';
import type { DepGraph, DepNode, WaiverRef } from '../../model.js';
import { parsePackageSelector, pathMatches, pathTarget } from '../../policy/waivers.js';

/** The project's own folders (root, workspaces, links and what they point at): never registry packages, and their edges reach the whole tree. */
function projectNodes(graph: DepGraph): (node: DepNode) => boolean {
  const targets = new Set(graph.links.values());
  return (node) => node.location === '' || node.isWorkspace || node.source === 'root' || node.source === 'workspace' || node.source === 'link' || node.linkTarget !== null || targets.has(node.location);
}

function identities(graph: DepGraph): Set<string> {
  const isProject = projectNodes(graph);
  const ids = new Set<string>();
  for (const node of graph.nodes.values()) if (!isProject(node)) ids.add(packageIdentity(node));
  return ids;
}

/** Names of the touched nodes of `graph` and of everything they depend on, transitively. */
function closureNames(graph: DepGraph, touched: DepNode[], names: Set<string>): void {
  const isProject = projectNodes(graph);
  const seen = new Set<string>();
  const queue = touched.map((node) => node.location);
  while (queue.length > 0) {
    const location = queue.pop()!;
    if (seen.has(location)) continue;
    seen.add(location);
    const node = graph.nodes.get(location);
    if (!node) continue;
    if (!isProject(node)) names.add(node.packageName);
    for (const edge of node.edgesOut) if (edge.to !== null && !seen.has(edge.to)) queue.push(edge.to);
  }
}

export interface ChangeScope {
  scope: JudgedScope;
  /** How many identities only one side has. */
  touched: number;
}

/**
 * Unchanged packages that a path waiver covers on one side only: for each
 * waiver with a `path` (and, when it names one, only the packages of its
 * name), whether one of the node's dependency paths matches is compared
 * between the two sides.
 */
function rejudgedByPath(base: DepGraph, head: DepGraph, before: ReadonlySet<string>, waivers: readonly WaiverRef[]): DepNode[][] {
  const withPath = waivers.filter((waiver) => waiver.path);
  if (withPath.length === 0) return [[], []];
  const baseNodes = new Map<string, DepNode[]>();
  const isBaseProject = projectNodes(base);
  for (const node of base.nodes.values()) if (!isBaseProject(node)) baseNodes.set(packageIdentity(node), [...(baseNodes.get(packageIdentity(node)) ?? []), node]);
  const isProject = projectNodes(head);
  const found: DepNode[][] = [[], []];
  const covered = (graph: DepGraph, nodes: DepNode[], pattern: string) => nodes.some((node) => pathMatches(pattern, dependencyPaths(graph, node.location)));
  for (const node of head.nodes.values()) {
    const identity = packageIdentity(node);
    if (isProject(node) || !before.has(identity)) continue;
    const changed = withPath.some((waiver) => {
      // Only a package the waiver can name has paths worth computing (two searches per node and side).
      if (waiver.package && parsePackageSelector(waiver.package).name !== node.packageName) return false;
      const target = pathTarget(waiver.path!);
      if (target !== null && target !== node.packageName) return false;
      return covered(head, [node], waiver.path!) !== covered(base, baseNodes.get(identity) ?? [], waiver.path!);
    });
    if (changed) {
      found[0]!.push(...(baseNodes.get(identity) ?? []));
      found[1]!.push(node);
    }
  }
  return found;
}

export function changeScope(base: DepGraph, head: DepGraph, waivers: readonly WaiverRef[] = []): ChangeScope {
  const [before, after] = [identities(base), identities(head)];
  const touched = new Set<string>();
  const names = new Set<string>();
  const [baseMoved, headMoved] = rejudgedByPath(base, head, before, waivers);
  for (const [graph, other, moved] of [
    [base, after, baseMoved!],
    [head, before, headMoved!],
  ] as const) {
    const isProject = projectNodes(graph);
    const nodes = [...[...graph.nodes.values()].filter((node) => !isProject(node) && !other.has(packageIdentity(node))), ...moved];
    for (const node of nodes) touched.add(packageIdentity(node));
    closureNames(graph, nodes, names);
  }
  return { scope: changedScope(touched, names), touched: touched.size };
}
