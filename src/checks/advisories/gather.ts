// The advisories check's enrich step (CheckMeta.enrich.advisories), run by
// the engine before any check: ask the advisory source the check's options
// choose about the packages the run audits, then match its answer to the
// graph with npm audit's semantics (./audit.ts), which reads the packuments
// of the vulnerable packages and of their dependents as the metavulnerability
// chains are walked: which of those are needed is known only while matching.
// What comes out (AdvisoryEvidence) is all the check's run() reads.

import { createRequire } from 'node:module';
import semver from 'semver';
import { createAdvisorySource } from '../../enrich/advisories/source.js';
import { AdvisorySourceError, type Advisory, type AdvisoryLookup, type AdvisoryQuery } from '../../enrich/advisories/types.js';
import { normaliseRegistry, registryFor, type RegistryConfig } from '../../enrich/npm-config.js';
import type { RegistryClient } from '../../enrich/registry-client.js';
import { DepguardError } from '../../errors.js';
import type { DepGraph, DepNode } from '../../model.js';
import { projectNode } from '../engines/project-node.js';
import type { JudgedScope } from '../scope.js';
import { auditAdvisories } from './audit.js';
import type { AdvisoryEvidence } from './evidence.js';
import { GraphView } from './match.js';

/** npm's own default registry (read from npm's config definitions, not written here): the public one. */
const require = createRequire(import.meta.url);
const NPM_DEFAULT_REGISTRY = normaliseRegistry(String((require('@npmcli/config/lib/definitions') as { definitions: { registry: { default: string } } }).definitions.registry.default));

const SEMVER = { includePrerelease: true, loose: true } as const;

/** The options of the advisories check that choose and reach the source. */
export interface SourceOptions {
  source: string;
  auditRegistry: string | null;
  required: boolean;
  osvApi: string;
  publicRegistries?: readonly string[];
}

/**
 * Which package names may be sent to a public advisory service: every node of
 * that name is a registry package, and the registry npm's config maps it to
 * (its scope's, else the default) is npm's default registry or one the
 * options declare public. A private or scoped-registry name never qualifies.
 */
export function publicNames(view: GraphView, registries: RegistryConfig, extra: readonly string[]): (name: string) => boolean {
  const open = new Set([NPM_DEFAULT_REGISTRY, ...extra.map(normaliseRegistry)]);
  const notRegistry = new Set<string>();
  for (const node of view.graph.nodes.values()) if (view.shouldAudit(node) && node.source !== 'registry') notRegistry.add(node.packageName);
  return (name) => !notRegistry.has(name) && open.has(normaliseRegistry(registryFor(registries, name)));
}

/** What npm sends to the bulk endpoint: every audited node's name and version (in a diff, those its scope audits). */
export function auditQuery(view: GraphView, audits: (node: DepNode) => boolean = () => true): AdvisoryQuery {
  const query: AdvisoryQuery = new Map();
  for (const node of view.graph.nodes.values()) {
    if (!view.shouldAudit(node) || !audits(node)) continue;
    const versions = query.get(node.packageName);
    if (versions) versions.add(node.version);
    else query.set(node.packageName, new Set([node.version]));
  }
  return query;
}

/** Advisories whose range matches at least one queried version (what the bulk endpoint itself returns). */
function affectingQueried(advisories: Advisory[], query: AdvisoryQuery): Advisory[] {
  return advisories.filter((advisory) => [...(query.get(advisory.package) ?? [])].some((version) => semver.satisfies(version, advisory.range, SEMVER)));
}

export interface GatherInput {
  graph: DepGraph;
  scope: JudgedScope;
  options: SourceOptions;
  registries: RegistryConfig;
  /** The run's registry client (the source's cache folder and mode; the calculator's packuments); null: none (no packuments, no cache). */
  registry: RegistryClient | null;
  today: string;
}

export async function gatherAdvisories(input: GatherInput): Promise<AdvisoryEvidence> {
  const { graph, options, registry } = input;
  // Versions are picked (fixAvailable, fix) for the project's Node.js, never for the one running depguard.
  const view = new GraphView(graph, { nodeVersion: (await projectNode(graph, input.today)).version });
  const query = auditQuery(view, input.scope.audits);
  const source = createAdvisorySource({
    source: options.source,
    base: graph.projectPath,
    registry: input.registries.registry,
    auditRegistry: options.auditRegistry,
    osvApi: options.osvApi,
    cache: registry?.cacheDir ?? null,
    offline: registry?.mode === 'offline',
    isPublic: publicNames(view, input.registries, options.publicRegistries ?? []),
  });
  let lookup: AdvisoryLookup;
  try {
    lookup = query.size === 0 ? { advisories: [], skipped: [] } : await source.advisories(query);
  } catch (error) {
    if (!(error instanceof AdvisorySourceError)) throw error;
    if (options.required) throw new DepguardError('EADVISORIES', `advisory source ${error.source}: ${error.message}`, { hint: error.hint, cause: error });
    return { checked: false, source: error.source, error: error.message };
  }
  // The bulk endpoint already answers only what affects the versions asked about; the OSV sources answer per package.
  const advisories = lookup.advisories.every((advisory) => advisory.origin === 'npm') ? lookup.advisories : affectingQueried(lookup.advisories, query);
  const { advisories: _answered, ...notes } = lookup;
  return { checked: true, source: lookup.answeredBy ?? source.name, view, lookup: notes, advisories, audit: await auditAdvisories(view, advisories, registry) };
}
