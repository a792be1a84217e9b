// Approval keys in npm's allowScripts grammar (also pnpm's build settings and
// this check's allow/deny options): what a key names and which packages of
// the graph it matches. A registry package is matched by its trusted identity,
// never by its own package.json.

import { resolve } from 'node:path';
import npa from 'npm-package-arg';
import semver from 'semver';
import type { DepGraph, DepNode } from '../../model.js';

/** Why a key is ignored by the package managers that read it. */
export type KeyProblem = 'range' | 'dist-tag' | 'alias' | 'unparseable' | 'not-a-package' | 'bad-version' | 'not-a-name';

export type KeyParse = { ok: true; pinned: boolean; name: string | null; versions: string[] | null; matches(node: DepNode): boolean } | { ok: false; reason: KeyProblem };

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

/** A package name as bun compares them (npm's rules, loosely: optional scope, no spaces or slashes beyond it). */
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9~][\w.~-]*$/i;

/**
 * bun's `trustedDependencies`: package names, compared with the name of
 * each installed package whatever its source (bun docs: file:, link:, git
 * and github packages must be listed to run scripts). bun reads no version
 * there: `esbuild@0.20.0` is a name no package has.
 */
export function parseBunKey(key: string): KeyParse {
  if (!PACKAGE_NAME.test(key)) return { ok: false, reason: 'not-a-name' };
  return { ok: true, pinned: false, name: key, versions: null, matches: (node) => node.packageName === key && node.source !== 'workspace' && node.source !== 'root' };
}

/** An entry of bun's built-in list: a name, for packages from the npm registry only. */
export function bunDefaultKey(name: string): KeyParse {
  return registryKey(name, null);
}
