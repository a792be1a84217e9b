// What a change adds to a single cause. A single-cause rule (RuleMeta.group:
// lockfile/foreign-host, insecure-protocol, weak-integrity) gives one finding
// per host, protocol or algorithm, and its identity is the rule and the cause
// without the package (src/checks/identity.ts). Compared by identity alone, a
// pull request that adds a package from a host base already fetched from gives
// no new finding: the one package a reviewer must see would pass unseen.
//
// So a head finding whose cause base already had, but which touches packages
// (name@version) that base's finding did not, gives a new finding narrowed to
// those packages, built from head's per-copy findings exactly as `check`
// groups them (one package: that package's own finding; several: a finding
// with their count). The packages base already had stay matched to the base
// finding. Resolved findings work the other way round: packages that left a
// cause head still has. Waivers were matched on each copy before grouping, so
// a narrowed finding carries the waiver its packages had; its identity (and
// SARIF fingerprint) is the cause's, as in `check`.

import { diffFindings, findingKey, type FindingsDiff } from '../../checks/identity.js';
import { groupRules, type GroupRules } from '../../checks/group-rules.js';
import { affectedPackages, groupFindings } from '../../policy/group.js';
import { compareFindings } from '../../policy/run.js';
import type { Finding } from '../../model.js';

/** One side of the change: its grouped findings and the per-copy findings they were grouped from. */
export interface FindingsSide {
  findings: readonly Finding[];
  copies: readonly Finding[];
}

function waiverKey(finding: Finding): string {
  return JSON.stringify([finding.waived?.id ?? null, finding.waived?.package ?? null]);
}

function sameCause(finding: Finding): string {
  return `${findingKey(finding)}\u0000${waiverKey(finding)}`;
}

/**
 * Findings of `to` whose cause `from` has too, narrowed to the packages `from`
 * did not have under that cause; `evidence.unchanged` counts those it did
 * have, and `note` says so in the message.
 */
function narrowed(from: readonly Finding[], to: FindingsSide, rules: GroupRules, note: (count: number) => string): Finding[] {
  const before = new Map<string, Set<string>>();
  for (const finding of from) {
    if (!rules.has(finding.rule)) continue;
    const key = findingKey(finding);
    const packages = before.get(key) ?? new Set<string>();
    for (const name of affectedPackages(finding)) packages.add(name);
    before.set(key, packages);
  }
  if (before.size === 0) return [];
  // Copies by cause (identity and waiver), computed once: a lockfile can hold thousands.
  const copies = new Map<string, Finding[]>();
  for (const copy of to.copies) {
    if (!rules.has(copy.rule) || !copy.package) continue;
    const key = sameCause(copy);
    copies.set(key, [...(copies.get(key) ?? []), copy]);
  }
  const out: Finding[] = [];
  for (const finding of to.findings) {
    if (!rules.has(finding.rule)) continue;
    const had = before.get(findingKey(finding));
    // A cause `from` never had is new (or resolved) as a whole: diffFindings has it.
    if (!had) continue;
    const affected = affectedPackages(finding);
    const fresh = new Set(affected.filter((name) => !had.has(name)));
    if (fresh.size === 0) continue;
    const members = (copies.get(sameCause(finding)) ?? []).filter((copy) => fresh.has(affectedPackages(copy)[0]!));
    const kept = affected.length - fresh.size;
    for (const narrow of groupFindings(members, rules)) {
      out.push({ ...narrow, message: kept > 0 ? `${narrow.message} (${note(kept)})` : narrow.message, evidence: { ...narrow.evidence, unchanged: kept } });
    }
  }
  return out;
}

/** New and resolved findings between two sides, single causes narrowed to the packages the change moved. */
export function diffCauses(base: FindingsSide, head: FindingsSide, rules: GroupRules = groupRules()): FindingsDiff {
  const whole = diffFindings(base.findings, head.findings);
  const added = narrowed(base.findings, head, rules, (count) => `${count} more already in base`);
  const gone = narrowed(head.findings, base, rules, (count) => `${count} more still in head`);
  return {
    newFindings: added.length === 0 ? whole.newFindings : [...whole.newFindings, ...added].sort(compareFindings),
    resolvedFindings: gone.length === 0 ? whole.resolvedFindings : [...whole.resolvedFindings, ...gone].sort(compareFindings),
  };
}
