// install-scripts: dependencies that run code when they are installed
// (preinstall, install, postinstall; prepare for git and directory
// dependencies; `node-gyp rebuild` for a binding.gyp without an install
// script), and whether the project approved each of them in one of the
// allowlists package managers read: npm 11's `allowScripts`, pnpm's
// onlyBuiltDependencies / neverBuiltDependencies (package.json or
// pnpm-workspace.yaml), bun's `trustedDependencies` or, without it, bun's
// built-in default list, LavaMoat's `lavamoat.allowScripts`, and this
// check's own `allow` / `deny` options.
//
// Whether a package has install scripts comes from the lockfile's
// hasInstallScript (v2+); the script text, and the answer for v1 lockfiles,
// git and directory dependencies, from the manifest source. A registry
// package is matched by its trusted identity (lockfile key, resolved URL,
// dependents' alias specs), never by its own package.json.
//
// Besides findings, the check hands the engine an inventory of every package
// with install scripts (`checks["install-scripts"].packages` in the JSON
// output) so that CI can diff it.
//
// The script detection, the behaviour table and the allowlist readers live in
// src/checks/install-scripts/; this file holds the check's metadata and its run.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { rawEntries, readApprovals, yarnScriptsOff, type Approval, type ApprovalSourceId, type InvalidApproval, type InvalidReason, type Origin } from './approvals.js';
import { classifyScripts, type ScriptFlags } from './classify.js';
import { manifestRequest, scriptsOf, type LifecycleEvent, type Scripts } from './detect.js';
import type { DepNode, PackageRef } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { nameAtVersion } from '../../util/package-label.js';
import { defineCheck, type WithDefaults } from '../types.js';

export type InstallScriptsOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

function readOptions(options: Partial<InstallScriptsOptions> | undefined): InstallScriptsOptions {
  return {
    allow: Array.isArray(options?.allow) ? options.allow : [],
    deny: Array.isArray(options?.deny) ? options.deny : [],
  };
}

/** Why script text was not fetched: this run asks the registry nothing (no registry-backed check), or nothing about this package (a diff's unchanged one). */
type NotFetched = 'run' | 'unchanged' | false;

/** Every dependency that could run scripts: not the root, not workspaces (their owner's). */
function isCandidate(node: DepNode): boolean {
  return node.location !== '' && !node.isWorkspace && node.source !== 'workspace' && node.source !== 'root';
}

/** A candidate npm installs on its own: not bundled (npm never runs a bundled package's scripts). */
function isInstallable(node: DepNode): boolean {
  return isCandidate(node) && !node.inBundle;
}

/** The text is missing because it was not fetched: said so, not guessed at. */
function describeEvents(found: Scripts, notFetched: NotFetched): string {
  if (!found.scripts) {
    if (notFetched === 'run') return 'install scripts (text not fetched: no installed or cached copy, and this run makes no registry request)';
    if (notFetched === 'unchanged') return 'install scripts (text not fetched: no installed or cached copy, and a diff asks the registry only about the packages its change touched)';
    return 'install scripts (text unavailable)';
  }
  return Object.entries(found.scripts)
    .map(([event, text]) => `${event} "${text}"`)
    .join(', ');
}

function approvalRef(approval: Approval): { source: ApprovalSourceId; key: string } {
  return { source: approval.source, key: approval.key };
}

function approvalEvidence(approval: Approval | InvalidApproval): Record<string, unknown> {
  return { source: approval.source, file: approval.file, field: approval.field, key: approval.key };
}

function approvalPackage(approval: Approval | InvalidApproval): { package?: PackageRef } {
  const name = 'name' in approval ? approval.name : null;
  return name ? { package: { name, version: '', location: '' } } : {};
}

/** Where an approval was written, for messages: `allowScripts in package.json`. */
function where(origin: Origin): string {
  return `${origin.field} in ${origin.file}`;
}

const INVALID_REASONS: Record<InvalidReason, string> = {
  range: 'npm 11 and pnpm ignore semver ranges; name exact versions joined by "||" (or the bare name)',
  'dist-tag': 'a dist-tag can move to any version; name exact versions',
  alias: 'an alias is not a package identity; name the real package',
  unparseable: 'it is not a package spec',
  'not-a-package': 'it names no registry package',
  'not-boolean': 'the value must be true or false',
  'not-a-string': 'an entry must be a package name string',
  'bad-version': 'the version after "#" is not an exact semver version',
  'not-a-name': 'bun matches trustedDependencies by package name only, so a version, range or spec matches no package',
};

