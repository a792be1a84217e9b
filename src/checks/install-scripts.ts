// install-scripts: dependencies that run code when they are installed
// (preinstall, install, postinstall; prepare for git and directory
// dependencies; `node-gyp rebuild` for a binding.gyp without an install
// script), and whether the project approved each of them in one of the
// allowlists package managers read: npm 11's `allowScripts`, pnpm's
// onlyBuiltDependencies / neverBuiltDependencies (package.json or
// pnpm-workspace.yaml), LavaMoat's `lavamoat.allowScripts`, and this check's
// own `allow` / `deny` options.
//
// Whether a package has install scripts comes from the lockfile's
// hasInstallScript (v2+); the script text, and the answer for v1 lockfiles,
// git and directory dependencies, from the manifest source. A registry
// package is matched by its trusted identity (lockfile key, resolved URL,
// dependents' alias specs), never by its own package.json.
//
// Besides findings, the check hands the engine an inventory of every package
// with install scripts (`checks["install-scripts"].packages` in the JSON
// output) so that CI can diff it.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import npa from 'npm-package-arg';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import type { PackageManifest } from '../enrich/types.js';
import type { DepGraph, DepNode } from '../model.js';
import { isJsonObject, own } from '../util/json.js';
import { defineCheck, type CheckContext } from './types.js';

export interface InstallScriptsOptions {
  /** Approvals in npm's allowScripts key grammar: `name`, `name@1.2.3`, `name@1.2.3 || 1.2.4`, git, file and URL specs. */
  allow: string[];
  /** Denials, same grammar: a denial wins over every approval. */
  deny: string[];
}

export const EVENTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;
export type LifecycleEvent = (typeof EVENTS)[number];

/** What npm runs for a package with a binding.gyp and neither install nor preinstall script. */
export const GYP_INSTALL_SCRIPT = 'node-gyp rebuild';

export type ApprovalSourceId = 'npm' | 'pnpm' | 'lavamoat' | 'depguard';

/** Where an approval key was read: evidence for findings. */
interface Origin {
  source: ApprovalSourceId;
  /** 'package.json', 'pnpm-workspace.yaml' or 'depguard config'. */
  file: string;
  /** 'allowScripts', 'pnpm.onlyBuiltDependencies', 'lavamoat.allowScripts', 'checks.install-scripts.allow' … */
  field: string;
}

interface Approval extends Origin {
  key: string;
  /** true approves, false denies. */
  allow: boolean;
  /** The key names a version, commit, path or URL; false for a bare name, which approves every future version too. */
  pinned: boolean;
  /** The registry name the key is about (for the finding's package), when it names one. */
  name: string | null;
  /** For registry keys: versions pinned by the key (null when unpinned). */
  versions: string[] | null;
  matches(node: DepNode): boolean;
}

type InvalidReason = 'range' | 'dist-tag' | 'alias' | 'unparseable' | 'not-a-package' | 'not-boolean' | 'not-a-string' | 'bad-version';

interface InvalidApproval extends Origin {
  key: string;
  reason: InvalidReason;
}

