// Over 400 lines: eleven rules over one pass of the graph sharing its context; the URL, integrity and key helpers are pure and at the top.
// The lockfile check: is there a lockfile, does it still match package.json,
// and does every entry say where its tarball comes from in a way an attacker
// cannot quietly change (trusted host, https, an integrity hash, a pinned git
// commit, a registry URL naming the package that is installed)?
//
// Everything is computed from the graph: no network, no file reads. The
// per-package work is a few string tests against constants and a host set
// built once per run; only suspicious entries cost more (alias lookups).

import { parse as parseSri, type Integrity } from 'ssri';
import npa from 'npm-package-arg';
import { aliasTarget, hasDotSegments, parseRegistryTarballUrl } from '../../load/identity.js';
import { reachableLocations } from '../../load/paths.js';
import { LOCKFILES } from '../../load/select.js';
import type { DeclaredDependencies, DepEdge, DepGraph, DepNode, EdgeType } from '../../model.js';
import { hostOf, trustedHostSet } from '../../enrich/npm-config.js';
import { isJsonObject, stringEntries } from '../../util/json.js';
import { KEY_PROBLEM_TEXT, unsafeKeys } from './keys.js';
import { defineCheck, type CheckContext } from '../types.js';

export interface LockfileOptions {
  /** Hosts besides the configured registries that `resolved` URLs may point at: `host`, `host:port` or a URL. */
  allowedHosts: string[];
}

type DependencyField = keyof DeclaredDependencies;
const DEPENDENCY_FIELDS: readonly DependencyField[] = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'];

const FIELD_OF_EDGE: Record<EdgeType, DependencyField | null> = {
  prod: 'dependencies',
  optional: 'optionalDependencies',
  dev: 'devDependencies',
  peer: 'peerDependencies',
  peerOptional: 'peerDependencies',
  workspace: null,
};

