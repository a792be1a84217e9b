// The CI gate: the findings that fail a run at --fail-on. One definition for
// every command: the CLI turns their count into the exit code
// (src/cli/output.ts deliver), the renderers print the same verdict.

import { severityRank, type Finding, type Severity } from '../model.js';

export type FailOn = Severity | 'none';

/** Unwaived findings at or above the threshold (none for `--fail-on none`). */
export function failingFindings(findings: readonly Finding[], failOn: FailOn): Finding[] {
  if (failOn === 'none') return [];
  const threshold = severityRank(failOn);
  return findings.filter((finding) => !finding.waived && severityRank(finding.severity) >= threshold);
}
