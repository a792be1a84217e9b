// depguard fix [path]: plans a remediation for every package an advisory hits
// (refresh, parent upgrade, scoped or global override), verifies each plan by
// re-resolving a copy of the project with Arborist, and prints it as npm
// overrides, pnpm.overrides or yarn resolutions. Nothing on disk changes
// without --write.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_OSV_API } from '../../enrich/advisories/osv-api.js';
import { TOOL } from '../../commands/check.js';
import { createAdvisorySource } from '../../enrich/advisories/source.js';
import { AdvisorySourceError } from '../../enrich/advisories/types.js';
import { createRegistryClient } from '../../enrich/access.js';
import { listPolicies, loadPolicy } from '../../policy/load.js';
import { DepguardError } from '../../errors.js';
import { loadNpmConfig } from '../../enrich/npm-config.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../../remediate/merge.js';
import { deniedEntries, type DeniedOption } from '../../checks/denied/index.js';
import type { ReplacementOptions } from '../../remediate/replacements.js';
import { remediate } from '../../remediate/remediate.js';
import { FIX_FORMATS, renderJson, renderText, type FixFormat } from '../../remediate/render.js';
import type { FixProgress, VerifyContext } from '../../remediate/verify.js';
import { writePlan } from '../../remediate/write.js';
import type { JsonObject } from '../../util/json.js';
import { advisorySourceFlag, auditRegistryFlag, EXIT } from '../options.js';
import type { Command } from './types.js';

interface FixArgs {
  path: string;
  format: FixFormat;
  'package-manager': PackageManager;
  write: boolean;
  lockfile: boolean;
  'audit-overrides': boolean;
  registry?: string;
  cache?: string;
  'advisory-source': string;
  'audit-registry'?: string;
  deprecated?: boolean;
  config?: string;
  policy?: string;
  debug: boolean;
  verbose: boolean;
  progress: boolean;
  'max-time'?: number;
}

/**
 * Progress on stderr: a line per event with --verbose; on a terminal, one
 * status line rewritten in place (cleared at the end); nothing otherwise.
 */
function progressPrinter(args: FixArgs): { progress?: (event: FixProgress) => void; finish(): void } {
  const tty = process.stderr.isTTY === true && args.progress;
  if (!args.verbose && !tty) return { finish: () => {} };
  let shown = false;
  const describe = (event: FixProgress): string => {
    const seconds = `${(event.elapsedMs / 1000).toFixed(1)} s`;
    const counts = `${event.verified} re-resolved${event.reused > 0 ? `, ${event.reused} reused` : ''}`;
    if (event.phase === 'assess') return `depguard fix: assessing the project (${seconds})`;
    if (event.phase === 'verify') return `depguard fix: verifying candidates for ${event.package} (package ${event.index} of ${event.total}; ${counts}; ${seconds})`;
    if (event.phase === 'combine') return `depguard fix: joining the plan: ${event.package} (${counts}; ${seconds})`;
    if (event.phase === 'overrides') return `depguard fix: auditing the existing overrides (${counts}; ${seconds})`;
    return `depguard fix: done (${counts}; ${seconds})`;
  };
  return {
    progress: (event) => {
      const line = describe(event);
      if (args.verbose) process.stderr.write(`${line}\n`);
      else {
        const width = process.stderr.columns ?? 80;
        process.stderr.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
        shown = true;
      }
    },
    finish: () => {
      if (shown) process.stderr.write(`\r${' '.repeat((process.stderr.columns ?? 80) - 1)}\r`);
    },
  };
}

/**
 * What besides advisories the project's policy asks to replace. Deprecated
 * versions: when the policy enables the deprecated check (its `ignore`
 * option applies), or with --deprecated; --no-deprecated turns that off.
 * Denied packages: the denied check's list, when the check is on.
 */
async function replacementPlanning(projectPath: string, args: FixArgs): Promise<ReplacementOptions> {
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as JsonObject;
  const policy = await loadPolicy({ projectPath, manifest, ...(args.config !== undefined ? { configPath: args.config } : {}), ...(args.policy !== undefined ? { policyName: args.policy } : {}) });
  const deprecated = policy.checks.get('deprecated');
  const denied = policy.checks.get('denied');
  const planDeprecated = args.deprecated ?? deprecated?.enabled ?? false;
  const ignore = deprecated?.options.ignore;
  return {
    deprecated: planDeprecated ? { ignore: Array.isArray(ignore) ? ignore.map(String) : [] } : null,
    denied: denied?.enabled ? deniedEntries((denied.options.packages as DeniedOption[] | undefined) ?? []) : [],
  };
}

