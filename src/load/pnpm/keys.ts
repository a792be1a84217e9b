// pnpm-lock.yaml package keys ("dependency paths") and the references that
// importers and snapshots use to point at them.
//
// lockfileVersion 6 and 9 keys (`name@1.0.0`, `name@1.0.0(peer@2.0.0)`,
// `name@https://…`, v6 with a leading `/`) are parsed by pnpm's own
// @pnpm/deps.path. lockfileVersion 5.x keys (`/name/1.0.0_peer@2.0.0`,
// `registry.host/@scope/name/1.0.0`, `github.com/owner/repo/<commit>`) are a
// format pnpm's current helpers no longer read, so they are split here, by
// the rules pnpm 7 wrote them with.

import { parse as parseDepPath } from '@pnpm/deps.path';
import semver from 'semver';

export interface ParsedKey {
  /** The package name the key names; '' when the key carries none (git, tarball and file: keys take it from the entry). */
  name: string;
  /** A semver version, or '' when the key's version is a URL or path (taken from the entry). */
  version: string;
  /** The peer suffix as written (`(peer@1.0.0)` or `_peer@1.0.0`), '' when none. */
  peers: string;
  /** The key without its peer suffix: the `packages` key of a v9 snapshot. */
  base: string;
  /** For non-registry keys: the URL or path that stands for the version (`file:…`, `https://…`, `github.com/…`). */
  nonSemver: string | null;
}

/** Which key grammar a lockfileVersion uses. */
export type KeyStyle = 'v5' | 'v6' | 'v9';

export function keyStyle(lockfileVersion: number): KeyStyle {
  if (lockfileVersion < 6) return 'v5';
  if (lockfileVersion < 9) return 'v6';
  return 'v9';
}

function validVersion(version: string): boolean {
  return semver.valid(version) !== null;
}

/** `/name/1.0.0_peer@1`, `host/@s/name/1.0.0`, or a git/tarball/file: key whose name the entry holds. */
function parseV5(key: string): ParsedKey | null {
  if (key.startsWith('file:')) {
    // file:../dir_peer@1.0.0 — the peer suffix follows the path.
    const underscore = key.indexOf('_', key.lastIndexOf('/') + 1);
    const base = underscore < 0 ? key : key.slice(0, underscore);
    return { name: '', version: '', peers: underscore < 0 ? '' : key.slice(underscore), base, nonSemver: base };
  }
  const segments = key.split('/');
  // A leading `/` is the default registry; otherwise the first segment is a
  // registry host (`registry.example.org/foo/1.0.0`): either way it goes.
  const hostless = segments.slice(1);
  const scoped = hostless[0]?.startsWith('@') ?? false;
  const nameParts = scoped ? 2 : 1;
  if (hostless.length === nameParts + 1) {
    const name = hostless.slice(0, nameParts).join('/');
    const last = hostless[nameParts]!;
    const underscore = last.indexOf('_');
    const version = underscore < 0 ? last : last.slice(0, underscore);
    if (name !== '' && !name.endsWith('/') && validVersion(version)) {
      const peers = underscore < 0 ? '' : last.slice(underscore);
      return { name, version, peers, base: key.slice(0, key.length - peers.length), nonSemver: null };
    }
  }
  // github.com/owner/repo/<commit>, a tarball host path: the entry names the package.
  if (segments[0] !== '' && segments.length >= 2) return { name: '', version: '', peers: '', base: key, nonSemver: key };
  return null;
}

/** `name@1.0.0(peer@1)`, `@s/name@https://…`; v6 keys start with `/`. */
function parseModern(key: string, style: KeyStyle): ParsedKey | null {
  const stripped = style === 'v6' && key.startsWith('/') ? key.slice(1) : key;
  const parsed = parseDepPath(stripped);
  const name = parsed.name ?? '';
  if (name === '' || name.startsWith('/')) {
    // v6 wrote non-registry keys without a name (`github.com/owner/repo/<commit>`, `file:x`): the entry names them.
    if (style === 'v6' && (stripped.startsWith('file:') || /^[^/@]+\.[^/]+\//.test(stripped) || stripped.startsWith('@'))) {
      return { name: '', version: '', peers: '', base: stripped, nonSemver: stripped };
    }
    return null;
  }
  const peers = `${parsed.patchHash ?? ''}${parsed.peerDepGraphHash ?? ''}`;
  const base = peers === '' ? stripped : stripped.slice(0, stripped.length - peers.length);
  if (parsed.version !== undefined && validVersion(parsed.version)) return { name, version: parsed.version, peers, base, nonSemver: null };
  if (parsed.nonSemverVersion !== undefined && parsed.nonSemverVersion !== '') return { name, version: '', peers, base, nonSemver: String(parsed.nonSemverVersion) };
  return null;
}

/** Parses a `packages`/`snapshots` key; null when it is not a dependency path pnpm writes. */
export function parseKey(key: string, style: KeyStyle): ParsedKey | null {
  if (key === '') return null;
  return style === 'v5' ? parseV5(key) : parseModern(key, style);
}

/**
 * The keys an importer's or snapshot's dependency reference may stand for,
 * most likely first: a bare version is relative to the dependency's name
 * (`1.0.0(peer@1)` under `react-dom`), anything else (an alias's
 * `ms@0.7.0`, a git or file: key) is a key of its own.
 */
export function referenceCandidates(alias: string, reference: string, style: KeyStyle): string[] {
  switch (style) {
    case 'v5':
      return [`/${alias}/${reference}`, reference];
    case 'v6':
      return [`/${alias}@${reference}`, reference, `/${reference}`];
    case 'v9':
      return [`${alias}@${reference}`, reference];
  }
}
