// What every diff format says the same way: the gate (new findings only),
// the counts, how a change and a base are named. Pure functions.

import type { ChangedPackage, DiffReport, DiffResult } from './diff-model.js';
import { SEVERITIES, type Finding, type Severity } from '../model.js';
import type { ReportOptions } from './types.js';
import { failingFindings } from '../policy/gate.js';

export interface DiffReportOptions extends ReportOptions {
  /** Hidden marker the markdown starts with, so a PR comment can be found again (src/cli/github/). */
  marker?: string;
  /** Markdown: at most this many characters (default 65,000, under GitHub's comment limit). */
  limit?: number;
}

/** A diff reporter is a pure function of the diff result. */
export type DiffReporter = (result: DiffResult, options: DiffReportOptions) => string;

/** New findings that fail the gate (src/policy/gate.ts): `diff` gates on what the change introduces only. */
export function failingNew(diff: DiffReport, failOn: Severity | 'none'): Finding[] {
  return failingFindings(diff.newFindings, failOn);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `3 new findings (1 high, 2 low), 1 waived` from the summary (all of them, whatever --min-severity hides). */
export function newFindingsLabel(diff: DiffReport): string {
  const counts = diff.summary.newFindings;
  const total = SEVERITIES.reduce((sum, severity) => sum + counts[severity], 0);
  const parts = [...SEVERITIES]
    .reverse()
    .filter((severity) => counts[severity] > 0)
    .map((severity) => `${counts[severity]} ${severity}`);
  const waived = counts.waived > 0 ? `, ${counts.waived} waived` : '';
  return total === 0 ? `no new findings${waived}` : `${plural(total, 'new finding')} (${parts.join(', ')})${waived}`;
}

export function packagesLabel(diff: DiffReport): string {
  const { added, removed, upgraded, downgraded } = diff.summary;
  const other = diff.summary.changed - upgraded - downgraded;
  return `${added} added, ${removed} removed, ${upgraded} upgraded, ${downgraded} downgraded${other > 0 ? `, ${other} changed` : ''}`;
}

/** The base as given: `origin/main (1a2b3c4d)`, or the folder. */
export function baseLabel(diff: DiffReport): string {
  const { base } = diff;
  if (base.ref === null) return base.path;
  return base.commit && !base.commit.startsWith(base.ref) ? `${base.ref} (${base.commit.slice(0, 8)})` : base.ref;
}

/** The gate's verdict in words. */
export function verdict(diff: DiffReport, failOn: Severity | 'none'): { failing: number; text: string } {
  const failing = failingNew(diff, failOn).length;
  if (failOn === 'none') return { failing: 0, text: 'not gating (--fail-on none)' };
  return failing > 0 ? { failing, text: `FAIL: this change adds ${plural(failing, 'finding')} at or above ${failOn}` } : { failing, text: `pass: no new finding at or above ${failOn}` };
}

/** One line for stderr and the table: new and resolved findings, packages, verdict. */
export function diffSummaryLine(diff: DiffReport, failOn: Severity | 'none'): string {
  return `${newFindingsLabel(diff)}, ${diff.summary.resolvedFindings} resolved; packages: ${packagesLabel(diff)}; ${verdict(diff, failOn).text}`;
}

/** `1.0.0 → 2.0.0` for a changed package. */
export function versionChange(change: Pick<ChangedPackage, 'from' | 'to'>): string {
  return `${change.from.join(', ') || '(kept)'} → ${change.to.join(', ') || '(none)'}`;
}

/** `via a@1.0.0 › b@2.0.0`, or `direct`, for the first dependency path. */
export function introducedBy(entry: { direct: boolean; paths: string[][] }, separator = ' › '): string {
  if (entry.direct) return 'direct';
  const first = entry.paths[0];
  if (!first || first.length <= 1) return '';
  return first.slice(0, -1).join(separator);
}

/** For a finding: the chain above its package. */
export function findingVia(finding: Finding, separator = ' › '): string {
  const first = finding.paths[0];
  if (!first || first.length <= 1) return '';
  return first.slice(0, -1).join(separator);
}

/**
 * The checks whose findings are supply-chain signals about a package itself
 * (a lookalike name, a new publisher, a bad signature, a tarball that
 * contradicts its registry manifest): on a package a change adds or
 * upgrades, they are what a reviewer reads first.
 */
export const SIGNAL_CHECKS: ReadonlySet<string> = new Set(['typosquat', 'publisher', 'signatures', 'manifest-confusion']);

/** The new findings that are signals on packages this change adds or changes (head's versions), in report order. */
export function newPackageSignals(diff: DiffReport): Finding[] {
  const added = new Set([...diff.added.map((entry) => `${entry.name}@${entry.version}`), ...diff.changed.flatMap((entry) => entry.to.map((version) => `${entry.name}@${version}`))]);
  return diff.newFindings.filter((finding) => SIGNAL_CHECKS.has(finding.check) && finding.package !== null && added.has(`${finding.package.name}@${finding.package.version}`));
}
