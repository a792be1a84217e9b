// Loads a project's real dependency graph: Arborist loadVirtual() from
// npm-shrinkwrap.json or package-lock.json, loadActual() from node_modules
// when there is no lockfile. Input is validated first so that a broken file
// gives one clear message instead of an Arborist stack trace.

import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DepguardError } from '../errors.js';
import type { DeclaredDependencies, DepGraph, DepNode, Diagnostic, LockfileInfo, WorkspaceInfo } from '../model.js';
import { isJsonObject, parseJson, stringEntries, type JsonObject } from '../util/json.js';
import { convertNode } from './convert.js';
import { withLockfileFile } from './shrinkwrap.js';
import { LOCKFILE_LOADERS } from './index.js';
import { selectLockfile } from './select.js';

export interface LoadedProject {
  graph: DepGraph;
  diagnostics: Diagnostic[];
}

function requireProjectFolder(projectPath: string): void {
  if (!existsSync(projectPath)) {
    throw new DepguardError('ENOENT_PATH', `${projectPath} does not exist: expected a project folder containing package.json`, {
      hint: 'pass the folder of an npm project, e.g. `depguard check .`',
    });
  }
  if (!statSync(projectPath).isDirectory()) {
    throw new DepguardError('ENOT_PROJECT', `${projectPath} is a file: expected a project folder containing package.json`, {
      hint: 'pass the folder that holds package.json, not the file itself',
    });
  }
}

async function readManifest(projectPath: string, relative: string): Promise<JsonObject> {
  const file = join(projectPath, relative);
  if (!existsSync(file)) {
    throw new DepguardError('ENO_PACKAGE_JSON', `no package.json in ${projectPath}: depguard audits npm projects`, {
      file: relative,
      hint: 'run depguard in the folder that holds package.json',
    });
  }
  const manifest = parseJson(await readProjectFile(projectPath, relative, 'EBAD_PACKAGE_JSON', MAX_MANIFEST_BYTES), relative);
  if (!isJsonObject(manifest)) {
    throw new DepguardError('EBAD_PACKAGE_JSON', `${relative} must hold a JSON object, found ${describe(manifest)}`, { file: relative });
  }
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides']) {
    const value = manifest[field];
    if (Object.hasOwn(manifest, field) && value !== undefined && !isJsonObject(value)) {
      throw new DepguardError('EBAD_PACKAGE_JSON', `${relative}: field "${field}" must be an object of name to spec, found ${describe(value)}`, {
        file: relative,
        field,
      });
    }
  }
  rejectPrototypeNames(manifest, relative);
  return manifest;
}

/**
 * A dependency named like an Object.prototype member (`constructor`,
 * `__proto__`, `toString`) cannot be installed: Arborist, and so npm, fails
 * on it deep inside with a TypeError. Say so plainly instead.
 */
function rejectPrototypeNames(manifest: JsonObject, file: string): void {
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (!isJsonObject(deps)) continue;
    for (const name of Object.keys(deps)) {
      if (name in Object.prototype) {
        throw new DepguardError('EBAD_PACKAGE_JSON', `${file}: ${field}["${name}"]: "${name}" cannot be a dependency name (it is a JavaScript built-in property; npm itself fails to install it)`, {
          file,
          field: `${field}.${name}`,
          hint: 'remove or rename that dependency',
        });
      }
    }
  }
}

/** Fields of a lockfile entry Arborist reads as text. */
const ENTRY_STRINGS = ['version', 'resolved', 'integrity', 'name'] as const;
/** Name-to-spec maps of a v2/v3 `packages` entry, and of a v1 `dependencies` entry (`requires`). */
const ENTRY_MAPS_V2 = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const ENTRY_MAPS_V1 = ['requires'] as const;

/**
 * One lockfile entry's fields, before Arborist reads them: a wrong type, or a
 * dependency named like an Object.prototype member (`toString`), makes
 * Arborist fail deep inside with a message that names neither the entry nor
 * the field. Say which, here.
 */
