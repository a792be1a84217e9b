// Loads yarn.lock, classic v1 and berry (`__metadata.version` 4 and later),
// into depguard's DepGraph, the same model an npm lockfile loads into, so
// every check reads yarn projects unchanged.
//
// The model of a yarn install: yarn.lock records which package each
// descriptor (`name@range`) resolved to, not where it lands on disk (classic
// hoists, berry's PnP keeps zips in a cache), so each package gets a stable
// readable location of its own, as pnpm's store gives it:
// node_modules/.yarn/<name>@<version>/node_modules/<name> (scope `/` as `+`;
// a `-<hash>` suffix for non-registry sources, so a git and a registry copy of
// one version stay apart). One yarn.lock entry is one package: the several
// descriptors of one key are one node, and a berry `patch:` entry is the
// package it patches (the patch is kept in `settings.patches`). Importers are
// the root ('') and the workspaces (package.json `workspaces` for classic,
// the `@workspace:` entries for berry). dev/optional/peer flags are computed
// from the importers' package.json the way Arborist computes them: yarn.lock
// records no dev flag.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import semver from 'semver';
import type { DeclaredDependencies, DepEdge, DepNode, Diagnostic, EdgeType, LockfileInfo, WorkspaceInfo } from '../../model.js';
import { isJsonObject, own, stringEntries, type JsonObject } from '../../util/json.js';
import { parseRegistryTarballUrl } from '../identity.js';
import { computeFlags, lazyEdge, linkDependents, rootNode } from '../graph-parts.js';
import { define, newNode } from '../node.js';
import type { LoadedLockfile, LockfileLoaderInput } from '../types.js';
import { aliasOf, berrySource, classicSource, npmSpec, parseDescriptor, splitKey, unwrapPatch, withoutBinding, type ResolvedSource } from './descriptors.js';
import { keyLines, readYarnDocument, type YarnDocument } from './document.js';

type ImporterField = 'dependencies' | 'optionalDependencies' | 'devDependencies' | 'peerDependencies';
const IMPORTER_FIELDS: ReadonlyArray<[ImporterField, EdgeType]> = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

interface Package {
  node: DepNode;
  entry: JsonObject;
  /** The key's first descriptor: what diagnostics name. */
  key: string;
}

/** A package's location: readable, stable across runs, distinct per source. */
function packageLocation(name: string, version: string, source: string, origin: string, taken: ReadonlyMap<string, unknown>): string {
  const base = `${name.replace('/', '+')}@${version || '0.0.0'}`;
  const suffix = source === 'registry' ? '' : `-${createHash('sha256').update(origin).digest('hex').slice(0, 8)}`;
  let location = `node_modules/.yarn/${base}${suffix}/node_modules/${name}`;
  for (let n = 2; taken.has(location); n++) location = `node_modules/.yarn/${base}${suffix}-${n}/node_modules/${name}`;
  return location;
}

/** A classic `resolved` URL's `#<sha1 hex>` as the SRI yarn classic verifies it with, when the entry has no `integrity`. */
function sha1Integrity(fragment: string): string | null {
  return /^[0-9a-f]{40}$/i.test(fragment) ? `sha1-${Buffer.from(fragment, 'hex').toString('base64')}` : null;
}

