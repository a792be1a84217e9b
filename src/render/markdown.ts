import { ruleDocs } from '../checks/docs.js';
import { SEVERITIES, type Finding } from '../model.js';
import { packageLabel, summaryLine } from './summary.js';
import type { Reporter } from './types.js';

/** Escapes text for a GitHub-flavoured markdown table cell. */
export function cell(text: string): string {
  return text.replace(/([\\|<>*_`[\]])/g, '\\$1').replace(/\r?\n/g, '<br>');
}

/** A rule id in code, linked to its documentation when the repository is known (src/checks/docs.ts). */
export function ruleLink(rule: string): string {
  const { url } = ruleDocs(rule);
  return url ? `[\`${rule}\`](${url})` : `\`${rule}\``;
}

function row(finding: Finding): string {
  const pkg = packageLabel(finding);
  const path = finding.paths[0] && finding.paths[0].length > 1 ? finding.paths[0].join(' › ') : '';
  return `| ${finding.severity} | ${ruleLink(finding.rule)} | ${cell(pkg)} | ${cell(finding.message)} | ${cell(path)} |`;
}

export const markdown: Reporter = (result, options) => {
  const lines: string[] = [];
  const title = result.project.name ? `${result.project.name}${result.project.version ? `@${result.project.version}` : ''}` : result.project.path;
  lines.push(`## depguard: ${cell(title)}`, '', summaryLine(result, options.failOn), '');
  lines.push('| ' + [...SEVERITIES].reverse().join(' | ') + ' | waived |', '|' + ' ---: |'.repeat(SEVERITIES.length + 1));
  lines.push('| ' + [...SEVERITIES].reverse().map((s) => String(result.summary[s])).join(' | ') + ` | ${result.summary.waived} |`, '');
  const active = result.findings.filter((finding) => !finding.waived);
  const waived = result.findings.filter((finding) => finding.waived);
  if (active.length > 0) {
    lines.push('### Findings', '', '| severity | rule | package | finding | path |', '| --- | --- | --- | --- | --- |', ...active.map(row), '');
  }
  if (waived.length > 0) {
    lines.push('### Waived', '', '| rule | package | reason | expires |', '| --- | --- | --- | --- |');
    for (const finding of waived) {
      const pkg = packageLabel(finding);
      lines.push(`| \`${finding.rule}\` | ${cell(pkg)} | ${cell(finding.waived!.reason)} | ${finding.waived!.expires} |`);
    }
    lines.push('');
  }
  if (result.diagnostics.length > 0) {
    lines.push('### Diagnostics', '', ...result.diagnostics.map((d) => `- ${d.level}: ${cell(d.message)}`), '');
  }
  return `${lines.join('\n')}\n`;
};
