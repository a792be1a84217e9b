// Over 400 lines: loadPnpmLockfile is one pass building nodes, edges and importers that share its maps; key, spec and document parsing are beside it.
// Loads pnpm-lock.yaml (lockfileVersion 5.3, 5.4, '6.0', '9.0', one or two
// YAML documents) into depguard's DepGraph, the same model an npm lockfile
// loads into, so every check reads pnpm projects unchanged.
//
// The model of a pnpm install: each package (each `snapshots` key in v9, each
// `packages` key before) is one node at the folder pnpm gives it,
// node_modules/.pnpm/<dep path as a file name>/node_modules/<name>. A package
// resolved against two sets of peers is two nodes, as on disk. Importers are
// the root ('') and the workspaces (their folders); `link:` dependencies point
// at the folder they name. dev/optional/peer flags are computed from the
// importers' dependency fields the way Arborist computes them, because v9
// records no `dev` flag at all.

import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { depPathToFilename } from '@pnpm/deps.path';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { DepguardError } from '../../errors.js';
import type { DeclaredDependencies, DepNode, Diagnostic, EdgeType, LockfileInfo, SourceType, WorkspaceInfo } from '../../model.js';
import { isJsonObject, own, stringEntries, type JsonObject } from '../../util/json.js';
import { computeFlags, lazyEdge, linkDependents, rootNode, workspaceIdentity } from '../graph-parts.js';
import { define, gitUrl, newNode } from '../node.js';
import type { LoadedLockfile, LockfileLoaderInput } from '../types.js';
import { entryLines, readDocuments } from './document.js';
import { keyStyle, parseKey, referenceCandidates, type KeyStyle, type ParsedKey } from './keys.js';
import type { SpecContext } from '../specs.js';

const HINT = 'regenerate it with `pnpm install --lockfile-only --ignore-scripts`';
/** pnpm's own limit for folder names under node_modules/.pnpm. */
const MAX_FOLDER_LENGTH = 120;

type ImporterField = 'dependencies' | 'devDependencies' | 'optionalDependencies';
const IMPORTER_FIELDS: ReadonlyArray<[ImporterField, EdgeType]> = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
];

interface ImporterDependency {
  alias: string;
  field: ImporterField;
  specifier: string | null;
  reference: string;
}

interface Entry {
  key: string;
  /** '.pnpm' for the project's packages, '.pnpm-env' for the env document's. */
  prefix: string;
  parsed: ParsedKey;
  /** The snapshot (v9) or package (v5/v6) entry: edges and flags. */
  snapshot: JsonObject;
  /** The package metadata (resolution, engines, peers): v9 `packages[base]`, else the entry itself. */
  metadata: JsonObject;
  node: DepNode;
}

export function lockfileVersionOf(value: unknown, file: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || number < 5) {
    throw new DepguardError('EBAD_LOCKFILE', `${file}: field "lockfileVersion" must be a pnpm lockfile version (5.3, 5.4, '6.0' or '9.0'), found ${JSON.stringify(value)}`, {
      file,
      field: 'lockfileVersion',
      hint: HINT,
    });
  }
  return number;
}

interface Resolution {
  resolved: string | null;
  integrity: string | null;
  source: SourceType;
}

/** Where a package comes from, by its `resolution` (pnpm's record of what it fetches). */
function readResolution(metadata: JsonObject, parsed: ParsedKey): Resolution {
  const resolution = own(metadata, 'resolution');
  const fields = isJsonObject(resolution) ? resolution : {};
  const integrity = typeof fields.integrity === 'string' && fields.integrity !== '' ? fields.integrity : null;
  const tarball = typeof fields.tarball === 'string' && fields.tarball !== '' ? fields.tarball : null;
  if (fields.type === 'git' && typeof fields.repo === 'string') {
    return { resolved: gitUrl(fields.repo, typeof fields.commit === 'string' ? fields.commit : null), integrity, source: 'git' };
  }
  if (fields.type === 'directory' && typeof fields.directory === 'string') {
    return { resolved: `file:${fields.directory}`, integrity: null, source: 'directory' };
  }
  if (tarball !== null) {
    if (tarball.startsWith('file:')) return { resolved: tarball, integrity, source: 'file' };
    // A registry tarball (pnpm writes it for registries whose URLs are not the
    // default shape) keeps its name in the key; any other URL is a remote tarball.
    return { resolved: tarball, integrity, source: parsed.nonSemver === null ? 'registry' : 'remote' };
  }
  // Only an integrity: fetched from the configured registry, as with npm's omit-lockfile-registry-resolved.
  return { resolved: null, integrity, source: parsed.nonSemver === null ? 'registry' : 'unknown' };
}

