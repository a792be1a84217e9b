// Which advisories concern the queried packages, and a cheap test that lets
// the offline database skip JSON.parse for records about other packages (an
// ecosystem export holds hundreds of thousands of records; a tree asks about
// a few hundred names).

import type { Advisory, AdvisoryQuery } from './types.js';

/**
 * The advisories about queried packages. Names match exactly; an advisory
 * that spells a name with capitals (GitHub's record of axios once said
 * "Axios") also matches the lower-case name when the tree has no package
 * spelled like the advisory, and is then reported under the tree's name.
 */
export function advisoriesFor(advisories: Iterable<Advisory>, query: AdvisoryQuery): Advisory[] {
  const selected: Advisory[] = [];
  for (const advisory of advisories) {
    if (query.has(advisory.package)) {
      selected.push(advisory);
      continue;
    }
    const lower = advisory.package.toLowerCase();
    if (lower !== advisory.package && query.has(lower)) selected.push({ ...advisory, package: lower });
  }
  return selected;
}

const NAME_FIELD = /"name"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * False only when no `"name": "…"` in the record's text is a queried name
 * (compared in lower case): such a record cannot concern the tree. Escaped
 * names are not decoded here, so they always count as a possible match.
 */
export function mayConcern(text: string, lowerNames: ReadonlySet<string>): boolean {
  for (const match of text.matchAll(NAME_FIELD)) {
    const name = match[1]!;
    if (name.includes('\\') || lowerNames.has(name.toLowerCase())) return true;
  }
  return false;
}

export function lowerNames(query: AdvisoryQuery): Set<string> {
  return new Set([...query.keys()].map((name) => name.toLowerCase()));
}
