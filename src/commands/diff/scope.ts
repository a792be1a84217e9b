// What a diff's registry-backed checks judge: the packages its change
// touched (src/checks/scope.ts says why that is enough). A package is touched
// when its identity (packageIdentity: name, version, source, resolved,
// integrity, dependency flags) is on one side only. Advisory matching also
// asks about the names of everything those packages depend on, on their own
// side: a changed package's metavulnerability starts at a vulnerable
// dependency that may be unchanged.

import { changedScope, packageIdentity, type JudgedScope } from '../../checks/scope.js';
import type { DepGraph, DepNode } from '../../model.js';

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

export function changeScope(base: DepGraph, head: DepGraph): ChangeScope {
  const [before, after] = [identities(base), identities(head)];
  const touched = new Set<string>();
  const names = new Set<string>();
  for (const [graph, other] of [
    [base, after],
    [head, before],
  ] as const) {
    const isProject = projectNodes(graph);
    const nodes = [...graph.nodes.values()].filter((node) => !isProject(node) && !other.has(packageIdentity(node)));
    for (const node of nodes) touched.add(packageIdentity(node));
    closureNames(graph, nodes, names);
  }
  return { scope: changedScope(touched, names), touched: touched.size };
}
