import npa from 'npm-package-arg';

// A registry package's identity (name and version) must come from sources the
// package cannot forge: its lockfile key, the registry URL it was fetched
// from, and the alias spec of the package that depends on it. The package's
// own package.json is written by whoever published the tarball.

export interface TarballIdentity {
  name: string;
  version: string;
  /** Path segments before the package name: the registry's base path. */
  basePath: string;
}

/** The raw path of a URL string, before WHATWG parsing normalises `..` away. */
export function rawPath(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url);
  return match?.[1] ?? '';
}

/** True when a URL path holds `.` or `..` segments, plain or percent-encoded. */
export function hasDotSegments(url: string): boolean {
  return rawPath(url)
    .split('/')
    .some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/**
 * Name and version from a registry tarball URL of the shape npm registries
 * use: `<base>/<name>/-/<name>-<version>.tgz` or
 * `<base>/@scope/<name>/-/<name>-<version>.tgz` (the slash may be %2f).
 * Returns null for any other shape (git, GitHub tarballs, arbitrary URLs).
 */
export function parseRegistryTarballUrl(url: string): TarballIdentity | null {
  if (!/^https?:\/\//i.test(url)) return null;
  const path = rawPath(url);
  const marker = path.lastIndexOf('/-/');
  if (marker < 0) return null;
  const file = path.slice(marker + 3);
  if (file.includes('/') || !file.endsWith('.tgz')) return null;
  const before = path
    .slice(0, marker)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  const last = before.pop();
  if (!last) return null;
  let name = last;
  if (last.startsWith('@') && last.includes('/')) {
    name = last; // @scope%2fname decoded to @scope/name
  } else if (before.length > 0 && before[before.length - 1]!.startsWith('@')) {
    name = `${before.pop()}/${last}`;
  }
  const unscoped = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  const stem = file.slice(0, -'.tgz'.length);
  if (!stem.startsWith(`${unscoped}-`)) {
    // The file name does not start with the package name: the URL's name and
    // its file disagree, which only a hand-edited lockfile produces.
    return { name, version: '', basePath: `/${before.join('/')}` };
  }
  return { name, version: stem.slice(unscoped.length + 1), basePath: `/${before.join('/')}` };
}

/** The installed name from a lockfile location: `node_modules/@s/a/node_modules/b` -> `b`. */
export function nameFromLocation(location: string): string {
  const index = location.lastIndexOf('node_modules/');
  const tail = index < 0 ? location.split('/').pop() ?? location : location.slice(index + 'node_modules/'.length);
  return tail;
}

/** The alias target named by a dependent's `npm:<name>@<range>` spec, if any. */
export function aliasTarget(spec: string, name: string): string | null {
  if (!spec.startsWith('npm:')) return null;
  try {
    const parsed = npa.resolve(name, spec, '/');
    return parsed.type === 'alias' ? (parsed.subSpec?.name ?? null) : null;
  } catch {
    return null;
  }
}
