// The only module that reads argv, writes stdout/stderr and sets the exit
// code. Exit codes (contract): 0 nothing at or above --fail-on, 1 findings at
// or above it, 2 could not audit.

import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { audit, TOOL } from '../audit.js';
import { CHECKS } from '../checks/index.js';
import { parseDuration, type RegistryAccessOptions } from '../enrich/access.js';
import { DEFAULT_CONCURRENCY } from '../enrich/registry-client.js';
import { isRealDate, listPolicies } from '../config/load.js';
import { OMIT_TYPES } from '../engine/run.js';
import { DepguardError, isDepguardError } from '../errors.js';
import { SEVERITIES, severityRank, type Severity } from '../model.js';
import { FORMATS, REPORTERS, type Format } from '../reporters/index.js';
import { failingCount, summaryLine } from '../reporters/summary.js';
import { registryOutput } from './registry-output.js';

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

interface CheckArgs {
  path: string;
  format: Format;
  output?: string;
  config?: string;
  policy?: string;
  'fail-on': Severity | 'none';
  'min-severity': Severity;
  only?: string;
  skip?: string;
  omit: Array<(typeof OMIT_TYPES)[number]>;
  registry?: string;
  date?: string;
  color: boolean;
  debug: boolean;
  offline?: boolean;
  'prefer-offline'?: boolean;
  cache?: string;
  'max-age': string;
  concurrency: number;
  'allow-incomplete': boolean;
  verbose: boolean;
  progress: boolean;
}

/** --offline, --prefer-offline, --cache, --max-age, --concurrency, --allow-incomplete as the library takes them. */
function registryAccess(args: CheckArgs): RegistryAccessOptions {
  if (args.offline && args['prefer-offline']) {
    throw new DepguardError('EBAD_ARGS', '--offline and --prefer-offline contradict each other: --offline never asks the registry, --prefer-offline asks it for what is not cached', { field: '--offline' });
  }
  const maxAge = parseDuration(args['max-age']);
  if (maxAge === null) throw new DepguardError('EBAD_ARGS', `--max-age: "${args['max-age']}" is not a duration (expected e.g. 3600, 30m, 2h, 1d or 0)`, { field: '--max-age' });
  const concurrency = args.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new DepguardError('EBAD_ARGS', `--concurrency: "${String(concurrency)}" is not a whole number from 1 to 256`, { field: '--concurrency' });
  }
  const access: RegistryAccessOptions = { maxAge, concurrency, allowIncomplete: args['allow-incomplete'] };
  // Absent flags leave npm's own offline / prefer-offline settings in force.
  if (args.offline) access.mode = 'offline';
  else if (args['prefer-offline']) access.mode = 'prefer-offline';
  else if (args.offline === false || args['prefer-offline'] === false) access.mode = 'online';
  if (args.cache !== undefined) access.cache = resolve(args.cache);
  return access;
}

function checkIds(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  const known = CHECKS.map((check) => check.meta.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new DepguardError('EBAD_ARGS', `--${flag}: unknown check ${unknown.map((id) => `"${id}"`).join(', ') || '(empty list)'}; expected a comma-separated list of ${known.join(', ')}`, {
      field: `--${flag}`,
    });
  }
  return ids;
}

/** Writes a file the user asked for atomically: a reader never sees half a report. */
export function writeAtomically(path: string, content: string): void {
  const target = resolve(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content, { mode: 0o644 });
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new DepguardError('EWRITE', `could not write ${path}: ${(error as Error).message}`, { file: path });
  }
}

