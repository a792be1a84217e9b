// `depguard report --format html`: one self-contained page. Inline CSS and
// inline SVG charts only: no script, font, image or stylesheet is fetched
// (a Content-Security-Policy of default-src 'none' makes sure), so it opens
// offline, can be mailed or archived, and prints to PDF. Accessible: one h1,
// sections with h2/h3, tables with captions and header cells, every chart an
// image with a title and a description, its numbers also in a table, and
// severity never told by colour alone. Pure: the report document in, text out.

import { ruleDocs } from '../checks/docs.js';
import type { Finding, Severity } from '../model.js';
import {
  RULE_ROWS,
  dependencyLabel,
  FINDINGS_LISTED,
  freshnessSentence,
  freshnessState,
  KIND_LABEL,
  LINE_STATUS_LABEL,
  plural,
  relativeDays,
  runwaySentence,
  SEVERITIES_WORST_FIRST,
  signed,
  title,
  WAIVER_STATUS_LABEL,
} from './report-labels.js';
import { daysBetween, type DependencyKind, type ReportDocument, type TrendFinding } from './report-model.js';
import { countsText, findingsByRule, packageLabel, summaryLine } from './summary.js';
import type { ReportOptions } from './types.js';

/** Severity colours, dark enough for white text and for print (WCAG AA on white as text). */
export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  moderate: '#b45309',
  low: '#1d4ed8',
  info: '#4b5563',
};

const LISTED = FINDINGS_LISTED;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
const e = escapeHtml;

function attr(text: string): string {
  return escapeHtml(text);
}

type Cell = string | number | { html: string; numeric?: boolean };

function cellHtml(value: Cell, header = false): string {
  const tag = header ? 'th scope="row"' : 'td';
  const close = header ? 'th' : 'td';
  if (typeof value === 'number') return `<${tag} class="num">${value}</${close}>`;
  if (typeof value === 'string') return `<${tag}>${e(value)}</${close}>`;
  return `<${tag}${value.numeric ? ' class="num"' : ''}>${value.html}</${close}>`;
}

