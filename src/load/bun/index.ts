// Loads bun.lock (the text lockfile; lockfileVersion 0, 1 and 2) into
// depguard's DepGraph, the same model an npm lockfile loads into, so every
// check reads bun projects unchanged.
//
// The model of a bun install: each `packages` key is a hoisting path, so each
// entry is one node at the folder the key names (keys.ts); a second version
// of a package is a nested key, as in npm's tree. The root ('') and the
// workspaces are importers: their edges are the dependencies their
// package.json declares now (bun compares those with the lockfile's
// `workspaces` block on `bun install --frozen-lockfile`), resolved the way
// bun resolves them. dev/optional/peer flags are computed over the graph, as
// bun.lock records no such flags.

import { posix } from 'node:path';
import { DepguardError } from '../../errors.js';
import type { DeclaredDependencies, DepNode, Diagnostic, EdgeType, LockfileInfo, SourceType, WorkspaceInfo } from '../../model.js';
import { isJsonObject, own, stringEntries, type JsonObject } from '../../util/json.js';
import { parseRegistryTarballUrl } from '../identity.js';
import { computeFlags, lazyEdge, linkDependents, rootNode, workspaceIdentity } from '../graph-parts.js';
import { newNode } from '../node.js';
import type { SpecContext } from '../specs.js';
import type { LoadedLockfile, LockfileLoaderInput } from '../types.js';
import { dependencyFields, readManifestCatalogs, readWorkspaceManifest } from './manifest.js';
import { BUN_HINT, readBunDocument } from './document.js';
import { keyLocation, keySegments, resolveKey } from './keys.js';
import { readTuple, type BunEntry } from './tuple.js';

/** The newest lockfileVersion depguard knows; a newer one is read as this, with a warning. */
const NEWEST_VERSION = 2;

type DependencyField = keyof DeclaredDependencies;
/** An importer's dependency fields and the edge each makes; an earlier field wins for a name declared twice. */
const IMPORTER_FIELDS: ReadonlyArray<[DependencyField, EdgeType]> = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
  ['peerDependencies', 'peer'],
];

interface Entry {
  key: string;
  segments: string[];
  entry: BunEntry;
  /** Where the package is: its node, or the folder a workspace: or link: entry points at. */
  location: string;
}

function fail(file: string, field: string, message: string): never {
  throw new DepguardError('EBAD_LOCKFILE', `${file}: ${message}`, { file, field, hint: BUN_HINT });
}

function lockfileVersionOf(document: JsonObject, file: string): number {
  const value = own(document, 'lockfileVersion');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(file, 'lockfileVersion', `field "lockfileVersion" must be a bun lockfile version (0, 1 or 2), found ${value === undefined ? 'no such field' : JSON.stringify(value)}`);
  }
  return value;
}

/** A folder a lockfile names, relative to the project; null when it leaves the project or is absolute. */
function projectFolder(path: string): string | null {
  if (path.startsWith('/') || /^[a-z]:/i.test(path) || path.includes('\\')) return null;
  const normal = posix.normalize(path === '' ? '.' : path);
  if (normal === '..' || normal.startsWith('../')) return null;
  return normal === '.' ? '' : normal.replace(/\/$/, '');
}

