// depguard check [path]: audit a project; the exit code is the CI gate.

import type { Argv } from 'yargs';
import { audit } from '../../commands/check.js';
import { renderInventory } from '../../render/capabilities-table.js';
import { severityRank } from '../../model.js';
import { sarifSources } from '../../commands/report/sources.js';
import { FORMATS, REPORTERS, type Format } from '../../render/index.js';
import { failingFindings } from '../../policy/gate.js';
import { summaryLine } from '../../render/summary.js';
import { DEFAULT_LIMIT } from '../../render/table.js';
import { MARKDOWN_ROWS } from '../../render/markdown.js';
import { DepguardError } from '../../errors.js';
import { auditFlags, auditOptions, outputFlags, useColor, type AuditArgs, type OutputArgs } from '../options.js';
import { deliver } from '../output.js';
import { registryOutput } from '../registry-output.js';
import type { Command } from './types.js';

type CheckArgs = AuditArgs & OutputArgs & { format: Format; capabilities: boolean; limit?: number; all: boolean };

function rowLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new DepguardError('EBAD_ARGS', `--limit: "${String(limit)}" is not a whole number of rows (0 or more)`, { field: '--limit', hint: 'or --all for every row' });
  return limit;
}

async function handler(args: CheckArgs): Promise<number> {
  const options = auditOptions(args);
  // The inventory view: the capabilities check runs (alone, unless --only names others too).
  if (args.capabilities) options.only = [...new Set([...(options.only ?? []), 'capabilities'])];
  const output = registryOutput({ verbose: args.verbose, progress: args.progress });
  if (output.onRequest) options.registryAccess!.onRequest = output.onRequest;
  if (output.onProgress) options.registryAccess!.onProgress = output.onProgress;
  let outcome: Awaited<ReturnType<typeof audit>>;
  try {
    outcome = await audit(options);
  } finally {
    output.finish();
  }
  const { result } = outcome;
  // --min-severity narrows what is shown; the gate above has already counted everything.
  const minimum = severityRank(args['min-severity']);
  const shown = { ...result, findings: result.findings.filter((finding) => severityRank(finding.severity) >= minimum) };
  const reportOptions: Parameters<(typeof REPORTERS)['table']>[1] = { color: useColor(args), failOn: args['fail-on'] };
  if (process.stdout.isTTY && process.stdout.columns) reportOptions.width = process.stdout.columns;
  if (args.all) reportOptions.limit = null;
  else if (args.limit !== undefined) reportOptions.limit = rowLimit(args.limit);
  const render = (): string =>
    args.capabilities && args.format !== 'json' && args.format !== 'sarif'
      ? `${renderInventory(shown, { markdown: args.format === 'markdown', color: reportOptions.color })}${summaryLine(result, args['fail-on'])}\n`
      : REPORTERS[args.format](shown, args.format === 'sarif' ? { ...reportOptions, sources: sarifSources(outcome.graph) } : reportOptions);
  return deliver({ render, summary: summaryLine(result, args['fail-on']), failing: failingFindings(result.findings, args['fail-on']) }, args.output);
}

export const check: Command<CheckArgs> = {
  command: 'check [path]',
  describe: 'audit the project at path (default .)',
  builder: (yargs: Argv) =>
    outputFlags(auditFlags(yargs))
      .option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: 'output format' })
      .option('limit', { type: 'number', describe: `table, markdown: rows shown per rule, worst first (default ${DEFAULT_LIMIT}, markdown ${MARKDOWN_ROWS}); the counts above them cover every finding` })
      .option('all', { type: 'boolean', default: false, describe: 'table, markdown: every row of every rule (table: and every diagnostic)' })
      .option('capabilities', { type: 'boolean', default: false, describe: 'print the capability inventory: one row per package with what it can do (runs the capabilities check; JSON: checks.capabilities)' }),
  handler,
  examples: [
    ['$0 check', 'audit the project in this folder; exit 1 on high or critical findings'],
    ['$0 check ../service --format json --output depguard.json', 'machine-readable result for CI'],
    ['$0 check --only lockfile --fail-on moderate', 'gate on lockfile problems only'],
    ['$0 check --omit dev --min-severity moderate', 'production dependencies, hide info and low'],
    ['$0 check --all', 'every finding in the table, not only the worst rows of each rule'],
    ['$0 check --capabilities', 'which dependencies reach the network, start processes, write files, load native code…'],
  ],
};