/** A table with a caption and column headers; the first cell of each row heads the row. */
function table(caption: string, header: string[], rows: Cell[][], numeric: number[] = []): string {
  const head = header.map((label, index) => `<th scope="col"${numeric.includes(index) ? ' class="num"' : ''}>${e(label)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((value, index) => cellHtml(value, index === 0)).join('')}</tr>`).join('\n');
  return `<div class="table-wrap"><table>\n<caption>${e(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/**
 * Unwaived findings grouped by rule, worst rule first, each a collapsible
 * <details> (no script: the CSP allows none) whose summary gives the counts;
 * the worst rule is open.
 */
function ruleGroups(findings: Finding[]): string {
  return findingsByRule(findings)
    .map((group, index) => {
      const rows = group.findings.slice(0, RULE_ROWS).map((finding) => [
        { html: badge(finding.severity) },
        packageLabel(finding),
        { html: `${e(finding.message)}${finding.advisory?.url ? ` <a href="${attr(finding.advisory.url)}">${e(finding.advisory.id)}</a>` : ''}` },
      ]);
      const summary = `<summary>${ruleHtml(group.rule)}<span class="count">${e(countsText(group.counts))}</span></summary>`;
      return `<details class="rule"${index === 0 ? ' open' : ''}>\n${summary}\n${table(`${group.rule}: ${group.findings.length} unwaived, worst first`, ['severity', 'package', 'finding'], rows)}${more(group.findings.length, rows.length, `${group.rule} findings`)}\n</details>`;
    })
    .join('\n');
}

function badge(severity: Severity): string {
  return `<span class="sev sev-${severity}">${severity}</span>`;
}

function codeHtml(text: string): string {
  return `<code>${e(text)}</code>`;
}

/** A rule id, linked to its documentation when the repository is known (src/checks/docs.ts). */
function ruleHtml(rule: string): string {
  const { url } = ruleDocs(rule);
  return url ? `<a href="${attr(url)}">${codeHtml(rule)}</a>` : codeHtml(rule);
}

/** An inline SVG chart: an image whose title and description say what it shows. */
function svg(id: string, width: number, height: number, label: string, description: string, body: string): string {
  return `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${e(label)}</title><desc id="${id}-desc">${e(description)}</desc>${body}</svg><figcaption>${e(label)}</figcaption></figure>`;
}

function legend(x: number, y: number, items: Array<{ label: string; color: string }>): string {
  let offset = x;
  return items
    .map(({ label, color }) => {
      const part = `<rect x="${offset}" y="${y}" width="12" height="12" fill="${color}"/><text x="${offset + 16}" y="${y + 10}" class="small">${e(label)}</text>`;
      offset += 24 + label.length * 7;
      return part;
    })
    .join('');
}

/** Horizontal stacked bars: unwaived findings per check, by severity. */
function severityChart(document: ReportDocument): string {
  const rows = document.report.findingsByCheck.filter((entry) => SEVERITIES_WORST_FIRST.some((severity) => entry.counts[severity] > 0));
  if (rows.length === 0) return '';
  const max = Math.max(...rows.map((entry) => SEVERITIES_WORST_FIRST.reduce((sum, severity) => sum + entry.counts[severity], 0)));
  const left = 150;
  const width = 640;
  const bar = 20;
  const gap = 10;
  const top = 30;
  const scale = (width - left - 50) / max;
  const height = top + rows.length * (bar + gap) + 10;
  const bars = rows
    .map((entry, index) => {
      const y = top + index * (bar + gap);
      let x = left;
      const total = SEVERITIES_WORST_FIRST.reduce((sum, severity) => sum + entry.counts[severity], 0);
      const segments = SEVERITIES_WORST_FIRST.filter((severity) => entry.counts[severity] > 0)
        .map((severity) => {
          const w = Math.max(2, entry.counts[severity] * scale);
          const part = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${SEVERITY_COLOR[severity]}"><title>${e(`${entry.check}: ${entry.counts[severity]} ${severity}`)}</title></rect>`;
          x += w;
          return part;
        })
        .join('');
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${e(entry.check)}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${total}</text>`;
    })
    .join('');
  const description = rows.map((entry) => `${entry.check}: ${SEVERITIES_WORST_FIRST.filter((severity) => entry.counts[severity] > 0).map((severity) => `${entry.counts[severity]} ${severity}`).join(', ')}`).join('; ');
  return svg('chart-severity', width, height, 'Unwaived findings by check and severity', `Unwaived findings per check: ${description}.`, legend(left, 6, SEVERITIES_WORST_FIRST.map((severity) => ({ label: severity, color: SEVERITY_COLOR[severity] }))) + bars);
}

/** Vertical bars: how old the resolved versions of direct dependencies are. */
function ageChart(document: ReportDocument): string {
  const ages = document.report.freshness.ages;
  if (ages.length === 0 || ages.every((age) => age.packages === 0)) return '';
  const width = 640;
  const height = 220;
  const bottom = 180;
  const max = Math.max(...ages.map((age) => age.packages));
  const slot = (width - 40) / ages.length;
  const bars = ages
    .map((age, index) => {
      const h = max === 0 ? 0 : Math.round((age.packages / max) * 140);
      const x = 20 + index * slot + slot * 0.2;
      const w = slot * 0.6;
      const color = index >= 3 ? '#b45309' : '#1d4ed8';
      return `<rect x="${x.toFixed(1)}" y="${bottom - h}" width="${w.toFixed(1)}" height="${h}" fill="${age.label === 'unknown' ? '#9ca3af' : color}"/><text x="${(x + w / 2).toFixed(1)}" y="${bottom - h - 6}" text-anchor="middle">${age.packages}</text><text x="${(x + w / 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" class="small">${e(age.label)}</text>`;
    })
    .join('');
  const description = ages.map((age) => `${age.label}: ${plural(age.packages, 'package')}`).join('; ');
  return svg('chart-ages', width, height, 'Age of the resolved versions of direct dependencies', `Direct dependencies by the age of their resolved version: ${description}.`, `<line x1="20" y1="${bottom}" x2="${width - 20}" y2="${bottom}" class="axis"/>${bars}`);
}

/** Grouped bars: findings by severity in the previous and this report. */
function trendChart(document: ReportDocument): string {
  const trend = document.report.trend;
  if (!trend) return '';
  const groups = [...SEVERITIES_WORST_FIRST, 'waived'] as const;
  const value = (side: 'previous' | 'current', key: (typeof groups)[number]) => trend.summary[side][key];
  const max = Math.max(1, ...groups.flatMap((key) => [value('previous', key), value('current', key)]));
  const width = 640;
  const height = 230;
  const bottom = 180;
  const slot = (width - 40) / groups.length;
  const bars = groups
    .map((key, index) => {
      const x = 20 + index * slot + slot * 0.15;
      const w = slot * 0.32;
      return (['previous', 'current'] as const)
        .map((side, sideIndex) => {
          const count = value(side, key);
          const h = Math.round((count / max) * 130);
          const bx = x + sideIndex * (w + 4);
          return `<rect x="${bx.toFixed(1)}" y="${bottom - h}" width="${w.toFixed(1)}" height="${h}" fill="${side === 'previous' ? '#9ca3af' : '#1d4ed8'}"/><text x="${(bx + w / 2).toFixed(1)}" y="${bottom - h - 5}" text-anchor="middle" class="small">${count}</text>`;
        })
        .join('') + `<text x="${(x + w + 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" class="small">${key}</text>`;
    })
    .join('');
  const description = groups.map((key) => `${key}: ${value('previous', key)} then ${value('current', key)}`).join('; ');
  return svg(
    'chart-trend',
    width,
    height,
    `Findings on ${trend.previousDate} and ${document.report.date}`,
    `${description}.`,
    legend(20, 6, [
      { label: trend.previousDate, color: '#9ca3af' },
      { label: document.report.date, color: '#1d4ed8' },
    ]) + `<line x1="20" y1="${bottom}" x2="${width - 20}" y2="${bottom}" class="axis"/>${bars}`,
  );
}

/** A timeline of the listed Node.js lines from start to end-of-life, with the report date marked. */
function runwayChart(document: ReportDocument): string {
  const { lines } = document.report.runway;
  if (lines.length === 0) return '';
  const date = document.report.date;
  const from = [date, ...lines.map((line) => line.start)].sort()[0]!;
  const to = [...lines.map((line) => line.end)].sort().at(-1)!;
  const span = Math.max(1, daysBetween(from, to));
  const left = 130;
  const width = 640;
  const top = 24;
  const bar = 18;
  const gap = 10;
  const x = (day: string) => left + (daysBetween(from, day) / span) * (width - left - 20);
  const height = top + lines.length * (bar + gap) + 24;
  const rows = lines
    .map((line, index) => {
      const y = top + index * (bar + gap);
      const color = line.admitted === false ? '#9ca3af' : line.status === 'upcoming' ? '#93c5fd' : line.daysLeft <= 180 ? '#b45309' : '#15803d';
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${e(`Node.js ${line.line}${line.codename ? ` ${line.codename}` : ''}`)}</text><rect x="${x(line.start).toFixed(1)}" y="${y}" width="${Math.max(2, x(line.end) - x(line.start)).toFixed(1)}" height="${bar}" fill="${color}"><title>${e(`${line.line}: ${line.start} to ${line.end}`)}</title></rect>`;
    })
    .join('');
  const marker = x(date).toFixed(1);
  const years = [];
  for (let year = Number(from.slice(0, 4)) + 1; year <= Number(to.slice(0, 4)); year++) {
    const at = x(`${year}-01-01`).toFixed(1);
    years.push(`<line x1="${at}" y1="${top - 4}" x2="${at}" y2="${height - 20}" class="grid"/><text x="${at}" y="${height - 6}" text-anchor="middle" class="small">${year}</text>`);
  }
  const description = lines.map((line) => `${line.line}: ${LINE_STATUS_LABEL[line.status]}, end of life ${line.end}${line.admitted === false ? ', not admitted by engines.node' : ''}`).join('; ');
  return svg(
    'chart-runway',
    width,
    height,
    'Node.js release lines from start to end-of-life',
    `Report date ${date}. ${description}.`,
    `${years.join('')}${rows}<line x1="${marker}" y1="${top - 8}" x2="${marker}" y2="${height - 20}" class="today"/><text x="${marker}" y="${top - 10}" text-anchor="middle" class="small">${e(date)}</text>`,
  );
}

