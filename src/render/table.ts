import Table from 'cli-table3';
import type { Finding, Severity } from '../model.js';
import { packageLabel, summaryLine } from './summary.js';
import type { Reporter } from './types.js';

const COLORS: Record<Severity, string> = { critical: '\u001b[1;35m', high: '\u001b[31m', moderate: '\u001b[33m', low: '\u001b[36m', info: '\u001b[2m' };
const RESET = '\u001b[0m';


function pathLabel(finding: Finding): string {
  const first = finding.paths[0];
  if (!first || first.length <= 1) return '';
  const more = finding.paths.length > 1 ? ` (+${finding.paths.length - 1} more)` : '';
  return `via ${first.slice(0, -1).join(' > ')}${more}`;
}

/** Findings grouped by check, worst first, one table per check, then the summary line. */
export const table: Reporter = (result, options) => {
  const paint = (severity: Severity, text: string) => (options.color ? `${COLORS[severity]}${text}${RESET}` : text);
  const shown = result.findings.filter((finding) => !finding.waived);
  const groups = new Map<string, Finding[]>();
  for (const finding of shown) {
    const group = groups.get(finding.check) ?? [];
    group.push(finding);
    groups.set(finding.check, group);
  }
  // Worst check first: by its worst finding, then by name. Findings are already sorted within.
  const order = [...groups.entries()].sort(([aId, a], [bId, b]) => {
    const worst = (list: Finding[]) => Math.max(...list.map((f) => ['info', 'low', 'moderate', 'high', 'critical'].indexOf(f.severity)));
    return worst(b) - worst(a) || (aId < bId ? -1 : 1);
  });
  const out: string[] = [];
  const width = Math.max(80, Math.min(options.width ?? 120, 160));
  for (const [check, findings] of order) {
    out.push(`${check} (${findings.length})`);
    const grid = new Table({
      head: ['severity', 'rule', 'package', 'finding'],
      style: { head: options.color ? ['bold'] : [], border: [] },
      colWidths: [10, 36, 28, Math.max(30, width - 80)],
      wordWrap: true,
    });
    for (const finding of findings) {
      const where = pathLabel(finding);
      grid.push([paint(finding.severity, finding.severity), finding.rule, packageLabel(finding), where ? `${finding.message}\n${where}` : finding.message]);
    }
    out.push(grid.toString(), '');
  }
  for (const diagnostic of result.diagnostics) out.push(`${diagnostic.level}: ${diagnostic.message}`);
  out.push(summaryLine(result, options.failOn));
  return `${out.join('\n')}\n`;
};
