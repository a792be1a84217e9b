// The library entry point: load -> check -> result. No argv, no stdout, no
// exit codes here; the CLI decides what to do with the result.

import { createRequire } from 'node:module';
import { applyAdvisoryFlags, type AdvisoryFlags } from '../policy/advisory-flags.js';
import type { VexSource } from '../policy/vex.js';
import { loadPolicy, presetPolicy, DEFAULT_POLICY, type Policy } from '../policy/load.js';
import { DepguardError } from '../errors.js';
import { cacheFolder, checkCompleteness, createRegistryClient, type RegistryAccessOptions } from '../enrich/access.js';
import { LocalManifests } from '../enrich/local-manifests.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { RegistryManifests } from '../enrich/registry-manifests.js';
import { RegistryPackuments } from '../enrich/registry-packuments.js';
import { groupFindings } from '../policy/group.js';
import { runChecks, selectedChecks, type OmitType } from '../policy/run.js';
import { WHOLE_TREE, type JudgedScope } from '../checks/scope.js';
import { isRegistryBacked } from '../checks/types.js';
import { ScopedManifests } from '../enrich/scoped-manifests.js';
import { loadProject, type LoadedProject } from '../load/load.js';
import { SEVERITIES, type AuditResult, type AuditScope, type DepGraph, type Diagnostic, type Finding, type Severity, type SkippedCheck } from '../model.js';
import { loadNpmConfig, type NpmConfig, type RegistryConfig } from '../enrich/npm-config.js';
import { own } from '../util/json.js';

const require = createRequire(import.meta.url);
export const TOOL = { name: 'depguard', version: (require('../../package.json') as { version: string }).version };

export interface AuditOptions {
  path: string;
  /** --lockfile: which lockfile to read when the project has several (src/load/select.ts). */
  lockfile?: string;
  configPath?: string;
  policyName?: string;
  /** A policy already loaded, used instead of reading one (diff: base and head judged by the base revision's config). */
  policy?: Policy;
  only?: string[];
  skip?: string[];
  omit?: OmitType[];
  /** --registry: replaces the default registry from npm's config. */
  registry?: string;
  /** Registries to use instead of reading npm's config (tests, embedding). */
  registries?: RegistryConfig;
  /** --date: audit as of this day (YYYY-MM-DD); else the config's `date`, else the current UTC date. */
  today?: string;
  /** How to reach the registry when a selected check needs registry data (--offline, --cache, --max-age…). */
  registryAccess?: RegistryAccessOptions;
  /** --advisory-source, --audit-registry, --advisories: override the advisories check's options (and turn it on). */
  advisories?: AdvisoryFlags;
  /**
   * Options laid over the policy's for checks it enables, by check id: what a
   * command needs judged differently (diff: typosquat judges every package,
   * so that what a change adds is judged, transitive or not).
   */
  checkOptions?: Record<string, Record<string, unknown>>;
  /** --vex: VEX documents whose not_affected / fixed statements waive advisories (after the config's `vex`). */
  vex?: VexSource[];
  /**
   * The packages the registry-backed checks judge and the registry is asked
   * about (default: all). diff gives those its change touched
   * (src/commands/diff/scope.ts).
   */
  scope?: JudgedScope;
  /** The project already loaded from `path` (diff loads both sides first, to know what changed). */
  loaded?: LoadedProject;
}

export interface AuditOutcome {
  result: AuditResult;
  graph: DepGraph;
  policy: Policy;
  /** The day audited as of (YYYY-MM-DD). */
  today: string;
  /** The findings as the checks reported them, one per copy, before grouping: diff narrows a single cause with them. */
  copies: readonly Finding[];
  /** The registry client the checks used, else a new one with the same settings (reports fetch more: freshness). */
  registryClient(): RegistryClient;
}

export function summarise(findings: Finding[]): AuditResult['summary'] {
  const summary = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  let waived = 0;
  for (const finding of findings) {
    if (finding.waived) waived++;
    else summary[finding.severity]++;
  }
  return { ...summary, waived };
}

/**
 * How many packages the project installs, counted as its package manager
 * counts them: npm every node of its tree (a package installed at two
 * locations is two), the others each name@version once (pnpm's `packages`
 * entries: a package resolved against two sets of peers is one package).
 */