function checkEntryShape(entry: JsonObject, file: string, path: string, maps: readonly string[]): void {
  const fail = (field: string, expected: string, found: string) => {
    throw new DepguardError('EBAD_LOCKFILE', `${file}: ${path}.${field} must be ${expected}, found ${found}`, { file, field: `${path}.${field}` });
  };
  for (const field of ENTRY_STRINGS) {
    if (Object.hasOwn(entry, field) && typeof entry[field] !== 'string') fail(field, 'a string', describe(entry[field]));
  }
  for (const field of maps) {
    if (!Object.hasOwn(entry, field)) continue;
    const map = entry[field];
    if (!isJsonObject(map)) {
      fail(field, 'an object of name to spec', describe(map));
      continue;
    }
    for (const [name, spec] of Object.entries(map)) {
      if (name in Object.prototype) {
        throw new DepguardError('EBAD_LOCKFILE', `${file}: ${path}.${field}["${name}"]: "${name}" cannot be a dependency name (it is a JavaScript built-in property; npm itself fails to install it)`, {
          file,
          field: `${path}.${field}.${name}`,
        });
      }
      if (typeof spec !== 'string') fail(`${field}["${name}"]`, 'a string', describe(spec));
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Validates the lockfile's shape and lists its entry locations. */
export function inspectLockfile(data: unknown, file: string): LockfileInfo {
  if (!isJsonObject(data)) {
    throw new DepguardError('EBAD_LOCKFILE', `${file} is valid JSON but not an npm lockfile: expected an object, found ${describe(data)}`, {
      file,
      hint: 'regenerate it with `npm install --package-lock-only`',
    });
  }
  const version = data.lockfileVersion;
  if (!Object.hasOwn(data, 'lockfileVersion') || typeof version !== 'number' || ![1, 2, 3].includes(version)) {
    throw new DepguardError(
      'EBAD_LOCKFILE',
      `${file} is not an npm lockfile: field "lockfileVersion" must be 1, 2 or 3, found ${version === undefined ? 'no such field' : JSON.stringify(version)}`,
      { file, field: 'lockfileVersion', hint: 'regenerate it with `npm install --package-lock-only`' },
    );
  }
  const entries = new Set<string>();
  const declared = new Map<string, DeclaredDependencies>();
  if (version >= 2) {
    const packages = data.packages;
    if (!isJsonObject(packages)) {
      throw new DepguardError('EBAD_LOCKFILE', `${file}: field "packages" must be an object of location to entry (lockfileVersion ${version}), found ${packages === undefined ? 'no such field' : describe(packages)}`, {
        file,
        field: 'packages',
        hint: 'regenerate it with `npm install --package-lock-only`',
      });
    }
    for (const [location, entry] of Object.entries(packages)) {
      if (!isJsonObject(entry)) {
        throw new DepguardError('EBAD_LOCKFILE', `${file}: packages["${location}"] must be an object, found ${describe(entry)}`, { file, field: `packages["${location}"]` });
      }
      checkEntryShape(entry, file, `packages["${location}"]`, ENTRY_MAPS_V2);
      if (location !== '') entries.add(location);
      if (!location.split('/').includes('node_modules')) declared.set(location, declaredDependencies(entry));
    }
  } else {
    const walk = (dependencies: unknown, prefix: string, fieldPath: string): void => {
      if (dependencies === undefined) return;
      if (!isJsonObject(dependencies)) {
        throw new DepguardError('EBAD_LOCKFILE', `${file}: field "${fieldPath}" must be an object of name to entry, found ${describe(dependencies)}`, { file, field: fieldPath });
      }
      for (const [name, entry] of Object.entries(dependencies)) {
        if (!isJsonObject(entry)) {
          throw new DepguardError('EBAD_LOCKFILE', `${file}: ${fieldPath}["${name}"] must be an object, found ${describe(entry)}`, { file, field: `${fieldPath}["${name}"]` });
        }
        checkEntryShape(entry, file, `${fieldPath}["${name}"]`, ENTRY_MAPS_V1);
        const location = `${prefix}node_modules/${name}`;
        entries.add(location);
        walk(entry.dependencies, `${location}/`, `${fieldPath}["${name}"].dependencies`);
      }
    };
    walk(data.dependencies, '', 'dependencies');
  }
  return version >= 2 ? { file, lockfileVersion: version, manager: 'npm', entries, declared } : { file, lockfileVersion: version, manager: 'npm', entries };
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** The dependency declarations a v2/v3 folder entry records (string specs only). */
function declaredDependencies(entry: JsonObject): DeclaredDependencies {
  const declared: DeclaredDependencies = {};
  for (const field of DEPENDENCY_FIELDS) {
    const specs = stringEntries(entry[field]);
    if (Object.hasOwn(entry, field) && specs.length > 0) declared[field] = Object.fromEntries(specs);
  }
  return declared;
}

/** Lockfiles past these are refused (exit 2) rather than audited without bound (docs/security.md). */
export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;
export const MAX_LOCKFILE_ENTRIES = 50_000;
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * A project file's text: a folder in its place, or a file past the size
 * limit, is a clear error naming it (never an internal error, never an
 * unbounded read). Symbolic links are followed, as npm does; errors never
 * quote a file's bytes (parseJson), so a link to /etc/passwd leaks nothing.
 */
async function readProjectFile(projectPath: string, relative: string, code: 'EBAD_PACKAGE_JSON' | 'EBAD_LOCKFILE', maxBytes: number): Promise<string> {
  const path = join(projectPath, relative);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new DepguardError(code, `${relative} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { file: relative, cause: error });
  }
  if (info.isDirectory()) throw new DepguardError(code, `${relative} is a folder: expected a JSON file`, { file: relative, hint: `remove or rename the folder ${relative}` });
  if (!info.isFile()) throw new DepguardError(code, `${relative} is not a regular file: expected a JSON file`, { file: relative });
  if (info.size > maxBytes) {
    throw new DepguardError(code, `${relative} is ${info.size} bytes, more than the ${maxBytes}-byte limit depguard reads`, {
      file: relative,
      hint: code === 'EBAD_LOCKFILE' ? 'audit each workspace on its own, or see docs/security.md (bounded resources)' : 'a package.json is a few kilobytes: check what this file is',
    });
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new DepguardError(code, `${relative} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { file: relative, cause: error });
  }
}

async function readLockfile(projectPath: string, file: string): Promise<LockfileInfo> {
  const data = parseJson(await readProjectFile(projectPath, file, 'EBAD_LOCKFILE', MAX_LOCKFILE_BYTES), file);
  const info = inspectLockfile(data, file);
  if (info.entries.size > MAX_LOCKFILE_ENTRIES) {
    throw new DepguardError('EBAD_LOCKFILE', `${file} has ${info.entries.size} entries, more than the limit of ${MAX_LOCKFILE_ENTRIES} depguard audits`, {
      file,
      hint: 'audit each workspace on its own, or see docs/security.md (bounded resources)',
    });
  }
  return info;
}

async function readWorkspaceManifests(projectPath: string, workspaces: WorkspaceInfo[], diagnostics: Diagnostic[]): Promise<Map<string, JsonObject>> {
  const manifests = new Map<string, JsonObject>();
  for (const workspace of workspaces) {
    const relative = `${workspace.location}/package.json`;
    if (!existsSync(join(projectPath, relative))) {
      diagnostics.push({
        level: 'warning',
        code: 'WORKSPACE_MISSING',
        message: `workspace ${workspace.name} is in the lockfile but ${relative} does not exist`,
        file: relative,
      });
      continue;
    }
    manifests.set(workspace.location, await readManifest(projectPath, relative));
  }
  return manifests;
}

export interface LoadOptions {
  /** `--lockfile <file>`: the lockfile to read, when the project has several (see src/load/select.ts). */
  lockfile?: string;
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- Arborist ships no types */
type ArboristTree = any;

/** An Arborist tree (loaded, or an ideal tree built in memory) as depguard's nodes; `lockfile` null for a node_modules tree. */
export function convertTree(tree: ArboristTree, lockfile: LockfileInfo | null): { nodes: Map<string, DepNode>; links: Map<string, string>; workspaces: WorkspaceInfo[]; root: DepNode } {
  const nodes = new Map<string, DepNode>();
  const links = new Map<string, string>();
  const workspaces: WorkspaceInfo[] = [];
  for (const node of tree.inventory.values()) {
    // Links are plumbing: edges into a link already point at its target.
    if (node.isLink) {
      if (node.target) links.set(node.location, node.target.location);
      continue;
    }
    const converted = convertNode(node, lockfile !== null);
    // v2+ lockfiles record hasInstallScript whenever it is true; v1 never
    // does; a node_modules tree has the real package.json with its scripts.
    converted.installScriptKnown = converted.hasInstallScript || !lockfile || lockfile.lockfileVersion >= 2;
    nodes.set(converted.location, converted);
    if (converted.isWorkspace) workspaces.push({ name: converted.packageName, location: converted.location });
  }
  // Whoever depends on a link depends on its target (the root on its workspaces).
  for (const node of tree.inventory.values()) {
    if (!node.isLink || !node.target) continue;
    const target = nodes.get(node.target.location);
    if (!target) continue;
    for (const edge of node.edgesIn) {
      const from = edge.from?.location;
      if (typeof from === 'string' && !target.dependents.includes(from)) target.dependents.push(from);
    }
    target.dependents.sort();
  }
  workspaces.sort((a, b) => (a.location < b.location ? -1 : 1));
  const root = nodes.get('');
  if (!root) throw new DepguardError('ELOAD_GRAPH', 'Arborist returned a tree without a root node', {});
  return { nodes, links, workspaces, root };
}

export async function loadProject(path: string, options: LoadOptions = {}): Promise<LoadedProject> {
  const projectPath = resolve(path);
  requireProjectFolder(projectPath);
  const manifest = await readManifest(projectPath, 'package.json');
  const selection = selectLockfile(projectPath, manifest, options.lockfile);
  if (selection.kind === 'lockfile' && selection.manager !== 'npm') {
    const loader = LOCKFILE_LOADERS[selection.manager];
    if (!loader) {
      throw new DepguardError('EUNSUPPORTED_LOCKFILE', `found ${selection.file} but no package-lock.json or npm-shrinkwrap.json: depguard has no reader for ${selection.manager} lockfiles`, {
        file: selection.file,
        hint: 'create an npm lockfile with `npm install --package-lock-only --ignore-scripts`, or audit a checkout that has one',
      });
    }
    const text = await readProjectFile(projectPath, selection.file, 'EBAD_LOCKFILE', MAX_LOCKFILE_BYTES);
    const loaded = await loader({ projectPath, file: selection.file, text, manifest });
    if (loaded.nodes.size > MAX_LOCKFILE_ENTRIES) {
      throw new DepguardError('EBAD_LOCKFILE', `${selection.file} has ${loaded.nodes.size - 1} entries, more than the limit of ${MAX_LOCKFILE_ENTRIES} depguard audits`, {
        file: selection.file,
        hint: 'audit each workspace on its own, or see docs/security.md (bounded resources)',
      });
    }
    const root = loaded.nodes.get('');
    if (!root) throw new DepguardError('ELOAD_GRAPH', `the ${selection.manager} loader returned a graph without a root node`, { file: selection.file });
    const diagnostics = [...loaded.diagnostics];
    const workspaceManifests = await readWorkspaceManifests(projectPath, loaded.workspaces, diagnostics);
    return {
      graph: {
        projectPath,
        root,
        nodes: loaded.nodes,
        workspaces: loaded.workspaces,
        links: loaded.links,
        lockfile: loaded.lockfile,
        loadedFrom: 'lockfile',
        manifest,
        workspaceManifests,
        declaredManager: selection.declared,
      },
      diagnostics,
    };
  }
  const lockfileName = selection.kind === 'lockfile' ? selection.file : null;
  const hasNodeModules = existsSync(join(projectPath, 'node_modules'));
  const lockfile = lockfileName ? await readLockfile(projectPath, lockfileName) : null;

  const { default: Arborist } = await import('@npmcli/arborist');
  const arborist = new Arborist({ path: projectPath });
  let tree;
  try {
    tree = lockfile ? await withLockfileFile(projectPath, lockfile.file, () => arborist.loadVirtual()) : await arborist.loadActual();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DepguardError('ELOAD_GRAPH', `could not load the dependency graph from ${lockfileName ?? 'node_modules'}: ${reason}`, {
      file: lockfileName ?? 'node_modules',
      hint: 'regenerate the lockfile with `npm install --package-lock-only --ignore-scripts`',
      cause: error,
    });
  }

  const { nodes, links, workspaces, root } = convertTree(tree, lockfile);
  const diagnostics: Diagnostic[] = [];
  const workspaceManifests = await readWorkspaceManifests(projectPath, workspaces, diagnostics);
  return {
    graph: {
      projectPath,
      root,
      nodes,
      workspaces,
      links,
      lockfile,
      loadedFrom: lockfile ? 'lockfile' : hasNodeModules ? 'node_modules' : 'package.json',
      manifest,
      workspaceManifests,
      declaredManager: selection.declared,
    },
    diagnostics,
  };
}