/** `scheme://[user@]host[:port]`, tolerant of scp-style `git+ssh://git@host:owner/repo`. */
const URL_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d+)(?=[/?#]|$))?/i;
/** hosted-git-info shorthands, which name a service instead of a host. */
const SHORTHAND_HOSTS: Record<string, string> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  bitbucket: 'bitbucket.org',
  gist: 'gist.github.com',
};
const SHORTHAND = /^(github|gitlab|bitbucket|gist):/i;
const INSECURE = /^(http|git|git\+http):\/\//i;
const HTTP_URL = /^https?:/i;
const FULL_COMMIT = /#([0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Strongest first, as pacote picks the algorithm it verifies with. */
const DIGEST_LENGTH: ReadonlyArray<[algorithm: string, base64Length: number]> = [
  ['sha512', 88],
  ['sha384', 64],
  ['sha256', 44],
  ['sha1', 28],
  ['md5', 24],
];
const WEAK_ALGORITHMS: ReadonlySet<string> = new Set(['sha1', 'md5']);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The host (`host` or `host:port`, lower-case) a resolved URL fetches from; '' when it names none. */
export function resolvedHost(resolved: string): string {
  const shorthand = SHORTHAND.exec(resolved);
  if (shorthand) return SHORTHAND_HOSTS[shorthand[1]!.toLowerCase()]!;
  if (HTTP_URL.test(resolved)) return hostOf(resolved) ?? '';
  const match = URL_AUTHORITY.exec(resolved);
  if (!match?.[1]) return '';
  const host = match[1].toLowerCase();
  return match[2] ? `${host}:${match[2]}` : host;
}

/** An allowedHosts entry as a comparable host: bare hostname, host:port, or a full URL. */
export function normaliseAllowedHost(entry: string): string {
  const trimmed = entry.trim();
  if (trimmed.includes('://')) return hostOf(trimmed) ?? '';
  return trimmed.split('/')[0]!.toLowerCase();
}

type IntegrityVerdict = { kind: 'ok' } | { kind: 'weak'; algorithm: string } | { kind: 'invalid' };

/** Classifies an SRI string by the strongest algorithm npm would verify with. */
export function classifyIntegrity(integrity: string): IntegrityVerdict {
  // ssri returns null (despite its typings) when nothing parses.
  const parsed: Integrity | null = parseSri(integrity);
  if (!parsed) return { kind: 'invalid' };
  for (const [algorithm, length] of DIGEST_LENGTH) {
    const hashes = parsed[algorithm];
    if (!hashes || hashes.length === 0) continue;
    const wellFormed = hashes.some((hash) => hash.digest.length === length && BASE64.test(hash.digest));
    if (!wellFormed) return { kind: 'invalid' };
    return WEAK_ALGORITHMS.has(algorithm) ? { kind: 'weak', algorithm } : { kind: 'ok' };
  }
  return { kind: 'invalid' };
}


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

export default defineCheck<LockfileOptions>({
  meta: {
    id: 'lockfile',
    description:
      'The lockfile exists, matches package.json, and pins every package to a trusted host over https with a strong integrity hash, a full git commit or a registry URL that names the package installed.',
    rules: {
      missing: {
        description: 'No lockfile (of the package manager package.json declares, if it declares one): installs are not reproducible.',
        severity: 'high',
        message: 'The project has no {expected}, so every install may resolve different packages and none of them is pinned by an integrity hash.',
      },
      'version-1': {
        description: 'The lockfile uses lockfileVersion 1 (npm 5 and 6).',
        severity: 'moderate',
        message: '{file} uses lockfileVersion 1, which records neither install scripts nor licenses; regenerate it with npm 7 or later (`npm install --package-lock-only`).',
      },
      'out-of-sync': {
        description: 'package.json declares a dependency the lockfile lacks or locks at a version that does not satisfy it, or the lockfile still records one package.json dropped.',
        severity: 'high',
        message: '{file} is out of sync with {manifest}: {name} ({field} {spec}) {problem}; run `{install}` and commit the lockfile.',
      },
      'insecure-protocol': {
        description: 'A resolved URL uses plain http:// or git://, so the download can be tampered with in transit.',
        severity: 'high',
        message: '{name}@{version} is fetched over {protocol}, which anyone on the network path can tamper with: {resolved}',
        group: { by: ['protocol'], message: '{count} package{s} fetched over {protocol}, which anyone on the network path can tamper with: {packages}' },
      },
      'foreign-host': {
        description: 'A resolved URL points at a host that is neither a configured registry nor an allowed host.',
        severity: 'high',
        message: '{name}@{version} is fetched from {host}, which is neither a configured registry nor in allowedHosts: {resolved}',
        group: { by: ['host'], message: '{count} package{s} fetched from {host}, which is neither a configured registry nor in allowedHosts: {packages}' },
      },
      'name-mismatch': {
        description: 'A registry tarball URL names a different package or version than the lockfile entry (lockfile injection).',
        severity: 'high',
        message: 'The lockfile entry for {name}@{version} resolves to {resolved}, which {problem}: a sign of lockfile injection.',
      },
      alias: {
        description: 'A declared npm alias: the installed name differs from the registry package (shown so aliases stay visible).',
        severity: 'info',
        message: '{name} is an npm alias for {realName}@{version}, declared as {spec}.',
      },
      'missing-integrity': {
        description: 'A registry or tarball package has no integrity hash, so a changed tarball would install unnoticed.',
        severity: 'high',
        message: '{name}@{version} has no integrity hash in {file}, so a changed tarball would be installed without notice.',
      },
      'weak-integrity': {
        description: 'The integrity hash uses only sha1 (or md5), which can be forged.',
        severity: 'moderate',
        message: '{name}@{version} is pinned only by a {algorithm} hash, which is too weak to rule out a forged tarball; refresh the lockfile to record sha512.',
        group: { by: ['algorithm'], message: '{count} package{s} pinned only by a {algorithm} hash, which is too weak to rule out a forged tarball (refresh the lockfile to record sha512): {packages}' },
      },
      'invalid-integrity': {
        description: 'The integrity value is not valid Subresource Integrity.',
        severity: 'high',
        message: '{name}@{version} has an integrity value that is not valid Subresource Integrity: {integrity}',
      },
      'git-unpinned': {
        description: 'A git dependency is not locked to a full commit hash.',
        severity: 'high',
        message: '{name} is a git dependency that is not locked to a full commit hash, so its content can change between installs: {resolved}',
      },
      'unsafe-key': {
        description: 'A lockfile key that is not a node_modules path inside the project (`..`, absolute, backslashes, empty segments) or a folder the lockfile links to: it can place a package outside node_modules or over another entry, out of reach of a review.',
        severity: 'high',
        message: '{file} has an entry at {key}: {problem}; npm places it at {location}. Regenerate the lockfile (`npm install --package-lock-only`) and review who wrote this key.',
      },
      unreachable: {
        description: 'A lockfile entry that no dependency path from the project reaches.',
        severity: 'low',
        message: '{name}@{version} at {location} is in {file} but nothing in the project depends on it; it can hide a package nobody reviews.',
      },
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowedHosts: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          description: 'hosts besides the configured registries that resolved URLs may use: bare hostnames, host:port, or URLs',
        },
      },
    },
    defaultOptions: { allowedHosts: [] },
    needs: [],
  },

  run(ctx) {
    const { graph } = ctx;
    const lockfile = graph.lockfile;
    if (!lockfile) {
      const declared = graph.declaredManager ?? null;
      const expected = declared ? expectedLockfiles(declared.manager) : ['package-lock.json', 'npm-shrinkwrap.json'];
      const named = expected.join(' or ');
      ctx.report({
        rule: 'missing',
        node: null,
        data: { expected: declared ? `${named} (package.json declares ${declared.value} in ${declared.field})` : named },
        evidence: { loadedFrom: graph.loadedFrom, ...(declared ? { manager: declared.manager, expected: named, declaredBy: declared.field } : {}) },
      });
      return;
    }
    const file = lockfile.file;
    // lockfileVersion 1 is npm 5 and 6's format; other managers number their formats their own way.
    if ((lockfile.manager ?? 'npm') === 'npm' && lockfile.lockfileVersion === 1) {
      ctx.report({ rule: 'version-1', node: null, data: { file }, evidence: { file, lockfileVersion: 1 } });
    }

    checkInSync(ctx, graph, file);
    if (lockfile.manager === 'pnpm') {
      checkCatalogs(ctx, graph, file);
      checkOverrides(ctx, graph, file);
    }
    // npm's aliases show through their registry URL (checkTarballIdentity); without one, and for pnpm, through the edges.
    checkEdgeAliases(ctx, graph, (lockfile.manager ?? 'npm') === 'npm');

    const flagged = checkKeys(ctx, graph, file);
    const trusted = trustedHostSet(ctx.registries, ctx.options.allowedHosts ?? []);
    for (const node of graph.nodes.values()) {
      // The root, workspaces and file: link targets are the user's own folders, never fetched;
      // an entry under an unsafe key is checked wherever it landed.
      if (node.isWorkspace || !(isUnderNodeModules(node.location) || flagged.has(node.location))) continue;
      checkResolved(ctx, graph, node, trusted);
      checkIntegrity(ctx, node, file);
    }

    checkReachable(ctx, graph, file, flagged);
  },
});

