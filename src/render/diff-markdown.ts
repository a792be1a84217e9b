// A diff as a pull-request comment (GitHub-flavoured markdown): a hidden
// marker, a verdict line, new install scripts and capabilities first, the new
// findings, then the rest in collapsed <details>. Never longer than the
// limit (GitHub refuses comments over 65,536 characters): lists are cut, each
// with a count of what was left out, details first, new findings last.

import type { DiffReport, DiffResult, ManifestChange } from './diff-model.js';
import type { Finding } from '../model.js';
import { cell } from './markdown.js';
import { baseLabel, findingVia, introducedBy, newFindingsLabel, newPackageSignals, packagesLabel, verdict, versionChange, type DiffReporter, type DiffReportOptions } from './diff-summary.js';
import { packageLabel } from './summary.js';

export const COMMENT_LIMIT = 65_000;

/** Longest text in one table cell, before escaping: a comment is for reading, the JSON has the rest. */
const CELL_MAX = 300;

function clip(text: string, max = CELL_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * GitHub turns `@name` and `@org/team` into mentions that notify people: a
 * scoped package name or a script in a comment must not. A zero-width space
 * after such an `@` keeps the text readable and silent.
 */
export function silenceMentions(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, '$1@\u200b');
}

/** Free text for a table cell: clipped, silenced, escaped. */
function c(text: string, max?: number): string {
  return cell(silenceMentions(clip(text, max)));
}

