// `depguard report --format markdown`: the audit report as GitHub-flavoured
// markdown, the same sections as the HTML report without the charts. Pure:
// the report document in, text out.

import {
  FINDINGS_LISTED,
  freshnessSentence,
  KIND_LABEL,
  plural,
  relativeDays,
  RULE_ROWS,
  runwaySentence,
  SEVERITIES_WORST_FIRST,
  signed,
  title,
  WAIVER_STATUS_LABEL,
  FRESHNESS_HEADER,
  freshnessRow,
  RUNWAY_HEADER,
  runwayRow,
  type LabelRow,
} from './report-labels.js';
import type { DependencyKind, ReportDocument, TrendFinding } from './report-model.js';
import { cell, inline, ruleDetails, ruleLink } from './markdown.js';
import { packageLabel, ruleListings, summaryLine } from './summary.js';
import type { ReportOptions } from './types.js';

type Row = LabelRow;

function table(header: string[], rows: Row[], align: Array<'left' | 'right'> = []): string[] {
  const delimiter = header.map((_, index) => (align[index] === 'right' ? ' ---: ' : ' --- '));
  return [`| ${header.join(' | ')} |`, `|${delimiter.join('|')}|`, ...rows.map((row) => `| ${row.map((value) => (typeof value === 'number' ? String(value) : value)).join(' | ')} |`), ''];
}