/** The behaviour table: what a script's text says it does. Kept small on purpose; see docs/checks/install-scripts.md. */
export const BEHAVIOURS: ReadonlyArray<{ kind: 'fetches' | 'executes' | 'buildsNative'; label: string; pattern: RegExp }> = [
  { kind: 'fetches', label: 'curl', pattern: /\bcurl\b/i },
  { kind: 'fetches', label: 'wget', pattern: /\bwget\b/i },
  { kind: 'fetches', label: 'url', pattern: /\bhttps?:\/\//i },
  { kind: 'fetches', label: 'node-pre-gyp', pattern: /\bnode-pre-gyp\b/ },
  { kind: 'fetches', label: 'prebuild-install', pattern: /\bprebuild-install\b/ },
  { kind: 'fetches', label: 'npx', pattern: /\bnpx\b|\bnpm\s+(?:exec|install|i)\b/ },
  { kind: 'executes', label: 'node -e', pattern: /\bnode\s+(?:-e|--eval|-p|--print)\b/ },
  { kind: 'executes', label: 'sh -c', pattern: /\b(?:sh|bash|zsh|dash)\s+-c\b/ },
  { kind: 'executes', label: 'eval', pattern: /\beval\b/ },
  { kind: 'executes', label: 'powershell', pattern: /\b(?:powershell|pwsh)\b/i },
  { kind: 'executes', label: 'base64', pattern: /\bbase64\b|\batob\s*\(/ },
  { kind: 'buildsNative', label: 'node-gyp', pattern: /\bnode-gyp\b(?!-build)/ },
  { kind: 'buildsNative', label: 'node-gyp-build', pattern: /\bnode-gyp-build\b/ },
  { kind: 'buildsNative', label: 'cmake-js', pattern: /\bcmake-js\b/ },
];

export interface ScriptFlags {
  fetches: string[];
  executes: string[];
  buildsNative: string[];
}

export function classifyScripts(scripts: Partial<Record<LifecycleEvent, string>> | null): ScriptFlags {
  const flags: ScriptFlags = { fetches: [], executes: [], buildsNative: [] };
  if (!scripts) return flags;
  const text = Object.values(scripts).join('\n');
  for (const { kind, label, pattern } of BEHAVIOURS) {
    if (pattern.test(text) && !flags[kind].includes(label)) flags[kind].push(label);
  }
  return flags;
}

/** What depguard knows about one package's install scripts. */
interface Scripts {
  /** true: it has install scripts; null: cannot tell (v1 lockfile or git/directory prepare, no manifest). */
  has: true | null;
  /** Script text by event, or null when the text is unavailable. */
  scripts: Partial<Record<LifecycleEvent, string>> | null;
  /** Where the answer came from. */
  from: PackageManifest['source'] | 'lockfile' | null;
  /** The install script was synthesised from a binding.gyp. */
  gyp: boolean;
  /** The name the package's own package.json claims, when it differs from its trusted identity. */
  claimedName?: string;
  /** Why the answer is unknown. */
  unknownReason?: 'lockfile-v1' | 'prepare-unknown';
}

function label(node: DepNode): string {
  return `${node.packageName}@${node.version}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `prepare` runs only for packages npm builds from source: git and directory (link) dependencies. */
function runsPrepare(node: DepNode): boolean {
  return node.source === 'git' || node.source === 'directory';
}

/** The install-time scripts a manifest declares, as npm would run them for this node. */
export function installScripts(manifest: PackageManifest, node: DepNode): { scripts: Partial<Record<LifecycleEvent, string>>; gyp: boolean } {
  const scripts: Partial<Record<LifecycleEvent, string>> = {};
  for (const event of EVENTS) {
    if (event === 'prepare' && !runsPrepare(node)) continue;
    const text = Object.hasOwn(manifest.scripts, event) ? manifest.scripts[event] : undefined;
    if (typeof text === 'string' && text !== '') scripts[event] = text;
  }
  // npm runs `node-gyp rebuild` for a binding.gyp unless the package has its own install or preinstall.
  const gyp = manifest.gypfile && scripts.install === undefined && scripts.preinstall === undefined;
  if (gyp) {
    const ordered: Partial<Record<LifecycleEvent, string>> = {};
    for (const event of EVENTS) {
      if (event === 'install') ordered.install = GYP_INSTALL_SCRIPT;
      else if (scripts[event] !== undefined) ordered[event] = scripts[event];
    }
    return { scripts: ordered, gyp };
  }
  return { scripts, gyp };
}

/** Does the lockfile settle the question for this node without a manifest? */
function lockfileSettles(graph: DepGraph, node: DepNode): boolean {
  if (graph.loadedFrom !== 'lockfile' || !node.installScriptKnown) return false;
  // The lockfile's flag covers preinstall, install and postinstall, never prepare.
  return !runsPrepare(node);
}

async function scriptsOf(context: CheckContext<InstallScriptsOptions>, node: DepNode): Promise<Scripts | null> {
  const { graph } = context;
  const needManifest = node.hasInstallScript || !lockfileSettles(graph, node);
  let manifest: PackageManifest | null = null;
  if (needManifest && context.manifests) {
    try {
      // With the lockfile's flag set the manifest only adds the script text; otherwise it decides.
      manifest = await context.manifests.manifest(node, { required: !node.hasInstallScript });
    } catch {
      manifest = null;
    }
  }
  if (manifest) {
    const { scripts, gyp } = installScripts(manifest, node);
    const claimed = manifest.name !== '' && manifest.name !== node.packageName ? { claimedName: manifest.name } : {};
    if (Object.keys(scripts).length > 0) return { has: true, scripts, from: manifest.source, gyp, ...claimed };
    // The lockfile (or the registry) says there are scripts the manifest does not show: trust it, without text.
    if (node.hasInstallScript || manifest.hasInstallScript === true) return { has: true, scripts: null, from: 'lockfile', gyp: false, ...claimed };
    return null;
  }
  if (node.hasInstallScript) return { has: true, scripts: null, from: 'lockfile', gyp: false };
  if (lockfileSettles(graph, node)) return null;
  // Read from node_modules: Arborist already read the installed package.json, there is nothing more to learn.
  if (graph.loadedFrom !== 'lockfile') return null;
  // A v1 lockfile, or a git/directory dependency whose prepare the lockfile does not record.
  return { has: null, scripts: null, from: null, gyp: false, unknownReason: node.installScriptKnown ? 'prepare-unknown' : 'lockfile-v1' };
}

// ---------------------------------------------------------------------------
// Approval keys

type KeyParse = { ok: true; pinned: boolean; name: string | null; versions: string[] | null; matches(node: DepNode): boolean } | { ok: false; reason: InvalidReason };

/** One or more exact versions joined by `||` (npm's isExactVersionDisjunction). */
function exactVersions(range: string): string[] | null {
  const parts = range.split('||').map((part) => part.trim());
  return parts.length > 0 && parts.every((part) => part !== '' && semver.valid(part) !== null) ? parts : null;
}

function registryKey(name: string, versions: string[] | null): KeyParse {
  return {
    ok: true,
    pinned: versions !== null,
    name,
    versions,
    // Registry keys never match a git, tarball or directory package of the same name (npm's isRegistryNode).
    matches: (node) => node.source === 'registry' && node.packageName === name && (versions === null || versions.includes(node.version)),
  };
}

type NpaResult = ReturnType<typeof npa>;
type HostedInfo = { ssh(options?: { noCommittish?: boolean }): string | undefined; committish?: string | null };

function hostedOf(parsed: NpaResult): HostedInfo | null {
  return (parsed.hosted as HostedInfo | null | undefined) ?? null;
}

function parseSafely(spec: string, where: string): NpaResult | null {
  try {
    return npa(spec, where);
  } catch {
    return null;
  }
}

/** The absolute folder or tarball a file/directory node was installed from. */
function localPathOf(graph: DepGraph, node: DepNode): string | null {
  if (node.source === 'directory') return resolve(graph.projectPath, node.location);
  if (node.source === 'file' && node.resolved?.startsWith('file:')) return resolve(graph.projectPath, node.resolved.slice('file:'.length));
  return null;
}

/**
 * A key in npm's allowScripts grammar (also this check's allow/deny options),
 * read as npm 11 reads it (@npmcli/arborist script-allowed.js and npm's
 * resolve-allow-scripts.js): bare names and exact versions joined by `||`
 * for registry packages; ranges, dist-tags and aliases are ignored by npm.
 */
export function parseNpmKey(key: string, graph: DepGraph): KeyParse {
  const parsed = parseSafely(key, graph.projectPath);
  if (!parsed) return { ok: false, reason: 'unparseable' };
  switch (parsed.type) {
    case 'tag':
      return { ok: false, reason: 'dist-tag' };
    case 'alias':
      return { ok: false, reason: 'alias' };
    case 'version':
      return registryKey(parsed.name ?? '', [parsed.fetchSpec ?? parsed.rawSpec]);
    case 'range': {
      if (parsed.rawSpec === '' || parsed.rawSpec === '*' || parsed.fetchSpec === '*') return registryKey(parsed.name ?? '', null);
      const versions = exactVersions(parsed.fetchSpec ?? parsed.rawSpec);
      return versions ? registryKey(parsed.name ?? '', versions) : { ok: false, reason: 'range' };
    }
    case 'git': {
      const keyHosted = hostedOf(parsed);
      const committish = parsed.gitCommittish ?? keyHosted?.committish ?? null;
      return {
        ok: true,
        pinned: committish !== null && committish !== '',
        name: null,
        versions: null,
        matches: (node) => {
          if (node.source !== 'git' || !node.resolved) return false;
          const resolved = parseSafely(node.resolved, graph.projectPath);
          if (!resolved || resolved.type !== 'git') return false;
          const nodeHosted = hostedOf(resolved);
          const keyRepo = keyHosted?.ssh({ noCommittish: true });
          const nodeRepo = nodeHosted?.ssh({ noCommittish: true });
          if (keyRepo && nodeRepo) {
            if (keyRepo !== nodeRepo) return false;
          } else if (!parsed.fetchSpec || parsed.fetchSpec !== resolved.fetchSpec) {
            return false;
          }
          if (!committish) return true;
          // The lockfile's full commit must start with the key's (short) commit, never the reverse.
          const nodeCommit = resolved.gitCommittish ?? nodeHosted?.committish ?? '';
          return nodeCommit !== '' && nodeCommit.startsWith(committish);
        },
      };
    }
    case 'file':
    case 'directory': {
      const target = parsed.fetchSpec ? resolve(parsed.fetchSpec) : null;
      return { ok: true, pinned: true, name: null, versions: null, matches: (node) => target !== null && localPathOf(graph, node) === target };
    }
    case 'remote':
      return { ok: true, pinned: true, name: null, versions: null, matches: (node) => node.source === 'remote' && node.resolved !== null && node.resolved === parsed.fetchSpec };
    default:
      return { ok: false, reason: 'unparseable' };
  }
}

/** pnpm keys: a package name, optionally with exact versions joined by `||` (pnpm 10.19+). */
export function parsePnpmKey(key: string, graph: DepGraph): KeyParse {
  const parsed = parseNpmKey(key, graph);
  if (parsed.ok && parsed.name === null) return { ok: false, reason: 'not-a-package' };
  return parsed;
}

/** LavaMoat keys: a canonical name (`a>b>c`), optionally `#<exact version>` (allow-scripts 5+). */
export function parseLavamoatKey(key: string, canonicalNames: ReadonlyMap<string, string>): KeyParse {
  const hash = key.lastIndexOf('#');
  const chain = hash < 0 ? key : key.slice(0, hash);
  const version = hash < 0 ? null : key.slice(hash + 1);
  if (chain === '' || chain.split('>').some((part) => part.trim() === '')) return { ok: false, reason: 'unparseable' };
  if (version !== null && semver.valid(version) === null) return { ok: false, reason: 'bad-version' };
  const name = chain.slice(chain.lastIndexOf('>') + 1);
  return {
    ok: true,
    pinned: version !== null,
    name,
    versions: version === null ? null : [version],
    matches: (node) => canonicalNames.get(node.location) === chain && (version === null || node.version === version),
  };
}

// LavaMoat canonical names (@lavamoat/aa): the best logical path of dependency
// names from the project root; fewer steps first, then, step by step, the
// shorter name, then the alphabetically first.
function compareName(a: string, b: string): number {
  return a.length - b.length || cmp(a, b);
}

function comparePath(a: string[], b: string[] | undefined): number {
  if (b === undefined) return -1;
  if (a.length !== b.length) return a.length - b.length;
  for (let index = 0; index < a.length; index++) {
    const order = compareName(a[index]!, b[index]!);
    if (order !== 0) return order;
  }
  return 0;
}

/** Location -> LavaMoat canonical name for every package reachable from the root. */
export function canonicalNames(graph: DepGraph): Map<string, string> {
  const best = new Map<string, string[]>();
  let level: Array<{ location: string; path: string[] }> = [{ location: '', path: [] }];
  while (level.length > 0) {
    const next: Array<{ location: string; path: string[] }> = [];
    for (const { location, path } of level) {
      const node = graph.nodes.get(location);
      if (!node) continue;
      // Like aa with includeDevDeps: devDependencies of the root (and, in depguard, of workspaces) only.
      const ownDev = location === '' || node.isWorkspace;
      const edges = node.edgesOut.filter((edge) => edge.to !== null && (edge.type !== 'dev' || ownDev)).sort((a, b) => compareName(a.name, b.name));
      for (const edge of edges) {
        const to = edge.to!;
        if (to === '') continue;
        const candidate = [...path, edge.name];
        if (comparePath(candidate, best.get(to)) < 0) {
          best.set(to, candidate);
          next.push({ location: to, path: candidate });
        }
      }
    }
    level = next;
  }
  return new Map([...best].map(([location, path]) => [location, path.join('>')]));
}

// ---------------------------------------------------------------------------
// Approval sources

interface RawEntry {
  origin: Origin;
  key: unknown;
  value: unknown;
  grammar: 'npm' | 'pnpm' | 'lavamoat';
}

function listEntries(origin: Origin, list: unknown, allow: boolean, grammar: RawEntry['grammar']): RawEntry[] {
  if (!Array.isArray(list)) return [];
  return list.map((key) => ({ origin, key, value: allow, grammar }));
}

function mapEntries(origin: Origin, map: unknown, grammar: RawEntry['grammar']): RawEntry[] {
  if (!isJsonObject(map)) return [];
  return Object.entries(map).map(([key, value]) => ({ origin, key, value, grammar }));
}

/** pnpm's build settings, from package.json#pnpm or pnpm-workspace.yaml. */
function pnpmEntries(settings: unknown, file: string, prefix: string): RawEntry[] {
  if (!isJsonObject(settings)) return [];
  const origin = (field: string): Origin => ({ source: 'pnpm', file, field: `${prefix}${field}` });
  return [
    ...listEntries(origin('onlyBuiltDependencies'), own(settings, 'onlyBuiltDependencies'), true, 'pnpm'),
    ...listEntries(origin('neverBuiltDependencies'), own(settings, 'neverBuiltDependencies'), false, 'pnpm'),
    ...listEntries(origin('ignoredBuiltDependencies'), own(settings, 'ignoredBuiltDependencies'), false, 'pnpm'),
    ...mapEntries(origin('allowBuilds'), own(settings, 'allowBuilds'), 'pnpm'),
  ];
}

async function readPnpmWorkspace(context: CheckContext<InstallScriptsOptions>): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(context.graph.projectPath, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseYaml(text);
  } catch (error) {
    context.diagnostic({
      level: 'warning',
      code: 'UNREADABLE_APPROVALS',
      message: `pnpm-workspace.yaml is not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its build approvals were not read`,
      file: 'pnpm-workspace.yaml',
    });
    return undefined;
  }
}

async function rawEntries(context: CheckContext<InstallScriptsOptions>, options: InstallScriptsOptions): Promise<RawEntry[]> {
  const manifest = context.graph.manifest;
  const lavamoat = own(manifest, 'lavamoat');
  return [
    ...mapEntries({ source: 'npm', file: 'package.json', field: 'allowScripts' }, own(manifest, 'allowScripts'), 'npm'),
    ...pnpmEntries(own(manifest, 'pnpm'), 'package.json', 'pnpm.'),
    ...pnpmEntries(await readPnpmWorkspace(context), 'pnpm-workspace.yaml', ''),
    ...mapEntries({ source: 'lavamoat', file: 'package.json', field: 'lavamoat.allowScripts' }, isJsonObject(lavamoat) ? own(lavamoat, 'allowScripts') : undefined, 'lavamoat'),
    ...listEntries({ source: 'depguard', file: 'depguard config', field: 'checks.install-scripts.allow' }, options.allow, true, 'npm'),
    ...listEntries({ source: 'depguard', file: 'depguard config', field: 'checks.install-scripts.deny' }, options.deny, false, 'npm'),
  ];
}

function readApprovals(graph: DepGraph, entries: RawEntry[]): { approvals: Approval[]; invalid: InvalidApproval[]; lavamoatNames: Map<string, string> | null } {
  const approvals: Approval[] = [];
  const invalid: InvalidApproval[] = [];
  let names: Map<string, string> | null = null;
  for (const { origin, key, value, grammar } of entries) {
    if (typeof key !== 'string' || key === '') {
      invalid.push({ ...origin, key: typeof key === 'string' ? key : JSON.stringify(key) ?? String(key), reason: 'not-a-string' });
      continue;
    }
    if (typeof value !== 'boolean') {
      invalid.push({ ...origin, key, reason: 'not-boolean' });
      continue;
    }
    // LavaMoat's own entry for the project itself is not about a dependency.
    if (grammar === 'lavamoat' && key === '$root$') continue;
    const parsed = grammar === 'npm' ? parseNpmKey(key, graph) : grammar === 'pnpm' ? parsePnpmKey(key, graph) : parseLavamoatKey(key, (names ??= canonicalNames(graph)));
    if (!parsed.ok) {
      invalid.push({ ...origin, key, reason: parsed.reason });
      continue;
    }
    approvals.push({ ...origin, key, allow: value, pinned: parsed.pinned, name: parsed.name, versions: parsed.versions, matches: parsed.matches });
  }
  return { approvals, invalid, lavamoatNames: names };
}

// ---------------------------------------------------------------------------

function readOptions(options: Partial<InstallScriptsOptions> | undefined): InstallScriptsOptions {
  return {
    allow: Array.isArray(options?.allow) ? options.allow : [],
    deny: Array.isArray(options?.deny) ? options.deny : [],
  };
}

function describeEvents(found: Scripts): string {
  if (!found.scripts) return 'install scripts (text unavailable)';
  return Object.entries(found.scripts)
    .map(([event, text]) => `${event} "${text}"`)
    .join(', ');
}

function approvalRef(approval: Approval): { source: ApprovalSourceId; key: string } {
  return { source: approval.source, key: approval.key };
}

function approvalEvidence(approval: Approval | InvalidApproval): Record<string, unknown> {
  return { source: approval.source, file: approval.file, field: approval.field, key: approval.key };
}

function approvalPackage(approval: Approval | InvalidApproval): { package?: { name: string; version: string; location: string } } {
  const name = 'name' in approval ? approval.name : null;
  return name ? { package: { name, version: '', location: '' } } : {};
}

/** Where an approval was written, for messages: `allowScripts in package.json`. */
function where(origin: Origin): string {
  return `${origin.field} in ${origin.file}`;
}

const INVALID_REASONS: Record<InvalidReason, string> = {
  range: 'npm 11 and pnpm ignore semver ranges; name exact versions joined by "||" (or the bare name)',
  'dist-tag': 'a dist-tag can move to any version; name exact versions',
  alias: 'an alias is not a package identity; name the real package',
  unparseable: 'it is not a package spec',
  'not-a-package': 'it names no registry package',
  'not-boolean': 'the value must be true or false',
  'not-a-string': 'an entry must be a package name string',
  'bad-version': 'the version after "#" is not an exact semver version',
};

const UNKNOWN_REASONS: Record<NonNullable<Scripts['unknownReason']>, string> = {
  'lockfile-v1': 'the lockfile is lockfileVersion 1, which does not record hasInstallScript, and no manifest was available',
  'prepare-unknown': 'it is a git or directory dependency, whose prepare script the lockfile does not record, and no manifest was available',
};

export interface InventoryEntry {
  name: string;
  version: string;
  location: string;
  source: DepNode['source'];
  /** true, or null when depguard cannot tell (v1 lockfile or unknown prepare, no manifest). */
  hasInstallScript: true | null;
  scripts: Partial<Record<LifecycleEvent, string>> | null;
  events: LifecycleEvent[] | null;
  flags: ScriptFlags;
  approved: boolean | null;
  approvedBy: Array<{ source: ApprovalSourceId; key: string }>;
  deniedBy: Array<{ source: ApprovalSourceId; key: string }>;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
}

export default defineCheck<InstallScriptsOptions>({
  meta: {
    id: 'install-scripts',
    description:
      'Dependencies that run code at install time (preinstall, install, postinstall, prepare of git and directory dependencies, node-gyp builds) are approved, pinned to a version, in an allowlist: npm allowScripts, pnpm, LavaMoat or depguard options.',
    rules: {
      unapproved: {
        description: 'A dependency runs install scripts and no allowlist (npm allowScripts, pnpm, LavaMoat, depguard options) approves it.',
        severity: 'high',
        message: '{name}@{version} runs {events} at install time and no allowlist approves it',
      },
      'unpinned-approval': {
        description: 'An approval names a package but no version, so it also approves the install scripts of every future version.',
        severity: 'low',
        message: '{where} approves "{key}" without a version, so every future version of it may run install scripts unreviewed',
      },
      'stale-approval': {
        description: 'An approval or denial matches no package with install scripts in the graph, so it can be pruned.',
        severity: 'info',
        message: '{where} lists "{key}", which matches {problem}; it can be removed',
      },
      denied: {
        description: 'A dependency with install scripts is explicitly denied; it is still installed, without its scripts.',
        severity: 'info',
        message: '{name}@{version} runs {events} at install time but is denied by {deniedBy}, so they should not run',
      },
      unknown: {
        description: 'Whether a dependency has install scripts cannot be told: a v1 lockfile or a git/directory dependency, and no manifest to read.',
        severity: 'low',
        message: 'Whether {name}@{version} runs install scripts is unknown: {reason}',
      },
      'invalid-approval': {
        description: 'An allowlist entry no package manager honours: a semver range, a dist-tag, an alias, a non-boolean value or an unreadable key.',
        severity: 'low',
        message: '{where} lists "{key}", which is ignored: {reason}',
      },
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        deny: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      },
    },
    defaultOptions: { allow: [], deny: [] },
    needs: ['manifests'],
  },
  async run(context) {
    const { graph } = context;
    const options = readOptions(context.options);
    const { approvals, invalid, lavamoatNames } = readApprovals(graph, await rawEntries(context, options));

    for (const entry of invalid) {
      context.report({
        rule: 'invalid-approval',
        node: null,
        data: { where: where(entry), key: entry.key, reason: INVALID_REASONS[entry.reason] },
        evidence: { ...approvalEvidence(entry), reason: entry.reason },
        paths: [],
      });
    }

    // Every dependency that could run scripts: not the root, not workspaces (their owner's), not bundled ones (npm never runs those).
    const candidates = [...graph.nodes.values()].filter((node) => node.location !== '' && !node.isWorkspace && node.source !== 'workspace' && node.source !== 'root');
    const installable = candidates.filter((node) => !node.inBundle);
    const found = await Promise.all(installable.map(async (node) => [node, await scriptsOf(context, node)] as const));

    const used = new Set<Approval>();
    const inventory: InventoryEntry[] = [];
    const unknown: Array<{ node: DepNode; reason: NonNullable<Scripts['unknownReason']> }> = [];

    for (const [node, scripts] of found) {
      if (!scripts) continue;
      const matching = approvals.filter((approval) => approval.matches(node));
      for (const approval of matching) used.add(approval);
      const approvedBy = matching.filter((approval) => approval.allow);
      const deniedBy = matching.filter((approval) => !approval.allow);
      const approved = deniedBy.length > 0 ? false : approvedBy.length > 0 ? true : null;
      const flags = classifyScripts(scripts.scripts);
      inventory.push({
        name: node.packageName,
        version: node.version,
        location: node.location,
        source: node.source,
        hasInstallScript: scripts.has,
        scripts: scripts.scripts,
        events: scripts.scripts ? (Object.keys(scripts.scripts) as LifecycleEvent[]) : null,
        flags,
        approved,
        approvedBy: approvedBy.map(approvalRef),
        deniedBy: deniedBy.map(approvalRef),
        dev: node.dev,
        optional: node.optional,
        devOptional: node.devOptional,
      });
      if (approved !== null) {
        if (approved === false && scripts.has === true) {
          context.report({
            rule: 'denied',
            node,
            data: { name: node.packageName, version: node.version, events: describeEvents(scripts), deniedBy: deniedBy.map((d) => `"${d.key}" (${where(d)})`).join(', ') },
            evidence: { name: node.packageName, version: node.version, scripts: scripts.scripts, deniedBy: deniedBy.map(approvalRef), approvedBy: approvedBy.map(approvalRef) },
          });
        }
        continue;
      }
      if (scripts.has === null) {
        unknown.push({ node, reason: scripts.unknownReason ?? 'lockfile-v1' });
        context.report({
          rule: 'unknown',
          node,
          data: { name: node.packageName, version: node.version, reason: UNKNOWN_REASONS[scripts.unknownReason ?? 'lockfile-v1'] },
          evidence: { name: node.packageName, version: node.version, source: node.source, reason: scripts.unknownReason ?? 'lockfile-v1' },
        });
        continue;
      }
      context.report({
        rule: 'unapproved',
        node,
        data: { name: node.packageName, version: node.version, events: describeEvents(scripts) },
        evidence: {
          name: node.packageName,
          version: node.version,
          source: node.source,
          scripts: scripts.scripts,
          events: scripts.scripts ? Object.keys(scripts.scripts) : null,
          scriptsFrom: scripts.from,
          flags,
          ...(scripts.gyp ? { gyp: true } : {}),
          ...(scripts.claimedName !== undefined ? { claimedName: scripts.claimedName } : {}),
        },
      });
    }

    for (const reason of ['lockfile-v1', 'prepare-unknown'] as const) {
      const nodes = unknown.filter((entry) => entry.reason === reason).map((entry) => entry.node);
      if (nodes.length === 0) continue;
      const names = nodes.map(label).sort(cmp);
      const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      const remedy =
        reason === 'lockfile-v1'
          ? 'regenerate the lockfile with `npm install --package-lock-only --ignore-scripts` (lockfileVersion 2+ records hasInstallScript)'
          : 'install node_modules (`npm ci --ignore-scripts`) so depguard can read their package.json';
      context.diagnostic({
        level: 'warning',
        code: 'INSTALL_SCRIPTS_UNKNOWN',
        message: `install scripts of ${names.length} package(s) could not be determined (${shown}); ${remedy}`,
      });
    }

    // Approvals that no package with (possibly) install scripts uses.
    for (const approval of approvals) {
      if (used.has(approval)) continue;
      const matched = candidates.filter((node) => approval.matches(node));
      const problem = matched.length === 0 ? 'not-in-graph' : matched.every((node) => node.inBundle) ? 'bundled' : 'no-install-scripts';
      // What the graph has under that name: the versions (npm, pnpm, depguard keys) or the LavaMoat names.
      const sameName = approval.name !== null && matched.length === 0 ? candidates.filter((node) => node.packageName === approval.name && !node.inBundle) : [];
      const installed =
        approval.source === 'lavamoat'
          ? [...new Set(sameName.map((node) => lavamoatNames?.get(node.location)).filter((name): name is string => name !== undefined))].sort(cmp)
          : [...new Set(sameName.map((node) => node.version))].sort(cmp);
      const PROBLEMS = {
        'not-in-graph':
          installed.length === 0
            ? 'no package in the dependency graph'
            : approval.source === 'lavamoat'
              ? `no package at that dependency path (LavaMoat names in the graph: ${installed.join(', ')})`
              : `no installed version (installed: ${installed.join(', ')})`,
        bundled: 'only bundled packages, whose scripts npm never runs',
        'no-install-scripts': `${matched.map(label).sort(cmp).join(', ')}, which has no install scripts`,
      } as const;
      context.report({
        rule: 'stale-approval',
        node: null,
        data: { where: where(approval), key: approval.key, problem: PROBLEMS[problem] },
        evidence: { ...approvalEvidence(approval), allow: approval.allow, reason: problem, ...(installed.length > 0 ? { [approval.source === 'lavamoat' ? 'lavamoatNames' : 'installed']: installed } : {}), matches: matched.map(label).sort(cmp) },
        paths: [],
        ...approvalPackage(approval),
      });
    }

    // Unpinned approvals that approve something now (a stale one is reported as stale instead).
    for (const approval of approvals) {
      if (!approval.allow || approval.pinned || !used.has(approval)) continue;
      const matches = inventory.filter((entry) => entry.approvedBy.some((ref) => ref.source === approval.source && ref.key === approval.key)).map((entry) => `${entry.name}@${entry.version}`);
      context.report({
        rule: 'unpinned-approval',
        node: null,
        data: { where: where(approval), key: approval.key },
        evidence: { ...approvalEvidence(approval), matches: [...new Set(matches)].sort(cmp) },
        paths: [],
        ...approvalPackage(approval),
      });
    }

    inventory.sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.location, b.location));
    context.data('packages', inventory);
  },
});
