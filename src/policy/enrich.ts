// The engine's enrich stage: everything the selected checks declared in
// CheckMeta.enrich, fetched and read once, before any check runs, for the
// packages each judges (context.scope). Registry data comes through
// src/enrich/stage.ts; package contents through the one CapabilityScanner of
// the run (so capabilities and manifest-confusion share a download and an
// analysis per package); advisories through the advisories check's own
// gather step (the source its options choose, matched to the graph). A check
// then reads only its CheckEnriched: no client, no network.

import pLimit from 'p-limit';
import type { AdvisoryEvidence } from '../checks/advisories/evidence.js';
import { gatherAdvisories, type SourceOptions } from '../checks/advisories/gather.js';
import type { ScanOutcome } from '../checks/capabilities/types.js';
import type { JudgedScope } from '../checks/scope.js';
import type { Check, CheckEnriched, EnrichRun } from '../checks/types.js';
import { registryFor } from '../enrich/npm-config.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { RegistryKeys } from '../enrich/registry-keys.js';
import { isRegistryLookup, type NodePackument, type RegistryPackuments } from '../enrich/registry-packuments.js';
import { enrichKeys, enrichPackuments, enrichTarballManifests, type KeysAnswer, type PackumentsWanted, type TarballManifestAnswer } from '../enrich/stage.js';
import type { ManifestSource, PackageManifest } from '../enrich/types.js';
import type { DepGraph, DepNode } from '../model.js';

/** Packages whose contents are read at once: downloads and analyses in flight (the client and the worker pool bound each further). */
const PACKAGES_IN_FLIGHT = 32;

export interface EnrichInput {
  graph: DepGraph;
  scope: JudgedScope;
  checks: readonly Check<any>[];
  optionsOf(check: Check<any>): Record<string, unknown>;
  run: Omit<EnrichRun, 'keys'>;
  today: string;
  registry: RegistryClient | null;
  packuments: RegistryPackuments | null;
  /** The run's reader of package contents (a CapabilityScanner), when a selected check reads contents. */
  contents: { scan(node: DepNode): Promise<ScanOutcome> } | null;
  /** Where manifests come from, when a selected check reads manifests. */
  manifests: ManifestSource | null;
}

type Options = Record<string, unknown>;

/** The registry packages a check's packument declaration keeps among those the run judges. */
function packumentNodes(input: EnrichInput, check: Check<any>, options: Options, run: EnrichRun): DepNode[] {
  const select = check.meta.enrich?.packuments?.select;
  return [...input.graph.nodes.values()].filter((node) => isRegistryLookup(node) && input.scope.judges(node) && (select?.(node, options, run) ?? true));
}

/** Each declaring check's packuments, then the tarball manifests it selects among them. */
async function registryData(input: EnrichInput, run: EnrichRun): Promise<Map<Check<any>, { packuments: Map<DepNode, NodePackument>; tarballManifests: Map<DepNode, TarballManifestAnswer> }>> {
  const answers = new Map<Check<any>, { packuments: Map<DepNode, NodePackument>; tarballManifests: Map<DepNode, TarballManifestAnswer> }>();
  if (!input.packuments) return answers;
  const wanting = input.checks.filter((check) => check.meta.enrich?.packuments);
  const requests = wanting.map((check): PackumentsWanted => {
    const options = input.optionsOf(check);
    const nodes = packumentNodes(input, check, options, run);
    const { full } = check.meta.enrich!.packuments!;
    return typeof full === 'function' ? { nodes, full: false, refine: (found, node) => full(found, node, options, run) } : { nodes, full: full === true };
  });
  const found = await enrichPackuments(input.packuments, requests);
  await Promise.all(
    wanting.map(async (check, index) => {
      const packuments = found[index]!;
      const wanted = check.meta.enrich?.tarballManifests;
      const options = input.optionsOf(check);
      const nodes = wanted && input.registry ? [...packuments].filter(([node, packument]) => wanted.select(packument, node, options)).map(([node]) => node) : [];
      answers.set(check, { packuments, tarballManifests: nodes.length > 0 ? await enrichTarballManifests(input.registry!, nodes) : new Map() });
    }),
  );
  return answers;
}

/** The signing keys of every registry the key-reading checks' packages come from. */
async function signingKeys(input: EnrichInput, run: Omit<EnrichRun, 'keys'>): Promise<Map<string, KeysAnswer>> {
  const readers = input.checks.filter((check) => check.meta.enrich?.keys);
  if (readers.length === 0 || !input.registry) return new Map();
  const registries = readers.flatMap((check) => packumentNodes(input, check, input.optionsOf(check), { ...run, keys: new Map() }).map((node) => registryFor(run.registries, node.packageName)));
  return enrichKeys(new RegistryKeys(input.registry), registries);
}