type Ctx = CheckContext<LockfileOptions>;

/** What refreshes the lockfile, in the words of the package manager that wrote it. */
function installCommand(graph: DepGraph): string {
  switch (graph.lockfile?.manager ?? 'npm') {
    case 'pnpm':
      return 'pnpm install';
    case 'yarn':
      return 'yarn install';
    case 'bun':
      return 'bun install';
    default:
      return 'npm install';
  }
}

/** The lockfiles a package manager writes, in its own order of preference. */
function expectedLockfiles(manager: string): string[] {
  return LOCKFILES.filter((candidate) => candidate.manager === manager && candidate.file !== 'bun.lockb').map((candidate) => candidate.file);
}

// --- keys --------------------------------------------------------------------

/** Reports every key npm would not write; returns the graph locations of their entries (links and the root excluded), which are checked like node_modules entries. */
function checkKeys(ctx: Ctx, graph: DepGraph, file: string): Set<string> {
  // Folders npm records outside node_modules: link targets (file: dependencies) and workspaces.
  const linkTargets = new Set([...graph.links.values(), ...graph.workspaces.map((workspace) => workspace.location)]);
  for (const node of graph.nodes.values()) if (node.isWorkspace) linkTargets.add(node.location);
  const flagged = new Set<string>();
  for (const problem of unsafeKeys(graph.projectPath, graph.lockfile?.entries ?? [], linkTargets)) {
    const node = graph.nodes.get(problem.location);
    ctx.report({
      rule: 'unsafe-key',
      node: node && node.location !== '' ? node : null,
      data: { file, key: JSON.stringify(problem.key), problem: KEY_PROBLEM_TEXT[problem.reason], location: problem.location === '' ? 'the project folder itself' : problem.location },
      evidence: { key: problem.key, location: problem.location, reason: problem.reason },
    });
    if (node && node.location !== '' && !linkTargets.has(node.location) && !graph.links.has(node.location)) flagged.add(node.location);
  }
  return flagged;
}