export function packageCount(graph: DepGraph): number {
  if ((graph.lockfile?.manager ?? 'npm') === 'npm') return graph.nodes.size - 1 - graph.workspaces.length;
  const distinct = new Set<string>();
  for (const node of graph.nodes.values()) {
    if (node.location === '' || node.isWorkspace || !/(^|\/)node_modules\//.test(node.location)) continue;
    distinct.add(`${node.packageName}@${node.version}`);
  }
  return distinct.size;
}

/**
 * The checks of the default gate (what the recommended preset turns on) that
 * this run leaves out, and why: the summary names them, so a pass is never
 * read as covering what was not looked at.
 */
export async function skippedChecks(policy: Policy, only?: string[], skip?: string[]): Promise<SkippedCheck[]> {
  const gate = await presetPolicy(DEFAULT_POLICY, { validate: false });
  const ran = new Set(selectedChecks(policy, only, skip).map((check) => check.meta.id));
  const skipped: SkippedCheck[] = [];
  for (const [id, settings] of gate.checks) {
    if (!settings.enabled || ran.has(id)) continue;
    const reason =
      only && only.length > 0
        ? '--only'
        : skip?.includes(id)
          ? '--skip'
          : policy.configFile
            ? `off in ${policy.configFile}`
            : `off in the ${policy.preset} policy`;
    skipped.push({ check: id, reason });
  }
  return skipped.sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : 0));
}

/** What a narrowed run's result says it judged (AuditResult.scope). */
function judgedScope(graph: DepGraph, scope: JudgedScope, checks: string[]): AuditScope {
  let packages = 0;
  for (const node of graph.nodes.values()) if (node.location !== '' && !node.isWorkspace && scope.judges(node)) packages++;
  return { judged: 'changed', checks: checks.sort(), packages };
}

