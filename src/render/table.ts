// The terminal view, for a reviewer: first what there is (counts by severity
// per check and rule), then the worst rows of each rule, worst rule first, up
// to `limit` rows per rule (`--limit`, default DEFAULT_LIMIT; `--all` shows
// every row). Columns fit the terminal width; text wraps at word boundaries
// and a word longer than its column is broken, never cut, so an install
// script or a URL stays whole. JSON names every finding and affected package.
//
// Drawn by hand rather than with a table library: at 2,000 findings the
// library's layout cost ten times the JSON output (bench/render.mjs).

import { SEVERITIES, type Finding, type Severity } from '../model.js';
import { countsText, findingsByRule, packageLabel, summaryLine, type RuleGroup } from './summary.js';
import type { Reporter } from './types.js';

const COLORS: Record<Severity, string> = { critical: '\u001b[1;35m', high: '\u001b[31m', moderate: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };
const DIM = '\u001b[2m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/** Rows shown per rule unless --limit or --all says otherwise. */
export const DEFAULT_LIMIT = 3;
/** Diagnostics shown before "and N more". */
const DIAGNOSTICS_SHOWN = 10;

/** `text` in lines of at most `width` characters: breaks at spaces, breaks a longer word, never drops a character. */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width && !text.includes('\n')) return [text];
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let start = 0;
    while (paragraph.length - start > width) {
      const cut = paragraph.lastIndexOf(' ', start + width);
      if (cut <= start) {
        // No space within the column: break the word (a URL, a script), keep every character.
        lines.push(paragraph.slice(start, start + width));
        start += width;
      } else {
        lines.push(paragraph.slice(start, cut));
        start = cut + 1;
      }
    }
    lines.push(paragraph.slice(start));
  }
  return lines;
}

function pathLabel(finding: Finding): string {
  const first = finding.paths[0];
  const copies = finding.locations && finding.locations.length > 1 ? `${finding.locations.length} copies` : '';
  if (!first || first.length <= 1) return copies;
  const more = finding.paths.length > 1 ? ` (+${finding.paths.length - 1} more)` : '';
  return `via ${first.slice(0, -1).join(' > ')}${more}${copies ? `; ${copies}` : ''}`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

const HEADINGS = [...SEVERITIES].reverse();

/** Counts by severity per check, and per rule under it (short rule ids), worst check first. */
function summaryTable(groups: RuleGroup[], paint: (severity: Severity, text: string) => string, bold: (text: string) => string): string[] {
  const byCheck = new Map<string, RuleGroup[]>();
  for (const group of groups) byCheck.set(group.check, [...(byCheck.get(group.check) ?? []), group]);
  const nameWidth = Math.max(12, ...groups.map((group) => group.rule.length - group.check.length + 2), ...[...byCheck.keys()].map((check) => check.length));
  const cells = (counts: Record<Severity, number>) => HEADINGS.map((severity) => (counts[severity] > 0 ? paint(severity, padStart(String(counts[severity]), severity.length)) : padStart('·', severity.length))).join('  ');
  const lines = [bold(`${pad('findings by rule', nameWidth)}  ${HEADINGS.join('  ')}`)];
  for (const [check, rules] of byCheck) {
    const total: Record<Severity, number> = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
    for (const group of rules) for (const severity of SEVERITIES) total[severity] += group.counts[severity];
    lines.push(`${pad(check, nameWidth)}  ${cells(total)}`);
    if (rules.length === 1 && rules[0]!.rule === check) continue;
    for (const group of rules) lines.push(`${pad(`  ${group.rule.slice(check.length + 1) || group.rule}`, nameWidth)}  ${cells(group.counts)}`);
  }
  return lines;
}

/** Findings grouped by rule, worst first: a summary of counts, then up to `limit` rows per rule, then the summary line. */
export const table: Reporter = (result, options) => {
  const paint = (severity: Severity, text: string) => (options.color ? `${COLORS[severity]}${text}${RESET}` : text);
  const dim = (text: string) => (options.color && text ? `${DIM}${text}${RESET}` : text);
  const bold = (text: string) => (options.color ? `${BOLD}${text}${RESET}` : text);
  const limit = options.limit === undefined ? DEFAULT_LIMIT : options.limit;
  const width = Math.max(60, Math.min(options.width ?? 120, 200));
  const groups = findingsByRule(result.findings.filter((finding) => !finding.waived));
  const out: string[] = [];
  if (groups.length > 0) out.push(...summaryTable(groups, paint, bold), '');
  let hidden = 0;
  for (const group of groups) {
    out.push(bold(`${group.rule} (${countsText(group.counts)})`));
    const rows = limit === null ? group.findings : group.findings.slice(0, limit);
    // Package column: as wide as the longest label shown, at most a third of the line.
    const labels = rows.map(packageLabel);
    const packageWidth = Math.min(Math.max(9, ...labels.map((label) => label.length)), Math.floor(width / 3));
    const textWidth = Math.max(20, width - 2 - 8 - 2 - packageWidth - 2);
    const blank = ' '.repeat(packageWidth);
    rows.forEach((finding, index) => {
      const left = wrap(labels[index]!, packageWidth);
      const right = wrap(finding.message, textWidth);
      const where = pathLabel(finding);
      if (where) for (const line of wrap(where, textWidth)) right.push(dim(line));
      const height = Math.max(left.length, right.length);
      for (let line = 0; line < height; line++) {
        const severity = line === 0 ? paint(finding.severity, pad(finding.severity, 8)) : '        ';
        const text = right[line];
        const label = line < left.length ? left[line]! : '';
        out.push(text === undefined ? `  ${severity}  ${label}`.trimEnd() : `  ${severity}  ${label.length === packageWidth ? label : label === '' ? blank : pad(label, packageWidth)}  ${text}`);
      }
    });
    const rest = group.findings.length - rows.length;
    if (rest > 0) {
      hidden += rest;
      out.push(dim(`  … ${rest} more (--limit <n>, --all; --format json lists every one)`));
    }
    out.push('');
  }
  const diagnostics = limit === null ? result.diagnostics : result.diagnostics.slice(0, DIAGNOSTICS_SHOWN);
  for (const diagnostic of diagnostics) out.push(`${diagnostic.level}: ${diagnostic.message}`);
  if (diagnostics.length < result.diagnostics.length) out.push(dim(`… ${result.diagnostics.length - diagnostics.length} more diagnostics (--all or --format json)`));
  if (hidden > 0) out.push(dim(`${hidden} finding${hidden === 1 ? '' : 's'} not shown: ${limit} per rule (--limit <n>, --all)`));
  out.push(summaryLine(result, options.failOn));
  return `${out.join('\n')}\n`;
};
