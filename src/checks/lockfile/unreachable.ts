// Entries no dependency path from the project reaches: they can hide a
// package nobody reviews.

import { reachableLocations } from '../../load/paths.js';
import type { DepGraph } from '../../model.js';
import { isUnderNodeModules, label, type Ctx } from './shared.js';

export function checkReachable(ctx: Ctx, graph: DepGraph, file: string, flagged: ReadonlySet<string>): void {
  const reachable = reachableLocations(graph);
  // Entries under a linked folder outside node_modules (a file: dependency
  // such as ../shared) depend on that folder's package.json, which Arborist
  // reads from disk and the checkout may not hold: skip them. Workspaces
  // whose package.json was read are checked like the root.
  const skipped = [...new Set(graph.links.values())]
    .filter((target) => target !== '' && !isUnderNodeModules(target) && !graph.workspaceManifests.has(target))
    .map((target) => `${target}/`);
  for (const node of graph.nodes.values()) {
    if (reachable.has(node.location) || node.isWorkspace) continue;
    if (flagged.has(node.location)) {
      ctx.report({ rule: 'unreachable', node, data: { ...label(node), location: node.location, file }, evidence: { location: node.location } });
      continue;
    }
    if (!isUnderNodeModules(node.location)) continue;
    if (graph.links.has(node.location) || skipped.some((folder) => node.location.startsWith(folder))) continue;
    ctx.report({ rule: 'unreachable', node, data: { ...label(node), location: node.location, file }, evidence: { location: node.location } });
  }
}
