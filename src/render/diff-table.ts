// A diff for a terminal or a CI log: new install scripts and capabilities
// first, new findings in a grid, then resolved findings, dependency changes
// and package.json changes as lists, then the summary line.

import Table from 'cli-table3';
import type { DiffReport, ManifestChange } from './diff-model.js';
import type { Finding, Severity } from '../model.js';
import { baseLabel, diffSummaryLine, findingVia, introducedBy, versionChange, type DiffReporter } from './diff-summary.js';
import { packageLabel } from './summary.js';

const COLORS: Record<Severity, string> = { critical: '\u001b[1;35m', high: '\u001b[31m', moderate: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };
const RESET = '\u001b[0m';

function grid(findings: Finding[], paint: (severity: Severity, text: string) => string, width: number, color: boolean): string {
  const table = new Table({
    head: ['severity', 'rule', 'package', 'finding'],
    style: { head: color ? ['bold'] : [], border: [] },
    colWidths: [12, 36, 28, Math.max(30, width - 82)],
    wordWrap: true,
  });
  for (const finding of findings) {
    const via = findingVia(finding, ' > ');
    const severity = finding.waived ? `${finding.severity} (waived)` : finding.severity;
    table.push([paint(finding.severity, severity), finding.rule, packageLabel(finding), via ? `${finding.message}\nvia ${via}` : finding.message]);
  }
  return table.toString();
}

function via(entry: { direct: boolean; paths: string[][] }): string {
  const chain = introducedBy(entry, ' > ');
  return chain === '' || chain === 'direct' ? '' : `  via ${chain}`;
}

function dependencyLines(diff: DiffReport, direct: boolean): string[] {
  const lines: string[] = [];
  for (const entry of diff.added.filter((item) => item.direct === direct)) lines.push(`    + ${entry.name}@${entry.version}  ${entry.kind}${entry.hasInstallScript ? '  install scripts' : ''}${via(entry)}`);
  for (const entry of diff.changed.filter((item) => item.direct === direct)) {
    const mark = entry.change === 'upgraded' ? '↑' : entry.change === 'downgraded' ? '↓' : '~';
    lines.push(`    ${mark} ${entry.name} ${versionChange(entry)}  ${entry.kind}${entry.hasInstallScript ? '  install scripts' : ''}${via(entry)}`);
  }
  for (const entry of diff.removed.filter((item) => item.direct === direct)) lines.push(`    - ${entry.name}@${entry.version}  ${entry.kind}`);
  return lines;
}

function manifestLine(change: ManifestChange): string {
  const values = change.from === null ? (change.to ?? '') : change.to === null ? `${change.from} (removed)` : `${change.from} → ${change.to}`;
  return `  ${change.kind.padEnd(24)} ${change.file}  ${change.field}  ${change.key}: ${values}`;
}

export const diffTable: DiffReporter = (result, options) => {
  const { diff } = result;
  const paint = (severity: Severity, text: string) => (options.color ? `${COLORS[severity]}${text}${RESET}` : text);
  const width = Math.max(80, Math.min(options.width ?? 120, 160));
  const out: string[] = [`depguard diff: ${result.project.name ?? diff.head.path} against ${baseLabel(diff)}`, ''];
  if (diff.installScripts.length > 0) {
    out.push(`New install scripts (${diff.installScripts.length})`);
    for (const entry of diff.installScripts) {
      const approval = entry.approved === true ? 'approved' : entry.approved === false ? 'denied' : result.checks?.['install-scripts'] !== undefined ? 'not approved' : 'not checked';
      out.push(`  ${entry.name}@${entry.version}  ${entry.events?.join(', ') ?? 'install scripts'}  ${approval}${via(entry)}`);
    }
    out.push('');
  }
  const capabilities = diff.newFindings.filter((finding) => finding.check === 'capabilities');
  const others = diff.newFindings.filter((finding) => finding.check !== 'capabilities');
  if (capabilities.length > 0) out.push(`New capabilities (${capabilities.length})`, grid(capabilities, paint, width, options.color), '');
  if (others.length > 0) out.push(`${capabilities.length > 0 ? 'Other new findings' : 'New findings'} (${others.length})`, grid(others, paint, width, options.color), '');
  if (diff.resolvedFindings.length > 0) {
    out.push(`Resolved findings (${diff.resolvedFindings.length})`);
    for (const finding of diff.resolvedFindings) out.push(`  ${finding.severity.padEnd(8)} ${finding.rule}  ${packageLabel(finding)}${finding.advisory ? `  ${finding.advisory.id}` : ''}`);
    out.push('');
  }
  if (diff.added.length + diff.removed.length + diff.changed.length > 0) {
    out.push('Dependencies');
    for (const [title, direct] of [['direct', true], ['transitive', false]] as const) {
      const lines = dependencyLines(diff, direct);
      if (lines.length > 0) out.push(`  ${title}`, ...lines);
    }
    out.push('');
  }
  if (diff.manifest.length > 0) out.push(`package.json changes that matter for security (${diff.manifest.length})`, ...diff.manifest.map(manifestLine), '');
  const diagnostics = result.diagnostics.map((diagnostic) => `${diagnostic.level}: ${diagnostic.message}`);
  out.push(...diagnostics, diffSummaryLine(diff, options.failOn));
  return `${out.join('\n')}\n`;
};
