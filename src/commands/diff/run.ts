// The library entry point of `depguard diff`: audit head (the project folder
// as it is) and base (a git ref or another folder) with the same policy, the
// same date and every selected check, then compare the two. No argv, no
// stdout, no exit codes here.
//
// The policy is the trusted side's: --config / --policy, else the depguard
// config of the BASE revision. Head is the pull request, which must not be
// able to waive its own findings, switch a check off or widen
// lockfile.allowedHosts in the same change; its config changes are shown
// (manifest changes) and take effect once merged (docs/security.md).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { audit, summarise, type AuditOptions, type AuditOutcome } from '../check.js';
import { findConfig, loadPolicy, type Policy } from '../../policy/load.js';
import { isJsonObject, type JsonObject } from '../../util/json.js';
import { DepguardError, isDepguardError } from '../../errors.js';
import type { DepGraph } from '../../model.js';
import { loadBase, type BaseProject } from './base.js';
import { diffCauses } from './causes.js';
import { changeScope } from './scope.js';
import { loadProject, type LoadedProject } from '../../load/load.js';
import type { JudgedScope } from '../../checks/scope.js';
import { configChanges, projectManifestChanges, type RawConfig } from './manifest.js';
import { diffPackages, newInstallScripts } from './packages.js';
import type { DiffReport, DiffResult, DiffSide } from '../../render/diff-model.js';

export const DIFF_SCOPES = ['changed', 'all'] as const;
export type DiffScope = (typeof DIFF_SCOPES)[number];

export interface DiffOptions extends Omit<AuditOptions, 'scope'> {
  /** A git ref (branch, tag, commit) or a folder holding the base version of the project. */
  base: string;
  /**
   * --scope: the packages the registry-backed checks judge on both sides:
   * `changed` (default), those the change touched (./scope.ts); `all`, every
   * package, as `check` does (each side's findings and summary whole).
   */
  scope?: DiffScope;
  /** Folder that relative --base folders and the displayed base path are taken from (default: the process's). */
  cwd?: string;
}

export interface DiffOutcome {
  result: DiffResult;
  head: AuditOutcome;
  base: AuditOutcome;
}

function side(outcome: AuditOutcome, place: { ref: string | null; commit: string | null; path: string }): DiffSide {
  const { result } = outcome;
  return { ref: place.ref, commit: place.commit, path: place.path, project: { ...result.project, path: place.path }, summary: result.summary, ...(result.scope ? { scope: result.scope } : {}) };
}

function rawConfig(graph: DepGraph): RawConfig | null {
  try {
    const source = findConfig(graph.projectPath, graph.manifest);
    return source ? { file: source.file, data: source.data } : null;
  } catch {
    // An unreadable config is shown as no config (loading the policy reports why).
    return null;
  }
}

/** Base errors name the base as the user gave it, never the temporary folder. */
function renameBase(error: unknown, base: BaseProject): unknown {
  if (!isDepguardError(error)) return error;
  const message = `base ${base.label}: ${base.ref === null ? error.message : error.message.split(base.path).join(base.label)}`;
  const details: ConstructorParameters<typeof DepguardError>[2] = { cause: error };
  if (error.file !== undefined) details.file = error.file;
  if (error.field !== undefined) details.field = error.field;
  if (error.hint !== undefined) details.hint = error.hint;
  return new DepguardError(error.code, message, details);
}

export function buildReport(base: AuditOutcome, head: AuditOutcome, places: { base: Parameters<typeof side>[1]; head: Parameters<typeof side>[1] }, configs: { base: RawConfig | null; head: RawConfig | null } = { base: null, head: null }): DiffReport {
  const packages = diffPackages(base.graph, head.graph);
  const findings = diffCauses({ findings: base.result.findings, copies: base.copies }, { findings: head.result.findings, copies: head.copies });
  const inventory = head.result.checks?.['install-scripts']?.packages;
  const installScripts = newInstallScripts(base.graph, head.graph, inventory);
  const manifest = [...projectManifestChanges(base.graph, head.graph), ...configChanges(configs.base, configs.head)];
  return {
    base: side(base, places.base),
    head: side(head, places.head),
    summary: {
      added: packages.added.length,
      removed: packages.removed.length,
      upgraded: packages.changed.filter((change) => change.change === 'upgraded').length,
      downgraded: packages.changed.filter((change) => change.change === 'downgraded').length,
      changed: packages.changed.length,
      newFindings: summarise(findings.newFindings),
      resolvedFindings: findings.resolvedFindings.length,
      installScripts: installScripts.length,
      manifestChanges: manifest.length,
    },
    ...packages,
    ...findings,
    installScripts,
    manifest,
  };
}

