// How loose a dependency spec is, and whether a change made it looser: the
// part of a package.json change that lets more code in at the next lockfile
// refresh. Coarse on purpose (four levels), refined with semver for two
// ranges of the same level.

import npa from 'npm-package-arg';
import semver from 'semver';
import type { Looseness } from '../../render/diff-model.js';
import { catalogName, resolveCatalog } from '../../load/specs.js';

const RANK: Record<Looseness, number> = { exact: 0, range: 1, open: 2, any: 3 };

export interface SpecReading {
  looseness: Looseness;
  /** registry, git, remote, file, directory… (npm-package-arg's type, aliases read through). */
  source: string;
  /** The registry name the spec installs: differs from the dependency's name for an alias. */
  target: string;
  /** The semver range, for registry specs that have one. */
  range: string | null;
}

const FULL_COMMIT = /^[0-9a-f]{40}$/i;

function rangeLooseness(range: string): Looseness {
  let parsed: semver.Range;
  try {
    parsed = new semver.Range(range, { loose: true });
  } catch {
    return 'any';
  }
  const sets = parsed.set;
  const anything = (set: readonly semver.Comparator[]) => set.every((c) => c.value === '' || (c.operator === '>=' && c.semver.major === 0 && c.semver.minor === 0 && c.semver.patch === 0));
  if (sets.some(anything)) return 'any';
  const bounded = (set: readonly semver.Comparator[]) => set.some((c) => c.operator === '<' || c.operator === '<=' || ((c.operator === '' || c.operator === '=') && c.value !== ''));
  if (sets.some((set) => !bounded(set))) return 'open';
  return sets.every((set) => set.length === 1 && (set[0]!.operator === '' || set[0]!.operator === '=')) ? 'exact' : 'range';
}

/** Catalog name → dependency → spec, for pnpm's `catalog:` specs. */
export type Catalogs = Record<string, Record<string, string>>;

/**
 * Reads a spec as npm would; an unreadable one counts as `any` (npm may read
 * it some other way). pnpm's own protocols first: `workspace:` and `link:`
 * name a folder of the repository, `catalog:` reads as the spec its catalog holds.
 */
export function readSpec(name: string, spec: string, catalogs: Catalogs = {}): SpecReading {
  if (spec.startsWith('workspace:')) return { looseness: 'exact', source: 'workspace', target: name, range: null };
  if (spec.startsWith('link:')) return { looseness: 'exact', source: 'directory', target: name, range: null };
  if (catalogName(spec) !== null) {
    const resolved = resolveCatalog(name, spec, catalogs);
    return resolved === null || catalogName(resolved) !== null ? { looseness: 'any', source: 'unknown', target: name, range: null } : readSpec(name, resolved);
  }
  let parsed: ReturnType<typeof npa.resolve>;
  try {
    parsed = npa.resolve(name, spec, '/');
  } catch {
    return { looseness: 'any', source: 'unknown', target: name, range: null };
  }
  const target = parsed.type === 'alias' && parsed.subSpec ? (parsed.subSpec.name ?? name) : name;
  const inner = parsed.type === 'alias' && parsed.subSpec ? parsed.subSpec : parsed;
  switch (inner.type) {
    case 'version':
      return { looseness: 'exact', source: 'registry', target, range: inner.fetchSpec ?? inner.rawSpec };
    case 'range': {
      const range = inner.fetchSpec ?? inner.rawSpec;
      return { looseness: rangeLooseness(range), source: 'registry', target, range };
    }
    case 'tag':
      return { looseness: 'any', source: 'registry', target, range: null };
    case 'git': {
      const committish = inner.gitCommittish ?? (inner.hosted as { committish?: string | null } | undefined)?.committish ?? null;
      const looseness: Looseness = committish && FULL_COMMIT.test(committish) ? 'exact' : inner.gitRange ? 'range' : committish ? 'range' : 'open';
      return { looseness, source: 'git', target, range: null };
    }
    case 'remote':
      // The content behind a URL can change without the spec changing.
      return { looseness: 'open', source: 'remote', target, range: null };
    case 'file':
    case 'directory':
      return { looseness: 'exact', source: inner.type, target, range: null };
    default:
      return { looseness: 'any', source: inner.type ?? 'unknown', target, range: null };
  }
}

/**
 * True when `to` admits more than `from`: a looser level, or, at the same
 * range or open level, a semver range that strictly contains the old one.
 */
export function isLoosened(from: SpecReading, to: SpecReading): boolean {
  if (RANK[to.looseness] !== RANK[from.looseness]) return RANK[to.looseness] > RANK[from.looseness];
  if (to.looseness === 'exact' || to.looseness === 'any' || from.range === null || to.range === null) return false;
  try {
    return semver.subset(from.range, to.range, { loose: true }) && !semver.subset(to.range, from.range, { loose: true });
  } catch {
    return false;
  }
}

/** A change of where the code comes from (registry to git, another alias target): always worth a look. */
export function changesSource(from: SpecReading, to: SpecReading): boolean {
  return from.source !== to.source || from.target !== to.target;
}
