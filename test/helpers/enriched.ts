// Runs a check that reads only enriched data (CheckMeta.enrich) as the engine
// would hand it over, with no network and no registry client: packuments
// made from documents in the registry's own shape, a graph built in memory.
import { WHOLE_TREE } from '../../src/checks/scope.js';
import type { Check, CheckEnriched, EnrichRun, Report } from '../../src/checks/types.js';
import { compactPackument } from '../../src/enrich/packument.js';
import type { NodePackument } from '../../src/enrich/registry-packuments.js';
import type { DepGraph, DepNode, Diagnostic } from '../../src/model.js';

/** A node's packument from a registry document (abbreviated, or full with `full`), named as the node. */
export function nodePackument(node: DepNode, document: Record<string, unknown>, full = false): NodePackument {
  const packument = { ...compactPackument({ ...document, name: node.packageName }, node.packageName, 'https://registry.example.org/', full), source: 'registry' as const };
  return { packument, version: packument.versions[node.version]! };
}

export const REGISTRIES = { registry: 'https://registry.example.org/', scopes: {} };

/** What the engine tells a check's enrich declarations, on the tests' day. */
export function enrichRun(now = Date.parse('2026-11-27T00:00:00Z'), keys: EnrichRun['keys'] = new Map()): EnrichRun {
  return { now, npmSettings: null, registries: REGISTRIES, keys };
}

/** Enriched data as the engine hands it over: these parts, the rest empty. */
export function enriched(parts: Partial<CheckEnriched> = {}): CheckEnriched {
  return {
    fromRegistry: true,
    packuments: new Map(),
    keys: new Map(),
    tarballManifests: new Map(),
    contents: new Map(),
    advisories: null,
    packumentMisses: new Set(),
    manifests: new Map(),
    manifestNotFetched: () => false,
    ...parts,
  };
}

/** The check's reports, diagnostics and data from its run over `graph` with these packuments (or enriched parts) and options. */
export async function runEnriched<Options>(
  check: Check<Options>,
  graph: DepGraph,
  data: Map<DepNode, NodePackument> | Partial<CheckEnriched>,
  options: Partial<Options> = {},
): Promise<{ reports: Report[]; diagnostics: Diagnostic[]; data: Record<string, unknown> }> {
  const reports: Report[] = [];
  const diagnostics: Diagnostic[] = [];
  const handed: Record<string, unknown> = {};
  await check.run({
    graph,
    options: { ...check.meta.defaultOptions, ...options } as Options,
    registries: REGISTRIES,
    trustedHosts: new Set(['registry.example.org']),
    today: '2026-11-27',
    now: Date.parse('2026-11-27T00:00:00Z'),
    npmSettings: null,
    cacheDir: null,
    scope: WHOLE_TREE,
    enriched: enriched(data instanceof Map ? { packuments: data } : data),
    report: (report) => reports.push(report),
    diagnostic: (diagnostic) => diagnostics.push(diagnostic),
    data: (key, value) => {
      handed[key] = value;
    },
  });
  return { reports, diagnostics, data: handed };
}
