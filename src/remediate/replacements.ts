// Packages to be replaced, as advisories for the planner: depguard fix plans
// for the versions the `deprecated` check reports (rule deprecated/version)
// and the ranges the `denied` check denies the way it plans for advisories.
//
// Each package with a deprecated version installed becomes one advisory, id
// `deprecated`, whose range is every deprecated version the registry lists;
// each denied entry with a range that an installed version falls in becomes
// one, id `denied`, with the entry's range. So the targets of refreshes and
// overrides skip those versions, parents that pin one count as
// metavulnerable, and verification sees such a copy go or come like an
// advisory hit. What no version move fixes is listed apart, to be replaced:
// a package whose latest version is deprecated too (abandoned), and a
// package denied as a whole.

import semver from 'semver';
import type { Advisory } from '../enrich/advisories/types.js';
import { deniedBy, type DeniedEntry } from '../checks/denied/index.js';
import { isRegistryLookup } from '../enrich/registry-packuments.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import type { DepGraph } from '../model.js';
import { matchesNamePattern } from '../util/name-patterns.js';

export const DEPRECATED_ID = 'deprecated';
export const DENIED_ID = 'denied';

export interface DeprecationOptions {
  /** Names or globs not to plan for (the deprecated check's `ignore`). */
  ignore: string[];
}

export interface ReplacementOptions {
  /** Plan for deprecated versions (the deprecated check's options), or not (null). */
  deprecated: DeprecationOptions | null;
  /** The denied check's entries (empty: nothing denied). */
  denied: readonly DeniedEntry[];
}

export interface Replacement {
  package: string;
  version: string;
  /** abandoned: this version and the latest are deprecated; denied: the policy denies every version. */
  why: 'abandoned' | 'denied';
  /** The deprecation message, or the policy's reason (null when it gives none). */
  reason: string | null;
  /** abandoned: the latest version, deprecated as well. */
  latest?: string;
  /** denied: the replacement the policy names. */
  use?: string;
}

function advisory(id: string, name: string, range: string, title: string): Advisory {
  return { id, aliases: [], package: name, title, url: null, severity: id === DENIED_ID ? 'high' : 'moderate', cvss: null, cwe: [], range, patched: [], malicious: false, origin: 'npm' };
}

/** Installed registry versions by package name. */
function installed(graph: DepGraph): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const node of graph.nodes.values()) {
    if (isRegistryLookup(node)) byName.set(node.packageName, (byName.get(node.packageName) ?? new Set()).add(node.version));
  }
  return byName;
}

async function deprecations(byName: Map<string, Set<string>>, client: RegistryClient, options: DeprecationOptions, out: { advisories: Advisory[]; replace: Replacement[] }): Promise<void> {
  const names = [...byName.keys()].filter((name) => !matchesNamePattern(name, options.ignore)).sort();
  // A packument that cannot be had leaves that package unplanned; the deprecated check is where fetching fails closed.
  const packuments = await Promise.all(names.map((name) => client.packument(name).catch(() => null)));
  names.forEach((name, index) => {
    const packument = packuments[index];
    if (!packument) return;
    const deprecated = Object.keys(packument.versions).filter((version) => semver.valid(version) && packument.versions[version]!.deprecated !== null);
    const hit = [...byName.get(name)!].filter((version) => deprecated.includes(version)).sort(semver.compare);
    if (hit.length === 0) return;
    const latest = packument.distTags.latest;
    if (latest !== undefined && packument.versions[latest]?.deprecated) {
      for (const version of hit) out.replace.push({ package: name, version, why: 'abandoned', reason: packument.versions[version]!.deprecated!, latest });
      return;
    }
    out.advisories.push(advisory(DEPRECATED_ID, name, deprecated.sort(semver.compare).join(' || '), `deprecated: ${packument.versions[hit[0]!]!.deprecated}`));
  });
}

function denials(byName: Map<string, Set<string>>, entries: readonly DeniedEntry[], out: { advisories: Advisory[]; replace: Replacement[] }): void {
  for (const [name, versions] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const planned = new Set<string>();
    for (const version of [...versions].sort(semver.compare)) {
      const entry = deniedBy(entries, name, version);
      if (!entry) continue;
      if (entry.range === null) {
        out.replace.push({ package: name, version, why: 'denied', reason: entry.reason, ...(entry.use ? { use: entry.use } : {}) });
      } else if (!planned.has(entry.spec)) {
        planned.add(entry.spec);
        out.advisories.push(advisory(DENIED_ID, name, entry.range, `denied by the policy (${entry.spec})${entry.reason ? `: ${entry.reason}` : ''}`));
      }
    }
  }
}

export async function replacementAdvisories(graph: DepGraph, client: RegistryClient, options: ReplacementOptions): Promise<{ advisories: Advisory[]; replace: Replacement[] }> {
  const out = { advisories: [] as Advisory[], replace: [] as Replacement[] };
  const byName = installed(graph);
  if (options.deprecated) await deprecations(byName, client, options.deprecated, out);
  denials(byName, options.denied, out);
  return out;
}