function text(entry: JsonObject, field: string): string | null {
  const value = own(entry, field);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** One classic entry: identity from the key (the alias's target), the `resolved` URL and the entry. */
function classicPackage(descriptor: { name: string; range: string }, entry: JsonObject, version: string): Omit<ResolvedSource, 'realName'> & { name: string; version: string; integrity: string | null; entryVersion?: string } {
  const alias = aliasOf(descriptor.range);
  const name = alias?.name ?? descriptor.name;
  let source = classicSource(descriptor.name, descriptor.range);
  const raw = text(entry, 'resolved');
  // A tarball URL's `#<sha1>` is the hash yarn verifies; a git URL's `#<sha>` is the commit.
  const hash = raw === null || source === 'git' || !/^https?:/i.test(raw) ? -1 : raw.indexOf('#');
  const sha1 = hash >= 0 ? sha1Integrity(raw!.slice(hash + 1)) : null;
  const resolved = sha1 !== null ? raw!.slice(0, hash) : raw;
  const integrity = text(entry, 'integrity') ?? sha1;
  const tarball = resolved === null ? null : parseRegistryTarballUrl(resolved);
  if (source === 'registry' && resolved !== null && !tarball && /^https?:/i.test(resolved)) source = 'remote';
  if (source === 'registry' && tarball && tarball.name === name && tarball.version !== '' && tarball.version !== version) {
    // The URL names what is fetched; a different `version` beside it is a hand edit.
    return { name, version: tarball.version, entryVersion: version, source, resolved, integrity };
  }
  if (source === 'link' || source === 'directory' || source === 'file') {
    const path = descriptor.range.replace(/^(link|file):/, '');
    return { name, version, source, resolved: resolved ?? `file:${path}`, integrity };
  }
  return { name, version, source, resolved, integrity };
}

/** berry's checksum: `<cacheKey>/<sha512 hex>` of the cache zip (older lockfiles: the hex alone, the key in `__metadata`). */
function berryChecksum(entry: JsonObject, document: YarnDocument): string | null {
  const checksum = text(entry, 'checksum');
  if (checksum === null) return null;
  return checksum.includes('/') || document.cacheKey === null ? checksum : `${document.cacheKey}/${checksum}`;
}

async function classicWorkspaces(projectPath: string, manifest: JsonObject, diagnostics: Diagnostic[], file: string): Promise<Map<string, string>> {
  const declared = own(manifest, 'workspaces');
  const patterns = Array.isArray(declared) ? declared : isJsonObject(declared) ? own(declared, 'packages') : undefined;
  if (!Array.isArray(patterns) || patterns.length === 0) return new Map();
  try {
    // npm's own reader of the same field (Arborist's): globs, negations, package names.
    const found = await mapWorkspaces({ cwd: projectPath, pkg: { workspaces: patterns.filter((pattern): pattern is string => typeof pattern === 'string') } });
    return new Map([...found.entries()].map(([name, path]) => [name, relative(projectPath, path).split('\\').join('/')]));
  } catch (error) {
    diagnostics.push({ level: 'warning', code: 'YARN_WORKSPACES_UNREADABLE', message: `package.json "workspaces" could not be expanded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${file} was read without workspaces`, file: 'package.json' });
    return new Map();
  }
}

async function readManifest(projectPath: string, location: string): Promise<JsonObject | null> {
  try {
    const value: unknown = JSON.parse(await readFile(join(projectPath, location, 'package.json'), 'utf8'));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

export async function loadYarnLockfile(input: LockfileLoaderInput): Promise<LoadedLockfile> {
  const { projectPath, file, text: source, manifest } = input;
  const document = readYarnDocument(source, file);
  const lines = keyLines(source);
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map<string, DepNode>();
  const links = new Map<string, string>();
  const root = rootNode(manifest);
  nodes.set('', root);

  // --- entries → packages and workspaces -------------------------------------
  /** Every descriptor the lockfile resolves, to the location it resolves to. */
  const byDescriptor = new Map<string, string>();
  const packages = new Map<string, Package>();
  const byIdentity = new Map<string, Package>();
  const byObject = new Map<object, Package>();
  /** berry's `@workspace:` entries: location → the entry. */
  const workspaceEntries = new Map<string, { name: string; entry: JsonObject }>();
  const lineOf = new Map<string, number>();
  const patches: Record<string, string[]> = {};
  const badKey = (key: string, why: string): void => {
    diagnostics.push({ level: 'warning', code: 'YARN_BAD_KEY', message: `${file}: key "${key}" ${why}; that entry was left out`, file });
  };

  for (const key of Object.keys(document.entries)) {
    if (key === '__metadata') continue;
    const entry = document.entries[key];
    const descriptors = splitKey(key).map((part) => ({ part, parsed: parseDescriptor(part) }));
    const unreadable = descriptors.find((descriptor) => descriptor.parsed === null);
    if (!isJsonObject(entry) || descriptors.length === 0 || unreadable) {
      badKey(unreadable?.part ?? key, isJsonObject(entry) ? 'is not a descriptor depguard can read (expected name@range)' : 'does not hold an entry');
      continue;
    }
    const first = descriptors[0]!.parsed!;
    const version = text(entry, 'version') ?? '';
    const seen = byObject.get(entry);
    if (seen) {
      // Classic's parser splits `a@^1, a@^1.2` into keys sharing one entry.
      for (const { part } of descriptors) byDescriptor.set(part, seen.node.location);
      continue;
    }
    let init: Partial<DepNode>;
    let identity: string;
    let patch: string | null = null;
    if (document.format === 'berry') {
      const resolution = text(entry, 'resolution');
      const locator = resolution === null ? null : parseDescriptor(resolution);
      if (locator === null) {
        badKey(key, `has no "resolution" depguard can read (found ${JSON.stringify(own(entry, 'resolution') ?? null)})`);
        continue;
      }
      let reference = locator.range;
      const patched = unwrapPatch(reference);
      if (patched) {
        // The patched and the unpatched entry are one package: the patch is evidence on it.
        const inner = parseDescriptor(patched.inner);
        if (inner) reference = inner.range;
        patch = resolution;
      }
      if (reference.startsWith('workspace:')) {
        const path = reference.slice('workspace:'.length);
        const location = path === '.' || path === '' ? '' : path.replace(/^\.\//, '').replace(/\/$/, '');
        workspaceEntries.set(location, { name: locator.name, entry });
        for (const { part } of descriptors) byDescriptor.set(part, location);
        continue;
      }
      const from = berrySource(reference);
      if (version === '') {
        badKey(key, 'has no "version"');
        continue;
      }
      identity = `${from.realName ?? locator.name}@${withoutBinding(reference)}`;
      init = { name: from.realName ?? locator.name, packageName: from.realName ?? locator.name, version, source: from.source, resolved: from.resolved, integrity: null };
      const checksum = berryChecksum(entry, document);
      if (checksum !== null) init.checksum = checksum;
    } else {
      if (version === '') {
        badKey(key, 'has no "version"');
        continue;
      }
      const classic = classicPackage(first, entry, version);
      identity = `${classic.name}@${classic.version}${classic.source === 'registry' ? '' : `@${classic.resolved ?? first.range}`}`;
      init = { name: classic.name, packageName: classic.name, version: classic.version, source: classic.source, resolved: classic.resolved, integrity: classic.integrity };
      if (classic.entryVersion !== undefined) init.entryVersion = classic.entryVersion;
    }
    let pkg = byIdentity.get(identity);
    if (!pkg) {
      const location = packageLocation(init.packageName!, init.version!, init.source!, identity, nodes);
      const node = newNode(location, { ...init, installScriptKnown: false });
      pkg = { node, entry, key: descriptors[0]!.part };
      byIdentity.set(identity, pkg);
      packages.set(location, pkg);
      nodes.set(location, node);
    } else if (patch !== null) {
      // The patched entry's dependencies are the ones installed.
      pkg.entry = entry;
    } else if (pkg.node.checksum === undefined && init.checksum !== undefined) {
      pkg.node.checksum = init.checksum;
    }
    if (patch !== null) (patches[pkg.node.location] ??= []).push(patch);
    byObject.set(entry, pkg);
    for (const { part } of descriptors) {
      byDescriptor.set(part, pkg.node.location);
      const line = lines.get(part);
      if (line !== undefined && (patch === null || !lineOf.has(pkg.node.location))) lineOf.set(pkg.node.location, line);
    }
  }

  // --- workspaces ----------------------------------------------------------------
  const workspaces: WorkspaceInfo[] = [];
  const importerManifests = new Map<string, JsonObject | null>([['', manifest]]);
  const workspaceLocations =
    document.format === 'berry'
      ? new Map([...workspaceEntries.entries()].filter(([location]) => location !== '').map(([location, { name: workspaceName }]) => [workspaceName, location]))
      : await classicWorkspaces(projectPath, manifest, diagnostics, file);
  for (const [workspaceName, location] of workspaceLocations) {
    const workspaceManifest = await readManifest(projectPath, location);
    importerManifests.set(location, workspaceManifest);
    const version = typeof workspaceManifest?.version === 'string' ? workspaceManifest.version : '';
    nodes.set(location, newNode(location, { name: workspaceName, packageName: workspaceName, version, source: 'workspace', isWorkspace: true }));
    workspaces.push({ name: workspaceName, location });
    links.set(`node_modules/${workspaceName}`, location);
  }
  workspaces.sort((a, b) => (a.location < b.location ? -1 : 1));

  // --- edges -----------------------------------------------------------------------
  const resolutions = Object.fromEntries(stringEntries(own(manifest, 'resolutions')));
  const lookup = (dependency: string, range: string): string | null => {
    const candidates = [`${dependency}@${range}`];
    // berry keys carry the default protocol that its dependency lists may omit (lockfile version 4 and 5).
    if (document.format === 'berry' && !/^[a-z]+:/i.test(range)) candidates.push(`${dependency}@npm:${range}`);
    if (range === '') candidates.push(dependency, `${dependency}@latest`, `${dependency}@npm:latest`);
    for (const candidate of candidates) {
      const location = byDescriptor.get(candidate);
      if (location !== undefined) return location;
    }
    return null;
  };
  /** Where a dependency resolves: its exact descriptor; else a `resolutions` override; else a workspace of that name (classic links a workspace whose version matches). */
  const locate = (dependency: string, range: string): { to: string | null; exact: boolean } => {
    const exact = lookup(dependency, range);
    if (exact !== null) return { to: exact, exact: true };
    for (const [pattern, forced] of Object.entries(resolutions)) {
      if (pattern === dependency || pattern.endsWith(`/${dependency}`)) {
        const overridden = lookup(dependency, forced);
        if (overridden !== null) return { to: overridden, exact: true };
      }
    }
    const workspace = workspaceLocations.get(dependency);
    if (workspace !== undefined && (range.startsWith('workspace:') || nodes.get(workspace)!.version === '' || satisfiesRange(nodes.get(workspace)!.version, range))) {
      return { to: workspace, exact: document.format === 'classic' };
    }
    return { to: null, exact: false };
  };

  const byName = new Map<string, DepNode[]>();
  for (const { node } of packages.values()) byName.set(node.packageName, [...(byName.get(node.packageName) ?? []), node]);
  for (const pkg of packages.values()) {
    const meta = own(pkg.entry, 'dependenciesMeta');
    const optionalOf = (dependency: string): boolean => {
      const entryMeta = isJsonObject(meta) ? own(meta, dependency) : undefined;
      // berry writes optional dependencies into `dependencies` with `dependenciesMeta.<name>.optional: true` (a string in its failsafe YAML).
      return isJsonObject(entryMeta) && String(own(entryMeta, 'optional')) === 'true';
    };
    for (const [field, baseType] of [['dependencies', 'prod'], ['optionalDependencies', 'optional']] as const) {
      for (const [dependency, range] of stringEntries(own(pkg.entry, field))) {
        const { to } = locate(dependency, range);
        const type: EdgeType = baseType === 'optional' || optionalOf(dependency) ? 'optional' : 'prod';
        pkg.node.edgesOut.push(yarnEdge(dependency, npmSpec(range), type, to, nodes));
        if (to === null && type !== 'optional') {
          diagnostics.push({ level: 'warning', code: 'YARN_MISSING_ENTRY', message: `${file}: ${pkg.key} depends on ${dependency}@${range}, which has no entry in the lockfile`, file });
        }
      }
    }
    // yarn.lock does not record which copy a peer resolved to: the one the lockfile holds that satisfies it, if any.
    const peersMeta = own(pkg.entry, 'peerDependenciesMeta');
    for (const [dependency, range] of stringEntries(own(pkg.entry, 'peerDependencies'))) {
      const to = peerTarget(dependency, range, byName);
      const meta = isJsonObject(peersMeta) ? own(peersMeta, dependency) : undefined;
      const type: EdgeType = isJsonObject(meta) && (own(meta, 'optional') === true || own(meta, 'optional') === 'true') ? 'peerOptional' : 'peer';
      if (to !== null) pkg.node.edgesOut.push(yarnEdge(dependency, npmSpec(range), type, to, nodes));
    }
  }

  const declared = new Map<string, DeclaredDependencies>();
  for (const [location, importerManifest] of importerManifests) {
    const from = nodes.get(location)!;
    const declaredHere: DeclaredDependencies = {};
    const entryFields = document.format === 'berry' ? workspaceEntries.get(location)?.entry : undefined;
    const fields = importerManifest ?? (entryFields ? { dependencies: own(entryFields, 'dependencies') } : {});
    const optionalNames = new Set(stringEntries(own(fields, 'optionalDependencies')).map(([dependency]) => dependency));
    const meta = own(fields, 'dependenciesMeta');
    for (const [field, baseType] of IMPORTER_FIELDS) {
      for (const [dependency, range] of stringEntries(own(fields, field))) {
        if (field === 'dependencies' && optionalNames.has(dependency)) continue;
        const dependencyMeta = isJsonObject(meta) ? own(meta, dependency) : undefined;
        const type: EdgeType = baseType === 'prod' && isJsonObject(dependencyMeta) && own(dependencyMeta, 'optional') === true ? 'optional' : baseType;
        const { to, exact } = locate(dependency, range);
        // yarn's frozen/immutable rule: the lockfile must hold this exact descriptor.
        if (exact) define((declaredHere[field as ImporterField] ??= {}), dependency, range);
        const target = to ?? fallbackTarget(dependency, range, byName);
        from.edgesOut.push(yarnEdge(dependency, npmSpec(range), type, target, nodes));
        if (to !== null && workspaceLocations.get(dependency) === to) links.set(`${location === '' ? '' : `${location}/`}node_modules/${dependency}`, to);
      }
    }
    // berry records each workspace's dependencies (all fields merged): one package.json no longer declares is stale.
    if (entryFields && importerManifest) {
      const all = new Set(IMPORTER_FIELDS.flatMap(([field]) => stringEntries(own(importerManifest, field)).map(([dependency]) => dependency)));
      for (const field of ['peerDependencies'] as const) for (const [dependency] of stringEntries(own(importerManifest, field))) all.add(dependency);
      for (const [dependency, range] of stringEntries(own(entryFields, 'dependencies'))) {
        if (!all.has(dependency)) define((declaredHere.dependencies ??= {}), dependency, range);
      }
    }
    declared.set(location, declaredHere);
  }
  // The root holds every workspace, as in Arborist's tree (a `workspace` edge each).
  for (const workspace of workspaces) {
    if (root.edgesOut.some((out) => out.name === workspace.name && out.to === workspace.location)) continue;
    root.edgesOut.push({ name: workspace.name, spec: `file:${workspace.location}`, type: 'workspace', to: workspace.location, valid: true, missing: false });
  }

  linkDependents(nodes);
  computeFlags(nodes, new Set(importerManifests.keys()));

  const lockfile: LockfileInfo = {
    file,
    lockfileVersion: document.version,
    manager: 'yarn',
    entries: new Set(packages.keys()),
    declared,
    lines: lineOf,
    settings: {
      format: document.format,
      cacheKey: document.cacheKey,
      resolutions,
      patches,
    },
  };
  return { nodes, workspaces, links, lockfile, diagnostics };
}

function satisfiesRange(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range.replace(/^npm:/, ''), { loose: true });
  } catch {
    return false;
  }
}

/** The highest version of `name` the lockfile holds that satisfies `range`. */
function peerTarget(name: string, range: string, byName: Map<string, DepNode[]>): string | null {
  let best: DepNode | null = null;
  for (const node of byName.get(name) ?? []) {
    if (!satisfiesRange(node.version, range)) continue;
    if (best === null || semver.gt(node.version, best.version, { loose: true })) best = node;
  }
  return best?.location ?? null;
}

/** A package.json dependency whose descriptor the lockfile lacks: the copy of that name the lockfile holds, so the graph stays whole while the lockfile check reports the drift. */
function fallbackTarget(name: string, range: string, byName: Map<string, DepNode[]>): string | null {
  return peerTarget(name, range, byName) ?? byName.get(name)?.[0]?.location ?? null;
}

/** An edge whose validity is computed once every node is loaded (no catalogs in yarn). */
function yarnEdge(name: string, spec: string, type: EdgeType, to: string | null, nodes: Map<string, DepNode>): DepEdge {
  return lazyEdge(name, spec, type, to, nodes, NO_CATALOGS);
}

const NO_CATALOGS = { catalogs: {} };
