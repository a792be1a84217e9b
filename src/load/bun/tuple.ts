// One `packages` entry of bun.lock: an array whose first element,
// `name@resolution`, says what kind of package it is, and so how the other
// elements read (bun's src/install/lockfile/bun.lock.zig):
//
//   npm        [ "name@1.2.3", registry, INFO, integrity ]   registry "" = the configured default
//   git        [ "name@git+<url>#<commit>", INFO, bun-tag ]
//   github     [ "name@github:owner/repo#<commit>", INFO, bun-tag ]
//   folder     [ "name@file:<path>", INFO ]                   copied into node_modules
//   symlink    [ "name@link:<path>", INFO ]
//   tarball    [ "name@<url or path to a .tgz>", INFO, integrity? ]   integrity since lockfileVersion 2
//   workspace  [ "name@workspace:<path>" ]                    lockfileVersion 0 adds INFO
//   root       [ "name@root:", { bin } ]
//
// INFO = { dependencies, optionalDependencies, peerDependencies,
// optionalPeers, os, cpu, bin, bundled, hasInstallScript (version 2) }.

import semver from 'semver';
import { isJsonObject, type JsonObject } from '../../util/json.js';

export type BunResolution = 'npm' | 'git' | 'github' | 'folder' | 'symlink' | 'tarball' | 'local-tarball' | 'workspace' | 'root';

export interface BunEntry {
  /** The package's own name (the registry name for an alias). */
  name: string;
  kind: BunResolution;
  /** The version for npm packages; '' for every other kind (bun records none). */
  version: string;
  /** What comes after `name@`: the version, URL, path or repository. */
  resolution: string;
  /** npm: the tuple's registry field ('' = the configured registry). */
  registry: string;
  integrity: string | null;
  info: JsonObject;
}

/** `name@resolution`, the name possibly scoped (`@s/x@1.0.0`), as bun's Dependency.splitNameAndVersion splits it. */
export function splitIdent(ident: string): { name: string; resolution: string } | null {
  const at = ident.indexOf('@', 1);
  if (at <= 0) return null;
  const name = ident.slice(0, at);
  if (name === '@' || (name.startsWith('@') && !/^@[^/]+\/[^/]+$/.test(name)) || (!name.startsWith('@') && name.includes('/'))) return null;
  return { name, resolution: ident.slice(at + 1) };
}

export function resolutionKind(resolution: string): BunResolution | null {
  if (resolution.startsWith('root:')) return 'root';
  if (resolution.startsWith('workspace:')) return 'workspace';
  if (resolution.startsWith('link:')) return 'symlink';
  if (resolution.startsWith('github:')) return 'github';
  if (resolution.startsWith('git+') || resolution.startsWith('git:')) return 'git';
  if (/^https?:\/\//i.test(resolution)) return 'tarball';
  if (/\.(tgz|tar\.gz|tar)$/i.test(resolution)) return 'local-tarball';
  if (resolution.startsWith('file:')) return 'folder';
  if (semver.valid(resolution, { loose: false }) !== null) return 'npm';
  return null;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Reads a tuple, or says in a few words why it cannot be read. */
export function readTuple(value: unknown): BunEntry | { problem: string } {
  if (!Array.isArray(value) || value.length === 0) return { problem: 'expected a non-empty array' };
  const [ident, ...rest] = value as unknown[];
  if (!isString(ident)) return { problem: 'its first element must be a "name@resolution" string' };
  const split = splitIdent(ident);
  if (!split) return { problem: `"${ident}" is not "name@resolution"` };
  const kind = resolutionKind(split.resolution);
  if (kind === null) return { problem: `"${split.resolution}" is not a resolution bun writes (a version, workspace:, link:, file:, git, github: or a tarball)` };
  if (kind === 'workspace' || kind === 'root') return { name: split.name, kind, version: '', resolution: split.resolution, registry: '', integrity: null, info: isJsonObject(rest[0]) ? rest[0] : {} };
  const [registry, meta, third] = kind === 'npm' ? rest : ['', ...rest];
  if (!isString(registry)) return { problem: 'an npm package needs its registry (a string, "" for the default) as second element' };
  if (meta !== undefined && !isJsonObject(meta)) return { problem: 'its dependency object (INFO) must be an object' };
  // npm packages and (since lockfileVersion 2) tarballs carry an integrity; git and github a bun tag, which is not one.
  const carriesIntegrity = kind === 'npm' || kind === 'tarball' || kind === 'local-tarball';
  const integrity = carriesIntegrity && isString(third) && third !== '' ? third : null;
  return { name: split.name, kind, version: kind === 'npm' ? split.resolution : '', resolution: split.resolution, registry, integrity, info: isJsonObject(meta) ? meta : {} };
}
