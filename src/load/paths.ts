import type { DepGraph, DepNode } from '../model.js';
import { nameAtVersion } from '../util/package-label.js';

/** A chain step: `name@version`, or the bare name for a node without one (a workspace whose package.json has no version). */
function step(node: DepNode): string {
  return node.version ? nameAtVersion(node) : node.packageName;
}

/**
 * Up to `limit` shortest dependency chains from the root (or a workspace) to
 * a node, each as `name@version` steps. The root itself is left out; a chain
 * through a workspace starts with the workspace. Computed only for nodes that
 * have findings, so the cost is per finding, not per package.
 */
export function dependencyPaths(graph: DepGraph, location: string, limit = 3): string[][] {
  const target = graph.nodes.get(location);
  if (!target || target === graph.root) return [];
  const results: string[][] = [];
  // Breadth-first backwards from the node, so the shortest chains come first.
  let frontier: string[][] = [[location]];
  const maxFrontier = 256;
  for (let depth = 0; depth < 64 && frontier.length > 0 && results.length < limit; depth++) {
    const next: string[][] = [];
    for (const chain of frontier) {
      const head = graph.nodes.get(chain[0]!);
      if (!head) continue;
      for (const dependent of head.dependents) {
        if (chain.includes(dependent)) continue; // a cycle
        if (dependent === '') {
          results.push(chain.map((loc) => step(graph.nodes.get(loc)!)));
          if (results.length >= limit) break;
          continue;
        }
        if (next.length < maxFrontier) next.push([dependent, ...chain]);
      }
      if (results.length >= limit) break;
    }
    frontier = next;
  }
  return results;
}

/** Locations reachable from the root (through workspaces too). */
export function reachableLocations(graph: DepGraph): Set<string> {
  const seen = new Set<string>(['']);
  const queue = [''];
  while (queue.length > 0) {
    const node = graph.nodes.get(queue.pop()!);
    if (!node) continue;
    for (const edge of node.edgesOut) {
      if (edge.to !== null && !seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}
