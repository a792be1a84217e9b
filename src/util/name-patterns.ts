// Package-name patterns as npm matches them for `min-release-age-exclude`:
// an exact name or a minimatch glob (`@myorg/*`), with negation, comments and
// extglobs off so a stray `!foo` cannot turn into "everything but foo". The
// checks' `ignore` / `exclude` options use the same grammar, through
// Arborist's own matcher rather than a copy of it.

import { isReleaseAgeExcluded } from '@npmcli/arborist/lib/release-age-exclude.js';

/** True when a registry package name matches one of the patterns. */
export function matchesNamePattern(name: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && isReleaseAgeExcluded(name, [...patterns]);
}
