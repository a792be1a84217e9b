// Wording shared by the HTML and markdown reports, so both say the same thing.

import { SEVERITIES, type Severity } from '../model.js';
import type { Behind, DependencyKind, FreshnessEntry, NodeLineStatus, ReportDocument, WaiverStatus } from './report-model.js';

/** A table row as the HTML and markdown reports both fill it: text (each escapes it its own way) and numbers. */
export type LabelRow = Array<string | number>;

/** Findings listed in full at most; the JSON snapshot has them all. */
export const FINDINGS_LISTED = 200;
/** Findings listed per rule in the report's collapsible groups; the rest are counted (every one is in the JSON snapshot). */
export const RULE_ROWS = 50;

export const SEVERITIES_WORST_FIRST: readonly Severity[] = [...SEVERITIES].reverse();

export const KIND_LABEL: Record<DependencyKind, string> = {
  prod: 'production',
  dev: 'development only',
  optional: 'optional',
  'dev-optional': 'development or optional',
  peer: 'peer',
};

export const LINE_STATUS_LABEL: Record<NodeLineStatus['status'], string> = {
  current: 'Current',
  'active-lts': 'Active LTS',
  'maintenance-lts': 'Maintenance LTS',
  maintenance: 'Maintenance (no LTS)',
  upcoming: 'Upcoming',
};

export const WAIVER_STATUS_LABEL: Record<WaiverStatus['status'], string> = {
  active: 'active',
  expiring: 'expires soon',
  expired: 'expired',
  unused: 'unused',
};

export const BEHIND_LABEL: Record<Behind, string> = {
  none: 'up to date',
  ahead: 'ahead of latest',
  patch: 'patch behind',
  prerelease: 'prerelease behind',
  minor: 'minor behind',
  major: 'major behind',
};

export function title(document: ReportDocument): string {
  const { name, version, path } = document.project;
  return name ? `${name}${version ? `@${version}` : ''}` : path;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `in 154 days`, `today`, `12 days ago`. */
export function relativeDays(count: number): string {
  if (count === 0) return 'today';
  return count > 0 ? `in ${plural(count, 'day')}` : `${plural(-count, 'day')} ago`;
}

export function freshnessState(entry: FreshnessEntry): string {
  if (entry.status === 'not-registry') return `not from the registry (${entry.reason ?? 'unknown'})`;
  if (entry.status === 'unavailable') return `unknown (${entry.reason ?? 'registry data unavailable'})`;
  return entry.behind === null ? 'unknown' : BEHIND_LABEL[entry.behind];
}

export function dependencyLabel(entry: FreshnessEntry): string {
  return entry.workspace ? `${entry.dependencyType} of ${entry.workspace}` : entry.dependencyType;
}

/** The runway in one sentence. */
export function runwaySentence(document: ReportDocument): string {
  const runway = document.report.runway;
  const range = runway.engines ? `engines.node "${runway.engines}"` : 'no engines.node (judged against the LTS lines)';
  if (runway.runwayEnd === null) return `${range} admits no supported Node.js line.`;
  const next = runway.nextEnd && runway.nextEnd.end !== runway.runwayEnd ? `; the first, ${runway.nextEnd.line}, ends on ${runway.nextEnd.end} (${relativeDays(runway.nextEnd.daysLeft)})` : '';
  return `${range} stays on a supported line until ${runway.runwayEnd} (${relativeDays(runway.runwayDays ?? 0)})${next}.`;
}

export function freshnessSentence(document: ReportDocument): string {
  const freshness = document.report.freshness;
  if (freshness.status === 'skipped') return `Freshness was not checked: ${freshness.reason ?? 'skipped'}.`;
  const s = freshness.summary;
  const parts = [`${s.current} up to date`, `${s.patch} a patch behind`, `${s.minor} a minor behind`, `${s.major} a major behind`];
  if (s.unknown > 0) parts.push(`${s.unknown} unknown`);
  const stale = s.stale > 0 ? `; ${plural(s.stale, 'package')} with no release in over two years` : '';
  const deprecated = s.deprecated > 0 ? `; ${s.deprecated} deprecated` : '';
  return `Of ${plural(s.direct, 'direct dependency', 'direct dependencies')}: ${parts.join(', ')}${stale}${deprecated}.`;
}

export function signed(count: number): string {
  return count > 0 ? `+${count}` : String(count);
}

export const FRESHNESS_HEADER = ['package', 'type', 'version', 'latest', 'state', 'releases behind', 'days behind', 'last release'];

/** A direct dependency against its latest release, one row of the freshness table. */
export function freshnessRow(entry: FreshnessEntry): LabelRow {
  return [
    entry.name,
    dependencyLabel(entry),
    entry.version,
    entry.latest ?? '—',
    `${freshnessState(entry)}${entry.deprecated !== null ? ', deprecated' : ''}${entry.stale ? ', no release in over two years' : ''}`,
    entry.versionsBehind ?? '—',
    entry.daysBehind ?? '—',
    entry.lastReleaseDays === null ? '—' : `${entry.lastReleaseDays} days ago`,
  ];
}

export const RUNWAY_HEADER = ['line', 'status', 'released', 'LTS from', 'maintenance from', 'end of life', 'admitted by engines.node'];

/** A Node.js release line, one row of the runway table. */
export function runwayRow(line: NodeLineStatus): LabelRow {
  return [
    `${line.line}${line.codename ? ` (${line.codename})` : ''}`,
    LINE_STATUS_LABEL[line.status],
    line.start,
    line.lts ?? '—',
    line.maintenance ?? '—',
    `${line.end} (${relativeDays(line.daysLeft)})`,
    line.admitted === null ? '—' : line.admitted ? 'yes' : 'no',
  ];
}
