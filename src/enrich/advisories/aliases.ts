// One advisory per incident, for the OSV sources (the npm bulk answer is kept
// as npm audit reports it). OSV sources hold several records of one
// incident for one package: GitHub's GHSA record and OpenSSF's MAL record of
// the same malicious release (debug@4.4.2: GHSA-4x49-vf9v-38px, whose aliases
// name MAL-2025-46974, and MAL-2025-46974, whose aliases name the GHSA).
// Reported as they come, a reviewer sees one compromise twice. Records of one
// package are merged when one names the other among its aliases; the merged
// advisory keeps the GHSA id (what npm and GitHub show), every other id as an
// alias, the union of the ranges, and is malicious if either record says so.

import type { Advisory } from './types.js';

/** GHSA first (npm's and GitHub's id), then CVE, then the rest (MAL, npm's numeric ids, PYSEC…). */
function rank(id: string): number {
  return id.startsWith('GHSA-') ? 0 : id.startsWith('CVE-') ? 1 : 2;
}

/** node-semver ranges are unions of `||` alternatives: the union of two is their concatenation. */
function unionRanges(ranges: string[]): string {
  return [...new Set(ranges)].join(' || ');
}

function merge(group: Advisory[]): Advisory {
  const [primary] = [...group].sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set(group.flatMap((advisory) => [advisory.id, ...advisory.aliases]));
  ids.delete(primary!.id);
  return {
    ...primary!,
    aliases: [...ids].sort(),
    range: unionRanges(group.map((advisory) => advisory.range)),
    patched: [...new Set(group.flatMap((advisory) => advisory.patched))],
    cwe: [...new Set(group.flatMap((advisory) => advisory.cwe))].sort(),
    cvss: primary!.cvss ?? group.find((advisory) => advisory.cvss)?.cvss ?? null,
    malicious: group.some((advisory) => advisory.malicious),
  };
}

/** The advisories with each package's records of one incident merged; order kept (a merged one stands where its first record stood). */
export function mergeAliasedAdvisories(advisories: Advisory[]): Advisory[] {
  // Union-find over the advisories of each package: linked when one's id is among the other's aliases.
  const parent = advisories.map((_, index) => index);
  const find = (index: number): number => (parent[index] === index ? index : (parent[index] = find(parent[index]!)));
  const byKey = new Map<string, number>();
  advisories.forEach((advisory, index) => {
    for (const id of [advisory.id, ...advisory.aliases]) {
      const key = `${advisory.package}\u0000${id}`;
      const seen = byKey.get(key);
      // Link only through a record's own id: two records sharing only a CVE alias may be distinct advisories.
      if (seen !== undefined && (id === advisory.id || id === advisories[seen]!.id)) parent[find(index)] = find(seen);
      if (seen === undefined || id === advisory.id) byKey.set(key, index);
    }
  });
  const groups = new Map<number, Advisory[]>();
  advisories.forEach((advisory, index) => {
    const root = find(index);
    groups.set(root, [...(groups.get(root) ?? []), advisory]);
  });
  const out: Advisory[] = [];
  const emitted = new Set<number>();
  advisories.forEach((_, index) => {
    const root = find(index);
    if (emitted.has(root)) return;
    emitted.add(root);
    const group = groups.get(root)!;
    out.push(group.length === 1 ? group[0]! : merge(group));
  });
  return out;
}
