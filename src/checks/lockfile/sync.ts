// Is the lockfile still in sync with package.json and the workspaces'
// package.json files: every declared dependency locked at a version that
// satisfies it, nothing locked that is no longer declared? Each package
// manager holds the two together its own way: SYNC_SEMANTICS says how, and
// where a manager's own records (pnpm's and bun's catalogs, overrides) are compared.

import npa from 'npm-package-arg';
import type { DepEdge, DepGraph, DepNode, EdgeType } from '../../model.js';
import { isJsonObject, stringEntries } from '../../util/json.js';
import { checkBunSync, checkPnpmSync } from './sync-recorded.js';
import { DEPENDENCY_FIELDS, installCommand, projectRelative, type Ctx, type DependencyField, type Manager } from './shared.js';

/** How one package manager holds package.json and its lockfile together. */
export interface SyncSemantics {
  /** The lockfile records each importer's specifiers, and the manager refuses it when one differs from package.json's character for character. */
  bySpecifier: boolean;
  /** The manager (yarn: `--frozen-lockfile`, `--immutable`) needs an entry for each exact descriptor (`name@spec`) package.json declares; the loader's `declared` holds those it has. */
  byDescriptor?: boolean;
  /** The manager installs a project's own peerDependencies; when not, only those the lockfile records for it must be locked. */
  installsOwnPeers: boolean;
  /** Compares what only this manager's lockfile records (after the dependencies). */
  extra?: (ctx: Ctx, graph: DepGraph, file: string) => void;
}

const NPM_SYNC: SyncSemantics = { bySpecifier: false, installsOwnPeers: true };

export const SYNC_SEMANTICS: Record<Manager, SyncSemantics> = {
  npm: NPM_SYNC,
  pnpm: { bySpecifier: true, installsOwnPeers: false, extra: checkPnpmSync },
  // bun installs a project's own peers, and accepts a changed spec the locked version still satisfies (bun install --frozen-lockfile).
  bun: { bySpecifier: false, installsOwnPeers: true, extra: checkBunSync },
  // yarn needs an entry for each exact package.json descriptor (--frozen-lockfile, --immutable) and installs no own peers.
  yarn: { bySpecifier: false, byDescriptor: true, installsOwnPeers: false },
};

const FIELD_OF_EDGE: Record<EdgeType, DependencyField | null> = {
  prod: 'dependencies',
  optional: 'optionalDependencies',
  dev: 'devDependencies',
  peer: 'peerDependencies',
  peerOptional: 'peerDependencies',
  workspace: null,
};

function isTagSpec(name: string, spec: string): boolean {
  try {
    const parsed = npa.resolve(name, spec, '/');
    return (parsed.type === 'alias' ? parsed.subSpec?.type : parsed.type) === 'tag';
  } catch {
    return false;
  }
}

interface Declaration {
  field: DependencyField;
  spec: string;
}

/** A manifest's dependencies by name; optional peers are left out, as npm does not require them. */
function manifestDeclarations(manifest: Record<string, unknown>): { required: Map<string, Declaration>; all: Set<string> } {
  const required = new Map<string, Declaration>();
  const all = new Set<string>();
  const peerMeta = isJsonObject(manifest.peerDependenciesMeta) ? manifest.peerDependenciesMeta : {};
  for (const field of DEPENDENCY_FIELDS) {
    if (!Object.hasOwn(manifest, field)) continue;
    for (const [name, spec] of stringEntries(manifest[field])) {
      all.add(name);
      if (field === 'peerDependencies') {
        const meta = Object.hasOwn(peerMeta, name) ? peerMeta[name] : undefined;
        if (isJsonObject(meta) && meta.optional === true) continue;
      }
      if (!required.has(name)) required.set(name, { field, spec });
    }
  }
  return { required, all };
}

