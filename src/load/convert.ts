// Copies an Arborist tree into depguard's DepGraph. This is the only module
// that touches Arborist nodes: checks work on plain data.

import npa from 'npm-package-arg';
import type { DepEdge, DepNode, EdgeType, SourceType } from '../model.js';
import { declaredLicense } from '../util/declared-license.js';
import { isJsonObject, stringEntries } from '../util/json.js';
import { aliasTarget, nameFromLocation, parseRegistryTarballUrl } from './identity.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- Arborist ships no types */
type ArboristNode = any;

const EDGE_TYPES: ReadonlySet<string> = new Set(['prod', 'dev', 'optional', 'peer', 'peerOptional', 'workspace']);

function specType(spec: string, name: string): SourceType | null {
  try {
    const parsed = npa.resolve(name, spec, '/');
    const type = parsed.type === 'alias' ? parsed.subSpec?.type : parsed.type;
    switch (type) {
      case 'range':
      case 'version':
      case 'tag':
        return 'registry';
      case 'git':
      case 'remote':
      case 'file':
      case 'directory':
        return type;
      default:
        return null;
    }
  } catch {
    return null;
  }
}


function sourceFromResolved(resolved: string | null, version: string): SourceType {
  if (!resolved) return version ? 'registry' : 'unknown';
  if (/^git(\+|:)|^github:|^gitlab:|^bitbucket:/.test(resolved)) return 'git';
  if (resolved.startsWith('file:')) return resolved.endsWith('.tgz') || resolved.endsWith('.tar.gz') ? 'file' : 'directory';
  if (/^https?:\/\//.test(resolved)) return parseRegistryTarballUrl(resolved) ? 'registry' : 'remote';
  return 'unknown';
}

function edgeTarget(edge: ArboristNode): string | null {
  const to = edge.to;
  if (!to) return null;
  return to.isLink && to.target ? to.target.location : to.location;
}

function convertEdges(node: ArboristNode): DepEdge[] {
  const edges: DepEdge[] = [];
  for (const edge of node.edgesOut.values()) {
    const type: EdgeType = EDGE_TYPES.has(edge.type) ? edge.type : 'prod';
    const converted = {
      name: edge.name,
      spec: typeof edge.rawSpec === 'string' ? edge.rawSpec : String(edge.spec ?? ''),
      type,
      to: edgeTarget(edge),
      // Arborist calls a missing optional edge valid, not missing.
      missing: !edge.to && !edge.optional,
    } as DepEdge;
    // Validity costs Arborist a spec parse and a semver match per edge (about
    // 300 ms on a 2,000-package graph) and few edges are ever asked: compute
    // it on first read, then keep it as plain data.
    Object.defineProperty(converted, 'valid', {
      enumerable: true,
      configurable: true,
      get() {
        const valid = Boolean(edge.valid);
        Object.defineProperty(converted, 'valid', { value: valid, enumerable: true, writable: true, configurable: true });
        return valid;
      },
    });
    edges.push(converted);
  }
  edges.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return edges;
}

function nodeSource(node: ArboristNode, resolved: string | null, version: string): SourceType {
  if (node.isRoot) return 'root';
  if (node.isWorkspace) return 'workspace';
  // The target folder of a file: link (edges reach it through the link, so it has no edgesIn).
  if (node.linksIn?.size > 0) return 'directory';
  if (resolved) return sourceFromResolved(resolved, version);
  // No `resolved` (npm's omit-lockfile-registry-resolved, or a v1 entry):
  // what the dependents asked for tells where the package came from.
  for (const edge of node.edgesIn) {
    const type = specType(edge.rawSpec ?? '', edge.name);
    if (type) return type;
  }
  return sourceFromResolved(null, version);
}

function registryIdentity(node: ArboristNode, location: string, resolved: string | null, version: string, fromLockfile: boolean): { name: string; version: string } {
  if (resolved) {
    const fromUrl = parseRegistryTarballUrl(resolved);
    if (fromUrl) return { name: fromUrl.name, version: fromUrl.version || version };
  }
  for (const edge of node.edgesIn) {
    const target = aliasTarget(edge.rawSpec ?? '', edge.name);
    if (target) return { name: target, version };
  }
  // Loaded from a lockfile, Arborist's package.name is the entry's `name`
  // (npm writes it for aliases). Loaded from node_modules it is whatever the
  // installed package.json claims, so only the folder name counts.
  const keyName = nameFromLocation(location);
  const lockName = fromLockfile && typeof node.package?.name === 'string' && node.package.name !== '' ? node.package.name : null;
  return { name: lockName ?? keyName, version };
}

export function convertNode(node: ArboristNode, fromLockfile: boolean): DepNode {
  const location: string = node.location;
  const manifest = isJsonObject(node.package) ? node.package : {};
  const version = typeof node.version === 'string' ? node.version : '';
  const resolved = typeof node.resolved === 'string' && node.resolved !== '' ? node.resolved : null;
  const source = nodeSource(node, resolved, version);
  const identity = node.isRoot || source === 'workspace' || source === 'directory'
    ? { name: typeof manifest.name === 'string' ? manifest.name : nameFromLocation(location), version }
    : registryIdentity(node, location, resolved, version, fromLockfile);
  const engines = Object.fromEntries(stringEntries(manifest.engines));
  const dependents: string[] = [];
  for (const edge of node.edgesIn) {
    const from = edge.from;
    if (!from) continue;
    // An edge into a workspace comes from the root through its link; record the real dependent.
    dependents.push(from.isLink && from.target ? from.target.location : from.location);
  }
  dependents.sort();
  return {
    location,
    name: node.isRoot ? identity.name : nameFromLocation(location),
    packageName: identity.name,
    version: identity.version,
    ...(version !== '' && identity.version !== version ? { entryVersion: version } : {}),
    resolved,
    integrity: typeof node.integrity === 'string' && node.integrity !== '' ? node.integrity : null,
    source,
    dev: Boolean(node.dev),
    optional: Boolean(node.optional),
    devOptional: Boolean(node.devOptional),
    peer: Boolean(node.peer),
    inBundle: Boolean(node.inBundle),
    hasInstallScript: Boolean(node.hasInstallScript),
    installScriptKnown: Boolean(node.hasInstallScript), // refined by the loader, which knows the lockfile version
    engines: Object.keys(engines).length > 0 ? engines : null,
    license: declaredLicense(manifest),
    isWorkspace: Boolean(node.isWorkspace),
    linkTarget: null,
    edgesOut: convertEdges(node),
    dependents: [...new Set(dependents)],
  };
}
