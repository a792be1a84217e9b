// capabilities: which packages reach the network, start processes, write
// files, evaluate code built at run time, read the environment, ship or load
// native code, run code at install time or look obfuscated — each with
// file:line evidence from the package's own code, parsed with an ECMAScript
// parser (src/checks/capabilities/). The code is read as data from the installed
// copy or the published tarball; it is never extracted, required or run.
//
// A rule fires for a package when a capability has at least one strong
// place and no allowlist entry covers the package; capabilities listed in
// `ignoreDev` are not reported for packages only dev dependencies reach.
// Every analysed package, with every capability and its evidence, is in the
// JSON output (`checks.capabilities.packages`), allowed or not.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { allowedBy, parseAllowEntry, type Allowlists } from './allowlist.js';
import type { ScanOutcome } from './scan.js';
import { CAPABILITIES, type Capability, type CapabilitySummary, type PackageAnalysis } from './types.js';
import type { DepNode, Diagnostic } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { nameAtVersion } from '../../util/package-label.js';
import { defineCheck, type CheckContext, type RuleMeta, type WithDefaults } from '../types.js';

export type CapabilitiesOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

export const DEFAULT_IGNORE_DEV: Capability[] = ['network', 'filesystem', 'environment'];

/** Packages analysed at once: bounds the tarballs held in memory (the registry client bounds requests). */
const INVENTORY_EVIDENCE = 5;
const LISTED = 8;

const RULES: Record<Capability, RuleMeta> = {
  network: {
    description: 'The package can reach the network: http, https, http2, net, tls, dgram, dns, undici or a well-known HTTP or WebSocket client, global fetch, WebSocket, XMLHttpRequest or EventSource.',
    severity: 'low',
    message: '{name}@{version} can reach the network: {where}',
  },
  shell: {
    description: 'The package starts processes: child_process (through a shell: exec, execSync, `shell: true`) or a process-spawning library.',
    severity: 'moderate',
    message: '{name}@{version} starts processes ({how}): {where}',
  },
  filesystem: {
    description: 'The package writes, changes or deletes files through fs, fs/promises, graceful-fs or fs-extra (reads are in the inventory only).',
    severity: 'info',
    message: '{name}@{version} writes or deletes files: {where}',
  },
  'dynamic-code': {
    description: 'The package runs code built at run time: eval, new Function, vm, or require/import of a computed name.',
    severity: 'moderate',
    message: '{name}@{version} runs code built at run time: {where}',
  },
  environment: {
    description: 'The package reads environment variables (process.env), naming the keys when they are constants.',
    severity: 'info',
    message: '{name}@{version} reads environment variables ({keys}): {where}',
  },
  native: {
    description: 'The package ships or loads native code: .node binaries or other executables, binding.gyp, gypfile, addon loaders (node-gyp-build, prebuild-install, bindings, node-pre-gyp), process.dlopen.',
    severity: 'moderate',
    message: '{name}@{version} ships or loads native code: {where}',
  },
  'install-time': {
    description: 'The package runs code when it is installed: preinstall, install or postinstall scripts, or node-gyp for a binding.gyp; with what the script invokes.',
    severity: 'info',
    message: '{name}@{version} runs code when it is installed: {where}',
  },
  obfuscation: {
    description: 'The package looks obfuscated: javascript-obfuscator style identifiers, or long hex/base64-encoded text in a file that evaluates code built at run time (very long lines outside bundle folders are listed as a weak hint).',
    severity: 'moderate',
    message: '{name}@{version} shows signs of obfuscation: {where}',
  },
};

const packageList = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true } as const;

export interface InventoryEntry {
  name: string;
  version: string;
  location: string;
  dev: boolean;
  optional: boolean;
  status: 'analysed' | 'unavailable';
  /** Where the analysed files came from, and whether the capability cache answered. */
  from: 'registry' | 'node_modules' | null;
  cached: boolean;
  integrity: string | null;
  capabilities: Partial<Record<Capability, CapabilitySummary & { allowedBy?: string; reported: boolean }>>;
  files?: PackageAnalysis['files'];
  parseErrors?: PackageAnalysis['parseErrors'];
  skippedFiles?: string[];
  error?: { code: string; message: string };
}


function listed(items: string[]): string {
  return items.length > LISTED ? `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more` : items.join(', ');
}

/** `exec(cmd) at lib/run.js:12 (+3 more)`. */
function where(summary: CapabilitySummary): string {
  // The place that says most: a call through a shell, else the first strong place.
  const first = summary.evidence.find((evidence) => evidence.shell === true) ?? summary.evidence.find((evidence) => !evidence.lowSignal) ?? summary.evidence[0]!;
  const place = first.line > 0 ? `${first.file}:${first.line}` : first.file;
  const others = (summary.strong > 0 ? summary.strong : summary.count) - 1;
  const more = others > 0 ? ` (+${others} more)` : '';
  return `${first.what} at ${place}${more}`;
}