async function handler(args: FixArgs): Promise<number> {
  const projectPath = resolve(args.path ?? '.');
  if (args.lockfile && !args.write) throw new DepguardError('EBAD_ARGS', '--lockfile refreshes the lockfile of a written plan: it needs --write', { field: '--lockfile', hint: 'add --write' });
  if (args.lockfile && args['package-manager'] !== 'npm') throw new DepguardError('EBAD_ARGS', `--lockfile refreshes package-lock.json: it works with --package-manager npm, not ${args['package-manager']}`, { field: '--lockfile' });
  if (!existsSync(join(projectPath, 'package.json'))) {
    throw new DepguardError('ENO_PACKAGE_JSON', `no package.json in ${projectPath}: depguard fixes npm projects`, { file: 'package.json', hint: 'run depguard fix in the folder that holds package.json' });
  }
  // Without a lockfile or node_modules there is no resolved tree to plan on: saying "nothing to fix" would be a false all-clear.
  if (!['package-lock.json', 'npm-shrinkwrap.json', 'node_modules'].some((name) => existsSync(join(projectPath, name)))) {
    throw new DepguardError('ENO_LOCKFILE', `no package-lock.json, npm-shrinkwrap.json or node_modules in ${projectPath}: depguard fix plans on the resolved tree`, {
      file: 'package-lock.json',
      hint: 'create the lockfile with `npm install --package-lock-only --ignore-scripts`, then run depguard fix again',
    });
  }
  const npm = await loadNpmConfig(projectPath, { ...(args.registry !== undefined ? { registry: args.registry } : {}), ...(args.cache !== undefined ? { cache: args.cache } : {}) });
  const client = createRegistryClient(npm.registries, npm, {});
  const source = createAdvisorySource({
    source: advisorySourceFlag(args['advisory-source']),
    base: projectPath,
    registry: npm.registries.registry,
    auditRegistry: args['audit-registry'] === undefined ? null : auditRegistryFlag(args['audit-registry']),
    osvApi: DEFAULT_OSV_API,
    cache: npm.cache,
    offline: npm.offline,
  });
  const maxTime = args['max-time'];
  if (maxTime !== undefined && (!Number.isFinite(maxTime) || maxTime <= 0)) throw new DepguardError('EBAD_ARGS', `--max-time: "${String(maxTime)}" is not a number of seconds above 0`, { field: '--max-time' });
  const printer = progressPrinter(args);
  const ctx: VerifyContext = {
    source,
    client,
    registry: npm.registries.registry,
    cache: npm.cache,
    fetchOptions: npm.fetchOptions,
    replacements: await replacementPlanning(projectPath, args),
    ...(printer.progress ? { progress: printer.progress } : {}),
    ...(maxTime !== undefined ? { deadline: Date.now() + maxTime * 1000 } : {}),
  };
  let plan: Awaited<ReturnType<typeof remediate>>;
  try {
    plan = await remediate(projectPath, ctx, { auditOverrides: args['audit-overrides'] });
  } catch (error) {
    if (!(error instanceof AdvisorySourceError)) throw error;
    throw new DepguardError('EADVISORIES', `advisory source ${error.source}: ${error.message}`, { hint: error.hint ?? 'check the source and the network, or pick another one with --advisory-source', cause: error });
  } finally {
    printer.finish();
  }
  if (plan.partial) process.stderr.write(`depguard fix: --max-time ${String(maxTime)} s ran out: the plan is PARTIAL (${plan.partial.candidatesSkipped} candidate(s) not verified${plan.partial.combineSkipped ? ', a joining phase skipped' : ''}); every suggestion shown was verified\n`);
  let written: Awaited<ReturnType<typeof writePlan>> | undefined;
  if (args.write) {
    written = await writePlan(projectPath, plan, args['package-manager'], args.lockfile ? ctx : null);
    for (const replaced of written.replaced) {
      process.stderr.write(`depguard: replaced the existing override ${replaced.path}: ${JSON.stringify(replaced.old)} → ${JSON.stringify(replaced.new)}\n`);
    }
    if (written.fields.length > 0) process.stderr.write(`depguard: wrote ${written.fields.join(', ')} in package.json${written.lockfile ? ` and refreshed ${written.lockfile}` : ''}\n`);
    else if (failedVerifications(plan).length > 0) {
      // Verifications that failed (a read-only copy, ERESOLVE…) leave nothing to write: never claim the plan is "already" there.
      const failed = failedVerifications(plan);
      process.stderr.write(`depguard: nothing written to package.json: ${failed.length} verification${failed.length === 1 ? '' : 's'} failed (first: ${failed[0]})${written.lockfile ? `; refreshed ${written.lockfile}` : ''}\n`);
    } else process.stderr.write(`depguard: package.json already holds the plan${written.lockfile ? `; refreshed ${written.lockfile}` : ''}\n`);
    // Refreshes live in the lockfile only: without --lockfile they are still the user's to run.
    if (!written.lockfile && plan.combined.update.length > 0) process.stderr.write(`depguard: the lockfile is unchanged: run \`npm update ${plan.combined.update.join(' ')}\` or pass --lockfile\n`);
  }
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>;
  const header = {
    schemaVersion: 1 as const,
    tool: TOOL,
    project: { name: typeof manifest.name === 'string' ? manifest.name : null, version: typeof manifest.version === 'string' ? manifest.version : null, path: args.path },
  };
  process.stdout.write(args.format === 'json' ? renderJson(plan, args['package-manager'], header, written) : renderText(plan, args['package-manager'], args.format === 'markdown'));
  // Exit 1 while an advisory has no verified fix (a bundled copy has none), or an existing override forces a vulnerable version.
  const unfixed = plan.partial !== undefined || plan.bundled.length > 0 || plan.packages.some((entry) => !entry.suggestions.some((suggestion) => suggestion.offered));
  const badOverride = plan.overrideFindings.some((finding) => finding.severity === 'high');
  return unfixed || badOverride || plan.blocked ? EXIT.findings : EXIT.clean;
}