export async function audit(options: AuditOptions): Promise<AuditOutcome> {
  const { graph, diagnostics } = options.loaded ?? (await loadProject(options.path, options.lockfile !== undefined ? { lockfile: options.lockfile } : {}));
  const policyOptions: Parameters<typeof loadPolicy>[0] = { projectPath: graph.projectPath, manifest: graph.manifest };
  if (options.configPath !== undefined) policyOptions.configPath = options.configPath;
  if (options.policyName !== undefined) policyOptions.policyName = options.policyName;
  if (options.vex !== undefined) policyOptions.vex = options.vex;
  const policy = options.policy ?? (await loadPolicy(policyOptions));
  applyAdvisoryFlags(policy, options.advisories);
  for (const [id, overrides] of Object.entries(options.checkOptions ?? {})) {
    const settings = policy.checks.get(id);
    if (settings) settings.options = { ...settings.options, ...overrides };
  }
  const access = options.registryAccess ?? {};
  let npm: NpmConfig | null = null;
  if (!options.registries) {
    const overrides: Parameters<typeof loadNpmConfig>[1] = {};
    if (options.registry !== undefined) overrides.registry = options.registry;
    if (access.cache !== undefined) overrides.cache = access.cache;
    npm = await loadNpmConfig(graph.projectPath, overrides);
  }
  const registries = options.registries ?? npm!.registries;
  const runOptions: Parameters<typeof runChecks>[0] = {
    graph,
    policy,
    registries,
    omit: options.omit ?? [],
    today: options.today ?? policy.date ?? new Date().toISOString().slice(0, 10),
    npmSettings: npm?.settings ?? null,
    cacheDir: cacheFolder(npm, access),
  };
  // Sub-day precision (release ages) only when auditing as of now; a given date means 00:00 UTC of that day.
  if (options.today === undefined && policy.date === undefined) runOptions.now = Date.now();
  const scope = options.scope ?? WHOLE_TREE;
  runOptions.scope = scope;
  if (options.only) runOptions.only = options.only;
  if (options.skip) runOptions.skip = options.skip;
  // Registry data only when a selected check needs it: other runs never touch the network.
  let manifests: RegistryManifests | null = null;
  let manifestSource: RegistryManifests | ScopedManifests | null = null;
  let packuments: RegistryPackuments | null = null;
  const selected = selectedChecks(policy, options.only, options.skip);
  const needs = new Set(selected.flatMap((check) => check.meta.needs));
  let client: RegistryClient | null = null;
  // The run talks to the registry only when a selected check needs it (advisories, the registry-backed checks):
  // checks that want manifests only as detail (install-scripts' text, engines of a v1 lockfile) then read them
  // from node_modules and npm's caches, and a run without such a check makes no request at all.
  const online = needs.has('registry') || needs.has('manifests') || needs.has('full-packuments') || needs.has('contents');
  if (online) {
    client = createRegistryClient(registries, npm, { ...access, fullMetadata: access.fullMetadata === true || needs.has('full-packuments') });
    if (needs.has('registry')) {
      runOptions.registry = client;
      packuments = new RegistryPackuments(client);
      runOptions.packuments = packuments;
    }
  }
  if (needs.has('manifests') || needs.has('local-manifests')) {
    const local = new LocalManifests(graph, cacheFolder(npm, access));
    const cacheOnly = () => new RegistryManifests(createRegistryClient(registries, npm, { ...access, mode: 'offline' }), local, { fetches: false });
    manifests = online ? new RegistryManifests(client!, local) : cacheOnly();
    // A narrowed run asks the registry for manifests only of the packages it judges; the others come from caches, as offline.
    runOptions.manifests = online && scope.partial ? new ScopedManifests(manifests, cacheOnly(), scope.judges) : manifests;
    if (runOptions.manifests instanceof ScopedManifests) manifestSource = runOptions.manifests;
  }
  const checked = await runChecks(runOptions);
  const { diagnostics: checkDiagnostics, data } = checked;
  // One finding per thing: copies and single causes merged after waivers matched each copy.
  const findings = groupFindings(checked.findings);
  // Fail closed: throws (exit 2) when required registry data is missing and incomplete data was not accepted.
  const registryDiagnostics = checkCompleteness([manifestSource ?? manifests, packuments].filter((source) => source !== null), access.allowIncomplete === true);
  // Fail closed as well when a check could not judge something it needed to (a package it could not analyse).
  const incomplete = checkDiagnostics.filter((diagnostic) => diagnostic.incomplete === true);
  if (incomplete.length > 0 && access.allowIncomplete !== true) {
    const first = incomplete[0]!;
    throw new DepguardError('EINCOMPLETE', `${first.check ? `${first.check}: ` : ''}${first.message}${incomplete.length > 1 ? ` (and ${incomplete.length - 1} more)` : ''}`);
  }
  const allDiagnostics: Diagnostic[] = [...diagnostics, ...checkDiagnostics, ...registryDiagnostics];
  if (graph.loadedFrom !== 'lockfile') {
    allDiagnostics.push({
      level: 'warning',
      code: graph.loadedFrom === 'node_modules' ? 'LOADED_NODE_MODULES' : 'NO_DEPENDENCY_TREE',
      message:
        graph.loadedFrom === 'node_modules'
          ? 'no lockfile: the graph was read from node_modules, which may differ from what CI installs'
          : 'no lockfile and no node_modules: only package.json was checked',
    });
  }
  const name = own<string>(graph.manifest, 'name');
  const version = own<string>(graph.manifest, 'version');
  const skipped = await skippedChecks(policy, options.only, options.skip);
  const narrowed = selected.filter((check) => isRegistryBacked(check.meta)).map((check) => check.meta.id);
  return {
    graph,
    policy,
    today: runOptions.today,
    copies: checked.findings,
    registryClient: () => (client ??= createRegistryClient(registries, npm, access)),
    result: {
      schemaVersion: 1,
      tool: TOOL,
      project: {
        name: typeof name === 'string' ? name : null,
        version: typeof version === 'string' ? version : null,
        path: options.path,
        packageCount: packageCount(graph),
      },
      summary: summarise(findings),
      findings,
      diagnostics: allDiagnostics,
      ...(Object.keys(data).length > 0 ? { checks: data } : {}),
      ...(skipped.length > 0 ? { skipped } : {}),
      ...(scope.partial && narrowed.length > 0 ? { scope: judgedScope(graph, scope, narrowed) } : {}),
    },
  };
}
