// The trend against the previous quarter's snapshot: findings opened and
// closed (matched by the same identity `depguard diff` uses, so reworded
// messages or moved packages do not count as change), and packages added,
// removed or changed version. As in diff, a single cause the previous report
// already had (a foreign host) is opened again, narrowed to the packages this
// quarter added to it (src/commands/diff/causes.ts); closing is by identity
// alone, since a snapshot keeps its grouped findings, not the per-copy ones.

import { diffCauses } from '../diff/causes.js';
import type { AuditResult, Finding } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { compareVersions } from './inventory.js';
import { trendFinding, type PackageEntry, type ReportDocument, type Trend } from '../../render/report-model.js';

function versionsByName(packages: readonly Pick<PackageEntry, 'name' | 'version'>[]): Map<string, Set<string>> {
  const byName = new Map<string, Set<string>>();
  for (const { name, version } of packages) {
    const versions = byName.get(name) ?? new Set<string>();
    versions.add(version);
    byName.set(name, versions);
  }
  return byName;
}

/** `copies`: the current audit's per-copy findings (AuditOutcome.copies), for single causes. */
export function trend(current: { result: AuditResult; packages: readonly PackageEntry[]; copies?: readonly Finding[] }, previous: ReportDocument): Trend {
  const before = versionsByName(previous.report.packages);
  const after = versionsByName(current.packages);
  const added: string[] = [];
  const removed: string[] = [];
  const changed: Trend['packages']['changed'] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings)) {
    const from = [...(before.get(name) ?? [])].sort(compareVersions);
    const to = [...(after.get(name) ?? [])].sort(compareVersions);
    if (from.length === 0) added.push(...to.map((version) => `${name}@${version}`));
    else if (to.length === 0) removed.push(...from.map((version) => `${name}@${version}`));
    else if (from.join('\u0000') !== to.join('\u0000')) changed.push({ name, from, to });
  }
  const findings = diffCauses({ findings: previous.findings, copies: [] }, { findings: current.result.findings, copies: current.copies ?? [] });
  const { waived: previousWaived, ...previousCounts } = previous.summary;
  const { waived: currentWaived, ...currentCounts } = current.result.summary;
  return {
    previousDate: previous.report.date,
    previousTool: `${previous.tool.name}@${previous.tool.version}`,
    summary: { previous: { ...previousCounts, waived: previousWaived }, current: { ...currentCounts, waived: currentWaived } },
    packages: { previous: previous.report.packages.length, current: current.packages.length, added, removed, changed },
    opened: findings.newFindings.map(trendFinding),
    closed: findings.resolvedFindings.map(trendFinding),
  };
}
