// bun.lock's `packages` keys are hoisting paths: `a` is node_modules/a,
// `a/b` a copy of b nested in a's node_modules, `@s/x/@t/y` a scoped copy
// inside a scoped package, and `<workspace name>/b` a copy in that
// workspace's own node_modules. A dependency resolves the way bun resolves it
// (bun.lock.zig PkgMap.findResolution): the nearest enclosing key first, then
// each ancestor's, then the top level.

/** The package names a key is made of, or null when it is not a path of package names. */
export function keySegments(key: string): string[] | null {
  if (key === '') return null;
  const parts = key.split('/');
  const names: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (part === '' || part === '.' || part === '..') return null;
    if (part.startsWith('@')) {
      const next = parts[index + 1];
      if (next === undefined || next === '' || next === '.' || next === '..' || next.startsWith('@') || part === '@') return null;
      names.push(`${part}/${next}`);
      index++;
    } else {
      names.push(part);
    }
  }
  return names;
}

/**
 * Where a key's package lies on disk: node_modules/a/node_modules/b for
 * `a/b`, or under a workspace folder when the key starts with a workspace's
 * name (`@svc/lib/semver` → packages/lib/node_modules/semver).
 */
export function keyLocation(segments: readonly string[], workspaceFolders: ReadonlyMap<string, string>): string {
  const first = segments[0]!;
  const folder = segments.length > 1 ? workspaceFolders.get(first) : undefined;
  const rest = folder === undefined ? segments : segments.slice(1);
  const path = rest.map((name) => `node_modules/${name}`).join('/');
  return folder === undefined || folder === '' ? path : `${folder}/${path}`;
}

/** The key a dependency `name` of the package at `from` (its segments; [] for the root) resolves to, or null. */
export function resolveKey(from: readonly string[], name: string, keys: ReadonlySet<string>): string | null {
  for (let depth = from.length; depth >= 0; depth--) {
    const candidate = depth === 0 ? name : `${from.slice(0, depth).join('/')}/${name}`;
    if (keys.has(candidate)) return candidate;
  }
  return null;
}