const UNKNOWN_REASONS: Record<NonNullable<Scripts['unknownReason']>, string> = {
  'lockfile-v1': 'the lockfile is lockfileVersion 1, which does not record hasInstallScript, and no manifest was available',
  'prepare-unknown': 'it is a git or directory dependency, whose prepare script the lockfile does not record, and no manifest was available',
  'not-recorded': 'the lockfile does not record which packages build (pnpm-lock.yaml stopped recording requiresBuild in lockfileVersion 9.0; bun.lock records hasInstallScript only since lockfileVersion 2), and no manifest was available',
};

export interface InventoryEntry {
  name: string;
  version: string;
  location: string;
  source: DepNode['source'];
  /** true, or null when depguard cannot tell (v1 lockfile or unknown prepare, no manifest). */
  hasInstallScript: true | null;
  scripts: Partial<Record<LifecycleEvent, string>> | null;
  events: LifecycleEvent[] | null;
  flags: ScriptFlags;
  approved: boolean | null;
  approvedBy: Array<{ source: ApprovalSourceId; key: string }>;
  deniedBy: Array<{ source: ApprovalSourceId; key: string }>;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Approvals in npm's allowScripts key grammar: `name`, `name@1.2.3`, `name@1.2.3 || 1.2.4`, git, file and URL specs. */
    allow: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    /** Denials, same grammar: a denial wins over every approval. */
    deny: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
  },
} as const satisfies JSONSchema;

