// Options shared by every command that audits a project (check, and the later
// diff, fix and report), and their translation into the library's options.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { AuditOptions } from '../commands/check.js';
import { CHECKS } from '../checks/index.js';
import { isRealDate, listPolicies } from '../policy/load.js';
import { parseDuration, type RegistryAccessOptions } from '../enrich/access.js';
import { DEFAULT_CONCURRENCY } from '../enrich/registry-client.js';
import { OMIT_TYPES, type OmitType } from '../policy/run.js';
import { DepguardError } from '../errors.js';
import type { VexSource } from '../policy/vex.js';
import { SEVERITIES, type Severity } from '../model.js';

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

/** --timeout's default: a run that has not ended by then is stuck on something (a registry that stalls), not working. */
export const DEFAULT_TIMEOUT = '5m';

/** --timeout in ms (0: none), or an EBAD_ARGS error. */
export function deadlineMs(value: unknown): number {
  const ms = parseDuration(String(value ?? DEFAULT_TIMEOUT));
  if (ms === null) throw new DepguardError('EBAD_ARGS', `--timeout: "${String(value)}" is not a duration (expected e.g. 90s, 5m, 1h or 0 for no deadline)`, { field: '--timeout' });
  return ms;
}

/** What every auditing command accepts (yargs' parsed argv). */
export interface AuditArgs {
  path: string;
  lockfile?: string;
  config?: string;
  policy?: string;
  only?: string;
  skip?: string;
  omit: OmitType[];
  registry?: string;
  date?: string;
  offline?: boolean;
  'prefer-offline'?: boolean;
  cache?: string;
  'max-age': string;
  concurrency: number;
  'allow-incomplete': boolean;
  'advisory-source'?: string;
  'audit-registry'?: string;
  advisories?: 'required' | 'optional';
  vex?: string[];
  'vex-expires'?: string;
  verbose: boolean;
  /** The overall deadline (--timeout): a duration, 0 for none. */
  timeout: string;
  progress: boolean;
  color: boolean;
  debug: boolean;
}

/** What commands that print a gated result accept. */
export interface OutputArgs {
  output?: string;
  'fail-on': Severity | 'none';
  'min-severity': Severity;
}

