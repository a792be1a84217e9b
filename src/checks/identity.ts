// A finding's identity across the two sides of a change: what makes a head
// finding "the same" as a base finding, so that only what the change
// introduces is new. It must not depend on message text, dependency paths or
// locations in the tree or in a file (line numbers): those churn when
// unrelated things change. It is:
//
//   rule + package name
//   + the package version, only for rules about a version (an unapproved
//     install script of a new version is new code to review)
//   + the advisory id, for advisory findings
//   + the rule's stable evidence fields (IDENTITY below)
//
// Both sides are judged in one run (same policy, same date, same release
// data), so evidence derived from those is the same on both sides; what
// differs is what the change touched.
//
// It sits with the checks because it is defined per rule; diff and report
// (commands) and SARIF fingerprints (render) read it.

import type { Finding } from '../model.js';
import { groupRules } from './group-rules.js';

/** Rules whose findings are one cause (computed on first use: the check registry loads after this module in some import orders). */
let grouped: ReadonlyMap<string, unknown> | null = null;

export interface IdentityRule {
  /** The package version is part of the identity. */
  version?: boolean;
  /** Evidence fields, dotted (`project.range`); `a[].b` maps over an array. */
  evidence: string[];
}

/** By rule id, or by check id for every rule of a check that has no entry of its own. */
export const IDENTITY: Readonly<Record<string, IdentityRule>> = {
  'lockfile/missing': { evidence: [] },
  'lockfile/version-1': { evidence: ['file'] },
  'lockfile/out-of-sync': { evidence: ['reason', 'workspace', 'dependency', 'dependencyType', 'declared'] },
  'lockfile/insecure-protocol': { evidence: ['protocol'] },
  'lockfile/foreign-host': { evidence: ['host'] },
  'lockfile/name-mismatch': { evidence: ['reason', 'urlName'] },
  'lockfile/alias': { evidence: ['alias', 'realName'] },
  'lockfile/missing-integrity': { evidence: ['source'] },
  // A single cause (RuleMeta.group): the algorithm, whatever package or version it touches.
  'lockfile/weak-integrity': { evidence: ['algorithm'] },
  'lockfile/invalid-integrity': { version: true, evidence: [] },
  'lockfile/git-unpinned': { evidence: ['resolved'] },
  'lockfile/unreachable': { version: true, evidence: [] },
  // The spec as written is what pinning judges; the resolved version is not.
  pinning: { evidence: ['dependencyType', 'workspace', 'spec'] },
  'install-scripts/unapproved': { version: true, evidence: ['source'] },
  'install-scripts/denied': { version: true, evidence: [] },
  'install-scripts/unknown': { version: true, evidence: ['reason'] },
  'install-scripts/unpinned-approval': { evidence: ['source', 'field', 'key'] },
  'install-scripts/stale-approval': { evidence: ['source', 'field', 'key', 'reason'] },
  'install-scripts/invalid-approval': { evidence: ['source', 'field', 'key', 'reason'] },
  'engines/missing': { evidence: ['field'] },
  'engines/dependency-excludes': { evidence: ['engines', 'project.range'] },
  // Project-level Node.js sources: which source, in which file (and CI job), about which release lines.
  engines: { evidence: ['reason', 'source', 'file', 'job', 'lines', 'unscheduled', 'reference.source'] },
  // A release's provenance and age are facts about that version: a new version is a new question.
  provenance: { version: true, evidence: [] },
  'release-age': { version: true, evidence: ['cooldown'] },
  // Node.js core vulnerabilities: per source and release line; the CVEs are the same data on both sides.
  'engines/vulnerable-runtime': { evidence: ['source', 'file', 'job', 'line', 'cves'] },
  // Who published a release, its signatures and its tarball's manifest are facts about that version.
  publisher: { version: true, evidence: [] },
  signatures: { version: true, evidence: ['registry', 'keyid', 'reason'] },
  'manifest-confusion': { version: true, evidence: ['differences[].field'] },
  // A lookalike name is about the name, whatever its version.
  typosquat: { evidence: ['intended', 'kind'] },
  'npm-config': { evidence: ['file', 'key', 'url', 'value'] },
  waivers: { evidence: ['waiver.id', 'waiver.package', 'waiver.path'] },
};

/** Evidence keys never part of a fallback identity: they move when unrelated things change. */
const VOLATILE = new Set(['location', 'locations', 'line', 'column', 'paths', 'path', 'version', 'versions', 'resolved', 'integrity', 'message', 'daysLeft', 'installed', 'matches']);

function pick(value: unknown, path: string): unknown {
  const [head, ...rest] = path.split('.');
  if (head === undefined || value === null || typeof value !== 'object') return undefined;
  if (head.endsWith('[]')) {
    const list = (value as Record<string, unknown>)[head.slice(0, -2)];
    if (!Array.isArray(list)) return undefined;
    return rest.length === 0 ? list : list.map((item) => pick(item, rest.join('.')));
  }
  if (!Object.hasOwn(value, head)) return undefined;
  const next = (value as Record<string, unknown>)[head];
  return rest.length === 0 ? next : pick(next, rest.join('.'));
}

/** JSON with sorted keys, so that key order in evidence never matters. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
}

export function identityRule(finding: Finding): IdentityRule | null {
  return IDENTITY[finding.rule] ?? IDENTITY[finding.check] ?? null;
}

/**
 * The identity key of a finding. Advisory findings: rule, package name and
 * advisory id (a vulnerable package upgraded to another vulnerable version
 * still has the same advisory). Rules without an IDENTITY entry (checks added
 * later): rule, package name and the scalar evidence fields except the
 * VOLATILE ones.
 */
export function findingKey(finding: Finding): string {
  // A single cause (a host, a hash algorithm) is one thing however many packages it touches (src/policy/group.ts):
  // neither the package name nor its version, so one package and a group of them have the same identity.
  const single = (grouped ??= groupRules()).has(finding.rule);
  const name = single ? null : (finding.package?.name ?? null);
  if (finding.advisory) return canonical([finding.rule, name, finding.advisory.id]);
  const rule = identityRule(finding);
  if (rule) {
    const version = rule.version && !single ? (finding.package?.version ?? null) : null;
    return canonical([finding.rule, name, version, ...rule.evidence.map((field) => pick(finding.evidence, field) ?? null)]);
  }
  const scalars = Object.entries(finding.evidence)
    .filter(([key, value]) => !VOLATILE.has(key) && (value === null || ['string', 'number', 'boolean'].includes(typeof value)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return canonical([finding.rule, name, null, Object.fromEntries(scalars)]);
}

export interface FindingsDiff {
  newFindings: Finding[];
  resolvedFindings: Finding[];
}

/** New: head findings whose key no base finding has; resolved: the reverse. Order is kept (both lists come sorted). */
export function diffFindings(base: readonly Finding[], head: readonly Finding[]): FindingsDiff {
  const baseKeys = new Set(base.map(findingKey));
  const headKeys = new Set(head.map(findingKey));
  return {
    newFindings: head.filter((finding) => !baseKeys.has(findingKey(finding))),
    resolvedFindings: base.filter((finding) => !headKeys.has(findingKey(finding))),
  };
}