/** A package name or key as code (copyable as is, never a mention); plain text when it holds a backtick or a line break. */
function code(text: string, max = 120): string {
  if (/[`\r\n]/.test(text)) return c(text, max);
  // In a table, `|` splits cells even inside code spans unless escaped.
  return `\`${clip(text, max).replace(/\|/g, '\\|')}\``;
}

/** A link to an advisory when its URL is http(s); the id alone otherwise. */
export function advisoryLink(finding: Finding): string {
  const advisory = finding.advisory;
  if (!advisory) return '';
  let href: string | null = null;
  try {
    const url = new URL(advisory.url ?? '');
    if (url.protocol === 'https:' || url.protocol === 'http:') href = url.href;
  } catch {
    href = null;
  }
  // The angle-bracket form takes any destination without <, > or whitespace, which URL#href never has.
  return href ? `[${c(advisory.id, 80)}](<${href}>)` : c(advisory.id, 80);
}

interface Caps {
  /** Rows per table inside <details>. */
  details: number;
  /** Rows of the new-findings tables. */
  findings: number;
}

function table(header: string[], rows: string[][], cap: number): string[] {
  const shown = rows.slice(0, cap);
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...shown.map((row) => `| ${row.join(' | ')} |`)];
  if (shown.length === 0) lines.length = 0;
  const hidden = rows.length - shown.length;
  if (hidden > 0) lines.push('', `_… and ${hidden} more not shown here; \`depguard diff --format json\` lists them all._`);
  return lines;
}

function details(summary: string, body: string[]): string[] {
  // The blank line after <summary> lets GitHub render the markdown inside.
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

function findingRows(findings: Finding[], withAdvisory: boolean, withVia: boolean): { header: string[]; rows: string[][] } {
  const header = ['severity', 'rule', 'package', 'finding', ...(withAdvisory ? ['advisory'] : []), ...(withVia ? ['introduced by'] : [])];
  const rows = findings.map((finding) => [
    finding.waived ? `${finding.severity} (waived)` : finding.severity,
    `\`${finding.rule}\``,
    code(packageLabel(finding)),
    c(finding.message),
    ...(withAdvisory ? [advisoryLink(finding)] : []),
    ...(withVia ? [c(findingVia(finding) || (finding.package ? 'direct' : ''), 200)] : []),
  ]);
  return { header, rows };
}

function findingsTable(findings: Finding[], cap: number, withVia: boolean): string[] {
  const { header, rows } = findingRows(findings, findings.some((finding) => finding.advisory), withVia);
  return table(header, rows, cap);
}

function installScriptsSection(result: DiffResult, cap: number): string[] {
  const entries = result.diff.installScripts;
  if (entries.length === 0) return [];
  const checked = result.checks?.['install-scripts'] !== undefined;
  const approval = (approved: boolean | null) => (approved === true ? 'approved' : approved === false ? 'denied' : checked ? '**not approved**' : 'not checked');
  const rows = entries.map((entry) => [code(`${entry.name}@${entry.version}`), c(entry.events?.join(', ') ?? 'unknown', 80), approval(entry.approved), entry.kind, c(introducedBy(entry), 200)]);
  return [`### New install scripts (${entries.length})`, '', 'These packages run code when they are installed, and did not before this change.', '', ...table(['package', 'runs', 'approval', 'type', 'introduced by'], rows, cap), ''];
}

const CHANGE_ORDER = { added: 0, upgraded: 1, downgraded: 2, changed: 3, removed: 4 } as const;

function dependencyRows(diff: DiffReport, direct: boolean): string[][] {
  const rows: Array<{ order: number; name: string; row: string[] }> = [];
  for (const entry of diff.added.filter((item) => item.direct === direct)) {
    rows.push({ order: CHANGE_ORDER.added, name: entry.name, row: ['added', code(entry.name), c(entry.version, 120), entry.kind, c(introducedBy(entry), 200)] });
  }
  for (const entry of diff.changed.filter((item) => item.direct === direct)) {
    rows.push({ order: CHANGE_ORDER[entry.change], name: entry.name, row: [entry.change, code(entry.name), c(versionChange(entry), 200), entry.kind, c(introducedBy(entry), 200)] });
  }
  for (const entry of diff.removed.filter((item) => item.direct === direct)) {
    rows.push({ order: CHANGE_ORDER.removed, name: entry.name, row: ['removed', code(entry.name), c(entry.version, 120), entry.kind, c(introducedBy(entry), 200)] });
  }
  return rows.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((item) => item.row);
}

function dependenciesSection(diff: DiffReport, cap: number): string[] {
  const total = diff.added.length + diff.removed.length + diff.changed.length;
  if (total === 0) return [];
  const header = ['change', 'package', 'version', 'type', 'introduced by'];
  const body: string[] = [];
  for (const [title, direct] of [['Direct dependencies', true], ['Transitive dependencies', false]] as const) {
    const rows = dependencyRows(diff, direct);
    if (rows.length === 0) continue;
    body.push(`**${title} (${rows.length})**`, '', ...table(header, rows, cap), '');
  }
  return details(`Dependencies: ${packagesLabel(diff)}`, body.slice(0, -1));
}

const MANIFEST_LABEL: Record<ManifestChange['kind'], string> = {
  'dependency-added': 'new dependency',
  'spec-loosened': 'spec loosened',
  'spec-changed': 'source changed',
  'override-added': 'new override',
  'override-changed': 'override changed',
  'override-removed': 'override removed',
  'approval-added': 'install scripts approved',
  'engines-changed': 'engines changed',
  'lifecycle-script-changed': 'install-time script changed',
  'config-changed': 'depguard config changed',
};

function manifestSection(diff: DiffReport, cap: number): string[] {
  if (diff.manifest.length === 0) return [];
  const rows = diff.manifest.map((change) => [
    MANIFEST_LABEL[change.kind],
    c(change.file, 120),
    c(change.field, 80),
    code(change.key),
    change.from === null ? '' : c(change.from, 200),
    change.to === null ? '' : c(change.to, 200),
  ]);
  return details(`package.json changes that matter for security (${diff.manifest.length})`, table(['change', 'file', 'field', 'name', 'from', 'to'], rows, cap));
}

function resolvedSection(diff: DiffReport, cap: number): string[] {
  if (diff.resolvedFindings.length === 0) return [];
  return details(`Resolved findings (${diff.resolvedFindings.length})`, findingsTable(diff.resolvedFindings, cap, false));
}

/** A marker safe inside an HTML comment. */
export function markerComment(marker: string): string {
  return `<!-- ${marker.replace(/--+/g, '-').replace(/>/g, '')} -->`;
}

function render(result: DiffResult, options: DiffReportOptions, caps: Caps): string {
  const { diff } = result;
  const lines: string[] = [];
  if (options.marker) lines.push(markerComment(options.marker));
  const { failing, text } = verdict(diff, options.failOn);
  const icon = options.failOn === 'none' ? ':information_source:' : failing > 0 ? ':x:' : ':white_check_mark:';
  const title = result.project.name ?? diff.head.path;
  lines.push(`### ${icon} depguard: ${cell(text)}`, '');
  lines.push(`${cell(newFindingsLabel(diff))}, ${diff.summary.resolvedFindings} resolved · dependencies: ${packagesLabel(diff)} · ${cell(silenceMentions(title))} against \`${baseLabel(diff).replace(/`/g, "'")}\``, '');
  // Signals on the packages this change brings in come first: a lookalike name or a new publisher is the first thing to look at.
  const signals = newPackageSignals(diff);
  if (signals.length > 0) {
    lines.push(`### Supply-chain signals on new packages (${signals.length})`, '', ...findingsTable(signals, caps.findings, true), '');
  }
  lines.push(...installScriptsSection(result, caps.findings));
  const shown = new Set(signals);
  const capabilities = diff.newFindings.filter((finding) => finding.check === 'capabilities');
  const others = diff.newFindings.filter((finding) => finding.check !== 'capabilities' && !shown.has(finding));
  if (capabilities.length > 0) {
    lines.push(`### New capabilities (${capabilities.length})`, '', ...findingsTable(capabilities, caps.findings, true), '');
  }
  if (others.length > 0) {
    lines.push(`### ${capabilities.length > 0 || signals.length > 0 ? 'Other new findings' : 'New findings'} (${others.length})`, '', ...findingsTable(others, caps.findings, true), '');
  } else if (capabilities.length === 0 && signals.length === 0) {
    lines.push('No new findings.', '');
  }
  lines.push(...resolvedSection(diff, caps.details), ...dependenciesSection(diff, caps.details), ...manifestSection(diff, caps.details));
  const scope = diff.head.scope;
  const judged = scope ? ` · ${scope.checks.join(', ')} judged the ${scope.packages} package${scope.packages === 1 ? '' : 's'} the change brings in (\`--scope all\`: every package)` : '';
  lines.push(`<sub>${cell(`${result.tool.name} ${result.tool.version}`)} · ${result.project.packageCount} packages${judged} · the full report: \`depguard diff --format json\`</sub>`);
  return `${lines.join('\n')}\n`;
}