/** --offline, --prefer-offline, --cache, --max-age, --concurrency, --allow-incomplete as the library takes them. */
export function registryAccess(args: AuditArgs): RegistryAccessOptions {
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

export function checkIds(flag: string, value: string | undefined): string[] | undefined {
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

/** The library's AuditOptions for a project path from the shared flags. */
export function auditOptions(args: AuditArgs, path: string = args.path): AuditOptions {
  const only = checkIds('only', args.only);
  const skip = checkIds('skip', args.skip);
  const options: AuditOptions = { path, omit: args.omit ?? [] };
  if (args.config !== undefined) options.configPath = args.config;
  if (args.policy !== undefined) options.policyName = args.policy;
  if (only) options.only = only;
  if (skip) options.skip = skip;
  if (args.registry !== undefined) options.registry = args.registry;
  if (args.lockfile !== undefined) options.lockfile = lockfileFlag(args.lockfile);
  if (args.date !== undefined) {
    if (!isRealDate(args.date)) throw new DepguardError('EBAD_ARGS', `--date: "${args.date}" is not a real date (expected YYYY-MM-DD)`, { field: '--date' });
    options.today = args.date;
  }
  options.registryAccess = registryAccess(args);
  const advisories = advisoryFlags(args);
  if (advisories) options.advisories = advisories;
  const vex = vexFlags(args);
  if (vex) options.vex = vex;
  return options;
}

/** --lockfile: a bare file name is in the project folder; a path is taken from the working directory (as every path flag is). */
export function lockfileFlag(lockfile: string): string {
  if (lockfile.trim() === '') throw new DepguardError('EBAD_ARGS', '--lockfile is empty: expected a lockfile name such as pnpm-lock.yaml', { field: '--lockfile' });
  return /[\\/]/.test(lockfile) ? resolve(lockfile) : lockfile;
}

/** --vex (repeatable; paths from the working directory) and --vex-expires, the expiry for their statements that record none. */
export function vexFlags(args: Pick<AuditArgs, 'vex' | 'vex-expires'>): VexSource[] | undefined {
  const expires = args['vex-expires'];
  if (expires !== undefined && !isRealDate(expires)) throw new DepguardError('EBAD_ARGS', `--vex-expires: "${expires}" is not a real date (expected YYYY-MM-DD)`, { field: '--vex-expires' });
  if (!args.vex || args.vex.length === 0) {
    if (expires !== undefined) throw new DepguardError('EBAD_ARGS', '--vex-expires needs --vex <file>: it dates the statements of those documents', { field: '--vex-expires' });
    return undefined;
  }
  return args.vex.map((file) => ({ file: resolve(String(file)), ...(expires !== undefined ? { expires } : {}) }));
}

/** --advisory-source as given: a source name, or a path taken from the working directory (as every path flag is). */
export function advisorySourceFlag(source: string): string {
  if (source.trim() === '') throw new DepguardError('EBAD_ARGS', '--advisory-source: expected npm, osv, db or a path to an OSV folder or zip', { field: '--advisory-source' });
  return ['npm', 'osv', 'db'].includes(source) ? source : resolve(source);
}

/** --audit-registry: an http(s) URL. */
export function auditRegistryFlag(auditRegistry: string): string {
  if (!/^https?:\/\/[^/]/.test(auditRegistry)) throw new DepguardError('EBAD_ARGS', `--audit-registry: "${auditRegistry}" is not an http(s) URL`, { field: '--audit-registry' });
  return auditRegistry;
}

/** --advisory-source, --audit-registry, --advisories. */
function advisoryFlags(args: AuditArgs): AuditOptions['advisories'] {
  const source = args['advisory-source'];
  const auditRegistry = args['audit-registry'];
  if (source === undefined && auditRegistry === undefined && args.advisories === undefined) return undefined;
  return {
    ...(source !== undefined ? { source: advisorySourceFlag(source) } : {}),
    ...(auditRegistry !== undefined ? { auditRegistry: auditRegistryFlag(auditRegistry) } : {}),
    ...(args.advisories !== undefined ? { mode: args.advisories } : {}),
  };
}

/** Colour only on a TTY, never with NO_COLOR or --no-color, never into a file. */
export function useColor(args: AuditArgs & Partial<OutputArgs>): boolean {
  return args.color && !args.output && Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

export function auditFlags<T>(command: Argv<T>) {
  return command
    .positional('path', { type: 'string', default: '.', describe: 'project folder (holds package.json)' })
    .option('lockfile', { type: 'string', describe: 'the lockfile to audit when the project has several and package.json declares no packageManager: package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock or bun.lock' })
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: depguard.config.json, .depguardrc.json or package.json#depguard)' })
    .option('policy', { type: 'string', describe: `policy preset, instead of the config's "extends" (${listPolicies().join(', ')})` })
    .option('only', { type: 'string', describe: 'run only these checks (comma-separated ids)' })
    .option('skip', { type: 'string', describe: 'skip these checks (comma-separated ids)' })
    .option('omit', { type: 'array', choices: OMIT_TYPES, default: [] as OmitType[], describe: "drop findings about packages reachable only through these dependency types, as npm's --omit" })
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
    .option('advisory-source', { type: 'string', describe: "advisories from: npm (the registry's audit endpoint), osv (the OSV API), db (`depguard db update`'s copy), or a folder/zip of OSV records; turns the advisories check on" })
    .option('audit-registry', { type: 'string', describe: "registry whose audit endpoint is asked, instead of the default registry (as npm's auditRegistry)" })
    .option('advisories', { choices: ['required', 'optional'] as const, describe: 'optional: audit without advisories (with a diagnostic) when the source cannot be reached, instead of exiting 2' })
    .option('vex', { type: 'string', array: true, describe: 'a VEX document (OpenVEX 0.2.0 or CycloneDX): its not_affected / fixed statements waive the advisories they name, for the packages they name (repeatable)' })
    .option('vex-expires', { type: 'string', describe: 'YYYY-MM-DD: when the --vex statements that record no expiry of their own stop applying' })
    .option('verbose', { type: 'boolean', default: false, describe: 'print each registry request on stderr: method, URL (no credentials), status, time, cache' })
    .option('timeout', { type: 'string', default: DEFAULT_TIMEOUT, describe: 'the whole run must end within this (e.g. 90s, 5m, 1h; 0 = no deadline); past it depguard stops and exits 2' })
    .option('progress', { type: 'boolean', default: true, describe: 'a registry request counter on stderr when it is a terminal (--no-progress turns it off)' })
    .option('color', { type: 'boolean', default: true, describe: 'colour on a TTY (--no-color, or NO_COLOR, turns it off)' })
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' });
}

export function outputFlags<T>(command: Argv<T>) {
  return command
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to a file (atomically) instead of stdout' })
    .option('fail-on', { choices: [...SEVERITIES, 'none'] as const, default: 'high' as Severity | 'none', describe: 'exit 1 when an unwaived finding is at or above this severity' })
    .option('min-severity', { choices: SEVERITIES, default: 'info' as Severity, describe: 'show only findings at or above this severity (does not change the exit code)' });
}
