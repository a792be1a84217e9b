// The pieces every non-npm lockfile loader (pnpm, bun, …) builds its DepGraph
// from besides its nodes (node.ts): the root node, edges whose validity is computed on first read, the
// dependents lists, Arborist's dev/optional/peer flags computed over the
// graph (these lockfiles record no such flags), and a workspace's identity
// from its package.json. npm lockfiles get all of this from Arborist.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DepEdge, DepNode, EdgeType } from '../model.js';
import { isJsonObject, stringEntries, type JsonObject } from '../util/json.js';
import { newNode } from './node.js';
import { edgeValidity, type SpecContext } from './specs.js';

/** The project's own node, from its package.json. */
export function rootNode(manifest: JsonObject): DepNode {
  const engines = stringEntries(manifest.engines);
  return newNode('', {
    name: typeof manifest.name === 'string' ? manifest.name : '',
    packageName: typeof manifest.name === 'string' ? manifest.name : '',
    version: typeof manifest.version === 'string' ? manifest.version : '',
    source: 'root',
    engines: engines.length > 0 ? Object.fromEntries(engines) : null,
    license: typeof manifest.license === 'string' ? manifest.license : null,
  });
}

/** An edge whose validity (does the target satisfy the spec?) is computed on first read, once every node is loaded. */
export function lazyEdge(name: string, spec: string, type: EdgeType, to: string | null, nodes: Map<string, DepNode>, context: SpecContext): DepEdge {
  const converted = { name, spec, type, to, missing: to === null && type !== 'optional' && type !== 'peerOptional' } as DepEdge;
  Object.defineProperty(converted, 'valid', {
    enumerable: true,
    configurable: true,
    get() {
      const target = to === null ? null : (nodes.get(to) ?? null);
      const valid = edgeValidity(name, spec, type, target, context);
      Object.defineProperty(converted, 'valid', { value: valid, enumerable: true, writable: true, configurable: true });
      return valid;
    },
  });
  return converted;
}

const byName = (a: DepEdge, b: DepEdge): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Sorts every node's edges by name and fills `dependents` from them (sorted). */
export function linkDependents(nodes: Map<string, DepNode>): void {
  for (const node of nodes.values()) {
    node.edgesOut.sort(byName);
    for (const out of node.edgesOut) {
      const target = out.to === null ? undefined : nodes.get(out.to);
      if (target && !target.dependents.includes(node.location)) target.dependents.push(node.location);
    }
  }
  for (const node of nodes.values()) node.dependents.sort();
}

/**
 * Arborist's dependency flags, computed over a graph loaded from a lockfile
 * that records none: a node is dev when only dev edges of an importer (the
 * root or a workspace) lead to it, optional when only optional edges do,
 * devOptional when every path has a dev or an optional edge but neither kind
 * alone reaches it, and peer when only peer edges do. `skip` names nodes whose
 * flags the loader sets itself.
 */
export function computeFlags(nodes: Map<string, DepNode>, importers: ReadonlySet<string>, skip: (node: DepNode) => boolean = () => false): void {
  const reach = (follow: (edge: DepEdge, fromImporter: boolean) => boolean): Set<string> => {
    const seen = new Set<string>(importers);
    const queue = [...importers];
    while (queue.length > 0) {
      const location = queue.pop()!;
      const node = nodes.get(location);
      if (!node) continue;
      for (const out of node.edgesOut) {
        if (out.to === null || seen.has(out.to) || !follow(out, importers.has(location))) continue;
        seen.add(out.to);
        queue.push(out.to);
      }
    }
    return seen;
  };
  // Importers' dev edges count only from importers: a package's own devDependencies are never installed.
  const notDev = reach((out, fromImporter) => !(fromImporter && out.type === 'dev'));
  const notOptional = reach((out) => out.type !== 'optional' && out.type !== 'peerOptional');
  const required = reach((out, fromImporter) => !(fromImporter && out.type === 'dev') && out.type !== 'optional' && out.type !== 'peerOptional');
  const notPeer = reach((out) => out.type !== 'peer' && out.type !== 'peerOptional');
  for (const node of nodes.values()) {
    if (importers.has(node.location) || node.isWorkspace || node.source === 'root' || skip(node)) continue;
    node.dev = !notDev.has(node.location);
    node.optional = !notOptional.has(node.location);
    // Arborist's devOptional is the overlap: needed by dev and by optional paths, by neither alone.
    node.devOptional = !required.has(node.location) && !node.dev && !node.optional;
    node.peer = !notPeer.has(node.location);
  }
}

/** A workspace's name and version from its package.json (when the lockfile records neither); the project loader reports a missing one. */
export async function workspaceIdentity(projectPath: string, location: string): Promise<{ name: string | null; version: string }> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(projectPath, location, 'package.json'), 'utf8'));
    if (!isJsonObject(manifest)) return { name: null, version: '' };
    return { name: typeof manifest.name === 'string' && manifest.name !== '' ? manifest.name : null, version: typeof manifest.version === 'string' ? manifest.version : '' };
  } catch {
    return { name: null, version: '' };
  }
}
