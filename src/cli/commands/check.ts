// depguard check [path]: audit a project; the exit code is the CI gate.

import type { Argv } from 'yargs';
import { audit } from '../../audit.js';
import { severityRank } from '../../model.js';
import { FORMATS, REPORTERS, type Format } from '../../reporters/index.js';
import { failingCount, summaryLine } from '../../reporters/summary.js';
import { auditFlags, auditOptions, EXIT, outputFlags, useColor, type AuditArgs, type OutputArgs } from '../options.js';
import { emit } from '../output.js';
import { registryOutput } from '../registry-output.js';
import type { Command } from './types.js';

type CheckArgs = AuditArgs & OutputArgs & { format: Format };

async function handler(args: CheckArgs): Promise<number> {
  const options = auditOptions(args);
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
  const failing = failingCount(result, args['fail-on']);
  // --min-severity narrows what is shown; the gate above has already counted everything.
  const minimum = severityRank(args['min-severity']);
  const shown = { ...result, findings: result.findings.filter((finding) => severityRank(finding.severity) >= minimum) };
  const reportOptions: Parameters<(typeof REPORTERS)['table']>[1] = { color: useColor(args), failOn: args['fail-on'] };
  if (process.stdout.isTTY && process.stdout.columns) reportOptions.width = process.stdout.columns;
  emit(REPORTERS[args.format](shown, reportOptions), args.output, summaryLine(result, args['fail-on']));
  return failing > 0 ? EXIT.findings : EXIT.clean;
}

export const check: Command<CheckArgs> = {
  command: 'check [path]',
  describe: 'audit the project at path (default .)',
  builder: (yargs: Argv) => outputFlags(auditFlags(yargs)).option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: 'output format' }),
  handler,
  examples: [
    ['$0 check', 'audit the project in this folder; exit 1 on high or critical findings'],
    ['$0 check ../service --format json --output depguard.json', 'machine-readable result for CI'],
    ['$0 check --only lockfile --fail-on moderate', 'gate on lockfile problems only'],
    ['$0 check --omit dev --min-severity moderate', 'production dependencies, hide info and low'],
  ],
};
