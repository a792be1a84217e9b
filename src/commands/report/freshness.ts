// How far behind its latest release each direct dependency is, from the
// packuments of the shared RegistryClient (full documents: publish times).
// Judged as of the report date: releases published after it do not count, so
// a past quarter's report can be reproduced. A packument that cannot be had
// is recorded like any registry miss (RegistryPackuments), and the caller
// fails closed on it unless incomplete data was accepted.

import semver from 'semver';
import type { CompactPackument } from '../../enrich/packument.js';
import type { RegistryClient } from '../../enrich/registry-client.js';
import { isRegistryLookup, RegistryPackuments } from '../../enrich/registry-packuments.js';
import type { DepGraph, DepNode, EdgeType } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { daysBetween, type Behind, type Freshness, type FreshnessEntry } from '../../render/report-model.js';

/** No release for longer than this: the package looks unmaintained. */
export const STALE_AFTER_DAYS = 730;

const DEPENDENCY_TYPE: Partial<Record<EdgeType, FreshnessEntry['dependencyType']>> = {
  prod: 'dependencies',
  dev: 'devDependencies',
  optional: 'optionalDependencies',
  peer: 'peerDependencies',
  peerOptional: 'peerDependencies',
};

export interface DirectDependency {
  node: DepNode;
  dependencyType: FreshnessEntry['dependencyType'];
  workspace: string | null;
}

