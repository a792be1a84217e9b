import { SEVERITIES, severityRank, type AuditResult, type Finding, type Severity } from '../model.js';
import { failingFindings } from '../policy/gate.js';

/** `name@version`, just `name` for a declared dependency with no resolved version, `(project)` for project-level findings. */
export function packageLabel(finding: Finding): string {
  if (!finding.package) return '(project)';
  return finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name;
}

/** How many findings fail the gate (src/policy/gate.ts), for the verdict. */
export function failingCount(result: AuditResult, failOn: Severity | 'none'): number {
  return failingFindings(result.findings, failOn).length;
}

/** One line: counts by severity, waived, packages, and the verdict against --fail-on. */
export function summaryLine(result: AuditResult, failOn: Severity | 'none'): string {
  const parts = [...SEVERITIES]
    .reverse()
    .filter((severity) => result.summary[severity] > 0)
    .map((severity) => `${result.summary[severity]} ${severity}`);
  const total = SEVERITIES.reduce((sum, severity) => sum + result.summary[severity], 0);
  const counts = total === 0 ? 'no findings' : `${total} finding${total === 1 ? '' : 's'} (${parts.join(', ')})`;
  const waived = result.summary.waived > 0 ? `, ${result.summary.waived} waived` : '';
  const failing = failingCount(result, failOn);
  const verdict = failOn === 'none' ? 'not gating (--fail-on none)' : failing > 0 ? `FAIL: ${failing} at or above ${failOn}` : `pass: none at or above ${failOn}`;
  return `${counts}${waived} in ${result.project.packageCount} packages; ${verdict}${notChecked(result)}`;
}

/**
 * What the run did not look at, so that "pass" never reads as "nothing
 * known-vulnerable" when advisories were not asked: checks of the default
 * gate that were skipped (and why) and checks that could not run.
 */
export function notChecked(result: AuditResult): string {
  const parts: string[] = [];
  // An optional advisory source that could not be reached must not read as "no vulnerabilities".
  const advisories = result.checks?.advisories as { checked?: boolean; unchecked?: string[] } | undefined;
  if (advisories?.checked === false) parts.push('advisories NOT checked (source unreachable, --advisories optional)');
  const unchecked = advisories?.unchecked?.length ?? 0;
  if (unchecked > 0) parts.push(`advisories NOT checked for ${unchecked} package${unchecked === 1 ? '' : 's'} from registries that are not public`);
  const skipped = result.skipped ?? [];
  if (skipped.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const entry of skipped) byReason.set(entry.reason, [...(byReason.get(entry.reason) ?? []), entry.check]);
    parts.push(`not run: ${[...byReason].map(([reason, checks]) => `${checks.join(', ')} (${reason})`).join(', ')}`);
  }
  return parts.map((part) => `; ${part}`).join('');
}

/** A rule's findings, with their counts by severity. */
export interface RuleGroup {
  rule: string;
  check: string;
  findings: Finding[];
  counts: Record<Severity, number>;
  /** severityRank of the worst finding. */
  worst: number;
}

/** Findings by rule, worst rule first: by its worst finding, then by how many findings, then by id; findings keep their order. */
export function findingsByRule(findings: readonly Finding[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const finding of findings) {
    let group = groups.get(finding.rule);
    if (!group) groups.set(finding.rule, (group = { rule: finding.rule, check: finding.check, findings: [], counts: { info: 0, low: 0, moderate: 0, high: 0, critical: 0 }, worst: -1 }));
    group.findings.push(finding);
    group.counts[finding.severity]++;
    group.worst = Math.max(group.worst, severityRank(finding.severity));
  }
  return [...groups.values()].sort((a, b) => b.worst - a.worst || b.findings.length - a.findings.length || (a.rule < b.rule ? -1 : 1));
}

/** A rule's findings as a listing shows them: the first rows, and how many it leaves out. */
export interface RuleListing extends RuleGroup {
  shown: Finding[];
  hidden: number;
}

/**
 * Unwaived findings by rule, worst rule first (findingsByRule), each cut to
 * `rows` rows (null: every one): the grouping that check's markdown and the
 * markdown and HTML reports list, each rule under its counts.
 */
export function ruleListings(findings: readonly Finding[], rows: number | null): RuleListing[] {
  return findingsByRule(findings.filter((finding) => !finding.waived)).map((group) => {
    const shown = rows === null ? group.findings : group.findings.slice(0, rows);
    return { ...group, shown, hidden: group.findings.length - shown.length };
  });
}

/** `2 high, 38 moderate`: the non-zero counts, worst first. */
export function countsText(counts: Record<Severity, number>): string {
  return [...SEVERITIES].reverse().filter((severity) => counts[severity] > 0).map((severity) => `${counts[severity]} ${severity}`).join(', ');
}