/** Arborist makes `file:` URLs absolute; findings show them relative to the project. */
function projectRelative(graph: DepGraph, resolved: string | null): string | null {
  const prefix = `file:${graph.projectPath}/`;
  return resolved?.startsWith(prefix) ? `file:${resolved.slice(prefix.length)}` : resolved;
}

function label(node: DepNode): { name: string; version: string } {
  return { name: node.name === node.packageName ? node.name : `${node.name} (${node.packageName})`, version: node.version };
}

// --- out-of-sync -------------------------------------------------------------

function checkInSync(ctx: Ctx, graph: DepGraph, file: string): void {
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
    const bySpecifier = graph.lockfile?.manager === 'pnpm';
    // pnpm does not install a project's own peerDependencies (they are for its
    // dependents); npm does. A pnpm importer records the peers it installs, if any.
    if (bySpecifier) for (const [name, declaration] of required) if (declaration.field === 'peerDependencies' && lockSpec(name) === null) required.delete(name);

    for (const [name, declaration] of required) {
      const edge = edges.get(name);
      if (edge?.type === 'workspace') continue;
      const field = (edge && FIELD_OF_EDGE[edge.type]) ?? declaration.field;
      const spec = edge?.spec ?? declaration.spec;
      const target = edge?.to != null ? graph.nodes.get(edge.to) : undefined;
      // pnpm (like `pnpm install --frozen-lockfile`) holds each importer's specifiers to package.json's, character for character.
      const recorded = lockSpec(name);
      if (bySpecifier && target && recorded !== null && recorded !== declaration.spec) {
        ctx.report({
          rule: 'out-of-sync',
          node: target,
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field: declaration.field, spec: declaration.spec, problem: `is recorded in the lockfile as "${recorded}"` },
          evidence: { reason: 'specifier', workspace, dependency: name, dependencyType: declaration.field, declared: declaration.spec, locked: target.version || null, lockedSpec: recorded },
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
        const locked = (through != null ? graph.nodes.get(through) : undefined) ?? graph.nodes.get(`${prefix}node_modules/${name}`) ?? graph.nodes.get(`node_modules/${name}`);
        ctx.report({
          rule: 'out-of-sync',
          node: locked ?? (node.location === '' ? null : node),
          data: { file, install: installCommand(graph), manifest: manifestFile, name, field, spec, problem: 'is still recorded in the lockfile but no longer declared' },
          evidence: { reason: 'undeclared', workspace, dependency: name, dependencyType: field, declared: null, locked: locked?.version ?? null, lockedSpec: spec },
        });
      }
    }
  }
}

/**
 * A pnpm catalog entry changed in pnpm-workspace.yaml after the lockfile was
 * written: every `catalog:` dependency on it is locked against the old spec,
 * and `pnpm install --frozen-lockfile` refuses the lockfile.
 */
function checkCatalogs(ctx: Ctx, graph: DepGraph, file: string): void {
  const recorded = graph.lockfile?.catalogs ?? {};
  const declared = graph.lockfile?.workspaceCatalogs;
  if (!declared) return;
  for (const [catalog, entries] of Object.entries(recorded)) {
    for (const [name, spec] of Object.entries(entries)) {
      const now = Object.hasOwn(declared, catalog) && Object.hasOwn(declared[catalog]!, name) ? declared[catalog]![name]! : null;
      if (now === spec) continue;
      const field = catalog === 'default' ? 'catalog' : `catalogs.${catalog}`;
      ctx.report({
        rule: 'out-of-sync',
        node: null,
        data: { file, install: installCommand(graph), manifest: 'pnpm-workspace.yaml', name, field, spec: now ?? '(removed)', problem: `is recorded in the lockfile's catalog as "${spec}"` },
        evidence: { reason: 'catalog', catalog, dependency: name, declared: now, lockedSpec: spec, file: 'pnpm-workspace.yaml' },
      });
    }
  }
}