/** The base side's package.json as data (for package.json#depguard); a broken one is reported by the base audit. */
async function baseManifest(path: string): Promise<JsonObject> {
  try {
    const data = JSON.parse(await readFile(join(path, 'package.json'), 'utf8')) as unknown;
    return isJsonObject(data) ? data : {};
  } catch {
    return {};
  }
}

/** The trusted policy: given, else --config / --policy with the base revision's config (never head's). */
async function trustedPolicy(options: DiffOptions, basePath: string): Promise<Policy> {
  if (options.policy) return options.policy;
  const policyOptions: Parameters<typeof loadPolicy>[0] = { projectPath: basePath, manifest: await baseManifest(basePath) };
  if (options.configPath !== undefined) policyOptions.configPath = options.configPath;
  if (options.policyName !== undefined) policyOptions.policyName = options.policyName;
  return loadPolicy(policyOptions);
}

/**
 * How diff judges differently from check: typosquat judges every package on
 * both sides (not only direct dependencies), so a lookalike a change brings in
 * transitively is a new finding while one the base already had is not.
 */
export const DIFF_CHECK_OPTIONS: Record<string, Record<string, unknown>> = { typosquat: { dependencies: 'all' } };

/** Head's graph for the scope, inside the base's error naming: a head error is head's, not the base's. */
class HeadLoadError extends Error {
  constructor(readonly error: unknown) {
    super('head could not be loaded');
  }
}

async function loadHead(options: DiffOptions): Promise<LoadedProject> {
  try {
    return await loadProject(options.path, options.lockfile !== undefined ? { lockfile: options.lockfile } : {});
  } catch (error) {
    throw new HeadLoadError(error);
  }
}

export async function diff(diffOptions: DiffOptions): Promise<DiffOutcome> {
  const { scope: judged = 'changed', ...given } = diffOptions;
  const cwd = given.cwd ?? process.cwd();
  const options = { ...given, checkOptions: { ...DIFF_CHECK_OPTIONS, ...given.checkOptions } };
  const baseProject = await loadBase(resolve(cwd, options.path), options.base, cwd);
  let base: AuditOutcome;
  let scope: JudgedScope | undefined;
  let headLoaded: LoadedProject;
  let baseConfig: RawConfig | null;
  let policy: Policy;
  let today: string | undefined;
  try {
    // Base's policy and date for both: only what the change did to the project differs.
    policy = await trustedPolicy(options, baseProject.path);
    today = options.today ?? policy.date;
    const { lockfile: headLockfile, ...baseOptions } = options;
    // --lockfile names head's lockfile; the base uses the same one when it has it, else its own
    // (a change of package manager between base and head is a diff like any other).
    const baseLockfile = headLockfile === undefined ? undefined : basename(headLockfile);
    const lockfile = baseLockfile !== undefined && existsSync(join(baseProject.path, baseLockfile)) ? { lockfile: baseLockfile } : {};
    const baseLoaded = await loadProject(baseProject.path, lockfile);
    // Registry work for what the change touched only: both graphs first, then each side's checks (./scope.ts).
    // One load at a time: a shrinkwrap is read by patching Arborist for the one call (src/load/shrinkwrap.ts).
    headLoaded = await loadHead(options);
    scope = judged === 'all' ? undefined : changeScope(baseLoaded.graph, headLoaded.graph, policy.waivers).scope;
    base = await audit({ ...baseOptions, ...lockfile, path: baseProject.path, policy, loaded: baseLoaded, ...(scope ? { scope } : {}), ...(today !== undefined ? { today } : {}) });
    baseConfig = options.configPath === undefined ? rawConfig(base.graph) : null;
  } catch (error) {
    if (error instanceof HeadLoadError) throw error.error;
    throw renameBase(error, baseProject);
  } finally {
    await baseProject.cleanup();
  }
  const head = await audit({ ...options, policy, loaded: headLoaded, ...(scope ? { scope } : {}), ...(today !== undefined ? { today } : {}) });
  const headConfig = options.configPath === undefined ? rawConfig(head.graph) : null;
  const basePath = baseProject.ref === null ? baseProject.label : options.path;
  const report = buildReport(
    base,
    head,
    { base: { ref: baseProject.ref, commit: baseProject.commit, path: basePath }, head: { ref: null, commit: null, path: options.path } },
    { base: baseConfig, head: headConfig },
  );
  const baseDiagnostics = base.result.diagnostics.map((diagnostic) => ({ ...diagnostic, message: `base ${baseProject.label}: ${diagnostic.message}` }));
  const result: DiffResult = { ...head.result, diff: report };
  if (baseDiagnostics.length > 0) result.diagnostics = [...head.result.diagnostics, ...baseDiagnostics];
  return { result, head, base };
}