const defaultOptions = { allow: [], deny: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<InstallScriptsOptions>({
  meta: {
    id: 'install-scripts',
    description:
      'Dependencies that run code at install time (preinstall, install, postinstall, prepare of git and directory dependencies, node-gyp builds) are approved, pinned to a version, in an allowlist: npm allowScripts, pnpm, bun trustedDependencies, LavaMoat or depguard options.',
    rules: {
      unapproved: {
        description: 'A dependency runs install scripts and no allowlist (npm allowScripts, pnpm, bun trustedDependencies or its default list, LavaMoat, depguard options) approves it.',
        severity: 'high',
        message: '{name}@{version} runs {events} at install time and no allowlist approves it',
      },
      'unpinned-approval': {
        description: 'An approval names a package but no version, so it also approves the install scripts of every future version.',
        severity: 'low',
        message: '{where} approves "{key}" without a version, so every future version of it may run install scripts unreviewed',
      },
      'bun-default-trusted': {
        description:
          "A dependency of a bun project runs install scripts because its name is on bun's built-in default trusted list (package.json has no trustedDependencies): bun approves it, by name and for every future version, on the project's behalf.",
        severity: 'low',
        message: "{name}@{version} runs {events} at install time, approved only by bun {bunVersion}'s default trusted list (by name, every version): review it and list it in trustedDependencies, which replaces the default list",
      },
      'stale-approval': {
        description: 'An approval or denial matches no package with install scripts in the graph, so it can be pruned.',
        severity: 'info',
        message: '{where} lists "{key}", which matches {problem}; it can be removed',
      },
      denied: {
        description: 'A dependency with install scripts is explicitly denied; it is still installed, without its scripts.',
        severity: 'info',
        message: '{name}@{version} runs {events} at install time but is denied by {deniedBy}, so they should not run',
      },
      unknown: {
        description: 'Whether a dependency has install scripts cannot be told: a v1 lockfile or a git/directory dependency, and no manifest to read.',
        severity: 'low',
        message: 'Whether {name}@{version} runs install scripts is unknown: {reason}',
      },
      'invalid-approval': {
        description: 'An allowlist entry no package manager honours: a semver range, a dist-tag, an alias, a non-boolean value or an unreadable key.',
        severity: 'low',
        message: '{where} lists "{key}", which is ignored: {reason}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['local-manifests'],
    // Bundled packages are never installed on their own, so their scripts never run.
    enrich: { manifests: { select: (node, graph) => (isInstallable(node) ? manifestRequest(graph, node) : null) } },
  },
  async run(context) {
    const { graph } = context;
    const options = readOptions(context.options);
    const { approvals, invalid, lavamoatNames } = readApprovals(graph, await rawEntries(context, options));
    // yarn berry with scripts off: only what dependenciesMeta approves builds.
    const scriptsOff = await yarnScriptsOff(context);

    for (const entry of invalid) {
      context.report({
        rule: 'invalid-approval',
        node: null,
        data: { where: where(entry), key: entry.key, reason: INVALID_REASONS[entry.reason] },
        evidence: { ...approvalEvidence(entry), reason: entry.reason },
        paths: [],
      });
    }

    // Every dependency that could run scripts: not the root, not workspaces (their owner's), not bundled ones (npm never runs those).
    const candidates = [...graph.nodes.values()].filter(isCandidate);
    const installable = candidates.filter(isInstallable);
    const found = installable.map((node) => [node, scriptsOf(graph, node, context.enriched.manifests.get(node) ?? null)] as const);
    const notFetched = (node: DepNode): NotFetched => context.enriched.manifestNotFetched(node);

    const used = new Set<Approval>();
    const inventory: InventoryEntry[] = [];
    const unknown: Array<{ node: DepNode; reason: NonNullable<Scripts['unknownReason']> }> = [];

    for (const [node, scripts] of found) {
      if (!scripts) continue;
      const matching = approvals.filter((approval) => approval.matches(node));
      for (const approval of matching) used.add(approval);
      const approvedBy = matching.filter((approval) => approval.allow);
      const deniedBy = matching.filter((approval) => !approval.allow);
      if (scriptsOff && approvedBy.length === 0 && deniedBy.length === 0) deniedBy.push(scriptsOff);
      const approved = deniedBy.length > 0 ? false : approvedBy.length > 0 ? true : null;
      const flags = classifyScripts(scripts.scripts);
      inventory.push({
        name: node.packageName,
        version: node.version,
        location: node.location,
        source: node.source,
        hasInstallScript: scripts.has,
        scripts: scripts.scripts,
        events: scripts.scripts ? (Object.keys(scripts.scripts) as LifecycleEvent[]) : null,
        flags,
        approved,
        approvedBy: approvedBy.map(approvalRef),
        deniedBy: deniedBy.map(approvalRef),
        dev: node.dev,
        optional: node.optional,
        devOptional: node.devOptional,
      });
      if (approved === true && scripts.has === true && approvedBy.every((approval) => approval.source === 'bun-default')) {
        // Not silence: bun runs these scripts because of a list the project never wrote.
        context.report({
          rule: 'bun-default-trusted',
          node,
          data: { name: node.packageName, version: node.version, events: describeEvents(scripts, notFetched(node)), bunVersion: approvedBy[0]!.file.replace(/^bun /, '') },
          evidence: { name: node.packageName, version: node.version, scripts: scripts.scripts, approvedBy: approvedBy.map(approvalRef), list: approvedBy[0]!.file },
        });
        continue;
      }
      if (approved !== null) {
        if (approved === false && scripts.has === true) {
          context.report({
            rule: 'denied',
            node,
            data: { name: node.packageName, version: node.version, events: describeEvents(scripts, notFetched(node)), deniedBy: deniedBy.map((d) => `"${d.key}" (${where(d)})`).join(', ') },
            evidence: { name: node.packageName, version: node.version, scripts: scripts.scripts, deniedBy: deniedBy.map(approvalRef), approvedBy: approvedBy.map(approvalRef) },
          });
        }
        continue;
      }
      if (scripts.has === null) {
        unknown.push({ node, reason: scripts.unknownReason ?? 'lockfile-v1' });
        context.report({
          rule: 'unknown',
          node,
          data: { name: node.packageName, version: node.version, reason: UNKNOWN_REASONS[scripts.unknownReason ?? 'lockfile-v1'] },
          evidence: { name: node.packageName, version: node.version, source: node.source, reason: scripts.unknownReason ?? 'lockfile-v1' },
        });
        continue;
      }
      context.report({
        rule: 'unapproved',
        node,
        data: { name: node.packageName, version: node.version, events: describeEvents(scripts, notFetched(node)) },
        evidence: {
          name: node.packageName,
          version: node.version,
          source: node.source,
          scripts: scripts.scripts,
          events: scripts.scripts ? Object.keys(scripts.scripts) : null,
          scriptsFrom: scripts.from,
          ...(scripts.scripts === null && notFetched(node) ? { text: 'not-fetched' } : {}),
          flags,
          ...(scripts.gyp ? { gyp: true } : {}),
          ...(scripts.claimedName !== undefined ? { claimedName: scripts.claimedName } : {}),
        },
      });
    }

    for (const reason of ['lockfile-v1', 'not-recorded', 'prepare-unknown'] as const) {
      const nodes = unknown.filter((entry) => entry.reason === reason).map((entry) => entry.node);
      if (nodes.length === 0) continue;
      const names = nodes.map(nameAtVersion).sort(compareStrings);
      const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      const remedy =
        reason === 'lockfile-v1'
          ? 'regenerate the lockfile with `npm install --package-lock-only --ignore-scripts` (lockfileVersion 2+ records hasInstallScript)'
          : reason === 'not-recorded'
            ? 'let depguard read their manifests from the registry (without --offline)'
            : 'install node_modules (`npm ci --ignore-scripts`) so depguard can read their package.json';
      context.diagnostic({
        level: 'warning',
        code: 'INSTALL_SCRIPTS_UNKNOWN',
        message: `install scripts of ${names.length} package(s) could not be determined (${shown}); ${remedy}`,
      });
    }

    // Approvals that no package with (possibly) install scripts uses; bun's built-in list is not the project's to prune.
    for (const approval of approvals) {
      if (used.has(approval) || approval.source === 'bun-default') continue;
      const matched = candidates.filter((node) => approval.matches(node));
      const problem = matched.length === 0 ? 'not-in-graph' : matched.every((node) => node.inBundle) ? 'bundled' : 'no-install-scripts';
      // What the graph has under that name: the versions (npm, pnpm, depguard keys) or the LavaMoat names.
      const sameName = approval.name !== null && matched.length === 0 ? candidates.filter((node) => node.packageName === approval.name && !node.inBundle) : [];
      const installed =
        approval.source === 'lavamoat'
          ? [...new Set(sameName.map((node) => lavamoatNames?.get(node.location)).filter((name): name is string => name !== undefined))].sort(compareStrings)
          : [...new Set(sameName.map((node) => node.version))].sort(compareStrings);
      const PROBLEMS = {
        'not-in-graph':
          installed.length === 0
            ? 'no package in the dependency graph'
            : approval.source === 'lavamoat'
              ? `no package at that dependency path (LavaMoat names in the graph: ${installed.join(', ')})`
              : `no installed version (installed: ${installed.join(', ')})`,
        bundled: 'only bundled packages, whose scripts npm never runs',
        'no-install-scripts': `${matched.map(nameAtVersion).sort(compareStrings).join(', ')}, which has no install scripts`,
      } as const;
      context.report({
        rule: 'stale-approval',
        node: null,
        data: { where: where(approval), key: approval.key, problem: PROBLEMS[problem] },
        evidence: { ...approvalEvidence(approval), allow: approval.allow, reason: problem, ...(installed.length > 0 ? { [approval.source === 'lavamoat' ? 'lavamoatNames' : 'installed']: installed } : {}), matches: matched.map(nameAtVersion).sort(compareStrings) },
        paths: [],
        ...approvalPackage(approval),
      });
    }

    // Unpinned approvals that approve something now (a stale one is reported as stale instead).
    for (const approval of approvals) {
      if (!approval.allow || approval.pinned || !used.has(approval) || approval.source === 'bun-default') continue;
      const matches = inventory.filter((entry) => entry.approvedBy.some((ref) => ref.source === approval.source && ref.key === approval.key)).map((entry) => `${entry.name}@${entry.version}`);
      context.report({
        rule: 'unpinned-approval',
        node: null,
        data: { where: where(approval), key: approval.key },
        evidence: { ...approvalEvidence(approval), matches: [...new Set(matches)].sort(compareStrings) },
        paths: [],
        ...approvalPackage(approval),
      });
    }

    inventory.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.location, b.location));
    context.data('packages', inventory);
  },
});