/**
 * pnpm records the overrides it resolved with; overrides changed in
 * package.json (`pnpm.overrides`) or pnpm-workspace.yaml since then are not
 * in the lockfile's tree, and `pnpm install --frozen-lockfile` refuses it.
 */
function checkOverrides(ctx: Ctx, graph: DepGraph, file: string): void {
  const settings = graph.lockfile?.settings ?? {};
  const recorded = isJsonObject(settings.overrides) ? (settings.overrides as Record<string, string>) : {};
  const declared = isJsonObject(settings.declaredOverrides) ? (settings.declaredOverrides as Record<string, string>) : {};
  for (const selector of new Set([...Object.keys(recorded), ...Object.keys(declared)])) {
    const was = Object.hasOwn(recorded, selector) ? recorded[selector]! : null;
    const now = Object.hasOwn(declared, selector) ? declared[selector]! : null;
    if (was === now) continue;
    ctx.report({
      rule: 'out-of-sync',
      node: null,
      data: {
        file,
        install: installCommand(graph),
        manifest: 'package.json (pnpm.overrides) or pnpm-workspace.yaml (overrides)',
        name: selector,
        field: 'overrides',
        spec: now ?? '(removed)',
        problem: was === null ? 'is not in the lockfile' : `is recorded in the lockfile as "${was}"`,
      },
      evidence: { reason: 'overrides', dependency: selector, declared: now, lockedSpec: was },
    });
  }
}

/**
 * pnpm installs an alias (`"ms-old": "npm:ms@0.7.0"`) as the package itself
 * and links it under the alias: the alias lives on the dependent's edge, not
 * on the package's node as in npm's tree. npm's own entries show an alias by
 * their registry URL, unless the lockfile omits it
 * (omit-lockfile-registry-resolved): then the edge tells here too.
 */