/** What is inside each package a contents-reading check selects: every package read once, whichever checks want it. */
async function packageContents(input: EnrichInput): Promise<Map<Check<any>, Map<DepNode, ScanOutcome>>> {
  const readers = input.checks.filter((check) => check.meta.enrich?.contents);
  const scanner = input.contents;
  if (readers.length === 0 || !scanner) return new Map();
  const selections = readers.map((check) => {
    const options = input.optionsOf(check);
    const select = check.meta.enrich!.contents!.select;
    return [...input.graph.nodes.values()].filter((node) => input.scope.judges(node) && (select?.(node, options) ?? true));
  });
  const limit = pLimit(PACKAGES_IN_FLIGHT);
  const outcomes = new Map<DepNode, Promise<ScanOutcome>>();
  for (const node of selections.flat()) if (!outcomes.has(node)) outcomes.set(node, limit(() => scanner.scan(node)));
  const read = new Map<DepNode, ScanOutcome>();
  await Promise.all([...outcomes].map(async ([node, outcome]) => read.set(node, await outcome)));
  return new Map(readers.map((check, index) => [check, new Map(selections[index]!.map((node) => [node, read.get(node)!]))]));
}

/** The advisory evidence of each check that declares it (there is one: advisories). */
async function advisoryEvidence(input: EnrichInput): Promise<Map<Check<any>, AdvisoryEvidence>> {
  const readers = input.checks.filter((check) => check.meta.enrich?.advisories);
  const evidence = await Promise.all(
    readers.map((check) =>
      gatherAdvisories({ graph: input.graph, scope: input.scope, options: input.optionsOf(check) as unknown as SourceOptions, registries: input.run.registries, registry: input.registry, today: input.today }),
    ),
  );
  return new Map(readers.map((check, index) => [check, evidence[index]!]));
}

/** The manifests each manifest-reading check asks about, each asked of the source once per check (the source keeps what it read). */
async function packageManifests(input: EnrichInput): Promise<Map<Check<any>, Map<DepNode, PackageManifest | null>>> {
  const readers = input.checks.filter((check) => check.meta.enrich?.manifests);
  const source = input.manifests;
  if (readers.length === 0 || !source) return new Map();
  const read = async (check: Check<any>): Promise<Map<DepNode, PackageManifest | null>> => {
    const options = input.optionsOf(check);
    const asked = [...input.graph.nodes.values()].flatMap((node) => {
      const request = check.meta.enrich!.manifests!.select(node, input.graph, options);
      return request ? [{ node, request }] : [];
    });
    const found = await Promise.all(
      asked.map(async ({ node, request }) => {
        try {
          return await source.manifest(node, request);
        } catch {
          // A source records why a manifest could not be had; a package it cannot describe is one the check judges without it.
          return null;
        }
      }),
    );
    return new Map(asked.map(({ node }, index) => [node, found[index]!]));
  };
  const answers = await Promise.all(readers.map(read));
  return new Map(readers.map((check, index) => [check, answers[index]!]));
}

/** Why a missing manifest was not asked of the registry (CheckEnriched.manifestNotFetched). */
function notFetchedBy(source: ManifestSource | null): (node: DepNode) => 'run' | 'unchanged' | false {
  return (node) => (source?.fetchesFor ? (source.fetchesFor(node) ? false : 'unchanged') : source?.fetches === false ? 'run' : false);
}

/** Every selected check's enriched data, by check id (checks that declared nothing get the empty answer). */
export async function enrichChecks(input: EnrichInput): Promise<Map<string, CheckEnriched>> {
  const keys = await signingKeys(input, input.run);
  const run: EnrichRun = { ...input.run, keys };
  const [registry, contents, advisories, manifests] = await Promise.all([registryData(input, run), packageContents(input), advisoryEvidence(input), packageManifests(input)]);
  const manifestNotFetched = notFetchedBy(input.manifests);
  // Misses recorded while enriching: already diagnostics of their own, which checks do not repeat.
  const packumentMisses = new Set((input.packuments?.missing() ?? []).map((miss) => `${miss.code}|${miss.package.location}`));
  return new Map(
    input.checks.map((check): [string, CheckEnriched] => [
      check.meta.id,
      {
        fromRegistry: input.packuments !== null,
        packuments: registry.get(check)?.packuments ?? new Map(),
        tarballManifests: registry.get(check)?.tarballManifests ?? new Map(),
        keys: check.meta.enrich?.keys ? keys : new Map(),
        contents: contents.get(check) ?? new Map(),
        advisories: advisories.get(check) ?? null,
        packumentMisses,
        manifests: manifests.get(check) ?? new Map(),
        manifestNotFetched,
      },
    ]),
  );
}