async function runCheck(args: CheckArgs): Promise<number> {
  const only = checkIds('only', args.only);
  const skip = checkIds('skip', args.skip);
  const options: Parameters<typeof audit>[0] = { path: args.path, omit: args.omit ?? [] };
  if (args.config !== undefined) options.configPath = args.config;
  if (args.policy !== undefined) options.policyName = args.policy;
  if (only) options.only = only;
  if (skip) options.skip = skip;
  if (args.registry !== undefined) options.registry = args.registry;
  if (args.date !== undefined) {
    if (!isRealDate(args.date)) throw new DepguardError('EBAD_ARGS', `--date: "${args.date}" is not a real date (expected YYYY-MM-DD)`, { field: '--date' });
    options.today = args.date;
  }
  options.registryAccess = registryAccess(args);
  const output = registryOutput({ verbose: args.verbose, progress: args.progress });
  if (output.onRequest) options.registryAccess.onRequest = output.onRequest;
  if (output.onProgress) options.registryAccess.onProgress = output.onProgress;
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
  const color = args.color && !args.output && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
  const reportOptions: Parameters<(typeof REPORTERS)['table']>[1] = { color, failOn: args['fail-on'] };
  if (process.stdout.isTTY && process.stdout.columns) reportOptions.width = process.stdout.columns;
  const text = REPORTERS[args.format](shown, reportOptions);
  if (args.output) {
    writeAtomically(args.output, text);
    process.stderr.write(`${summaryLine(result, args['fail-on'])}\nwrote ${args.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return failing > 0 ? EXIT.findings : EXIT.clean;
}

function commonOptions<T>(command: Argv<T>) {
  return command
    .positional('path', { type: 'string', default: '.', describe: 'project folder (holds package.json)' })
    .option('format', { alias: 'f', choices: FORMATS, default: 'table' as Format, describe: 'output format' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to a file (atomically) instead of stdout' })
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: depguard.config.json, .depguardrc.json or package.json#depguard)' })
    .option('policy', { type: 'string', describe: `policy preset, instead of the config's "extends" (${listPolicies().join(', ')})` })
    .option('fail-on', { choices: [...SEVERITIES, 'none'] as const, default: 'high' as Severity | 'none', describe: 'exit 1 when an unwaived finding is at or above this severity' })
    .option('min-severity', { choices: SEVERITIES, default: 'info' as Severity, describe: 'show only findings at or above this severity (does not change the exit code)' })
    .option('only', { type: 'string', describe: 'run only these checks (comma-separated ids)' })
    .option('skip', { type: 'string', describe: 'skip these checks (comma-separated ids)' })
    .option('omit', { type: 'array', choices: OMIT_TYPES, default: [] as Array<(typeof OMIT_TYPES)[number]>, describe: "drop findings about packages reachable only through these dependency types, as npm's --omit" })
    .option('registry', { type: 'string', describe: "registry URL, instead of the one in npm's config" })
    .option('date', { type: 'string', describe: "audit as of this day (YYYY-MM-DD): waiver expiry, Node.js end-of-life; default the config's date, else today" })
    .option('offline', { type: 'boolean', describe: "use only cached registry data (npm's cache, depguard's compact cache); never ask the registry" })
    .option('prefer-offline', { type: 'boolean', describe: 'use cached registry data whatever its age; ask the registry only for what is not cached' })
    .option('cache', { type: 'string', describe: "npm's cache folder to read and fill (default: npm's `cache` setting, ~/.npm)" })
    .option('max-age', { type: 'string', default: '1h', describe: 'trust cached registry metadata this long before asking the registry again: 3600, 30m, 2h, 1d, 0 (always ask)' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'registry requests in flight at most' })
    .option('allow-incomplete', {
      alias: 'degraded',
      type: 'boolean',
      default: false,
      describe: 'when registry data a check needs cannot be had, audit without it (diagnostics name the packages) instead of exiting 2',
    })
    .option('verbose', { type: 'boolean', default: false, describe: 'print each registry request on stderr: method, URL (no credentials), status, time, cache' })
    .option('progress', { type: 'boolean', default: true, describe: 'a registry request counter on stderr when it is a terminal (--no-progress turns it off)' })
    .option('color', { type: 'boolean', default: true, describe: 'colour on a TTY (--no-color, or NO_COLOR, turns it off)' })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' });
}

function printError(error: unknown, debug: boolean): void {
  if (isDepguardError(error)) {
    process.stderr.write(`depguard: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (debug && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`depguard: internal error: ${message}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('hint: run again with --debug for the stack trace, and report it as a bug\n');
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = EXIT.clean;
  const parser = yargs(argv)
    .scriptName('depguard')
    .usage('$0 <command> [path] [options]\n\nAudit an npm project\'s dependency tree: pinning, lockfile integrity and more.')
    .command(
      'check [path]',
      'audit the project at path (default .)',
      (command) => commonOptions(command),
      async (args) => {
        exitCode = await runCheck(args as unknown as CheckArgs);
      },
    )
    .example('$0 check', 'audit the project in this folder; exit 1 on high or critical findings')
    .example('$0 check ../service --format json --output depguard.json', 'machine-readable result for CI')
    .example('$0 check --only lockfile --fail-on moderate', 'gate on lockfile problems only')
    .example('$0 check --omit dev --min-severity moderate', 'production dependencies, hide info and low')
    .epilogue('Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not audit (bad input, bad config, registry data a check needs could not be had).')
    .demandCommand(1, 'name a command: depguard check [path]')
    .strict()
    .version(TOOL.version)
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new DepguardError('EBAD_ARGS', message, { hint: 'run `depguard --help` for the options' });
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    printError(error, debug);
    return EXIT.error;
  }
  return exitCode;
}

export async function run(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}