function checkEdgeAliases(ctx: Ctx, graph: DepGraph, unresolvedOnly: boolean): void {
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

// --- resolved URLs -----------------------------------------------------------

function checkResolved(ctx: Ctx, graph: DepGraph, node: DepNode, trusted: ReadonlySet<string>): void {
  const resolved = node.resolved;
  // Bundled packages come inside their parent's tarball; their `resolved` is never fetched.
  if (node.inBundle) return;
  if (node.source === 'git' && (resolved === null || !FULL_COMMIT.test(resolved))) {
    ctx.report({ rule: 'git-unpinned', node, data: { ...label(node), resolved: resolved ?? '(none)' }, evidence: { resolved } });
  }
  // No `resolved` (omit-lockfile-registry-resolved): npm fetches from the configured registry.
  if (resolved === null || resolved.startsWith('file:')) return;

  const insecure = INSECURE.exec(resolved);
  if (insecure) {
    const protocol = `${insecure[1]!.toLowerCase()}:`;
    ctx.report({ rule: 'insecure-protocol', node, data: { ...label(node), protocol, resolved }, evidence: { resolved, protocol } });
  }

  const host = resolvedHost(resolved);
  if (!trusted.has(host)) {
    ctx.report({
      rule: 'foreign-host',
      node,
      data: { ...label(node), host: host || '(no host)', resolved },
      evidence: { resolved, host: host || null, shorthand: SHORTHAND.test(resolved) },
    });
    return;
  }
  checkTarballIdentity(ctx, graph, node, resolved);
}

function checkTarballIdentity(ctx: Ctx, graph: DepGraph, node: DepNode, resolved: string): void {
  const fromUrl = parseRegistryTarballUrl(resolved);
  if (!fromUrl) return;
  const entryVersion = node.entryVersion ?? node.version;
  const evidence = { resolved, urlName: fromUrl.name, urlVersion: fromUrl.version || null, entryName: node.name, entryVersion };
  const data = { name: node.name, version: entryVersion, resolved };
  const mismatch = (reason: string, problem: string): void =>
    ctx.report({ rule: 'name-mismatch', node, data: { ...data, problem }, evidence: { ...evidence, reason } });
  if (hasDotSegments(resolved)) return mismatch('dot-segments', 'contains `.` or `..` path segments that lead to another package');
  if (fromUrl.version === '') return mismatch('file-name', `names package ${fromUrl.name} in its path but a different tarball file`);
  // An installed name that differs from the tarball's is fine when a dependent declared it as `npm:<real name>@…`.
  const alias = fromUrl.name === node.name ? null : declaredAlias(graph, node, fromUrl.name);
  if (fromUrl.name !== node.name && !alias) {
    return mismatch('name', `is the tarball of ${fromUrl.name}, and no dependent declares ${node.name} as an alias of it`);
  }
  if (fromUrl.version !== entryVersion) return mismatch('version', `is the tarball of version ${fromUrl.version}`);
  if (alias) {
    ctx.report({
      rule: 'alias',
      node,
      data: { name: node.name, realName: fromUrl.name, version: fromUrl.version, spec: alias.spec },
      evidence: { resolved, alias: node.name, realName: fromUrl.name, spec: alias.spec, declaredBy: alias.declaredBy },
    });
  }
}

/** The dependent's edge that declares `node` as an npm alias of `realName`, if any. */
function declaredAlias(graph: DepGraph, node: DepNode, realName: string): { spec: string; declaredBy: string } | null {
  for (const dependentLocation of node.dependents) {
    const dependent = graph.nodes.get(dependentLocation);
    const edge = dependent?.edgesOut.find((candidate) => candidate.name === node.name && candidate.to === node.location);
    if (edge && aliasTarget(edge.spec, edge.name) === realName) {
      return { spec: edge.spec, declaredBy: dependentLocation === '' ? 'package.json' : dependentLocation };
    }
  }
  return null;
}

// --- integrity ---------------------------------------------------------------

function checkIntegrity(ctx: Ctx, node: DepNode, file: string): void {
  if (node.inBundle) return;
  const integrity = node.integrity;
  if (integrity === null) {
    if (node.source === 'registry' || node.source === 'remote') {
      ctx.report({ rule: 'missing-integrity', node, data: { ...label(node), file }, evidence: { resolved: node.resolved, source: node.source } });
    }
    return;
  }
  const verdict = classifyIntegrity(integrity);
  if (verdict.kind === 'weak') {
    ctx.report({ rule: 'weak-integrity', node, data: { ...label(node), algorithm: verdict.algorithm }, evidence: { integrity, algorithm: verdict.algorithm } });
  } else if (verdict.kind === 'invalid') {
    ctx.report({ rule: 'invalid-integrity', node, data: { ...label(node), integrity }, evidence: { integrity } });
  }
}

// --- unreachable entries -----------------------------------------------------

function isUnderNodeModules(location: string): boolean {
  return location.startsWith('node_modules/') || location.includes('/node_modules/');
}

function checkReachable(ctx: Ctx, graph: DepGraph, file: string, flagged: ReadonlySet<string>): void {
  const reachable = reachableLocations(graph);
  // Entries under a linked folder outside node_modules (a file: dependency
  // such as ../shared) depend on that folder's package.json, which Arborist
  // reads from disk and the checkout may not hold: skip them. Workspaces
  // whose package.json was read are checked like the root.
  const skipped = [...new Set(graph.links.values())]
    .filter((target) => target !== '' && !isUnderNodeModules(target) && !graph.workspaceManifests.has(target))
    .map((target) => `${target}/`);
  for (const node of graph.nodes.values()) {
    if (reachable.has(node.location) || node.isWorkspace) continue;
    if (flagged.has(node.location)) {
      ctx.report({ rule: 'unreachable', node, data: { ...label(node), location: node.location, file }, evidence: { location: node.location } });
      continue;
    }
    if (!isUnderNodeModules(node.location)) continue;
    if (graph.links.has(node.location) || skipped.some((folder) => node.location.startsWith(folder))) continue;
    ctx.report({ rule: 'unreachable', node, data: { ...label(node), location: node.location, file }, evidence: { location: node.location } });
  }
}