/** Packages the check looks at: installed dependencies, not the project's own folders or links to them. */
function isDependency(node: DepNode): boolean {
  if (node.location === '' || node.isWorkspace || node.linkTarget !== null) return false;
  if (node.source === 'root' || node.source === 'workspace' || node.source === 'link') return false;
  return node.location.startsWith('node_modules/') || node.location.includes('/node_modules/');
}

function readAllowlists(options: Partial<CapabilitiesOptions>): Allowlists {
  const allowlists: Allowlists = {};
  for (const capability of CAPABILITIES) {
    const entries = options[capability];
    if (!Array.isArray(entries)) continue;
    allowlists[capability] = entries.map((spec, index) => parseAllowEntry(spec, `checks.capabilities.${capability}[${index}]`));
  }
  return allowlists;
}

// One allowlist per capability: the same schema under each capability's name.
const allowlists = {} as Record<Capability, typeof packageList & { description: string }>;
for (const capability of CAPABILITIES) allowlists[capability] = { ...packageList, description: `packages allowed to use ${capability}: "name" or "name@range"` };

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...allowlists,
    /** Capabilities not reported for packages that only dev dependencies reach (still in the inventory). */
    ignoreDev: { type: 'array', items: { enum: [...CAPABILITIES] }, uniqueItems: true, description: 'capabilities not reported for packages that only dev dependencies reach' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { ignoreDev: DEFAULT_IGNORE_DEV } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<CapabilitiesOptions>({
  meta: {
    id: 'capabilities',
    description:
      'What each dependency can do, from its own code parsed as JavaScript: reach the network, start processes, write files, evaluate code, read the environment, load native code, run at install time, hide its code — with file:line evidence and per-capability allowlists.',
    rules: {
      ...RULES,
      'integrity-mismatch': {
        description: "The package's tarball, as the registry serves it, does not match the integrity the lockfile (else the packument) records: the bytes npm would install are not the ones that were locked or published.",
        severity: 'critical',
        message: '{name}@{version}: the tarball the registry serves does not match the integrity {against}, so its code was not analysed and npm ci would refuse it: {url}',
      },
      'foreign-tarball': {
        description: "The packument points the version's tarball at another host than the registry: depguard does not fetch it, and an install would download code from a host nobody configured.",
        severity: 'high',
        message: "{name}@{version}: the registry's packument points the tarball at {url}, another host than the registry, so its code was not analysed",
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry', 'contents'],
    enrich: { contents: { select: isDependency } },
    // It reads the code of every package (a download per package on a cold cache): on when a preset, the config or --only asks.
    enabledByDefault: false,
  },

  run(context) {
    const allowlists = readAllowlists(context.options);
    const ignoreDev = new Set<Capability>(context.options.ignoreDev ?? DEFAULT_IGNORE_DEV);
    // What the engine read of each package before the checks ran (shared with manifest-confusion).
    const nodes = [...context.enriched.contents.keys()].sort((a, b) => compareStrings(a.location, b.location));
    const outcomes = nodes.map((node) => context.enriched.contents.get(node)!);

    const inventory: InventoryEntry[] = [];
    const unavailable = new Map<string, Array<{ node: DepNode; outcome: Extract<ScanOutcome, { status: 'unavailable' }> }>>();
    const parseFailures: string[] = [];
    const tooLarge: string[] = [];
    let failedFiles = 0;

    nodes.forEach((node, index) => {
      const outcome = outcomes[index]!;
      const entry: InventoryEntry = {
        name: node.packageName,
        version: node.version,
        location: node.location,
        dev: node.dev,
        optional: node.optional,
        status: outcome.status,
        from: outcome.status === 'analysed' ? outcome.from : null,
        cached: outcome.status === 'analysed' && outcome.cached,
        integrity: outcome.status === 'analysed' ? outcome.integrity : null,
        capabilities: {},
      };
      inventory.push(entry);
      if (outcome.status === 'unavailable') {
        entry.error = { code: outcome.code, message: outcome.message };
        // Fail closed: a tarball that is not what was locked, or comes from elsewhere, is a finding, never a silent pass.
        if (outcome.code === 'REGISTRY_TARBALL_INTEGRITY' || outcome.code === 'REGISTRY_TARBALL_FOREIGN_HOST') {
          reportUnverified(context, node, outcome);
          return;
        }
        const group = unavailable.get(outcome.code) ?? [];
        group.push({ node, outcome });
        unavailable.set(outcome.code, group);
        return;
      }
      const { analysis } = outcome;
      entry.files = analysis.files;
      if (analysis.parseErrors.length > 0) {
        entry.parseErrors = analysis.parseErrors;
        failedFiles += analysis.files.failed;
        const first = analysis.parseErrors[0]!;
        parseFailures.push(`${nameAtVersion(node)} (${first.file}:${first.line}: ${first.message})`);
      }
      if (analysis.skippedFiles.length > 0) {
        entry.skippedFiles = analysis.skippedFiles;
        tooLarge.push(`${nameAtVersion(node)} (${analysis.skippedFiles[0]})`);
      }
      for (const capability of CAPABILITIES) {
        const summary = analysis.capabilities[capability];
        if (!summary) continue;
        const allowed = allowedBy(allowlists, capability, node);
        const reported = summary.strong > 0 && !allowed && !(node.dev && ignoreDev.has(capability));
        entry.capabilities[capability] = { ...summary, evidence: summary.evidence.slice(0, INVENTORY_EVIDENCE), reported, ...(allowed ? { allowedBy: allowed.spec } : {}) };
        if (reported) report(context, node, capability, summary, outcome);
      }
    });

    // Packument misses are already diagnostics of their own (and decide the fail-closed exit): not repeated here.
    const recorded = context.enriched.packumentMisses;
    for (const [code, all] of [...unavailable.entries()].sort(([a], [b]) => compareStrings(a, b))) {
      const group = all.filter(({ node }) => !recorded.has(`${code}|${node.location}`));
      if (group.length === 0) continue;
      const names = [...new Set(group.map(({ node }) => nameAtVersion(node)))].sort(compareStrings);
      const blocking = group.some(({ outcome }) => outcome.blocking);
      const diagnostic: Diagnostic = {
        level: blocking ? 'error' : 'warning',
        code,
        message: `the capabilities of ${names.length} package${names.length === 1 ? '' : 's'} could not be analysed: ${listed(names)}; first: ${group[0]!.outcome.message}`,
      };
      // Could not analyse (too large, unreachable…): the run fails closed (exit 2) unless --allow-incomplete.
      if (blocking) diagnostic.incomplete = true;
      if (group.length === 1) diagnostic.package = { name: group[0]!.node.packageName, version: group[0]!.node.version, location: group[0]!.node.location };
      context.diagnostic(diagnostic);
    }
    if (parseFailures.length > 0) {
      const names = [...new Set(parseFailures)].sort(compareStrings);
      context.diagnostic({
        level: 'warning',
        code: 'CAPABILITIES_PARSE_ERROR',
        message: `${failedFiles} JavaScript file${failedFiles === 1 ? '' : 's'} in ${names.length} package${names.length === 1 ? '' : 's'} could not be parsed, so what they do is unknown: ${listed(names)}`,
      });
    }
    if (tooLarge.length > 0) {
      const names = [...new Set(tooLarge)].sort(compareStrings);
      context.diagnostic({ level: 'warning', code: 'CAPABILITIES_FILE_TOO_LARGE', message: `JavaScript files over the size limit were not parsed in ${names.length} package${names.length === 1 ? '' : 's'}: ${listed(names)}` });
    }

    inventory.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.version, b.version) || compareStrings(a.location, b.location));
    const analysed = inventory.filter((entry) => entry.status === 'analysed');
    context.data('packages', inventory);
    context.data('summary', {
      packages: inventory.length,
      analysed: analysed.length,
      unavailable: inventory.length - analysed.length,
      cached: analysed.filter((entry) => entry.cached).length,
      fromRegistry: analysed.filter((entry) => entry.from === 'registry').length,
      fromNodeModules: analysed.filter((entry) => entry.from === 'node_modules').length,
      withCapability: Object.fromEntries(CAPABILITIES.map((capability) => [capability, analysed.filter((entry) => (entry.capabilities[capability]?.strong ?? 0) > 0).length])),
    });
  },
});

function reportUnverified(context: CheckContext<CapabilitiesOptions>, node: DepNode, outcome: Extract<ScanOutcome, { status: 'unavailable' }>): void {
  const url = outcome.url ?? '(unknown URL)';
  if (outcome.code === 'REGISTRY_TARBALL_INTEGRITY') {
    const against = node.integrity ? 'the lockfile records' : 'the packument records';
    context.report({
      rule: 'integrity-mismatch',
      node,
      data: { name: node.packageName, version: node.version, against, url },
      evidence: { url, expected: node.integrity, against: node.integrity ? 'lockfile' : 'packument', error: outcome.message },
    });
    return;
  }
  context.report({ rule: 'foreign-tarball', node, data: { name: node.packageName, version: node.version, url }, evidence: { url, error: outcome.message } });
}

function report(context: CheckContext<CapabilitiesOptions>, node: DepNode, capability: Capability, summary: CapabilitySummary, outcome: Extract<ScanOutcome, { status: 'analysed' }>): void {
  const data: Record<string, string> = { name: node.packageName, version: node.version, where: where(summary) };
  if (capability === 'shell') data.how = summary.shell ? 'through a shell' : 'without a shell';
  if (capability === 'environment') {
    const keys = summary.keys ?? [];
    data.keys = keys.length > 6 ? `${keys.slice(0, 6).join(', ')} and ${keys.length - 6} more` : keys.join(', ');
  }
  const evidence: Record<string, unknown> = {
    capability,
    count: summary.count,
    strong: summary.strong,
    evidence: summary.evidence,
    from: outcome.from,
    integrity: outcome.integrity,
  };
  if (summary.shell !== undefined) evidence.shell = summary.shell;
  if (summary.access) evidence.access = summary.access;
  if (summary.keys) evidence.keys = summary.keys;
  context.report({ rule: capability, node, data, evidence });
}