export function checkInSync(ctx: Ctx, graph: DepGraph, file: string): void {
  const semantics = SYNC_SEMANTICS[graph.lockfile?.manager ?? 'npm'];
  const declarers: Array<{ node: DepNode; manifest: Record<string, unknown>; manifestFile: string }> = [
    { node: graph.root, manifest: graph.manifest, manifestFile: 'package.json' },
  ];
  for (const workspace of graph.workspaces) {
    const node = graph.nodes.get(workspace.location);
    const manifest = graph.workspaceManifests.get(workspace.location);
    // A workspace without its package.json is already a load diagnostic.
    if (node && manifest) declarers.push({ node, manifest, manifestFile: `${workspace.location}/package.json` });
  }
  for (const { node, manifest, manifestFile } of declarers) {
    const edges = new Map<string, DepEdge>(node.edgesOut.map((edge) => [edge.name, edge]));
    const lockDeclared = graph.lockfile?.declared?.get(node.location);
    const lockSpec = (name: string): string | null => {
      for (const field of DEPENDENCY_FIELDS) {
        const specs = lockDeclared?.[field];
        if (specs && Object.hasOwn(specs, name)) return specs[name]!;
      }
      return null;
    };
    const { required, all } = manifestDeclarations(manifest);
    const workspace = node.location === '' ? null : node.location;
    // pnpm and yarn do not install a project's own peerDependencies (they are for its
    // dependents); npm does. A pnpm importer records the peers it installs, if any.
    if (!semantics.installsOwnPeers) for (const [name, declaration] of required) if (declaration.field === 'peerDependencies' && lockSpec(name) === null) required.delete(name);

    for (const [name, declaration] of required) {
      const edge = edges.get(name);
      if (edge?.type === 'workspace') continue;
      const field = (edge && FIELD_OF_EDGE[edge.type]) ?? declaration.field;
      const spec = edge?.spec ?? declaration.spec;
      const target = edge?.to != null ? graph.nodes.get(edge.to) : undefined;
      // pnpm (like `pnpm install --frozen-lockfile`) holds each importer's specifiers to package.json's, character for character.
      const recorded = lockSpec(name);
      if (semantics.bySpecifier && target && recorded !== null && recorded !== declaration.spec) {
        ctx.report({
          rule: 'out-of-sync',
          node: target,
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field: declaration.field, spec: declaration.spec, problem: `is recorded in the lockfile as "${recorded}"` },
          evidence: { reason: 'specifier', workspace, dependency: name, dependencyType: declaration.field, declared: declaration.spec, locked: target.version || null, lockedSpec: recorded },
        });
        continue;
      }
      if (semantics.byDescriptor && target && recorded === null) {
        ctx.report({
          rule: 'out-of-sync',
          node: target,
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field: declaration.field, spec: declaration.spec, problem: `has no entry for the descriptor ${name}@${declaration.spec} (yarn resolved ${target.packageName}@${target.version} for another descriptor)` },
          evidence: { reason: 'descriptor', workspace, dependency: name, dependencyType: declaration.field, declared: declaration.spec, locked: target.version || null, lockedSpec: null },
        });
        continue;
      }
      if (!target) {
        ctx.report({
          rule: 'out-of-sync',
          node: node.location === '' ? null : node,
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field, spec, problem: 'has no entry in the lockfile' },
          evidence: { reason: 'missing', workspace, dependency: name, dependencyType: field, declared: spec, locked: null, lockedSpec: lockSpec(name) },
        });
        continue;
      }
      if (edge!.valid) continue;
      // `workspace:` is not an npm protocol; a link to the workspace satisfies it.
      if (spec.startsWith('workspace:') && target.isWorkspace) continue;
      // A dist-tag (`latest`) cannot be checked offline; Arborist wants a `resolved` URL, which
      // npm omits for registry packages (omit-lockfile-registry-resolved), and `npm ci` accepts it.
      if (target.source === 'registry' && isTagSpec(name, spec)) continue;
      ctx.report({
        rule: 'out-of-sync',
        node: target,
        data: { file, install: installCommand(graph), manifest: manifestFile, name, field, spec, problem: `is locked at ${target.version || target.resolved || 'an unknown version'}, which does not satisfy it` },
        evidence: {
          reason: 'unsatisfied',
          workspace,
          dependency: name,
          dependencyType: field,
          declared: spec,
          locked: target.version || null,
          lockedResolved: projectRelative(graph, target.resolved),
          lockedSpec: lockSpec(name),
        },
      });
    }

    if (!lockDeclared) continue;
    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, spec] of Object.entries(lockDeclared[field] ?? {})) {
        if (all.has(name)) continue;
        const prefix = node.location === '' ? '' : `${node.location}/`;
        const through = edges.get(name)?.to;
        const locked = (through != null ? graph.nodes.get(through) : undefined) ?? graph.nodes.get(`${prefix}node_modules/${name}`) ?? graph.nodes.get(`node_modules/${name}`) ?? lockedElsewhere(graph, name, spec);
        ctx.report({
          rule: 'out-of-sync',
          node: locked ?? (node.location === '' ? null : node),
          // Nothing locked under that name: the finding still names the dependency the lockfile records.
          ...(locked || node.location !== '' ? {} : { package: { name, version: '', location: '' } }),
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field, spec, problem: 'is still recorded in the lockfile but no longer declared' },
          evidence: { reason: 'undeclared', workspace, dependency: name, dependencyType: field, declared: null, locked: locked?.version ?? null, lockedSpec: spec },
        });
      }
    }
  }
  semantics.extra?.(ctx, graph, file);
}

/**
 * The package a dropped dependency is still locked as, where the layout does
 * not put it under node_modules/<name> (yarn berry's graph): the one copy of
 * that name, or the copy at the version its lockfile spec names (`npm:4.17.20`).
 */
function lockedElsewhere(graph: DepGraph, name: string, spec: string): DepNode | undefined {
  const copies = [...graph.nodes.values()].filter((candidate) => candidate.packageName === name && candidate.location !== '' && !candidate.isWorkspace);
  if (copies.length === 1) return copies[0];
  const version = spec.startsWith('npm:') ? spec.slice('npm:'.length) : spec;
  return copies.find((candidate) => candidate.version === version);
}