export const fix: Command<FixArgs> = {
  command: 'fix [path]',
  describe: 'plan and verify the smallest change (refresh, parent upgrade, override) that removes each advisory; --write applies it to package.json',
  builder: (yargs: Argv) =>
    yargs
      .positional('path', { type: 'string', default: '.', describe: 'project folder' })
      .option('format', { alias: 'f', choices: FIX_FORMATS, default: 'table' as FixFormat, describe: 'output format' })
      .option('package-manager', { choices: PACKAGE_MANAGERS, default: 'npm' as PackageManager, describe: 'spell overrides as npm `overrides`, pnpm `pnpm.overrides` or yarn `resolutions`' })
      .option('write', { type: 'boolean', default: false, describe: 'merge the plan into package.json (key order, indentation and existing overrides kept)' })
      .option('lockfile', { type: 'boolean', default: false, describe: 'with --write: refresh package-lock.json as `npm install --package-lock-only` would' })
      .option('audit-overrides', { type: 'boolean', default: true, describe: 'audit the existing overrides too (--no-audit-overrides skips it)' })
      .option('registry', { type: 'string', describe: "registry URL, instead of the one in npm's config" })
      .option('cache', { type: 'string', describe: "npm's cache folder (default: npm's `cache` setting, ~/.npm)" })
      .option('advisory-source', { type: 'string', default: 'npm', describe: "advisories from: npm (the registry's audit endpoint), osv, db, or a folder/zip of OSV records" })
      .option('audit-registry', { type: 'string', describe: "registry whose audit endpoint is asked, instead of the default registry" })
      .option('deprecated', { type: 'boolean', describe: 'plan for deprecated versions too (default: when the policy enables the deprecated check; --no-deprecated: never)' })
      .option('config', { alias: 'c', type: 'string', describe: 'config file whose deprecated and denied settings the plan follows (default: depguard.config.json, .depguardrc.json or package.json#depguard)' })
      .option('policy', { type: 'string', describe: `policy preset, instead of the config's "extends" (${listPolicies().join(', ')})` })
      .option('max-time', { type: 'number', describe: 'time budget in seconds: no verification starts after it, and the best verified plan so far is printed, labelled partial (exit 1)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'print progress on stderr, a line per step: phase, package n of m, candidates re-resolved' })
      .option('progress', { type: 'boolean', default: true, describe: 'a progress line on stderr when it is a terminal (--no-progress turns it off)' })
      .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }),
  handler,
  examples: [
    ['$0 fix', 'suggest verified fixes for every advisory in this project'],
    ['$0 fix --package-manager pnpm --format markdown', 'pnpm.overrides, for a pull request'],
    ['$0 fix --write --lockfile', 'apply the plan to package.json and refresh package-lock.json'],
    ['$0 fix --max-time 60 --verbose', 'at most a minute of planning, with each step on stderr'],
  ],
};

/** `package: error` of every suggestion whose re-resolution failed, when none was offered for its package. */
export function failedVerifications(plan: { packages: Array<{ package: string; suggestions: Array<{ offered: boolean; verification: { error?: string } }> }> }): string[] {
  return plan.packages
    .filter((entry) => !entry.suggestions.some((suggestion) => suggestion.offered))
    .flatMap((entry) => entry.suggestions.filter((suggestion) => suggestion.verification.error !== undefined).map((suggestion) => `${entry.package}: ${suggestion.verification.error}`));
}