/** What the root and each workspace declare and the tree resolves (workspace links left out). */
export function directDependencies(graph: DepGraph): DirectDependency[] {
  const direct: DirectDependency[] = [];
  const seen = new Set<string>();
  for (const declarer of graph.nodes.values()) {
    if (declarer.location !== '' && !declarer.isWorkspace) continue;
    const workspace = declarer.location === '' ? null : declarer.packageName;
    for (const edge of declarer.edgesOut) {
      const dependencyType = DEPENDENCY_TYPE[edge.type];
      const node = edge.to === null ? undefined : graph.nodes.get(edge.to);
      if (!dependencyType || !node || node.isWorkspace || node.location === '') continue;
      const key = `${workspace ?? ''}\u0000${edge.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      direct.push({ node, dependencyType, workspace });
    }
  }
  return direct.sort((a, b) => compareStrings(a.node.packageName, b.node.packageName) || compareStrings(a.workspace ?? '', b.workspace ?? ''));
}

function day(iso: string | null | undefined): string | null {
  return typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : null;
}

function behind(current: string, latest: string): Behind {
  if (current === latest) return 'none';
  if (semver.gt(current, latest)) return 'ahead';
  const diff = semver.diff(current, latest);
  if (diff === 'major' || diff === 'premajor') return 'major';
  if (diff === 'minor' || diff === 'preminor') return 'minor';
  if (diff === 'patch' || diff === 'prepatch') return 'patch';
  return 'prerelease';
}

function base(dependency: DirectDependency): FreshnessEntry {
  return {
    name: dependency.node.packageName,
    version: dependency.node.version,
    dependencyType: dependency.dependencyType,
    workspace: dependency.workspace,
    status: 'ok',
    reason: null,
    latest: null,
    behind: null,
    versionsBehind: null,
    published: null,
    latestPublished: null,
    daysBehind: null,
    ageDays: null,
    lastReleaseDays: null,
    stale: false,
    deprecated: null,
  };
}

/** One direct dependency judged against its packument as of `today`. */
export function freshnessEntry(dependency: DirectDependency, packument: CompactPackument, today: string): FreshnessEntry {
  const entry = base(dependency);
  const current = dependency.node.version;
  // Releases out by the report date (a version without a publish time counts as out).
  const released = Object.entries(packument.versions).filter(([version, record]) => semver.valid(version) !== null && (day(record.published) ?? today) <= today);
  const stable = released.map(([version]) => version).filter((version) => semver.prerelease(version) === null);
  const tagged = packument.distTags.latest;
  const latest = tagged !== undefined && released.some(([version]) => version === tagged) ? tagged : (semver.rsort([...stable])[0] ?? null);
  const own = Object.hasOwn(packument.versions, current) ? packument.versions[current]! : null;
  entry.published = day(own?.published);
  entry.deprecated = own?.deprecated ?? null;
  entry.latest = latest;
  if (latest !== null && semver.valid(current)) {
    entry.behind = behind(current, latest);
    entry.versionsBehind = stable.filter((version) => semver.gt(version, current) && semver.lte(version, latest)).length;
    entry.latestPublished = day(packument.versions[latest]?.published);
    if (entry.behind === 'none' || entry.behind === 'ahead') entry.daysBehind = 0;
    else if (entry.published && entry.latestPublished) entry.daysBehind = Math.max(0, daysBetween(entry.published, entry.latestPublished));
  }
  if (entry.published) entry.ageDays = daysBetween(entry.published, today);
  const last = released
    .map(([, record]) => day(record.published))
    .filter((published): published is string => published !== null)
    .sort(compareStrings)
    .at(-1);
  if (last) {
    entry.lastReleaseDays = daysBetween(last, today);
    entry.stale = entry.lastReleaseDays > STALE_AFTER_DAYS;
  }
  return entry;
}

const AGE_BUCKETS: Array<{ label: string; upTo: number }> = [
  { label: 'under 3 months', upTo: 91 },
  { label: '3–12 months', upTo: 365 },
  { label: '1–2 years', upTo: 730 },
  { label: 'over 2 years', upTo: Number.POSITIVE_INFINITY },
];

export function summariseFreshness(packages: FreshnessEntry[], status: Freshness['status'], reason: string | null = null): Freshness {
  const ok = packages.filter((entry) => entry.status === 'ok');
  const ages = AGE_BUCKETS.map(({ label }) => ({ label, packages: 0 }));
  let unknownAge = 0;
  for (const entry of packages) {
    if (entry.ageDays === null) {
      unknownAge++;
      continue;
    }
    ages[AGE_BUCKETS.findIndex((bucket) => entry.ageDays! < bucket.upTo)]!.packages++;
  }
  if (unknownAge > 0) ages.push({ label: 'unknown', packages: unknownAge });
  return {
    status,
    reason,
    staleAfterDays: STALE_AFTER_DAYS,
    packages,
    summary: {
      direct: packages.length,
      current: ok.filter((entry) => entry.behind === 'none' || entry.behind === 'ahead').length,
      patch: ok.filter((entry) => entry.behind === 'patch' || entry.behind === 'prerelease').length,
      minor: ok.filter((entry) => entry.behind === 'minor').length,
      major: ok.filter((entry) => entry.behind === 'major').length,
      stale: ok.filter((entry) => entry.stale).length,
      deprecated: ok.filter((entry) => entry.deprecated !== null).length,
      unknown: packages.length - ok.length + ok.filter((entry) => entry.behind === null).length,
    },
    ages: status === 'skipped' ? [] : ages,
  };
}

export interface FreshnessLookup {
  freshness: Freshness;
  /** The packuments asked for: the caller decides the fail-closed exit on its misses (checkCompleteness). */
  packuments: RegistryPackuments | null;
}

/**
 * Looks up the packument of every direct registry dependency. Offline
 * (--offline, or npm's `offline` setting), freshness is skipped and says
 * so rather than judging from whatever the cache happens to hold.
 */
export async function lookupFreshness(graph: DepGraph, client: RegistryClient, today: string): Promise<FreshnessLookup> {
  const direct = directDependencies(graph);
  if (client.mode === 'offline') return { freshness: summariseFreshness([], 'skipped', "offline (--offline or npm's offline setting)"), packuments: null };
  const packuments = new RegistryPackuments(client);
  const found = await Promise.all(direct.map((dependency) => (isRegistryLookup(dependency.node) ? packuments.lookup(dependency.node, { full: true }) : Promise.resolve(null))));
  const missing = new Map(packuments.missing().map((miss) => [miss.package.location, miss.code] as const));
  const entries = direct.map((dependency, index) => {
    const lookup = found[index];
    if (lookup) return freshnessEntry(dependency, lookup.packument, today);
    const entry = base(dependency);
    if (!isRegistryLookup(dependency.node)) return { ...entry, status: 'not-registry' as const, reason: dependency.node.source };
    return { ...entry, status: 'unavailable' as const, reason: missing.get(dependency.node.location) ?? 'REGISTRY_UNREACHABLE' };
  });
  return { freshness: summariseFreshness(entries, entries.some((entry) => entry.status === 'unavailable') ? 'incomplete' : 'complete'), packuments };
}