function longestList(diff: DiffReport): number {
  return Math.max(diff.newFindings.length, diff.resolvedFindings.length, diff.added.length + diff.changed.length + diff.removed.length, diff.manifest.length, diff.installScripts.length);
}

/** The largest cap in [0, max] whose rendering fits, by bisection (rendering is linear in the rows). */
function largestFitting(max: number, fits: (cap: number) => boolean): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

export const diffMarkdown: DiffReporter = (result, options) => {
  const limit = options.limit ?? COMMENT_LIMIT;
  const all = longestList(result.diff);
  const full = render(result, options, { details: all, findings: all });
  if (full.length <= limit) return full;
  const fits = (caps: Caps) => render(result, options, caps).length <= limit;
  // Cut the collapsed lists first; the new findings only when that is not enough.
  if (fits({ details: 0, findings: all })) {
    const details = largestFitting(all, (cap) => fits({ details: cap, findings: all }));
    return render(result, options, { details, findings: all });
  }
  const findings = largestFitting(all, (cap) => fits({ details: 0, findings: cap }));
  const text = render(result, options, { details: 0, findings });
  if (text.length <= limit) return text;
  // Only a pathological header can get here: cut it, and say so.
  const note = '\n\n_… cut to fit a comment._\n';
  return `${text.slice(0, limit - note.length)}${note}`;
};
