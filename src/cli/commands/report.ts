// depguard report [path]: a full audit report for a periodic review — the
// audit, an inventory, the freshness of direct dependencies, the Node.js
// runway and the trend against a previous snapshot — as HTML, markdown, the
// JSON snapshot or SARIF. The exit code gates like `check`.

import { relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { severityRank } from '../../model.js';
import { report, type ReportOutcome } from '../../commands/report/run.js';
import { isSbomFormat, sbomDocument, SBOM_FORMATS } from '../../commands/sbom.js';
import { readSnapshot } from '../../commands/report/snapshot.js';
import { sarifSources } from '../../commands/report/sources.js';
import { reportHtml } from '../../render/report-html.js';
import { reportMarkdown } from '../../render/report-markdown.js';
import { sarif } from '../../render/sarif.js';
import { failingFindings } from '../../policy/gate.js';
import { summaryLine } from '../../render/summary.js';
import { toPosix } from '../../util/posix-path.js';
import { auditFlags, auditOptions, outputFlags, type AuditArgs, type OutputArgs } from '../options.js';
import { deliver } from '../output.js';
import { registryOutput } from '../registry-output.js';
import type { Command } from './types.js';

export const REPORT_FORMATS = ['html', 'markdown', 'json', 'sarif', ...SBOM_FORMATS] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

type ReportArgs = AuditArgs & OutputArgs & { format: ReportFormat; previous?: string };

/** The project folder relative to the working directory, so that no rendered report names an absolute path. */
function projectPath(path: string): string {
  const relativePath = relative(process.cwd(), resolve(path));
  return relativePath === '' ? '.' : toPosix(relativePath);
}

function render(outcome: ReportOutcome, args: ReportArgs, sources: () => ReturnType<typeof sarifSources>): string {
  const { document } = outcome;
  const failOn = args['fail-on'];
  if (isSbomFormat(args.format)) {
    // The SBOM of `depguard sbom`, with the licences the report found beyond the lockfile.
    const licenses = new Map(document.report.packages.map((entry) => [entry.location, entry.license] as const));
    return sbomDocument(outcome.graph, outcome.policy, { format: args.format, date: args.date ?? outcome.policy.date ?? null, today: document.report.date, licenses });
  }
  // The snapshot keeps every finding, so a later trend compares like with like; --min-severity narrows the rest.
  if (args.format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  const minimum = severityRank(args['min-severity']);
  const shown = { ...document, findings: document.findings.filter((finding) => severityRank(finding.severity) >= minimum) };
  if (args.format === 'sarif') {
    const { report: _report, ...result } = shown;
    return sarif(result, { color: false, failOn, sources: sources() });
  }
  return args.format === 'markdown' ? reportMarkdown(shown, { failOn }) : reportHtml(shown, { failOn });
}

async function handler(args: ReportArgs): Promise<number> {
  const options = auditOptions(args, projectPath(args.path));
  // A bad --previous fails before the audit, not after it.
  const previous = args.previous === undefined ? null : await readSnapshot(args.previous);
  const output = registryOutput({ verbose: args.verbose, progress: args.progress });
  if (output.onRequest) options.registryAccess!.onRequest = output.onRequest;
  if (output.onProgress) options.registryAccess!.onProgress = output.onProgress;
  let outcome: Awaited<ReturnType<typeof report>>;
  try {
    outcome = await report(options, previous);
  } finally {
    output.finish();
  }
  const { document, graph } = outcome;
  return deliver({ render: () => render(outcome, args, () => sarifSources(graph)), summary: summaryLine(document, args['fail-on']), failing: failingFindings(document.findings, args['fail-on']) }, args.output);
}

export const reportCommand: Command<ReportArgs> = {
  command: 'report [path]',
  describe: 'a full audit report for periodic reviews: findings, riskiest packages, waivers, inventory, freshness, Node.js runway, trend',
  builder: (yargs: Argv) =>
    outputFlags(auditFlags(yargs))
      .option('format', {
        alias: 'f',
        choices: REPORT_FORMATS,
        default: 'html' as ReportFormat,
        describe: 'html (one self-contained page with charts), markdown, json (the snapshot --previous reads), sarif (GitHub code scanning), or the SBOM as cyclonedx, spdx or openvex (as depguard sbom writes it)',
      })
      .option('previous', { type: 'string', describe: 'the previous report\'s JSON snapshot: adds the trend (findings opened and closed, packages added and removed)' }),
  handler,
  examples: [
    ['$0 report --output audit.html', 'this quarter\'s report as one HTML page'],
    ['$0 report --format json --output 2026-Q4.json --fail-on none', 'the snapshot the next report compares with'],
    ['$0 report --previous 2026-Q3.json --date 2026-12-31 -o audit.html', 'with the trend since the last quarter, as of a fixed day'],
    ['$0 report --format sarif --output depguard.sarif', 'for GitHub code scanning (also: depguard check --format sarif)'],
    ['$0 report --format cyclonedx --output sbom.cdx.json', 'the SBOM with the licences the report looked up (also: depguard sbom)'],
  ],
};
