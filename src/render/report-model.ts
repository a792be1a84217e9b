// The audit report (`depguard report`): the `check` document plus a `report`
// key holding what a quarterly review needs beyond the findings. The JSON
// form is the snapshot that a later `--previous` reads, so every section is
// plain data, computed by src/commands/report/ and only rendered by the
// renderers beside this file (report-*.ts): the model sits in render/ because
// render comes before commands in the pipeline. schemas/report-snapshot.schema.json
// is its contract; a test validates real documents against it.

import type { AuditResult, Finding, Severity, SourceType } from '../model.js';

/** Bumped only when a key of `report` changes meaning; new keys do not bump it. */
export const REPORT_VERSION = 1;

export type DependencyKind = 'prod' | 'dev' | 'optional' | 'dev-optional' | 'peer';
export type SeverityCounts = Record<Severity, number>;

export interface ReportDocument extends AuditResult {
  report: Report;
}

export interface Report {
  version: typeof REPORT_VERSION;
  /** The day the audit is as of (YYYY-MM-DD): --date, the config's `date`, else the day it ran (UTC). */
  date: string;
  policy: { preset: string; configFile: string | null };
  inventory: Inventory;
  /** Per check, unwaived findings by severity and waived ones (checks without findings are left out). */
  findingsByCheck: Array<{ check: string; counts: SeverityCounts; waived: number }>;
  risky: RiskyPackage[];
  waivers: WaiverStatus[];
  freshness: Freshness;
  runway: Runway;
  /** Every package of the tree (the trend's packages added and removed). */
  packages: PackageEntry[];
  /** Against the --previous snapshot; null without one. */
  trend: Trend | null;
}

export interface PackageEntry {
  name: string;
  version: string;
  location: string;
  kind: DependencyKind;
  source: SourceType;
  /** Shortest distance from the root or a workspace (1: a direct dependency); null when nothing reaches it. */
  depth: number | null;
  license: string | null;
}

export interface Inventory {
  packages: number;
  direct: number;
  transitive: number;
  /** Packages nothing reaches (extraneous lockfile entries). */
  unreachable: number;
  workspaces: number;
  byKind: Record<DependencyKind, number>;
  bySource: Partial<Record<SourceType, number>>;
  byDepth: Array<{ depth: number; packages: number }>;
  /** Packages installed in more than one version, most versions first. */
  duplicates: Array<{ name: string; versions: string[]; copies: number }>;
  /** By licence expression as declared, most used first. */
  licenses: Array<{ license: string; packages: number; spdx: boolean }>;
  /** Packages whose licence is missing, UNLICENSED, a `SEE LICENSE IN` file or not an SPDX expression. */
  licenseProblems: Array<{ name: string; version: string; license: string | null; problem: 'missing' | 'unlicensed' | 'custom' | 'not-spdx' }>;
}

export interface RiskyPackage {
  name: string;
  version: string;
  location: string;
  direct: boolean;
  /** Severity and capability weights added up (see src/commands/report/findings.ts). */
  score: number;
  findings: SeverityCounts;
  rules: string[];
  /** Capabilities with strong evidence (capabilities check). */
  capabilities: string[];
  installScript: boolean;
}

export interface WaiverStatus {
  id: string;
  package: string | null;
  path: string | null;
  reason: string;
  expires: string;
  /** Days from the report date to the expiry day (negative once expired). */
  daysLeft: number;
  /** expiring: within 30 days; unused: matches no finding. */
  status: 'active' | 'expiring' | 'expired' | 'unused';
  /** Findings it waives. */
  waives: number;
}

export type FreshnessStatus = 'ok' | 'unavailable' | 'not-registry';
export type Behind = 'none' | 'patch' | 'minor' | 'major' | 'prerelease' | 'ahead';

export interface FreshnessEntry {
  name: string;
  version: string;
  dependencyType: 'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies';
  /** The workspace that declares it; null for the root. */
  workspace: string | null;
  status: FreshnessStatus;
  /** The registry error code (unavailable) or the source type (not-registry). */
  reason: string | null;
  /** The newest release (dist-tags.latest) published by the report date. */
  latest: string | null;
  behind: Behind | null;
  /** Releases (not prereleases) newer than the resolved version, up to latest. */
  versionsBehind: number | null;
  /** Publish day of the resolved version and of latest. */
  published: string | null;
  latestPublished: string | null;
  /** Days between the two publish days: how old the resolved version was when latest came out. */
  daysBehind: number | null;
  /** Days from the resolved version's publish day to the report date. */
  ageDays: number | null;
  /** Days since the package's newest release (any version, by the report date). */
  lastReleaseDays: number | null;
  /** No release in over two years. */
  stale: boolean;
  deprecated: string | null;
}

export interface Freshness {
  /** skipped: not looked up (offline); incomplete: some packuments could not be had (--allow-incomplete). */
  status: 'complete' | 'incomplete' | 'skipped';
  /** Why it was skipped. */
  reason: string | null;
  staleAfterDays: number;
  packages: FreshnessEntry[];
  summary: { direct: number; current: number; patch: number; minor: number; major: number; stale: number; deprecated: number; unknown: number };
  /** Age of the resolved versions of direct dependencies. */
  ages: Array<{ label: string; packages: number }>;
}

export interface NodeLineStatus {
  line: string;
  codename: string | null;
  status: 'current' | 'active-lts' | 'maintenance-lts' | 'maintenance' | 'upcoming';
  start: string;
  lts: string | null;
  maintenance: string | null;
  end: string;
  daysLeft: number;
  /** Whether the project's engines.node admits the line; null without engines.node. */
  admitted: boolean | null;
}

export interface Runway {
  /** engines.node of the root package.json, as written; null when absent or unreadable. */
  engines: string | null;
  /** Lines supported on the report date, and the next one when it starts within a year. */
  lines: NodeLineStatus[];
  /** End-of-life lines the project still admits. */
  endOfLifeAdmitted: string[];
  /** The latest end-of-life among supported lines the project admits (or among LTS lines without engines.node). */
  runwayEnd: string | null;
  runwayDays: number | null;
  /** The first supported line the project admits to reach end-of-life. */
  nextEnd: { line: string; end: string; daysLeft: number } | null;
}

/** A finding as the trend lists it. */
export interface TrendFinding {
  rule: string;
  severity: Severity;
  package: string | null;
  message: string;
  waived: boolean;
}

export interface Trend {
  previousDate: string;
  previousTool: string;
  summary: { previous: SeverityCounts & { waived: number }; current: SeverityCounts & { waived: number } };
  packages: { previous: number; current: number; added: string[]; removed: string[]; changed: Array<{ name: string; from: string[]; to: string[] }> };
  opened: TrendFinding[];
  closed: TrendFinding[];
}

export const DAY = 86_400_000;

/** Whole days from one YYYY-MM-DD (or ISO instant, taken by its day) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`)) / DAY);
}

export function emptyCounts(): SeverityCounts {
  return { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
}

export function trendFinding(finding: Finding): TrendFinding {
  return {
    rule: finding.rule,
    severity: finding.severity,
    package: finding.package ? (finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name) : null,
    message: finding.message,
    waived: finding.waived !== undefined,
  };
}
