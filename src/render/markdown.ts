// `depguard check --format markdown` (a CI job summary, a pull-request
// comment), and the markdown pieces the report shares: findings grouped by
// rule like the report, worst rule first, counts for every rule, then each
// rule's worst rows in a collapsible <details> (GitHub renders it; no script)
// with the worst rule open. Rows per rule: MARKDOWN_ROWS, --limit, --all.

import { ruleDocs } from '../checks/docs.js';
import { SEVERITIES, type Finding } from '../model.js';
import { countsText, packageLabel, ruleListings, summaryLine, type RuleListing } from './summary.js';
import type { Reporter } from './types.js';

/** Rows listed per rule unless --limit or --all says otherwise: enough to act on, short enough to scroll past. */
export const MARKDOWN_ROWS = 10;

const WORST_FIRST = [...SEVERITIES].reverse();

/** Escapes text for a GitHub-flavoured markdown table cell. */
export function cell(text: string): string {
  return text.replace(/([\\|<>*_`[\]])/g, '\\$1').replace(/\r?\n/g, '<br>');
}

/** Escapes text outside tables (a `|` is plain text there). */
export function inline(text: string): string {
  return text.replace(/([\\*_`<>[\]])/g, '\\$1');
}

/** A rule id in code, linked to its documentation when the repository is known (src/checks/docs.ts). */
export function ruleLink(rule: string): string {
  const { url } = ruleDocs(rule);
  return url ? `[\`${rule}\`](${url})` : `\`${rule}\``;
}

/** A rule id in a <summary> (HTML, where markdown links do not render), linked to its documentation when the repository is known. */
export function ruleSummary(rule: string): string {
  const { url } = ruleDocs(rule);
  const code = `<code>${inline(rule)}</code>`;
  return url ? `<a href="${url}">${code}</a>` : code;
}

/** One rule as a collapsible block: its id and counts in the summary, then `body` (markdown: the blank line after <summary> lets GitHub render it). */
export function ruleDetails(listing: RuleListing, body: string[], open = false): string[] {
  return [open ? '<details open>' : '<details>', `<summary>${ruleSummary(listing.rule)}: ${countsText(listing.counts)}</summary>`, '', ...body, '</details>', ''];
}

function row(finding: Finding): string {
  const pkg = packageLabel(finding);
  const path = finding.paths[0] && finding.paths[0].length > 1 ? finding.paths[0].join(' › ') : '';
  return `| ${finding.severity} | ${cell(pkg)} | ${cell(finding.message)} | ${cell(path)} |`;
}

function counts(listings: RuleListing[]): string[] {
  const header = `| rule | ${WORST_FIRST.join(' | ')} |`;
  const delimiter = `| --- |${' ---: |'.repeat(WORST_FIRST.length)}`;
  return [header, delimiter, ...listings.map((listing) => `| ${ruleLink(listing.rule)} | ${WORST_FIRST.map((severity) => (listing.counts[severity] > 0 ? String(listing.counts[severity]) : '·')).join(' | ')} |`), ''];
}

function rules(listings: RuleListing[]): string[] {
  return listings.flatMap((listing, index) => {
    const body = listing.shown.length > 0 ? ['| severity | package | finding | path |', '| --- | --- | --- | --- |', ...listing.shown.map(row), ''] : [];
    if (listing.hidden > 0) body.push(`${listing.hidden} more not listed here (\`--limit <n>\`, \`--all\`); \`depguard check --format json\` lists every one.`, '');
    return ruleDetails(listing, body, index === 0);
  });
}

export const markdown: Reporter = (result, options) => {
  const lines: string[] = [];
  const title = result.project.name ? `${result.project.name}${result.project.version ? `@${result.project.version}` : ''}` : result.project.path;
  lines.push(`## depguard: ${cell(title)}`, '', summaryLine(result, options.failOn), '');
  lines.push(`| ${WORST_FIRST.join(' | ')} | waived |`, '|' + ' ---: |'.repeat(SEVERITIES.length + 1));
  lines.push(`| ${WORST_FIRST.map((s) => String(result.summary[s])).join(' | ')} | ${result.summary.waived} |`, '');
  const listings = ruleListings(result.findings, options.limit === undefined ? MARKDOWN_ROWS : options.limit);
  if (listings.length > 0) lines.push('### Findings by rule', '', ...counts(listings), ...rules(listings));
  const waived = result.findings.filter((finding) => finding.waived);
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
