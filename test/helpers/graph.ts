// Builds DepGraphs in memory, so a check's rules can be tested without a
// lockfile on disk. Fixture projects under fixtures/projects/ cover loading.
import { newNode } from '../../src/load/node.js';
import type { DepEdge, DepGraph, DepNode } from '../../src/model.js';

export type NodeInit = Partial<DepNode> & { location: string };

export function node(init: NodeInit): DepNode {
  const name = init.name ?? init.location.slice(init.location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return newNode(init.location, {
    name,
    packageName: init.packageName ?? name,
    version: '1.0.0',
    integrity: 'sha512-' + 'A'.repeat(86) + '==',
    installScriptKnown: true,
    ...init,
  });
}

export function edge(name: string, spec: string, to: string | null, type: DepEdge['type'] = 'prod'): DepEdge {
  return { name, spec, type, to, valid: to !== null, missing: to === null };
}

/** A graph from a root manifest and nodes; `dependents` are filled from the edges. */
export function graph(manifest: Record<string, unknown>, nodes: DepNode[], rootEdges: DepEdge[] = []): DepGraph {
  const root = node({ location: '', name: String(manifest.name ?? 'root'), packageName: String(manifest.name ?? 'root'), version: String(manifest.version ?? '1.0.0'), source: 'root', integrity: null, edgesOut: rootEdges });
  const all = new Map<string, DepNode>([['', root], ...nodes.map((n) => [n.location, n] as const)]);
  for (const from of all.values()) {
    for (const e of from.edgesOut) {
      const to = e.to === null ? undefined : all.get(e.to);
      if (to && !to.dependents.includes(from.location)) to.dependents.push(from.location);
    }
  }
  return {
    projectPath: '/project',
    root,
    nodes: all,
    workspaces: [],
    links: new Map(),
    lockfile: { file: 'package-lock.json', lockfileVersion: 3, entries: new Set(nodes.map((n) => n.location)) },
    loadedFrom: 'lockfile',
    manifest,
    workspaceManifests: new Map(),
  };
}
