// `depguard report --format html`: one self-contained page. Inline CSS and
// inline SVG charts only: no script, font, image or stylesheet is fetched
// (a Content-Security-Policy of default-src 'none' makes sure), so it opens
// offline, can be mailed or archived, and prints to PDF. Accessible: one h1,
// sections with h2/h3, tables with captions and header cells, every chart an
// image with a title and a description, its numbers also in a table, and
// severity never told by colour alone. Pure: the report document in, text out.
// The building blocks are in html.ts, the charts in report-charts.ts, the
// stylesheet in report-style.ts; this file lays out the sections.

import type { Finding } from '../model.js';
import {
  RULE_ROWS,
  FINDINGS_LISTED,
  freshnessSentence,
  KIND_LABEL,
  plural,
  relativeDays,
  runwaySentence,
  SEVERITIES_WORST_FIRST,
  signed,
  title,
  WAIVER_STATUS_LABEL,
  FRESHNESS_HEADER,
  freshnessRow,
  RUNWAY_HEADER,
  runwayRow,
} from './report-labels.js';
import { type DependencyKind, type ReportDocument, type TrendFinding } from './report-model.js';
import { countsText, packageLabel, ruleListings, summaryLine } from './summary.js';
import type { ReportOptions } from './types.js';
import { attr, badge, type Cell, codeHtml, e, ruleHtml, table } from './html.js';
import { ageChart, runwayChart, severityChart, trendChart } from './report-charts.js';
import { CSS } from './report-style.js';

const LISTED = FINDINGS_LISTED;

/**
 * Unwaived findings grouped by rule, worst rule first, each a collapsible
 * <details> (no script: the CSP allows none) whose summary gives the counts;
 * the worst rule is open.
 */
function ruleGroups(findings: Finding[]): string {
  return ruleListings(findings, RULE_ROWS)
    .map((group, index) => {
      const rows = group.shown.map((finding) => [
        { html: badge(finding.severity) },
        packageLabel(finding),
        { html: `${e(finding.message)}${finding.advisory?.url ? ` <a href="${attr(finding.advisory.url)}">${e(finding.advisory.id)}</a>` : ''}` },
      ]);
      const summary = `<summary>${ruleHtml(group.rule)}<span class="count">${e(countsText(group.counts))}</span></summary>`;
      return `<details class="rule"${index === 0 ? ' open' : ''}>\n${summary}\n${table(`${group.rule}: ${group.findings.length} unwaived, worst first`, ['severity', 'package', 'finding'], rows)}${more(group.findings.length, group.shown.length, `${group.rule} findings`)}\n</details>`;
    })
    .join('\n');
}

function trendRows(findings: TrendFinding[]): Cell[][] {
  return findings.slice(0, LISTED).map((finding) => [{ html: badge(finding.severity) }, { html: ruleHtml(finding.rule) }, finding.package ?? '(project)', finding.message]);
}

function more(total: number, shown: number, what: string): string {
  return total > shown ? `<p class="note">${e(`${total - shown} more ${what} are in the JSON snapshot.`)}</p>` : '';
}

const SECTIONS: Array<[string, string]> = [
  ['summary', 'Summary'],
  ['trend', 'Since the previous report'],
  ['findings', 'Findings'],
  ['risky', 'Riskiest packages'],
  ['waivers', 'Waivers'],
  ['freshness', 'Freshness'],
  ['runway', 'Node.js runway'],
  ['inventory', 'Inventory'],
  ['diagnostics', 'Diagnostics'],
];

function section(id: string, heading: string, content: string): string {
  return `<section aria-labelledby="${id}">\n<h2 id="${id}">${e(heading)}</h2>\n${content}\n</section>`;
}

