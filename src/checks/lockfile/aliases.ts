// npm aliases (`"ms-old": "npm:ms@0.7.0"`): the installed name differs from
// the registry package. Shown as `alias` findings so aliases stay visible, and
// the one thing that makes a tarball URL naming another package legitimate.

import { aliasTarget } from '../../load/identity.js';
import type { DepGraph, DepNode } from '../../model.js';
import type { Ctx } from './shared.js';

/**
 * pnpm installs an alias (`"ms-old": "npm:ms@0.7.0"`) as the package itself
 * and links it under the alias: the alias lives on the dependent's edge, not
 * on the package's node as in npm's tree. npm's own entries show an alias by
 * their registry URL, unless the lockfile omits it
 * (omit-lockfile-registry-resolved): then the edge tells here too.
 */
export function checkEdgeAliases(ctx: Ctx, graph: DepGraph, unresolvedOnly: boolean): void {
  for (const node of graph.nodes.values()) {
    if (unresolvedOnly && (node.resolved !== null || node.inBundle)) continue;
    const seen = new Set<string>();
    for (const dependentLocation of node.dependents) {
      const dependent = graph.nodes.get(dependentLocation);
      for (const edge of dependent?.edgesOut ?? []) {
        if (edge.to !== node.location || edge.name === node.packageName || seen.has(edge.name)) continue;
        if (aliasTarget(edge.spec, edge.name) !== node.packageName) continue;
        seen.add(edge.name);
        ctx.report({
          rule: 'alias',
          node,
          data: { name: edge.name, realName: node.packageName, version: node.version, spec: edge.spec },
          evidence: { resolved: node.resolved, alias: edge.name, realName: node.packageName, spec: edge.spec, declaredBy: dependentLocation === '' ? 'package.json' : dependentLocation },
        });
      }
    }
  }
}

/** The dependent's edge that declares `node` as an npm alias of `realName`, if any. */
export function declaredAlias(graph: DepGraph, node: DepNode, realName: string): { spec: string; declaredBy: string } | null {
  for (const dependentLocation of node.dependents) {
    const dependent = graph.nodes.get(dependentLocation);
    const edge = dependent?.edgesOut.find((candidate) => candidate.name === node.name && candidate.to === node.location);
    if (edge && aliasTarget(edge.spec, edge.name) === realName) {
      return { spec: edge.spec, declaredBy: dependentLocation === '' ? 'package.json' : dependentLocation };
    }
  }
  return null;
}
