// The check engine: runs the enabled checks over a graph, turns their reports
// into findings (severity from the policy, message from the rule's template,
// dependency paths from the graph), applies --omit and waivers, and sorts.

import { CapabilityCache } from '../checks/capabilities/cache.js';
import { createAnalyser } from '../checks/capabilities/pool.js';
import { CapabilityScanner } from '../checks/capabilities/scan.js';
import { CHECKS } from '../checks/index.js';
import { WHOLE_TREE, type JudgedScope } from '../checks/scope.js';
import { isRegistryBacked, type Check, type Report } from '../checks/types.js';
import type { Policy } from './load.js';
import { InstalledManifests } from '../enrich/installed.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { RegistryPackuments } from '../enrich/registry-packuments.js';
import type { ManifestSource } from '../enrich/types.js';
import { dependencyPaths } from '../load/paths.js';
import { packageRef, severityRank, type DepGraph, type DepNode, type Diagnostic, type Finding, type Severity } from '../model.js';
import { trustedHostSet, type NpmSettings, type RegistryConfig } from '../enrich/npm-config.js';
import { compareStrings } from '../util/compare.js';
import { redactDeep, redactText } from '../util/redact.js';
import { enrichChecks } from './enrich.js';
import { applyWaivers, parsePackageSelector } from './waivers.js';

export const OMIT_TYPES = ['dev', 'optional', 'peer'] as const;
export type OmitType = (typeof OMIT_TYPES)[number];

export interface RunOptions {
  graph: DepGraph;
  policy: Policy;
  registries: RegistryConfig;
  /** Check ids to run (all enabled ones when absent). */
  only?: string[];
  skip?: string[];
  omit?: OmitType[];
  /** Today as YYYY-MM-DD, for waiver expiry and date-dependent checks. */
  today: string;
  /** Where manifests come from for checks that need them (default: the installed node_modules). */
  manifests?: ManifestSource;
  /** The registry client for checks that declare `needs: ['registry']`. */
  registry?: RegistryClient;
  /** Per-node packuments over that client (default: one built on `registry`). */
  packuments?: RegistryPackuments;
  /** The audit instant in ms (default 00:00 UTC of `today`). */
  now?: number;
  /** npm settings checks read (min-release-age…), when npm's config was read. */
  npmSettings?: NpmSettings | null;
  /** npm's cache folder, where depguard's downloaded data lives (default: none). */
  cacheDir?: string | null;
  /** The packages registry-backed checks judge (default: all; diff: those its change touched). */
  scope?: JudgedScope;
}

export function interpolate(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(data, key) ? String(data[key]) : whole));
}

/** npm's --omit semantics: a node is omitted when every path to it goes through an omitted type. */
export function isOmitted(node: DepNode, omit: ReadonlySet<OmitType>): boolean {
  if (node.location === '' || node.isWorkspace) return false;
  if (omit.has('dev') && node.dev) return true;
  if (omit.has('optional') && node.optional) return true;
  if (omit.has('dev') && omit.has('optional') && node.devOptional) return true;
  if (omit.has('peer') && node.peer) return true;
  return false;
}

export function selectedChecks(policy: Policy, only?: string[], skip?: string[]): Check<any>[] {
  return CHECKS.filter((check) => {
    const id = check.meta.id;
    if (only && only.length > 0) return only.includes(id);
    if (skip?.includes(id)) return false;
    return policy.checks.get(id)?.enabled !== false;
  });
}

function severityFor(policy: Policy, check: Check<any>, rule: string, own?: Severity): Severity | 'off' {
  const ruleSetting = policy.rules.get(`${check.meta.id}/${rule}`);
  if (ruleSetting) return ruleSetting;
  return policy.checks.get(check.meta.id)?.severity ?? own ?? check.meta.rules[rule]!.severity;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.check, b.check) ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.package?.name ?? '', b.package?.name ?? '') ||
    compareStrings(a.package?.version ?? '', b.package?.version ?? '') ||
    compareStrings(a.package?.location ?? '', b.package?.location ?? '') ||
    compareStrings(a.message, b.message)
  );
}


export interface CheckRun {
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** What checks handed over with context.data(), by check id then key (checks that gave none are absent). */
  data: Record<string, Record<string, unknown>>;
}

/** The lockfile check's allowedHosts: hosts besides the registries that the policy trusts. */
function allowedHostsOf(policy: Policy): string[] {
  const hosts = policy.checks.get('lockfile')?.options?.allowedHosts;
  return Array.isArray(hosts) ? hosts.filter((host): host is string => typeof host === 'string') : [];
}

/**
 * Whether a narrowed run judged every package a waiver can match, so that its
 * matching nothing means it is unused: a waiver without a package, or for a
 * package with a copy outside the scope, may match a finding that was simply
 * not looked for (and that the other side of the diff does not have either).
 */
function judgedWhole(graph: DepGraph, selector: string | undefined, judged: (node: DepNode) => boolean): boolean {
  if (!selector) return false;
  const { name } = parsePackageSelector(selector);
  for (const node of graph.nodes.values()) if (node.packageName === name && !judged(node)) return false;
  return true;
}