export function reportHtml(document: ReportDocument, options: Pick<ReportOptions, 'failOn'>): string {
  const { report } = document;
  const name = title(document);
  const parts: string[] = [];
  const present = new Set(SECTIONS.map(([id]) => id).filter((id) => (id === 'trend' ? report.trend !== null : id === 'diagnostics' ? document.diagnostics.length > 0 : true)));

  // Summary
  const unwaived = SEVERITIES_WORST_FIRST.reduce((sum, severity) => sum + document.summary[severity], 0);
  const expiring = report.waivers.filter((waiver) => waiver.status === 'expiring' || waiver.status === 'expired').length;
  const cards: Array<[string, string]> = [
    ['Packages', `${report.inventory.packages}`],
    ['Direct / transitive', `${report.inventory.direct} / ${report.inventory.transitive}`],
    ['Unwaived findings', `${unwaived}`],
    ['High or critical', `${document.summary.high + document.summary.critical}`],
    ['Waived findings', `${document.summary.waived}`],
    ['Waivers expiring ≤ 30 days', `${expiring}`],
    ['Direct deps a major behind', report.freshness.status === 'skipped' ? 'not checked' : `${report.freshness.summary.major}`],
    ['Node.js runway', report.runway.runwayDays === null ? 'none' : `${report.runway.runwayDays} days`],
  ];
  parts.push(
    section(
      'summary',
      'Summary',
      `<p class="verdict">${e(summaryLine(document, options.failOn))}</p>\n<dl class="cards">${cards.map(([label, value]) => `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`).join('')}</dl>\n<ul>\n<li>${e(freshnessSentence(document))}</li>\n<li>${e(runwaySentence(document))}</li>\n</ul>`,
    ),
  );

  // Trend
  if (report.trend) {
    const trend = report.trend;
    const severities = [...SEVERITIES_WORST_FIRST, 'waived'] as const;
    const changes: Cell[][] = [
      ...trend.packages.added.map((label): Cell[] => [label, 'added']),
      ...trend.packages.removed.map((label): Cell[] => [label, 'removed']),
      ...trend.packages.changed.map((change): Cell[] => [change.name, `${change.from.join(', ')} → ${change.to.join(', ')}`]),
    ];
    parts.push(
      section(
        'trend',
        `Since the previous report (${trend.previousDate})`,
        [
          `<p>${e(`Findings opened: ${trend.opened.length}; closed: ${trend.closed.length}. Packages: ${trend.packages.previous} → ${trend.packages.current} (${trend.packages.added.length} added, ${trend.packages.removed.length} removed, ${trend.packages.changed.length} changed version). Previous report by ${trend.previousTool}.`)}</p>`,
          trendChart(document),
          table(
            'Findings by severity, then and now',
            ['', ...severities, 'packages'],
            [
              [trend.previousDate, ...severities.map((key) => trend.summary.previous[key]), trend.packages.previous],
              [report.date, ...severities.map((key) => trend.summary.current[key]), trend.packages.current],
              ['change', ...severities.map((key) => ({ html: e(signed(trend.summary.current[key] - trend.summary.previous[key])), numeric: true })), { html: e(signed(trend.packages.current - trend.packages.previous)), numeric: true }],
            ],
            [1, 2, 3, 4, 5, 6, 7],
          ),
          trend.opened.length > 0 ? `<h3>Opened</h3>\n${table('Findings opened since the previous report', ['severity', 'rule', 'package', 'finding'], trendRows(trend.opened))}${more(trend.opened.length, LISTED, 'opened findings')}` : '',
          trend.closed.length > 0 ? `<h3>Closed</h3>\n${table('Findings closed since the previous report', ['severity', 'rule', 'package', 'finding'], trendRows(trend.closed))}${more(trend.closed.length, LISTED, 'closed findings')}` : '',
          changes.length > 0 ? `<h3>Package changes</h3>\n${table('Packages added, removed or changed version', ['package', 'change'], changes.slice(0, LISTED))}${more(changes.length, LISTED, 'package changes')}` : '',
        ].join('\n'),
      ),
    );
  }

  // Findings
  const active = document.findings.filter((finding) => !finding.waived);
  parts.push(
    section(
      'findings',
      'Findings',
      report.findingsByCheck.length === 0
        ? '<p>No findings.</p>'
        : [
            severityChart(document),
            table(
              'Findings by check and severity',
              ['check', ...SEVERITIES_WORST_FIRST, 'waived'],
              report.findingsByCheck.map((entry) => [{ html: codeHtml(entry.check) }, ...SEVERITIES_WORST_FIRST.map((severity) => entry.counts[severity]), entry.waived]),
              [1, 2, 3, 4, 5, 6],
            ),
            active.length > 0 ? ruleGroups(active) : '<p>Every finding is waived.</p>',
          ].join('\n'),
    ),
  );

  // Riskiest packages
  parts.push(
    section(
      'risky',
      'Riskiest packages',
      report.risky.length === 0
        ? '<p>No package has findings, install scripts or capabilities worth ranking.</p>'
        : `<p class="note">Score: each unwaived finding by severity (critical 40, high 20, moderate 8, low 3, info 1), plus capabilities with strong evidence (obfuscation 10, shell and dynamic code 6, native code and install-time code 4, network 2, files and environment 1) and install scripts (4).</p>\n${table(
            'Packages with the highest risk score',
            ['package', 'score', 'findings', 'rules', 'capabilities', 'direct'],
            report.risky.map((risky) => [
              `${risky.name}@${risky.version}`,
              risky.score,
              SEVERITIES_WORST_FIRST.filter((severity) => risky.findings[severity] > 0).map((severity) => `${risky.findings[severity]} ${severity}`).join(', ') || '—',
              { html: risky.rules.map(codeHtml).join(', ') || '—' },
              [...risky.capabilities, ...(risky.installScript && !risky.capabilities.includes('install-time') ? ['install script'] : [])].join(', ') || '—',
              risky.direct ? 'yes' : 'no',
            ]),
            [1],
          )}`,
    ),
  );

  // Waivers
  parts.push(
    section(
      'waivers',
      'Waivers',
      report.waivers.length === 0
        ? '<p>The config has no waivers.</p>'
        : table(
            'Waivers in the config, soonest expiry first',
            ['waiver', 'package', 'status', 'expires', 'waives', 'reason'],
            report.waivers.map((waiver) => [
              { html: codeHtml(waiver.id) },
              [waiver.package, waiver.path ? `path ${waiver.path}` : null].filter(Boolean).join(', ') || 'any',
              { html: `<span class="status-${waiver.status}">${e(WAIVER_STATUS_LABEL[waiver.status])}</span>` },
              `${waiver.expires} (${relativeDays(waiver.daysLeft)})`,
              waiver.waives,
              waiver.reason,
            ]),
            [4],
          ),
    ),
  );

  // Freshness
  const freshness = report.freshness;
  parts.push(
    section(
      'freshness',
      'Freshness of direct dependencies',
      [
        `<p>${e(freshnessSentence(document))}</p>`,
        ageChart(document),
        freshness.packages.length > 0
          ? table(
              'Direct dependencies against their latest release',
              FRESHNESS_HEADER,
              freshness.packages.map(freshnessRow),
              [5, 6, 7],
            )
          : '',
      ].join('\n'),
    ),
  );

  // Runway
  parts.push(
    section(
      'runway',
      'Node.js runway',
      [
        `<p>${e(runwaySentence(document))}</p>`,
        runwayChart(document),
        table(
          `Node.js release lines as of ${report.date}`,
          RUNWAY_HEADER,
          report.runway.lines.map(runwayRow),
        ),
        report.runway.endOfLifeAdmitted.length > 0 ? `<p>${e(`engines.node still admits end-of-life lines: ${report.runway.endOfLifeAdmitted.join(', ')}.`)}</p>` : '',
      ].join('\n'),
    ),
  );

  // Inventory
  const inventory = report.inventory;
  parts.push(
    section(
      'inventory',
      'Inventory',
      [
        `<p>${e(`${plural(inventory.packages, 'package')}: ${inventory.direct} direct, ${inventory.transitive} transitive${inventory.unreachable > 0 ? `, ${inventory.unreachable} that nothing depends on` : ''}${inventory.workspaces > 0 ? `, in ${plural(inventory.workspaces, 'workspace')}` : ''}. Sources: ${Object.entries(inventory.bySource).map(([source, count]) => `${source} ${count}`).join(', ') || 'none'}.`)}</p>`,
        table('Packages by dependency type', ['dependency type', 'packages'], (Object.keys(KIND_LABEL) as DependencyKind[]).filter((kind) => inventory.byKind[kind] > 0).map((kind) => [KIND_LABEL[kind], inventory.byKind[kind]]), [1]),
        table('Packages by depth in the tree', ['depth', 'packages'], inventory.byDepth.map((entry) => [entry.depth === 1 ? '1 (direct)' : String(entry.depth), entry.packages]), [1]),
        '<h3>Packages in several versions</h3>',
        inventory.duplicates.length === 0 ? '<p>None.</p>' : table('Packages installed in more than one version', ['package', 'versions', 'copies'], inventory.duplicates.slice(0, LISTED).map((entry) => [entry.name, entry.versions.join(', '), entry.copies]), [2]) + more(inventory.duplicates.length, LISTED, 'duplicated packages'),
        '<h3>Licences</h3>',
        table('Packages by licence', ['licence', 'packages', 'SPDX expression'], inventory.licenses.map((entry) => [entry.license, entry.packages, entry.spdx ? 'yes' : 'no']), [1]),
        inventory.licenseProblems.length > 0
          ? table('Packages whose licence needs review', ['package', 'licence', 'problem'], inventory.licenseProblems.slice(0, LISTED).map((entry) => [`${entry.name}@${entry.version}`, entry.license ?? '—', entry.problem])) + more(inventory.licenseProblems.length, LISTED, 'packages to review')
          : '<p>Every package declares an SPDX licence.</p>',
      ].join('\n'),
    ),
  );

  if (document.diagnostics.length > 0) {
    parts.push(section('diagnostics', 'Diagnostics', `<ul>${document.diagnostics.map((diagnostic) => `<li>${e(`${diagnostic.level} ${diagnostic.code}: ${diagnostic.message}`)}</li>`).join('')}</ul>`));
  }

  const nav = SECTIONS.filter(([id]) => present.has(id))
    .map(([id, label]) => `<li><a href="#${id}">${e(label)}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${attr(`${document.tool.name} ${document.tool.version}`)}">
<title>${e(`Dependency audit: ${name} (${report.date})`)}</title>
<style>${CSS}
</style>
</head>
<body>
<header>
<h1>Dependency audit: ${e(name)}</h1>
<p class="meta">${e(`As of ${report.date} · depguard ${document.tool.version} · policy ${report.policy.preset}${report.policy.configFile ? ` with ${report.policy.configFile}` : ''}`)}</p>
</header>
<nav aria-label="Contents"><ol>${nav}</ol></nav>
<main>
${parts.join('\n')}
</main>
<footer><p>${e(`Generated by depguard ${document.tool.version} from ${document.project.path}. Node.js dates from node-releases; freshness from the registry's packuments; the JSON snapshot (--format json) holds every finding and package.`)}</p></footer>
</body>
</html>
`;
}
