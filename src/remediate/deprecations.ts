// Deprecated versions as advisories for the planner: depguard fix plans for
// the versions the `deprecated` check reports (rule deprecated/version) the
// way it plans for advisories. Each package with a deprecated version
// installed becomes one advisory, id `deprecated`, whose range is every
// deprecated version the registry lists: so the targets of refreshes and
// overrides skip deprecated versions, parents that pin one count as
// metavulnerable, and verification sees a deprecated copy go or come like an
// advisory hit. A package whose latest version is deprecated too (rule
// deprecated/package: abandoned) has no version to move to and is listed
// apart: it needs replacing, which no override expresses.

import semver from 'semver';
import type { Advisory } from '../advisories/types.js';
import { isRegistryLookup } from '../enrich/registry-packuments.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import type { DepGraph } from '../model.js';
import { matchesNamePattern } from '../util/name-patterns.js';

export const DEPRECATED_ID = 'deprecated';

export interface DeprecationOptions {
  /** Names or globs not to plan for (the deprecated check's `ignore`). */
  ignore: string[];
}

export interface AbandonedPackage {
  package: string;
  version: string;
  /** The deprecation message of the installed version. */
  reason: string;
  /** The latest version, deprecated as well. */
  latest: string;
}

export async function deprecationAdvisories(graph: DepGraph, client: RegistryClient, options: DeprecationOptions): Promise<{ advisories: Advisory[]; abandoned: AbandonedPackage[] }> {
  const installed = new Map<string, Set<string>>();
  for (const node of graph.nodes.values()) {
    if (!isRegistryLookup(node) || matchesNamePattern(node.packageName, options.ignore)) continue;
    installed.set(node.packageName, (installed.get(node.packageName) ?? new Set()).add(node.version));
  }
  const names = [...installed.keys()].sort();
  // A packument that cannot be had leaves that package unplanned; the deprecated check is where fetching fails closed.
  const packuments = await Promise.all(names.map((name) => client.packument(name).catch(() => null)));
  const advisories: Advisory[] = [];
  const abandoned: AbandonedPackage[] = [];
  names.forEach((name, index) => {
    const packument = packuments[index];
    if (!packument) return;
    const deprecated = Object.keys(packument.versions).filter((version) => semver.valid(version) && packument.versions[version]!.deprecated !== null);
    const hit = [...installed.get(name)!].filter((version) => deprecated.includes(version)).sort(semver.compare);
    if (hit.length === 0) return;
    const latest = packument.distTags.latest;
    if (latest !== undefined && packument.versions[latest]?.deprecated) {
      for (const version of hit) abandoned.push({ package: name, version, reason: packument.versions[version]!.deprecated!, latest });
      return;
    }
    advisories.push({
      id: DEPRECATED_ID,
      aliases: [],
      package: name,
      title: `deprecated: ${packument.versions[hit[0]!]!.deprecated}`,
      url: null,
      severity: 'moderate',
      cvss: null,
      cwe: [],
      range: deprecated.sort(semver.compare).join(' || '),
      patched: [],
      malicious: false,
      origin: 'npm',
    });
  });
  return { advisories, abandoned };
}
