// The findings seen from above: counts per check, the packages that carry the
// most risk, and the state of every waiver on the report date.

import type { Waiver } from '../../policy/load.js';
import { isExpired } from '../../policy/waivers.js';
import { SEVERITIES, type AuditResult, type DepGraph, type Finding, type Severity, type WaiverRef } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { daysBetween, emptyCounts, type PackageEntry, type Report, type RiskyPackage, type WaiverStatus } from '../../render/report-model.js';

/** Waivers expiring within this many days are flagged as expiring. */
export const EXPIRING_DAYS = 30;
export const RISKY_LISTED = 10;

/**
 * Risk weights: a finding counts by its severity; a capability with strong
 * evidence by how much harm it enables (obfuscation hides intent, a shell or
 * code built at run time can do anything, native code is opaque to review).
 */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { info: 1, low: 3, moderate: 8, high: 20, critical: 40 };
export const CAPABILITY_WEIGHT: Readonly<Record<string, number>> = {
  obfuscation: 10,
  shell: 6,
  'dynamic-code': 6,
  native: 4,
  'install-time': 4,
  network: 2,
  filesystem: 1,
  environment: 1,
};
/** A package that runs install scripts without the capabilities check saying so. */
export const INSTALL_SCRIPT_WEIGHT = 4;

export function findingsByCheck(findings: readonly Finding[]): Report['findingsByCheck'] {
  const byCheck = new Map<string, { check: string; counts: ReturnType<typeof emptyCounts>; waived: number }>();
  for (const finding of findings) {
    let entry = byCheck.get(finding.check);
    if (!entry) byCheck.set(finding.check, (entry = { check: finding.check, counts: emptyCounts(), waived: 0 }));
    if (finding.waived) entry.waived++;
    else entry.counts[finding.severity]++;
  }
  return [...byCheck.values()].sort((a, b) => compareStrings(a.check, b.check));
}

interface CapabilityRecord {
  location?: unknown;
  capabilities?: Record<string, { strong?: unknown; allowedBy?: unknown } | undefined>;
}

/** Capabilities with strong evidence and no allowlist entry, by location (from the capabilities check's inventory, when it ran). */
function capabilitiesByLocation(result: AuditResult): Map<string, string[]> {
  const byLocation = new Map<string, string[]>();
  const packages = result.checks?.capabilities?.packages;
  if (!Array.isArray(packages)) return byLocation;
  for (const record of packages as CapabilityRecord[]) {
    if (typeof record?.location !== 'string' || !record.capabilities) continue;
    const strong = Object.entries(record.capabilities)
      .filter(([, summary]) => typeof summary?.strong === 'number' && summary.strong > 0 && summary.allowedBy === undefined)
      .map(([capability]) => capability)
      .sort(compareStrings);
    if (strong.length > 0) byLocation.set(record.location, strong);
  }
  return byLocation;
}

/** The packages with the highest risk score, at most `limit`. */
export function riskyPackages(result: AuditResult, graph: DepGraph, packages: readonly PackageEntry[], limit = RISKY_LISTED): RiskyPackage[] {
  const capabilities = capabilitiesByLocation(result);
  const byLocation = new Map<string, RiskyPackage>();
  const listedAt = new Map(packages.map((listed) => [listed.location, listed] as const));
  const entry = (location: string): RiskyPackage | null => {
    const known = byLocation.get(location);
    if (known) return known;
    const node = graph.nodes.get(location);
    const listed = listedAt.get(location);
    if (!node || !listed) return null;
    const created: RiskyPackage = {
      name: listed.name,
      version: listed.version,
      location,
      direct: listed.depth === 1,
      score: 0,
      findings: emptyCounts(),
      rules: [],
      capabilities: capabilities.get(location) ?? [],
      installScript: node.hasInstallScript,
    };
    byLocation.set(location, created);
    return created;
  };
  for (const finding of result.findings) {
    if (finding.waived || !finding.package || finding.package.location === '') continue;
    const risky = entry(finding.package.location);
    if (!risky) continue;
    risky.findings[finding.severity]++;
    if (!risky.rules.includes(finding.rule)) risky.rules.push(finding.rule);
  }
  for (const location of capabilities.keys()) entry(location);
  for (const node of graph.nodes.values()) if (node.hasInstallScript && node.location !== '' && !node.isWorkspace) entry(node.location);
  for (const risky of byLocation.values()) {
    risky.rules.sort(compareStrings);
    risky.score =
      SEVERITIES.reduce((sum, severity) => sum + risky.findings[severity] * SEVERITY_WEIGHT[severity], 0) +
      risky.capabilities.reduce((sum, capability) => sum + (CAPABILITY_WEIGHT[capability] ?? 1), 0) +
      (risky.installScript && !risky.capabilities.includes('install-time') ? INSTALL_SCRIPT_WEIGHT : 0);
  }
  return [...byLocation.values()]
    .filter((risky) => risky.score > 0)
    .sort((a, b) => b.score - a.score || compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.location, b.location))
    .slice(0, limit);
}

function sameWaiver(ref: WaiverRef | undefined, waiver: Waiver): boolean {
  return ref !== undefined && ref.id === waiver.id && (ref.package ?? null) === (waiver.package ?? null) && (ref.path ?? null) === (waiver.path ?? null) && ref.expires === waiver.expires && ref.reason === waiver.reason;
}

/** Every waiver of the config with its state on the report date, soonest expiry first. */
export function waiverStatuses(waivers: readonly Waiver[], findings: readonly Finding[], today: string): WaiverStatus[] {
  return waivers
    .map((waiver): WaiverStatus => {
      const waives = findings.filter((finding) => sameWaiver(finding.waived, waiver)).length;
      const unused = findings.some((finding) => finding.rule === 'waivers/unused' && sameWaiver(finding.evidence.waiver as WaiverRef | undefined, waiver));
      const daysLeft = daysBetween(today, waiver.expires);
      const status = isExpired(waiver, today) ? 'expired' : unused ? 'unused' : daysLeft <= EXPIRING_DAYS ? 'expiring' : 'active';
      return { id: waiver.id, package: waiver.package ?? null, path: waiver.path ?? null, reason: waiver.reason, expires: waiver.expires, daysLeft, status, waives };
    })
    .sort((a, b) => compareStrings(a.expires, b.expires) || compareStrings(a.id, b.id) || compareStrings(a.package ?? '', b.package ?? ''));
}