function trendRows(findings: TrendFinding[]): Cell[][] {
  return findings.slice(0, LISTED).map((finding) => [{ html: badge(finding.severity) }, { html: ruleHtml(finding.rule) }, finding.package ?? '(project)', finding.message]);
}

function more(total: number, shown: number, what: string): string {
  return total > shown ? `<p class="note">${e(`${total - shown} more ${what} are in the JSON snapshot.`)}</p>` : '';
}

const CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #4b5563; --line: #d1d5db; --bg-alt: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
header, main, footer, nav { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 3px solid var(--fg); }
h1 { font-size: 1.8rem; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 20px 0 6px; }
.meta, .note, figcaption { color: var(--muted); }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 12px auto; list-style: none; }
nav a, a { color: #1d4ed8; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin: 12px 0; padding: 0; }
.cards div { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.cards dt { color: var(--muted); font-size: .85rem; }
.cards dd { margin: 2px 0 0; font-size: 1.35rem; font-weight: 600; }
.verdict { font-weight: 600; }
.table-wrap { overflow-x: auto; }
details.rule { margin: .4rem 0; border: 1px solid #e5e7eb; border-radius: 4px; padding: .2rem .6rem; }
details.rule > summary { cursor: pointer; padding: .2rem 0; }
details.rule > summary .count { color: #4b5563; margin-left: .4rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
thead th { background: var(--bg-alt); border-bottom: 2px solid var(--line); }
tbody th { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
td code, th code { white-space: nowrap; }
.sev { display: inline-block; min-width: 5.5em; text-align: center; color: #fff; border-radius: 3px; padding: 0 6px; font-size: .8rem; font-weight: 600; }
${(Object.entries(SEVERITY_COLOR) as Array<[Severity, string]>).map(([severity, color]) => `.sev-${severity} { background: ${color}; }`).join('\n')}
.status-expired, .status-expiring { font-weight: 600; color: #b91c1c; }
figure.chart { margin: 12px 0; }
figure.chart svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; fill: var(--fg); }
svg .small { font-size: 11px; }
svg .axis { stroke: var(--fg); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; stroke-dasharray: 3 3; }
svg .today { stroke: #b91c1c; stroke-width: 2; }
footer { margin-top: 40px; padding-bottom: 32px; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
@media print {
  body { font-size: 11pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  .sev, svg rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  @page { margin: 16mm; }
}`;

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
              ['package', 'type', 'version', 'latest', 'state', 'releases behind', 'days behind', 'last release'],
              freshness.packages.map((entry) => [
                entry.name,
                dependencyLabel(entry),
                entry.version,
                entry.latest ?? '—',
                `${freshnessState(entry)}${entry.deprecated !== null ? ', deprecated' : ''}${entry.stale ? ', no release in over two years' : ''}`,
                entry.versionsBehind ?? '—',
                entry.daysBehind ?? '—',
                entry.lastReleaseDays === null ? '—' : `${entry.lastReleaseDays} days ago`,
              ]),
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
          ['line', 'status', 'released', 'LTS from', 'maintenance from', 'end of life', 'admitted by engines.node'],
          report.runway.lines.map((line) => [
            `${line.line}${line.codename ? ` (${line.codename})` : ''}`,
            LINE_STATUS_LABEL[line.status],
            line.start,
            line.lts ?? '—',
            line.maintenance ?? '—',
            `${line.end} (${relativeDays(line.daysLeft)})`,
            line.admitted === null ? '—' : line.admitted ? 'yes' : 'no',
          ]),
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