/** The registry tarball URL of an npm entry, or null when it comes from the configured default registry. */
function registryUrl(entry: BunEntry): string | null {
  if (entry.registry === '') return null;
  // bun writes the tarball's URL; a bare registry URL is completed the way bun builds it (ExtractTarball.buildURL).
  if (/\.(tgz|tar\.gz)([?#].*)?$/i.test(entry.registry)) return entry.registry;
  const unscoped = entry.name.startsWith('@') ? entry.name.slice(entry.name.indexOf('/') + 1) : entry.name;
  return `${entry.registry.replace(/\/+$/, '')}/${entry.name}/-/${unscoped}-${entry.version}.tgz`;
}

function source(entry: BunEntry): { source: SourceType; resolved: string | null } {
  switch (entry.kind) {
    case 'npm':
      return { source: 'registry', resolved: registryUrl(entry) };
    case 'git':
    case 'github':
      return { source: 'git', resolved: entry.resolution };
    case 'tarball':
      return { source: 'remote', resolved: entry.resolution };
    case 'local-tarball':
      return { source: 'file', resolved: entry.resolution.startsWith('file:') ? entry.resolution : `file:${entry.resolution}` };
    default:
      return { source: 'directory', resolved: entry.resolution };
  }
}

function emptyLockfile(file: string, root: DepNode, lockfileVersion: number): LoadedLockfile {
  const lockfile: LockfileInfo = { file, lockfileVersion, manager: 'bun', entries: new Set(), declared: new Map([['', {}]]), lines: new Map() };
  return { nodes: new Map([['', root]]), workspaces: [], links: new Map(), lockfile, diagnostics: [] };
}

export async function loadBunLockfile(input: LockfileLoaderInput): Promise<LoadedLockfile> {
  const { projectPath, file, text, manifest } = input;
  const { value: document, packageLines } = readBunDocument(text, file);
  const root = rootNode(manifest);
  // An empty file, comments only, or `{}`: a lockfile with no packages.
  if (document === null || Object.keys(document).length === 0) return emptyLockfile(file, root, 0);
  const lockfileVersion = lockfileVersionOf(document, file);
  const diagnostics: Diagnostic[] = [];
  const warn = (code: string, message: string): void => void diagnostics.push({ level: 'warning', code, message: `${file}: ${message}`, file });
  if (lockfileVersion > NEWEST_VERSION) warn('BUN_LOCKFILE_VERSION', `lockfileVersion ${lockfileVersion} is newer than the ${NEWEST_VERSION} depguard knows; it was read as ${NEWEST_VERSION}`);

  const workspaceBlocks = own(document, 'workspaces');
  if (workspaceBlocks !== undefined && !isJsonObject(workspaceBlocks)) fail(file, 'workspaces', 'field "workspaces" must be an object of workspace folder to its dependencies');
  const packages = own(document, 'packages');
  if (packages !== undefined && !isJsonObject(packages)) fail(file, 'packages', 'field "packages" must be an object of package path to entry');

  const nodes = new Map<string, DepNode>([['', root]]);
  const links = new Map<string, string>();
  const workspaces: WorkspaceInfo[] = [];
  const declared = new Map<string, DeclaredDependencies>([['', {}]]);
  /** Workspace name → folder: the first segment of a key under a workspace, and bun's lookup of a workspace's own dependencies. */
  const workspaceFolders = new Map<string, string>();

  // --- workspaces --------------------------------------------------------------
  for (const [path, block] of Object.entries(workspaceBlocks ?? {})) {
    const location = projectFolder(path);
    if (location === null || !isJsonObject(block)) {
      warn('BUN_BAD_WORKSPACE', `workspaces key "${path}" is not ${location === null ? 'a folder inside the project' : 'an object'}; that workspace was left out`);
      continue;
    }
    declared.set(location, dependencyFields(block));
    if (location === '') continue;
    const identity = await workspaceIdentity(projectPath, location);
    const name = typeof block.name === 'string' && block.name !== '' ? block.name : (identity.name ?? posix.basename(location));
    const version = identity.version || (typeof block.version === 'string' ? block.version : '');
    nodes.set(location, newNode(location, { name, packageName: name, version, source: 'workspace', isWorkspace: true }));
    workspaces.push({ name, location });
    if (!workspaceFolders.has(name)) workspaceFolders.set(name, location);
  }

  // --- packages → nodes --------------------------------------------------------
  const entries = new Map<string, Entry>();
  const lines = new Map<string, number>();
  const bad = (key: string, problem: string): void => warn('BUN_BAD_KEY', `packages key "${key}" cannot be read (${problem}); that entry was left out`);
  const parsed: Array<{ key: string; segments: string[]; entry: BunEntry }> = [];
  for (const [key, tuple] of Object.entries(isJsonObject(packages) ? packages : {})) {
    const segments = keySegments(key);
    if (segments === null) {
      bad(key, 'expected a path of package names such as "a", "a/b" or "@s/a/b"');
      continue;
    }
    const entry = readTuple(tuple);
    if ('problem' in entry) {
      bad(key, entry.problem);
      continue;
    }
    if (entry.kind === 'workspace') {
      const folder = projectFolder(entry.resolution.slice('workspace:'.length));
      if (folder === null) {
        bad(key, `"${entry.resolution}" is not a folder inside the project`);
        continue;
      }
      if (segments.length === 1 && !workspaceFolders.has(segments[0]!)) workspaceFolders.set(segments[0]!, folder);
    }
    parsed.push({ key, segments, entry });
  }
  for (const { key, segments, entry } of parsed) {
    if (entry.kind === 'root') continue;
    const at = keyLocation(segments, workspaceFolders);
    if (entry.kind === 'workspace' || entry.kind === 'symlink') {
      const prefix = entry.kind === 'workspace' ? 'workspace:' : 'link:';
      const target = projectFolder(entry.resolution.slice(prefix.length).replace(/^file:/, ''));
      if (target === null) {
        if (entry.kind === 'symlink') bad(key, `"${entry.resolution}" is not a folder inside the project`);
        continue;
      }
      links.set(at, target);
      if (!nodes.has(target)) nodes.set(target, newNode(target, { name: entry.name, packageName: entry.name, source: 'directory', resolved: `file:${target}` }));
      entries.set(key, { key, segments, entry, location: target });
      continue;
    }
    const name = segments[segments.length - 1]!;
    const info = entry.info;
    const { source: kind, resolved } = source(entry);
    // bun records no version for a tarball; a registry-shaped URL of the same package names it, as npm's resolved URLs do.
    const fromUrl = kind === 'remote' && resolved !== null ? parseRegistryTarballUrl(resolved) : null;
    const node = newNode(at, {
      name,
      packageName: entry.name,
      version: fromUrl !== null && fromUrl.name === entry.name ? fromUrl.version : entry.version,
      resolved,
      integrity: entry.integrity,
      source: kind,
      inBundle: info.bundled === true,
      hasInstallScript: info.hasInstallScript === true,
      // bun writes hasInstallScript since lockfileVersion 2; before, only the manifests tell.
      installScriptKnown: info.hasInstallScript === true || (lockfileVersion >= 2 && kind === 'registry'),
    });
    nodes.set(at, node);
    entries.set(key, { key, segments, entry, location: at });
    const line = packageLines.get(key);
    if (line !== undefined) lines.set(at, line);
  }
  const keys = new Set(entries.keys());

  // --- edges -----------------------------------------------------------------
  const manifestCatalogs = readManifestCatalogs(manifest);
  // bun.lock records the catalogs it resolved with under the same keys as package.json's top level.
  const lockCatalogs = readManifestCatalogs(document);
  // Package.json's catalogs are what the next install resolves `catalog:` against; the lockfile's, when package.json has none.
  const context: SpecContext = { catalogs: Object.keys(manifestCatalogs).length > 0 ? manifestCatalogs : lockCatalogs };
  const target = (from: readonly string[], name: string): string | null => {
    const key = resolveKey(from, name, keys);
    return key === null ? null : entries.get(key)!.location;
  };

  for (const { segments, entry, location } of entries.values()) {
    if (entry.kind === 'workspace' || entry.kind === 'symlink') continue;
    const node = nodes.get(location)!;
    const optionalPeers = new Set((Array.isArray(entry.info.optionalPeers) ? entry.info.optionalPeers : []).filter((peer): peer is string => typeof peer === 'string'));
    for (const [field, baseType] of [['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['peerDependencies', 'peer']] as const) {
      for (const [name, spec] of stringEntries(own(entry.info, field))) {
        const type: EdgeType = baseType === 'peer' && optionalPeers.has(name) ? 'peerOptional' : baseType;
        // A name in both fields (package.json allows it) is optional, as in npm.
        if (field === 'dependencies' && Object.hasOwn(isJsonObject(entry.info.optionalDependencies) ? entry.info.optionalDependencies : {}, name)) continue;
        node.edgesOut.push(lazyEdge(name, spec, type, target(segments, name), nodes, context));
      }
    }
  }

  const importers: Array<{ location: string; segments: string[] }> = [{ location: '', segments: [] }];
  for (const workspace of workspaces) importers.push({ location: workspace.location, segments: [workspace.name] });
  for (const { location, segments } of importers) {
    const from = nodes.get(location)!;
    const recorded = declared.get(location) ?? {};
    // The dependencies package.json declares now; the lockfile's record when the workspace's package.json is absent.
    const current = location === '' ? dependencyFields(manifest) : ((await readWorkspaceManifest(projectPath, location)) ?? recorded);
    const seen = new Set<string>();
    for (const [field, type] of IMPORTER_FIELDS) {
      for (const [name, spec] of Object.entries(current[field] ?? {})) {
        if (seen.has(name)) continue;
        seen.add(name);
        const to = target(segments, name);
        from.edgesOut.push(lazyEdge(name, spec, type, to, nodes, context));
        const inLockfile = Object.hasOwn(recorded[field] ?? {}, name);
        if (to === null && inLockfile && type !== 'optional') {
          warn('BUN_MISSING_ENTRY', `workspace "${location === '' ? '(root)' : location}" depends on ${name}, which has no entry in packages`);
        }
      }
    }
  }
  // The root holds every workspace, as in Arborist's tree (a `workspace` edge each).
  for (const workspace of workspaces) {
    if (root.edgesOut.some((out) => out.name === workspace.name)) continue;
    root.edgesOut.push({ name: workspace.name, spec: `file:${workspace.location}`, type: 'workspace', to: workspace.location, valid: true, missing: false });
  }
  linkDependents(nodes);
  computeFlags(nodes, new Set(['', ...workspaces.map((workspace) => workspace.location)]));
  workspaces.sort((a, b) => (a.location < b.location ? -1 : 1));

  const entryLocations = new Set<string>();
  for (const { entry, location } of entries.values()) if (entry.kind !== 'workspace' && entry.kind !== 'symlink') entryLocations.add(location);
  const patched = own(document, 'patchedDependencies');
  const trusted = own(document, 'trustedDependencies');
  const lockfile: LockfileInfo = {
    file,
    lockfileVersion,
    manager: 'bun',
    entries: entryLocations,
    declared,
    lines,
    catalogs: lockCatalogs,
    workspaceCatalogs: manifestCatalogs,
    settings: {
      overrides: Object.fromEntries(stringEntries(own(document, 'overrides'))),
      // What bun applies now: package.json's `overrides`, and yarn-style `resolutions`, which bun reads too.
      declaredOverrides: { ...Object.fromEntries(stringEntries(own(manifest, 'resolutions'))), ...Object.fromEntries(stringEntries(own(manifest, 'overrides'))) },
      patchedDependencies: isJsonObject(patched) ? Object.keys(patched) : [],
      trustedDependencies: Array.isArray(trusted) ? trusted.filter((name): name is string => typeof name === 'string') : null,
    },
  };
  return { nodes, workspaces, links, lockfile, diagnostics };
}
