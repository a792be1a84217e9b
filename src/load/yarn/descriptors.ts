// yarn's descriptors (`name@range`, what a dependent asks for: the keys of
// yarn.lock and the values of its `dependencies`) and locators
// (`name@reference`, what was installed: berry's `resolution`), in both
// formats. Classic ranges are npm specs (`^1.0.0`, `npm:real@^1`,
// `github:o/r#tag`, `file:../x`); berry prefixes a protocol (`npm:^1.0.0`,
// `workspace:^`, `patch:real@npm%3A1.0.0#…`, `portal:../x::locator=…`).

import npa from 'npm-package-arg';
import semver from 'semver';
import type { SourceType } from '../../model.js';

export interface Descriptor {
  name: string;
  /** Everything after the name's `@`; '' for a bare name (classic `balanced-match:`). */
  range: string;
}

/** `name@range` split at the `@` after the name (a scope's own `@` is the first character). */
export function parseDescriptor(text: string): Descriptor | null {
  const value = text.trim();
  const at = value.indexOf('@', value.startsWith('@') ? 1 : 0);
  const name = at < 0 ? value : value.slice(0, at);
  if (name === '' || name === '@' || (name.startsWith('@') && !/^@[^/]+\/[^/]+$/.test(name)) || (!name.startsWith('@') && name.includes('/'))) return null;
  return { name, range: at < 0 ? '' : value.slice(at + 1) };
}

/** The descriptors of one yarn.lock key: `a@^1, a@^1.2` (classic writes each quoted, berry the whole key). */
export function splitKey(key: string): string[] {
  return key
    .split(',')
    .map((part) => part.trim().replace(/^"/, '').replace(/"$/, '').trim())
    .filter((part) => part !== '');
}

/** berry's `patch:` range: the range or locator it patches, URL-decoded (`resolve@npm%3A1.22.8` → `resolve@npm:1.22.8`), and the patch file. */
export function unwrapPatch(range: string): { inner: string; patch: string } | null {
  if (!range.startsWith('patch:')) return null;
  const rest = range.slice('patch:'.length);
  const hash = rest.indexOf('#');
  const encoded = hash < 0 ? rest : rest.slice(0, hash);
  let inner: string;
  try {
    inner = decodeURIComponent(encoded);
  } catch {
    inner = encoded;
  }
  const patch = hash < 0 ? '' : rest.slice(hash + 1).replace(/::.*$/, '');
  return { inner, patch };
}

/** berry's `::locator=…&hash=…` binding suffix, which ties a relative path to the workspace that wrote it. */
export function withoutBinding(reference: string): string {
  const index = reference.indexOf('::');
  return index < 0 ? reference : reference.slice(0, index);
}

export interface ResolvedSource {
  source: SourceType;
  /** A URL or path the lockfile check can judge; null for the configured registry (berry's `npm:1.2.3`). */
  resolved: string | null;
  /** The real package name when the reference names one (`npm:real@1.2.3` in old berry aliases). */
  realName?: string;
}

const GIT_HOSTS = /^https?:\/\/(www\.)?(github\.com|gitlab\.com|bitbucket\.org)\/[^/]+\/[^/#]+?(\.git)?(#|$)/i;

/**
 * Where a berry locator's reference comes from. `npm:1.2.3` is the
 * configured registry (the lockfile names no host, and none is invented);
 * git references carry `#commit=<sha>`, turned into the `<url>#<sha>` form
 * npm lockfiles use so the lockfile check reads the pin the same way.
 */
export function berrySource(reference: string): ResolvedSource {
  if (reference.startsWith('npm:')) {
    const rest = reference.slice('npm:'.length);
    if (semver.valid(rest)) return { source: 'registry', resolved: null };
    const alias = parseDescriptor(rest);
    if (alias && semver.valid(alias.range)) return { source: 'registry', resolved: null, realName: alias.name };
    // An npm: reference to a URL (`npm:https://…/x.tgz`) is a tarball.
    return /^https?:/i.test(rest) ? { source: 'remote', resolved: rest } : { source: 'registry', resolved: null };
  }
  if (reference.startsWith('workspace:')) return { source: 'workspace', resolved: null };
  if (reference.startsWith('portal:') || reference.startsWith('link:')) return { source: 'link', resolved: `file:${withoutBinding(reference.slice(reference.indexOf(':') + 1))}` };
  if (reference.startsWith('file:')) {
    const path = withoutBinding(reference.slice('file:'.length)).replace(/#.*$/, '');
    return { source: /\.(tgz|tar\.gz|tar)$/i.test(path) ? 'file' : 'directory', resolved: `file:${path}` };
  }
  const commit = /#(?:.*&)?commit[=:]([0-9a-f]{7,64})/i.exec(reference);
  const url = reference.replace(/#.*$/, '');
  if (commit || /^(git\+|git:|ssh:|github:|gitlab:|bitbucket:)/i.test(reference) || GIT_HOSTS.test(reference)) {
    const git = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `git+ssh://${url}`;
    const prefixed = /^(git[+:]|ssh:)/i.test(git) ? git : `git+${git}`;
    return { source: 'git', resolved: commit ? `${prefixed}#${commit[1]}` : prefixed };
  }
  if (/^https?:/i.test(reference)) return { source: 'remote', resolved: reference };
  return { source: 'unknown', resolved: null };
}

/** The source of a classic entry: its key's spec says what kind it is (git, file, link, registry range), its `resolved` where it came from. */
export function classicSource(name: string, range: string): SourceType {
  if (range.startsWith('link:')) return 'link';
  if (range === '' || range === 'latest' || semver.validRange(range) !== null) return 'registry';
  try {
    const parsed = npa.resolve(name, range, '/');
    const spec = parsed.type === 'alias' && parsed.subSpec ? parsed.subSpec : parsed;
    switch (spec.type) {
      case 'git':
        return 'git';
      case 'remote':
        return 'remote';
      case 'file':
        return 'file';
      case 'directory':
        return 'directory';
      default:
        return 'registry';
    }
  } catch {
    return 'unknown';
  }
}

/** `npm:real@^1` (classic and berry aliases) → the real name and range; null when the range is no alias. */
export function aliasOf(range: string): Descriptor | null {
  if (!range.startsWith('npm:')) return null;
  const inner = parseDescriptor(range.slice('npm:'.length));
  return inner && inner.range !== '' && !/^[\^~<>=*\d]/.test(inner.name) ? inner : null;
}

/**
 * The spec an edge records, in npm's words, so that validity and pinning
 * read it as they read an npm spec: berry's `npm:^1.0.0` is `^1.0.0`, an
 * alias stays `npm:real@range`; anything else (workspace:, patch:, portal:,
 * git, paths) as written.
 */
export function npmSpec(range: string): string {
  const patch = unwrapPatch(range);
  if (patch) {
    const inner = parseDescriptor(patch.inner);
    return inner ? `patch:${inner.name}@${npmSpec(inner.range)}` : range;
  }
  if (!range.startsWith('npm:')) return range;
  return aliasOf(range) ? range : range.slice('npm:'.length);
}
