// Runs a check that reads only enriched data (CheckMeta.enrich) as the engine
// would hand it over, with no network and no registry client: packuments
// made from documents in the registry's own shape, a graph built in memory.
import { WHOLE_TREE } from '../../src/checks/scope.js';
import type { Check, Report } from '../../src/checks/types.js';
import { compactPackument } from '../../src/enrich/packument.js';
import type { NodePackument } from '../../src/enrich/registry-packuments.js';
import type { DepGraph, DepNode, Diagnostic } from '../../src/model.js';

/** A node's packument from a registry document (abbreviated, or full with `full`), named as the node. */
export function nodePackument(node: DepNode, document: Record<string, unknown>, full = false): NodePackument {
  const packument = { ...compactPackument({ ...document, name: node.packageName }, node.packageName, 'https://registry.example.org/', full), source: 'registry' as const };
  return { packument, version: packument.versions[node.version]! };
}

/** The check's reports and diagnostics from its run over `graph` with these packuments and options. */
export async function runEnriched<Options>(check: Check<Options>, graph: DepGraph, packuments: Map<DepNode, NodePackument>, options: Partial<Options> = {}): Promise<{ reports: Report[]; diagnostics: Diagnostic[] }> {
  const reports: Report[] = [];
  const diagnostics: Diagnostic[] = [];
  await check.run({
    graph,
    options: { ...check.meta.defaultOptions, ...options } as Options,
    registries: { registry: 'https://registry.example.org/', scopes: {} },
    trustedHosts: new Set(['registry.example.org']),
    today: '2026-11-27',
    now: Date.parse('2026-11-27T00:00:00Z'),
    npmSettings: null,
    cacheDir: null,
    manifests: null,
    registry: null,
    packuments: null,
    contents: null,
    scope: WHOLE_TREE,
    enriched: { packuments },
    report: (report) => reports.push(report),
    diagnostic: (diagnostic) => diagnostics.push(diagnostic),
    data: () => {},
  });
  return { reports, diagnostics };
}
