// The trend against the previous quarter's snapshot: findings opened and
// closed (matched by the same identity `depguard diff` uses, so reworded
// messages or moved packages do not count as change), and packages added,
// removed or changed version.

import { findingKey } from '../../checks/identity.js';
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

function unmatched(findings: readonly Finding[], others: readonly Finding[]): Finding[] {
  const keys = new Set(others.map(findingKey));
  return findings.filter((finding) => !keys.has(findingKey(finding)));
}

export function trend(current: { result: AuditResult; packages: readonly PackageEntry[] }, previous: ReportDocument): Trend {
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
  const { waived: previousWaived, ...previousCounts } = previous.summary;
  const { waived: currentWaived, ...currentCounts } = current.result.summary;
  return {
    previousDate: previous.report.date,
    previousTool: `${previous.tool.name}@${previous.tool.version}`,
    summary: { previous: { ...previousCounts, waived: previousWaived }, current: { ...currentCounts, waived: currentWaived } },
    packages: { previous: previous.report.packages.length, current: current.packages.length, added, removed, changed },
    opened: unmatched(current.result.findings, previous.findings).map(trendFinding),
    closed: unmatched(previous.findings, current.result.findings).map(trendFinding),
  };
}