function engines(metadata: JsonObject): Record<string, string> | null {
  const entries = stringEntries(own(metadata, 'engines'));
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** v5 importers keep specifiers apart (`specifiers:` + `dependencies: {name: ref}`); v6/v9 pair them. */
function importerDependencies(importer: JsonObject, style: KeyStyle): ImporterDependency[] {
  const dependencies: ImporterDependency[] = [];
  const specifiers = own(importer, 'specifiers');
  for (const [field] of IMPORTER_FIELDS) {
    const block = own(importer, field);
    if (!isJsonObject(block)) continue;
    for (const [alias, value] of Object.entries(block)) {
      if (style === 'v5' || typeof value === 'string') {
        const specifier = isJsonObject(specifiers) ? own(specifiers, alias) : undefined;
        dependencies.push({ alias, field, specifier: typeof specifier === 'string' ? specifier : null, reference: String(value) });
      } else if (isJsonObject(value) && (typeof value.version === 'string' || typeof value.version === 'number')) {
        const specifier = typeof value.specifier === 'string' || typeof value.specifier === 'number' ? String(value.specifier) : null;
        dependencies.push({ alias, field, specifier, reference: String(value.version) });
      }
    }
  }
  return dependencies;
}

/** Importer id ('.', 'packages/a') → its location in the graph ('' for the root). */
function importerLocation(id: string): string {
  const normal = posix.normalize(id);
  return normal === '.' ? '' : normal.replace(/\/$/, '');
}

function catalogsOf(document: JsonObject): Record<string, Record<string, string>> {
  const catalogs: Record<string, Record<string, string>> = {};
  const block = own(document, 'catalogs');
  if (!isJsonObject(block)) return catalogs;
  for (const [name, entries] of Object.entries(block)) {
    if (!isJsonObject(entries)) continue;
    const specs: Record<string, string> = {};
    for (const [dependency, value] of Object.entries(entries)) {
      if (isJsonObject(value) && typeof value.specifier === 'string') define(specs, dependency, value.specifier);
    }
    catalogs[name] = specs;
  }
  return catalogs;
}

/**
 * What pnpm-workspace.yaml declares now that the lockfile records too: the
 * catalogs (`catalog:` is the default one, `catalogs:` the named ones) and
 * `overrides`. The next install resolves against these; the lockfile check
 * compares them with the lockfile's record.
 */
async function workspaceSettings(projectPath: string, diagnostics: Diagnostic[]): Promise<{ catalogs: Record<string, Record<string, string>>; overrides: Record<string, string> } | null> {
  let text: string;
  try {
    text = await readFile(join(projectPath, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return null;
  }
  let settings: unknown;
  try {
    settings = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    diagnostics.push({ level: 'warning', code: 'PNPM_WORKSPACE_UNREADABLE', message: `pnpm-workspace.yaml is not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its catalogs and overrides were not read`, file: 'pnpm-workspace.yaml' });
    return null;
  }
  if (!isJsonObject(settings)) return null;
  const catalogs = new Map<string, Record<string, string>>();
  const add = (name: string, entries: unknown): void => {
    const specs = stringEntries(entries);
    if (specs.length > 0) catalogs.set(name, { ...catalogs.get(name), ...Object.fromEntries(specs) });
  };
  add('default', own(settings, 'catalog'));
  const named = own(settings, 'catalogs');
  if (isJsonObject(named)) for (const [name, entries] of Object.entries(named)) add(name, entries);
  return { catalogs: Object.fromEntries(catalogs), overrides: Object.fromEntries(stringEntries(own(settings, 'overrides'))) };
}

export async function loadPnpmLockfile(input: LockfileLoaderInput): Promise<LoadedLockfile> {
  const { projectPath, file, text, manifest } = input;
  const documents = readDocuments(text, file);
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map<string, DepNode>();
  const links = new Map<string, string>();
  const root = rootNode(manifest);
  nodes.set('', root);

  const document = documents.project;
  if (document === null) {
    // An empty file (or comments only): a lockfile with no packages.
    const lockfile: LockfileInfo = { file, lockfileVersion: 0, manager: 'pnpm', entries: new Set(), declared: new Map([['', {}]]) };
    return { nodes, workspaces: [], links, lockfile, diagnostics };
  }
  const lockfileVersion = lockfileVersionOf(document.lockfileVersion, file);
  const style = keyStyle(lockfileVersion);
  if (lockfileVersion >= 10) {
    diagnostics.push({ level: 'warning', code: 'PNPM_LOCKFILE_VERSION', message: `${file} has lockfileVersion ${String(document.lockfileVersion)}, newer than the '9.0' depguard knows; it was read as '9.0'`, file });
  }
  const lines = entryLines(text, file);
  const projectLines = lines[documents.projectIndex] ?? lines[lines.length - 1] ?? new Map();
  const catalogs = catalogsOf(document);
  const specContext: SpecContext = { catalogs };

  // --- packages / snapshots → nodes -----------------------------------------
  const entries = new Map<string, Entry>();
  const lineOf = new Map<string, number>();
  const addEntries = (doc: JsonObject, sectionLines: Map<string, Map<string, number>>, prefix: string, envDocument: boolean): void => {
    const packages = own(doc, 'packages');
    const snapshots = own(doc, 'snapshots');
    if (packages !== undefined && packages !== null && !isJsonObject(packages)) {
      throw new DepguardError('EBAD_LOCKFILE', `${file}: field "packages" must be a mapping of dependency path to entry`, { file, field: 'packages', hint: HINT });
    }
    const metadataByKey = isJsonObject(packages) ? packages : {};
    // v9 splits a package (packages: resolution, engines, peers) from its instances (snapshots: edges).
    const instances = style === 'v9' && isJsonObject(snapshots) ? snapshots : metadataByKey;
    const instanceSection = style === 'v9' && isJsonObject(snapshots) ? 'snapshots' : 'packages';
    for (const [key, value] of Object.entries(instances)) {
      const parsed = parseKey(key, style);
      const snapshot = isJsonObject(value) ? value : {};
      const metadataValue = style === 'v9' ? (own(metadataByKey, parsed?.base ?? key) ?? own(metadataByKey, key)) : value;
      const metadata = isJsonObject(metadataValue) ? metadataValue : {};
      const name = parsed?.name || (typeof metadata.name === 'string' ? metadata.name : '');
      const version = parsed?.version || (typeof metadata.version === 'string' ? metadata.version : '');
      if (!parsed || name === '' || version === '') {
        diagnostics.push({
          level: 'warning',
          code: 'PNPM_BAD_KEY',
          message: `${file}: ${instanceSection} key "${key}" is not a dependency path depguard can read (${parsed ? 'no name and version in the key or the entry' : 'expected name@version or /name/version'}); that entry was left out`,
          file,
        });
        continue;
      }
      const resolution = readResolution(metadata, parsed);
      const folder = depPathToFilename(key.startsWith('/') ? key.slice(1) : key, MAX_FOLDER_LENGTH);
      const location = `node_modules/${prefix}/${folder}/node_modules/${name}`;
      const requiresBuild = metadata.requiresBuild === true || snapshot.requiresBuild === true;
      const node = newNode(location, {
        name,
        packageName: name,
        version,
        ...resolution,
        hasInstallScript: requiresBuild,
        // pnpm 7 and 8 (lockfileVersion 5.x, 6.0) write requiresBuild for every
        // package that builds; pnpm 9 dropped it, so v9 leaves it to manifests.
        installScriptKnown: requiresBuild || (style !== 'v9' && resolution.source === 'registry'),
        engines: engines(metadata),
        license: typeof metadata.license === 'string' ? metadata.license : null,
        dev: envDocument,
      });
      if (parsed.nonSemver !== null && resolution.source === 'unknown') node.source = 'remote';
      entries.set(`${prefix}\0${key}`, { key, prefix, parsed, snapshot, metadata, node });
      nodes.set(location, node);
      // The line findings point at: the `packages` entry, which holds the resolution and integrity (v9), else the snapshot.
      const line = sectionLines.get('packages')?.get(parsed.base) ?? sectionLines.get('packages')?.get(key) ?? sectionLines.get(instanceSection)?.get(key);
      if (line !== undefined) lineOf.set(location, line);
    }
  };
  addEntries(document, projectLines, '.pnpm', false);

  // --- edges -----------------------------------------------------------------
  const importers = own(document, 'importers');
  const importerIds = isJsonObject(importers) ? Object.keys(importers) : ['.'];
  const importerLocations = new Set(importerIds.map(importerLocation));
  const locate = (prefix: string, alias: string, reference: string, fromFolder: string): { to: string | null; link: string | null } => {
    if (reference.startsWith('link:')) {
      const target = importerLocation(posix.join(fromFolder === '' ? '.' : fromFolder, reference.slice('link:'.length)));
      return { to: target, link: target };
    }
    for (const candidate of referenceCandidates(alias, reference, style)) {
      const entry = entries.get(`${prefix}\0${candidate}`);
      if (entry) return { to: entry.node.location, link: null };
    }
    return { to: null, link: null };
  };
  const directoryNode = (target: string, alias: string): void => {
    if (nodes.has(target) || importerLocations.has(target)) return;
    nodes.set(target, newNode(target, { name: alias, packageName: alias, source: 'directory', resolved: `file:${target}`, installScriptKnown: false }));
  };

  const declared = new Map<string, DeclaredDependencies>();
  const workspaces: WorkspaceInfo[] = [];
  for (const id of importerIds) {
    const location = importerLocation(id);
    const importer = isJsonObject(importers) ? own(importers, id) : document;
    if (!isJsonObject(importer)) continue;
    let from = nodes.get(location);
    if (!from) {
      from = newNode(location, { source: 'workspace', isWorkspace: true, installScriptKnown: false });
      nodes.set(location, from);
      workspaces.push({ name: '', location });
    }
    const declaredHere: DeclaredDependencies = {};
    for (const dependency of importerDependencies(importer, style)) {
      const { to, link } = locate('.pnpm', dependency.alias, dependency.reference, location);
      const modulesFolder = `${location === '' ? '' : `${location}/`}node_modules/${dependency.alias}`;
      if (link !== null) {
        links.set(modulesFolder, link);
        directoryNode(link, dependency.alias);
      }
      const type = IMPORTER_FIELDS.find(([field]) => field === dependency.field)![1];
      const spec = dependency.specifier ?? dependency.reference;
      from.edgesOut.push(lazyEdge(dependency.alias, spec, type, to, nodes, specContext));
      if (dependency.specifier !== null) define((declaredHere[dependency.field] ??= {}), dependency.alias, dependency.specifier);
      if (to === null) {
        diagnostics.push({ level: 'warning', code: 'PNPM_MISSING_ENTRY', message: `${file}: importer "${id}" depends on ${dependency.alias} at ${dependency.reference}, which has no entry in the lockfile`, file });
      }
    }
    declared.set(location, declaredHere);
  }

  for (const entry of entries.values()) addSnapshotEdges(entry, locate, directoryNode, nodes, specContext);

  // --- the env document: pnpm itself and config dependencies ------------------
  if (documents.env) {
    const envIndex = documents.projectIndex - 1;
    addEntries(documents.env, lines[envIndex] ?? new Map(), '.pnpm-env', true);
    const envImporter = own(own(documents.env, 'importers') as JsonObject, '.');
    for (const field of ['packageManagerDependencies', 'configDependencies'] as const) {
      const block = isJsonObject(envImporter) ? own(envImporter, field) : undefined;
      if (!isJsonObject(block)) continue;
      for (const [alias, value] of Object.entries(block)) {
        const reference = isJsonObject(value) && typeof value.version === 'string' ? value.version : typeof value === 'string' ? value : null;
        if (reference === null) continue;
        const { to } = locate('.pnpm-env', alias, reference, '');
        // Tools the project pins, not part of what it ships: dev edges from the root.
        root.edgesOut.push({ name: alias, spec: isJsonObject(value) && typeof value.specifier === 'string' ? value.specifier : reference, type: 'dev', to, valid: to !== null, missing: to === null });
      }
    }
    for (const entry of entries.values()) if (entry.prefix === '.pnpm-env') addSnapshotEdges(entry, locate, directoryNode, nodes, specContext);
  }

  // --- dependents, flags, workspaces -----------------------------------------
  linkDependents(nodes);
  computeFlags(nodes, importerLocations, (node) => node.location.startsWith('node_modules/.pnpm-env/'));
  // The env document's packages (pnpm itself, config dependencies) are tools the project pins: dev.
  for (const node of nodes.values()) if (node.location.startsWith('node_modules/.pnpm-env/')) node.dev = true;

  for (const workspace of workspaces) {
    const node = nodes.get(workspace.location)!;
    const linkedAs = [...links.entries()].find(([, target]) => target === workspace.location)?.[0];
    const identity = await workspaceIdentity(projectPath, workspace.location);
    node.version = identity.version;
    const name = identity.name ?? (linkedAs ? linkedAs.slice(linkedAs.lastIndexOf('node_modules/') + 'node_modules/'.length) : posix.basename(workspace.location));
    workspace.name = name;
    node.name = name;
    node.packageName = name;
  }
  workspaces.sort((a, b) => (a.location < b.location ? -1 : 1));
  // The root holds every workspace, as in Arborist's tree (a `workspace` edge
  // each): what the workspaces depend on is part of the project.
  for (const workspace of workspaces) {
    if (root.edgesOut.some((out) => out.name === workspace.name)) continue;
    root.edgesOut.push({ name: workspace.name, spec: `file:${workspace.location}`, type: 'workspace', to: workspace.location, valid: true, missing: false });
    const node = nodes.get(workspace.location)!;
    if (!node.dependents.includes('')) node.dependents.unshift('');
  }
  root.edgesOut.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const entryLocations = new Set<string>();
  for (const entry of entries.values()) entryLocations.add(entry.node.location);
  const patched = own(document, 'patchedDependencies');
  const settings: Record<string, unknown> = {
    overrides: Object.fromEntries(stringEntries(own(document, 'overrides'))),
    patchedDependencies: isJsonObject(patched) ? Object.keys(patched) : [],
    packageExtensionsChecksum: typeof document.packageExtensionsChecksum === 'string' ? document.packageExtensionsChecksum : null,
  };
  const lockfile: LockfileInfo = {
    file,
    lockfileVersion,
    manager: 'pnpm',
    entries: entryLocations,
    declared,
    lines: lineOf,
    catalogs,
    settings,
  };
  const workspace = await workspaceSettings(projectPath, diagnostics);
  if (workspace) lockfile.workspaceCatalogs = workspace.catalogs;
  // The overrides pnpm applies: package.json's `pnpm.overrides`, then pnpm-workspace.yaml's (pnpm 10 reads both).
  const manifestPnpm = own(manifest, 'pnpm');
  settings.declaredOverrides = { ...Object.fromEntries(stringEntries(isJsonObject(manifestPnpm) ? own(manifestPnpm, 'overrides') : undefined)), ...(workspace?.overrides ?? {}) };
  return { nodes, workspaces, links, lockfile, diagnostics };
}

/** A snapshot's dependencies: resolved references, with peers typed by the package's peerDependencies. */
function addSnapshotEdges(
  entry: Entry,
  locate: (prefix: string, alias: string, reference: string, fromFolder: string) => { to: string | null; link: string | null },
  directoryNode: (target: string, alias: string) => void,
  nodes: Map<string, DepNode>,
  context: SpecContext,
): void {
  const peers = own(entry.metadata, 'peerDependencies');
  const peersMeta = own(entry.metadata, 'peerDependenciesMeta');
  for (const [field, baseType] of [['dependencies', 'prod'], ['optionalDependencies', 'optional']] as const) {
    const block = own(entry.snapshot, field);
    if (!isJsonObject(block)) continue;
    for (const [alias, value] of Object.entries(block)) {
      if (typeof value !== 'string') continue;
      const { to, link } = locate(entry.prefix, alias, value, '');
      if (link !== null) directoryNode(link, alias);
      const peerRange = isJsonObject(peers) ? own(peers, alias) : undefined;
      const peerMeta = isJsonObject(peersMeta) ? own(peersMeta, alias) : undefined;
      const type: EdgeType = typeof peerRange === 'string' ? (isJsonObject(peerMeta) && peerMeta.optional === true ? 'peerOptional' : 'peer') : baseType;
      // pnpm records what a package's dependency resolved to, not the range its
      // package.json asked for; peers keep their declared range.
      const spec = typeof peerRange === 'string' ? peerRange : specFromReference(value);
      entry.node.edgesOut.push(lazyEdge(alias, spec, type, to, nodes, context));
    }
  }
}

/** `1.0.0(peer@1)` → `1.0.0`; `ms@0.7.0` (an alias) → `npm:ms@0.7.0`; URLs and paths as written. */
function specFromReference(reference: string): string {
  const peers = reference.search(/[(_]/);
  const bare = peers > 0 && semver.valid(reference.slice(0, peers)) ? reference.slice(0, peers) : reference;
  if (semver.valid(bare)) return bare;
  const at = bare.lastIndexOf('@');
  if (at > 0 && semver.valid(bare.slice(at + 1).replace(/\(.*$/, ''))) return `npm:${bare.slice(0, at)}@${bare.slice(at + 1).replace(/\(.*$/, '')}`;
  return bare.startsWith('/') ? bare.slice(1) : bare;
}