/** A shared row (report-labels.ts) with its text escaped for a table cell. */
function cells(row: LabelRow): Row {
  return row.map((value) => (typeof value === 'string' ? cell(value) : value));
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

/** A line saying how many rows a long list left out (they are all in the JSON snapshot). */
function more(total: number, what: string): string[] {
  return total > FINDINGS_LISTED ? [`${total - FINDINGS_LISTED} more ${what} are in the JSON snapshot.`, ''] : [];
}

function trendRows(findings: TrendFinding[]): Row[] {
  return findings.map((finding) => [finding.severity, ruleLink(finding.rule), cell(finding.package ?? '(project)'), cell(finding.message)]);
}

export function reportMarkdown(document: ReportDocument, options: Pick<ReportOptions, 'failOn'>): string {
  const { report } = document;
  const lines: string[] = [];
  lines.push(`# Dependency audit: ${inline(title(document))}`, '');
  lines.push(`As of ${report.date} · depguard ${document.tool.version} · policy ${code(report.policy.preset)}${report.policy.configFile ? ` with ${code(report.policy.configFile)}` : ''}`, '');

  lines.push('## Summary', '');
  lines.push(`- ${summaryLine(document, options.failOn)}`);
  lines.push(`- ${plural(report.inventory.packages, 'package')}: ${report.inventory.direct} direct, ${report.inventory.transitive} transitive${report.inventory.unreachable > 0 ? `, ${report.inventory.unreachable} unreachable` : ''}`);
  lines.push(`- ${freshnessSentence(document)}`);
  lines.push(`- Node.js: ${inline(runwaySentence(document))}`);
  const expiring = report.waivers.filter((waiver) => waiver.status === 'expiring' || waiver.status === 'expired');
  lines.push(`- Waivers: ${report.waivers.length}${expiring.length > 0 ? ` (${expiring.length} expired or expiring within 30 days)` : ''}`, '');

  if (report.trend) {
    const trend = report.trend;
    lines.push(`## Since ${trend.previousDate}`, '');
    lines.push(
      ...table(
        ['', ...SEVERITIES_WORST_FIRST, 'waived', 'packages'],
        [
          [trend.previousDate, ...SEVERITIES_WORST_FIRST.map((severity) => trend.summary.previous[severity]), trend.summary.previous.waived, trend.packages.previous],
          [report.date, ...SEVERITIES_WORST_FIRST.map((severity) => trend.summary.current[severity]), trend.summary.current.waived, trend.packages.current],
          ['change', ...SEVERITIES_WORST_FIRST.map((severity) => signed(trend.summary.current[severity] - trend.summary.previous[severity])), signed(trend.summary.current.waived - trend.summary.previous.waived), signed(trend.packages.current - trend.packages.previous)],
        ],
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    lines.push(`Findings opened: ${trend.opened.length}; closed: ${trend.closed.length}. Packages added: ${trend.packages.added.length}; removed: ${trend.packages.removed.length}; changed version: ${trend.packages.changed.length}.`, '');
    if (trend.opened.length > 0) lines.push('### Opened', '', ...table(['severity', 'rule', 'package', 'finding'], trendRows(trend.opened.slice(0, FINDINGS_LISTED))), ...more(trend.opened.length, 'opened findings'));
    if (trend.closed.length > 0) lines.push('### Closed', '', ...table(['severity', 'rule', 'package', 'finding'], trendRows(trend.closed.slice(0, FINDINGS_LISTED))), ...more(trend.closed.length, 'closed findings'));
    const changes: Row[] = [
      ...trend.packages.added.map((label): Row => ['added', cell(label)]),
      ...trend.packages.removed.map((label): Row => ['removed', cell(label)]),
      ...trend.packages.changed.map((change): Row => ['changed', cell(`${change.name} ${change.from.join(', ')} → ${change.to.join(', ')}`)]),
    ];
    if (changes.length > 0) lines.push('### Package changes', '', ...table(['change', 'package'], changes.slice(0, FINDINGS_LISTED)), ...more(changes.length, 'package changes'));
  }

  lines.push('## Findings', '');
  if (report.findingsByCheck.length === 0) lines.push('No findings.', '');
  else {
    lines.push(
      ...table(
        ['check', ...SEVERITIES_WORST_FIRST, 'waived'],
        report.findingsByCheck.map((entry) => [code(entry.check), ...SEVERITIES_WORST_FIRST.map((severity) => entry.counts[severity]), entry.waived]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    // By rule, worst first, each collapsible (<details>: GitHub renders it, no script), its counts in the summary.
    for (const listing of ruleListings(document.findings, RULE_ROWS)) {
      const body = table(['severity', 'package', 'finding'], listing.shown.map((finding) => [finding.severity, cell(packageLabel(finding)), cell(finding.message)]));
      if (listing.hidden > 0) body.push(`${listing.hidden} more ${listing.rule} findings are in the JSON snapshot.`, '');
      lines.push(...ruleDetails(listing, body));
    }
  }

  lines.push('## Riskiest packages', '');
  if (report.risky.length === 0) lines.push('No package has findings, install scripts or capabilities worth ranking.', '');
  else {
    lines.push('Score: each unwaived finding by severity (critical 40, high 20, moderate 8, low 3, info 1), plus capabilities with strong evidence (obfuscation 10, shell and dynamic code 6, native code and install-time code 4, network 2, files and environment 1) and install scripts (4).', '');
    lines.push(
      ...table(
        ['package', 'score', 'findings', 'rules', 'capabilities', 'direct'],
        report.risky.map((risky) => [
          cell(`${risky.name}@${risky.version}`),
          risky.score,
          SEVERITIES_WORST_FIRST.filter((severity) => risky.findings[severity] > 0).map((severity) => `${risky.findings[severity]} ${severity}`).join(', ') || '—',
          risky.rules.map(code).join(', ') || '—',
          [...risky.capabilities, ...(risky.installScript && !risky.capabilities.includes('install-time') ? ['install script'] : [])].join(', ') || '—',
          risky.direct ? 'yes' : 'no',
        ]),
        ['left', 'right'],
      ),
    );
  }

  lines.push('## Waivers', '');
  if (report.waivers.length === 0) lines.push('The config has no waivers.', '');
  else {
    lines.push(
      ...table(
        ['waiver', 'package', 'status', 'expires', 'waives', 'reason'],
        report.waivers.map((waiver) => [
          code(waiver.id),
          cell([waiver.package, waiver.path ? `path ${waiver.path}` : null].filter(Boolean).join(', ') || 'any'),
          WAIVER_STATUS_LABEL[waiver.status],
          `${waiver.expires} (${relativeDays(waiver.daysLeft)})`,
          waiver.waives,
          cell(waiver.reason),
        ]),
        ['left', 'left', 'left', 'left', 'right'],
      ),
    );
  }

  lines.push('## Freshness of direct dependencies', '', freshnessSentence(document), '');
  if (report.freshness.packages.length > 0) {
    lines.push(
      ...table(
        FRESHNESS_HEADER,
        report.freshness.packages.map((entry) => cells(freshnessRow(entry))),
        ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right'],
      ),
    );
    if (report.freshness.ages.length > 0) lines.push(`Age of the resolved versions: ${report.freshness.ages.map((age) => `${age.label}: ${age.packages}`).join('; ')}.`, '');
  }

  lines.push('## Node.js runway', '', inline(runwaySentence(document)), '');
  lines.push(
    ...table(
      RUNWAY_HEADER,
      report.runway.lines.map(runwayRow),
    ),
  );
  if (report.runway.endOfLifeAdmitted.length > 0) lines.push(`engines.node still admits end-of-life lines: ${report.runway.endOfLifeAdmitted.join(', ')}.`, '');

  const inventory = report.inventory;
  lines.push('## Inventory', '');
  lines.push(
    ...table(
      ['dependency type', 'packages'],
      (Object.keys(KIND_LABEL) as DependencyKind[]).filter((kind) => inventory.byKind[kind] > 0).map((kind) => [KIND_LABEL[kind], inventory.byKind[kind]]),
      ['left', 'right'],
    ),
  );
  lines.push(...table(['depth', 'packages'], inventory.byDepth.map((entry) => [entry.depth === 1 ? '1 (direct)' : String(entry.depth), entry.packages]), ['left', 'right']));
  lines.push(`Sources: ${Object.entries(inventory.bySource).map(([source, count]) => `${source} ${count}`).join(', ') || 'none'}.${inventory.workspaces > 0 ? ` Workspaces: ${inventory.workspaces}.` : ''}`, '');
  lines.push('### Packages in several versions', '');
  if (inventory.duplicates.length === 0) lines.push('None.', '');
  else lines.push(...table(['package', 'versions', 'copies'], inventory.duplicates.slice(0, FINDINGS_LISTED).map((entry) => [cell(entry.name), cell(entry.versions.join(', ')), entry.copies]), ['left', 'left', 'right']), ...more(inventory.duplicates.length, 'duplicated packages'));
  lines.push('### Licences', '');
  lines.push(...table(['licence', 'packages', 'SPDX'], inventory.licenses.map((entry) => [cell(entry.license), entry.packages, entry.spdx ? 'yes' : 'no']), ['left', 'right', 'left']));
  if (inventory.licenseProblems.length > 0) {
    lines.push('Packages to review (licence missing, UNLICENSED, a custom licence file or not an SPDX expression):', '');
    lines.push(...table(['package', 'licence', 'problem'], inventory.licenseProblems.slice(0, FINDINGS_LISTED).map((entry) => [cell(`${entry.name}@${entry.version}`), cell(entry.license ?? '—'), entry.problem])), ...more(inventory.licenseProblems.length, 'packages to review'));
  }

  if (document.diagnostics.length > 0) {
    lines.push('## Diagnostics', '', ...document.diagnostics.map((diagnostic) => `- ${diagnostic.level} ${code(diagnostic.code)}: ${inline(diagnostic.message)}`), '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