function judgedCount(graph: DepGraph, scope: JudgedScope): number {
  let count = 0;
  for (const node of graph.nodes.values()) if (scope.judges(node)) count++;
  return count;
}

export async function runChecks(options: RunOptions): Promise<CheckRun> {
  const { graph, policy } = options;
  const omit = new Set(options.omit ?? []);
  const checks = selectedChecks(policy, options.only, options.skip);
  const findings: Finding[] = [];
  const diagnostics: Diagnostic[] = [];
  const data: CheckRun['data'] = {};
  const wantsManifests = (check: Check<any>) => check.meta.needs.includes('manifests') || check.meta.needs.includes('local-manifests');
  const manifests: ManifestSource | null = checks.some(wantsManifests) ? (options.manifests ?? new InstalledManifests(graph)) : null;
  const packuments = checks.some((check) => check.meta.needs.includes('registry')) ? (options.packuments ?? (options.registry ? new RegistryPackuments(options.registry) : null)) : null;
  const scope = options.scope ?? WHOLE_TREE;
  const trustedHosts = trustedHostSet(options.registries, allowedHostsOf(policy));
  // One reader of package contents for every check that looks inside packages (the enrich stage's): one download and one analysis each.
  const analyser = checks.some((check) => check.meta.needs.includes('contents')) ? createAnalyser(scope.partial ? judgedCount(graph, scope) : undefined) : null;
  const contents = analyser
    ? new CapabilityScanner({ graph, registry: options.registry ?? null, cache: options.registry ? new CapabilityCache(options.registry.cacheDir) : null, analyser, packuments })
    : null;
  const optionsOf = (check: Check<any>): Record<string, unknown> => policy.checks.get(check.meta.id)?.options ?? { ...check.meta.defaultOptions };
  const now = options.now ?? Date.parse(`${options.today}T00:00:00Z`);
  try {
    // The enrich stage: what the checks declared, fetched at once for the packages they judge, before any runs.
    const enriched = await enrichChecks({
      graph,
      scope,
      checks,
      optionsOf,
      run: { now, npmSettings: options.npmSettings ?? null, registries: options.registries },
      today: options.today,
      registry: options.registry ?? null,
      packuments,
      contents,
      manifests,
    });
    for (const check of checks) {
      const reports: Report[] = [];
      await check.run({
        graph,
        options: optionsOf(check),
        registries: options.registries,
        trustedHosts,
        today: options.today,
        enriched: enriched.get(check.meta.id)!,
        scope,
        now,
        npmSettings: options.npmSettings ?? null,
        cacheDir: options.cacheDir ?? null,
        report: (report) => reports.push(report),
        diagnostic: (diagnostic) => diagnostics.push(redactDeep({ ...diagnostic, check: check.meta.id })),
        data: (key, value) => {
          (data[check.meta.id] ??= {})[key] = redactDeep(value);
        },
      });
      for (const report of reports) {
        const meta = check.meta.rules[report.rule];
        if (!meta) throw new Error(`check ${check.meta.id} reported unknown rule ${report.rule}`);
        const policySeverity = severityFor(policy, check, report.rule, report.severity);
        if (policySeverity === 'off') continue;
        const severity = report.maxSeverity && severityRank(report.maxSeverity) < severityRank(policySeverity) ? report.maxSeverity : policySeverity;
        if (report.via && omit.has(report.via)) continue;
        if (report.node && isOmitted(report.node, omit)) continue;
        findings.push({
          check: check.meta.id,
          rule: `${check.meta.id}/${report.rule}`,
          severity,
          package: report.node && report.node.location !== '' ? packageRef(report.node) : (report.package ?? null),
          paths: report.paths ?? (report.node ? dependencyPaths(graph, report.node.location) : []),
          // A lockfile URL or a registry error can carry a credential: findings never do.
          message: redactText(interpolate(meta.message, report.data)),
          evidence: redactDeep(report.evidence),
          ...(report.advisory ? { advisory: report.advisory } : {}),
          ...(report.fix ? { fix: report.fix } : {}),
        });
      }
    }
  } finally {
    await analyser?.close();
  }
  // Why manifests could not be had (registry failures), one diagnostic per package.
  if (manifests?.diagnostics) diagnostics.push(...manifests.diagnostics());
  if (packuments) {
    // A package both sources missed is one diagnostic.
    const seen = new Set(diagnostics.map((diagnostic) => `${diagnostic.code}|${diagnostic.package?.location ?? ''}`));
    diagnostics.push(...packuments.diagnostics().filter((diagnostic) => !seen.has(`${diagnostic.code}|${diagnostic.package?.location ?? ''}`)));
  }
  const ran = new Set(checks.map((check) => check.meta.id));
  findings.push(
    ...applyWaivers(findings, policy.waivers, options.today, (waiver) => {
      const checkId = waiver.id.split('/')[0]!;
      const owner = CHECKS.find((check) => check.meta.id === checkId) ?? CHECKS.find((check) => check.meta.id === 'advisories')!;
      if (!ran.has(owner.meta.id)) return false;
      return !scope.partial || !isRegistryBacked(owner.meta) || judgedWhole(graph, waiver.package, owner.meta.id === 'advisories' ? scope.audits : scope.judges);
    }),
  );
  return { findings: findings.sort(compareFindings), diagnostics, data };
}
