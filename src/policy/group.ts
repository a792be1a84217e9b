// One finding per thing, not per copy. The checks report what they see on
// every node of the tree (so their own tests stay about detection); before the
// result is put together, `groupFindings` merges:
//
// - copies: findings of one rule about the same package name@version (same
//   advisory, same message, same waiver) become one finding that carries every
//   location (`locations`) and every dependency path;
// - single causes: for a rule whose metadata declares `group` (a foreign host,
//   sha1 integrity, a plain-http protocol), every finding with the same values
//   of the `group.by` evidence fields becomes one project-level finding
//   (`package: null`) with `evidence.count` and the affected packages in
//   `evidence.packages` (name@version, sorted) and `evidence.locations`; a
//   cause that touches one package stays that package's finding.
//
// Stability (see CHANGELOG.md): waivers are matched before grouping, on the
// per-copy findings, exactly as before, and a waived copy is never merged with
// an unwaived one; a merged copy keeps the identity (src/checks/identity.ts)
// and the SARIF fingerprint its first copy had, as neither ever included the
// location. A single-cause rule's identity is its rule and `by` fields
// (`lockfile/foreign-host` + host), whether it touches one package or many;
// `diff` narrows such a finding to the packages a change added to the cause
// (src/commands/diff/causes.ts), so a second package from a host that was
// already foreign is still a new finding about that package.

import { groupRules, type GroupRules } from '../checks/group-rules.js';
import { severityRank, type Finding } from '../model.js';
import { compareStrings } from '../util/compare.js';
import { compareFindings } from './run.js';

function interpolate(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(data, key) ? String(data[key]) : whole));
}

/** The first `limit` items, then "and N more". */
export function listSome(items: readonly string[], limit = 3): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

function label(finding: Finding): string {
  return finding.package ? (finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name) : '';
}

/** The `name@version` of every package a finding is about: its own package, or a single-cause finding's `evidence.packages`. */
export function affectedPackages(finding: Finding): string[] {
  if (finding.package) return [label(finding)];
  const packages = finding.evidence.packages;
  return Array.isArray(packages) ? packages.filter((item): item is string => typeof item === 'string') : [];
}

function mergePaths(into: string[][], seen: Set<string>, paths: readonly string[][]): void {
  for (const path of paths) {
    const key = path.join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    into.push(path);
  }
}

/** Findings of one rule about one package version in several places: one finding with every location and path. */
function mergeCopies(findings: Finding[]): Finding[] {
  const byKey = new Map<string, { finding: Finding; locations: string[]; seen: Set<string> }>();
  const out: Finding[] = [];
  for (const finding of findings) {
    if (!finding.package || !finding.package.location) {
      out.push(finding);
      continue;
    }
    const key = JSON.stringify([finding.rule, finding.package.name, finding.package.version, finding.advisory?.id ?? null, finding.message, finding.waived?.id ?? null, finding.waived?.package ?? null]);
    const group = byKey.get(key);
    if (!group) {
      const merged: Finding = { ...finding, paths: [] };
      const entry = { finding: merged, locations: [finding.package.location], seen: new Set<string>() };
      mergePaths(merged.paths, entry.seen, finding.paths);
      byKey.set(key, entry);
      out.push(merged);
      continue;
    }
    group.locations.push(finding.package.location);
    mergePaths(group.finding.paths, group.seen, finding.paths);
    if (severityRank(finding.severity) > severityRank(group.finding.severity)) group.finding.severity = finding.severity;
  }
  for (const { finding, locations } of byKey.values()) {
    if (locations.length > 1) finding.locations = [...new Set(locations)].sort(compareStrings);
  }
  return out;
}

/** Findings of a grouped rule with the same cause: one project-level finding with a count. */
function mergeCauses(findings: Finding[], rules: GroupRules): Finding[] {
  // A group takes the place of its first member, so the sorted order holds.
  const out: Array<Finding | Finding[]> = [];
  const byKey = new Map<string, Finding[]>();
  for (const finding of findings) {
    const group = rules.get(finding.rule);
    if (!group || !finding.package) {
      out.push(finding);
      continue;
    }
    const key = JSON.stringify([finding.rule, ...group.by.map((field) => finding.evidence[field] ?? null), finding.waived?.id ?? null, finding.waived?.package ?? null]);
    const members = byKey.get(key);
    if (members) members.push(finding);
    else {
      const list = [finding];
      byKey.set(key, list);
      out.push(list);
    }
  }
  return out.map((members) => {
    if (!Array.isArray(members)) return members;
    // One package: the finding as the check reported it (its identity ignores the package: see identity.ts).
    if (new Set(members.map(label)).size === 1) return mergeCopies(members)[0]!;
    const first = members[0]!;
    const group = rules.get(first.rule)!;
    const packages = [...new Set(members.map(label))].sort(compareStrings);
    const locations = [...new Set(members.flatMap((member) => member.locations ?? [member.package!.location]))].sort(compareStrings);
    const severity = members.reduce((worst, member) => (severityRank(member.severity) > severityRank(worst) ? member.severity : worst), first.severity);
    const cause = Object.fromEntries(group.by.map((field) => [field, first.evidence[field] ?? null]));
    const data = { ...cause, count: packages.length, packages: listSome(packages), s: packages.length === 1 ? '' : 's', copies: locations.length };
    const grouped: Finding = {
      check: first.check,
      rule: first.rule,
      severity,
      package: null,
      paths: [],
      message: interpolate(group.message, data),
      evidence: { ...cause, count: packages.length, packages, locations, example: first.evidence },
      ...(first.waived ? { waived: first.waived } : {}),
    };
    return grouped;
  });
}

/** Merges copies, then single causes, and sorts as the engine does. */
export function groupFindings(findings: Finding[], rules: GroupRules = groupRules()): Finding[] {
  return mergeCauses(mergeCopies(findings), rules).sort(compareFindings);
}
