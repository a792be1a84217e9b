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
import { detectManager, probeVerifier, type FixManager, type Verifier } from '../../remediate/manager.js';
import { pnpmOverridesTarget } from '../../remediate/pnpm.js';
import { LOCKFILE_LOADERS } from '../../load/index.js';
import type { Spelling } from '../../remediate/files.js';
import { deniedEntries, type DeniedOption } from '../../checks/denied/index.js';
import type { ReplacementOptions } from '../../remediate/replacements.js';
import { remediate } from '../../remediate/remediate.js';
import { FIX_FORMATS, renderJson, renderText, type FixFormat, type FixTarget } from '../../remediate/render.js';
import type { FixProgress, VerifyContext } from '../../remediate/verify.js';
import { writePlan } from '../../remediate/write.js';
import { updateCommand } from '../../remediate/render.js';
import type { JsonObject } from '../../util/json.js';
import { advisorySourceFlag, auditRegistryFlag, EXIT } from '../options.js';
import type { Command } from './types.js';

interface FixArgs {
  path: string;
  format: FixFormat;
  'package-manager'?: PackageManager;
  'package-manager-bin'?: string;
  'allow-unverified': boolean;
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

/**
 * The project's manager (its lockfile decides, as for check), how the plan is
 * spelled (--package-manager, default: that manager) and, for pnpm, yarn and
 * bun, the binary that verifies it (probed once; unavailable → unverified).
 */
async function fixTarget(projectPath: string, args: FixArgs): Promise<FixTarget & { project: FixManager }> {
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as JsonObject;
  const project = detectManager(projectPath, manifest, args['package-manager']);
  if (project.name !== 'npm' && !LOCKFILE_LOADERS[project.name]) {
    // Never the old hint to make an npm lockfile: it would plan on versions the project does not install.
    throw new DepguardError('EUNSUPPORTED_LOCKFILE', `depguard fix cannot plan on ${project.lockfile}: this build of depguard has no ${project.name} lockfile loader`, {
      file: project.lockfile ?? undefined,
      hint: `fix plans on the versions ${project.name} installs; an npm lockfile made for it would hold other versions`,
    });
  }
  const spelling: Spelling = { manager: args['package-manager'] ?? project.name, ...(project.flavor ? { flavor: project.flavor } : {}) };
  if (project.name === 'npm') return { spelling, project };
  const verifier: Verifier = await probeVerifier(project, args['package-manager-bin']);
  const major = verifier.version ? Number(verifier.version.split('.')[0]) : null;
  // yarn 1 and yarn 2+ resolve differently and write different lockfiles: only the project's own line verifies its plan.
  if (project.name === 'yarn' && !verifier.unavailable && major !== null && (project.flavor === 'berry') !== major >= 2) {
    verifier.unavailable = `the project's yarn.lock is yarn ${project.flavor === 'berry' ? '2 or later (berry)' : '1 (classic)'}'s, and ${verifier.bin} is yarn ${verifier.version}: pass --package-manager-bin with the project's yarn`;
  }
  if (project.name === 'pnpm') {
    spelling.overridesIn = pnpmOverridesTarget(projectPath, manifest, verifier.version);
    // pnpm 11 ignores package.json's "pnpm" field: it cannot verify overrides the project's older pnpm reads from there.
    if (!verifier.unavailable && spelling.overridesIn === 'package.json' && major !== null && major >= 11) {
      verifier.unavailable = `pnpm ${verifier.version} reads overrides only from pnpm-workspace.yaml, and this project's pnpm reads them from package.json ("pnpm.overrides"): install the project's pnpm or pass --package-manager-bin`;
    }
  }
  return { spelling, project, verifier };
}

/**
 * --lockfile: the project's own manager rewrites its lockfile in a sanitised
 * copy (npm: Arborist in process). Not for a respelled plan (the lockfile is
 * another manager's), yarn 1 (it has no lockfile-only mode: its copy fetches
 * the whole tree from the configured registry) or a manager that cannot run.
 */
function canRefresh(target: FixTarget & { project: FixManager }): boolean {
  try {
    lockfileRefusal(target, target.spelling.manager);
    return true;
  } catch {
    return false;
  }
}

function lockfileRefusal(target: FixTarget & { project: FixManager }, manager: PackageManager): void {
  const { project, verifier } = target;
  const refuse = (why: string, hint: string) => {
    throw new DepguardError('EBAD_ARGS', `--lockfile: ${why}`, { field: '--lockfile', hint });
  };
  if (manager !== project.name) refuse(`the plan is spelled for ${manager}, but the lockfile is ${project.lockfile ?? 'node_modules'} (${project.name})`, 'drop --lockfile, or --package-manager');
  if (project.name === 'yarn' && project.flavor !== 'berry') refuse('yarn 1 has no lockfile-only mode, and depguard never runs an install in the project', 'after --write, run `yarn install` yourself');
  if (verifier?.unavailable) refuse(`${project.name} cannot run here (${verifier.unavailable})`, `after --write, run \`${project.name} install\` yourself, or pass --package-manager-bin`);
}

async function handler(args: FixArgs): Promise<number> {
  const projectPath = resolve(args.path ?? '.');
  if (args.lockfile && !args.write) throw new DepguardError('EBAD_ARGS', '--lockfile refreshes the lockfile of a written plan: it needs --write', { field: '--lockfile', hint: 'add --write' });
  if (!existsSync(join(projectPath, 'package.json'))) {
    throw new DepguardError('ENO_PACKAGE_JSON', `no package.json in ${projectPath}: depguard fixes npm projects`, { file: 'package.json', hint: 'run depguard fix in the folder that holds package.json' });
  }
  // Without a lockfile or node_modules there is no resolved tree to plan on: saying "nothing to fix" would be a false all-clear (detectManager throws ENO_LOCKFILE).
  const target = await fixTarget(projectPath, args);
  const manager = target.spelling.manager;
  if (args.lockfile) lockfileRefusal(target, manager);
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
    ...(target.project.lockfile ? { lockfile: target.project.lockfile } : {}),
    ...(target.verifier ? { pm: { run: { manager: target.project, verifier: target.verifier, registry: npm.registries.registry }, spelling: target.spelling } } : {}),
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
  let written: Awaited<ReturnType<typeof writePlan>> | { refused: string } | undefined;
  const unverified = plan.combined.unverified;
  let refused = false;
  if (args.write && unverified !== undefined && !args['allow-unverified']) {
    // An unverified plan is a guess: written only when the user says so.
    refused = true;
    written = { refused: `the plan is unverified (${unverified})` };
    process.stderr.write(`depguard: nothing written: the plan is UNVERIFIED (${unverified}); install ${target.project.name} (or pass --package-manager-bin) to verify it, or pass --allow-unverified to write it anyway\n`);
  } else if (args.write) {
    if (unverified !== undefined) process.stderr.write(`depguard: writing an UNVERIFIED plan (--allow-unverified): ${unverified}\n`);
    const result = await writePlan(projectPath, plan, target.spelling, args.lockfile ? ctx : null);
    written = result;
    for (const replaced of result.replaced) {
      process.stderr.write(`depguard: replaced the existing override ${replaced.path}: ${JSON.stringify(replaced.old)} → ${JSON.stringify(replaced.new)}\n`);
    }
    const inYaml = result.fields.filter((field) => field.startsWith('pnpm-workspace.yaml'));
    const inManifest = result.fields.filter((field) => !field.startsWith('pnpm-workspace.yaml'));
    const where = [...(inManifest.length > 0 ? [`${inManifest.join(', ')} in package.json`] : []), ...(inYaml.length > 0 ? ['overrides in pnpm-workspace.yaml'] : [])].join(' and ');
    if (result.fields.length > 0) process.stderr.write(`depguard: wrote ${where}${result.lockfile ? ` and refreshed ${result.lockfile}` : ''}\n`);
    else if (failedVerifications(plan).length > 0) {
      // Verifications that failed (a read-only copy, ERESOLVE…) leave nothing to write: never claim the plan is "already" there.
      const failed = failedVerifications(plan);
      process.stderr.write(`depguard: nothing written to package.json: ${failed.length} verification${failed.length === 1 ? '' : 's'} failed (first: ${failed[0]})${result.lockfile ? `; refreshed ${result.lockfile}` : ''}\n`);
    } else process.stderr.write(`depguard: package.json already holds the plan${result.lockfile ? `; refreshed ${result.lockfile}` : ''}\n`);
    // Refreshes live in the lockfile only: without --lockfile they are still the user's to run.
    const orLockfile = canRefresh(target) ? ' or pass --lockfile' : '';
    if (!result.lockfile && plan.combined.update.length > 0) process.stderr.write(`depguard: the lockfile is unchanged: run \`${updateCommand(target, plan.combined.update)}\`${orLockfile}\n`);
    else if (target.project.name !== 'npm' && result.fields.length > 0 && !result.lockfile) process.stderr.write(`depguard: ${target.project.lockfile} is unchanged: run \`${target.project.name} install\` to apply the plan${orLockfile} (depguard never runs an install in the project)\n`);
  }
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>;
  const header = {
    schemaVersion: 1 as const,
    tool: TOOL,
    project: { name: typeof manifest.name === 'string' ? manifest.name : null, version: typeof manifest.version === 'string' ? manifest.version : null, path: args.path },
  };
  process.stdout.write(args.format === 'json' ? renderJson(plan, target, header, written) : renderText(plan, target, args.format === 'markdown'));
  // Exit 1 while an advisory has no verified fix (a bundled copy has none), or an existing override forces a vulnerable version.
  const unfixed = plan.partial !== undefined || plan.bundled.length > 0 || plan.packages.some((entry) => !entry.suggestions.some((suggestion) => suggestion.offered));
  const badOverride = plan.overrideFindings.some((finding) => finding.severity === 'high');
  if (refused) return EXIT.error;
  return unfixed || badOverride || plan.blocked ? EXIT.findings : EXIT.clean;
}

export const fix: Command<FixArgs> = {
  command: 'fix [path]',
  describe: 'plan and verify the smallest change (refresh, parent upgrade, override) that removes each advisory; --write applies it to package.json',
  builder: (yargs: Argv) =>
    yargs
      .positional('path', { type: 'string', default: '.', describe: 'project folder' })
      .option('format', { alias: 'f', choices: FIX_FORMATS, default: 'table' as FixFormat, describe: 'output format' })
      .option('package-manager', { choices: PACKAGE_MANAGERS, describe: "the manager the plan is for (default: the project's, from packageManager / devEngines or its lockfile; chooses among lockfiles of several managers). A pnpm, yarn or bun project's plan is verified by that manager; on an npm project, pnpm / yarn / bun only respell npm's verified plan" })
      .option('package-manager-bin', { type: 'string', describe: 'the pnpm / yarn / bun binary that verifies the plan (default: the one on PATH)' })
      .option('allow-unverified', { type: 'boolean', default: false, describe: 'with --write: write a plan its package manager could not verify (not installed, timed out)' })
      .option('write', { type: 'boolean', default: false, describe: 'merge the plan into package.json (key order, indentation and existing overrides kept)' })
      .option('lockfile', { type: 'boolean', default: false, describe: "with --write: refresh the lockfile: npm's as `npm install --package-lock-only` would; pnpm's, yarn 2+'s and bun's as their manager writes it in a sanitised temporary copy" })
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
    ['$0 fix --format markdown', "a pnpm, yarn or bun project's plan in its own syntax, verified by that manager, for a pull request"],
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
