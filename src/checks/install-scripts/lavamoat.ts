// LavaMoat's `lavamoat.allowScripts` keys: canonical names (`a>b>c`, the
// path of dependency names @lavamoat/aa picks), optionally `#<version>`.

import semver from 'semver';
import type { DepGraph } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import type { KeyParse } from './keys.js';

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
  return a.length - b.length || compareStrings(a, b);
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
