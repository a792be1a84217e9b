// One advisory assessment of a project folder: its graph (from the lockfile),
// the advisories its versions match and npm's vulnerability calculation. The
// planner runs it on the project, and again on each candidate's re-resolved
// copy, with the same advisory source and registry client.

import semver from 'semver';
import { auditAdvisories } from '../checks/advisories/audit.js';
import { GraphView, type Vuln } from '../checks/advisories/match.js';
import { projectNode } from '../checks/engines/project-node.js';
import type { AdvisorySource } from '../enrich/advisories/types.js';
import { auditQuery } from '../checks/advisories/gather.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { loadProject } from '../load/load.js';
import type { DepGraph, DepNode } from '../model.js';
import { replacementAdvisories, type Replacement, type ReplacementOptions } from './replacements.js';

export interface Assessment {
  graph: DepGraph;
  /** The Node.js version versions were picked for (the project's: checks/engines/project-node.ts). */
  nodeVersion: string;
  view: GraphView;
  vulns: Map<string, Vuln>;
  /** `name@version advisoryId` for every installed copy an advisory (not a metavulnerability) matches, bundled copies aside. */
  hits: Set<string>;
  /**
   * Hit copies that ship inside another package's tarball (bundleDependencies):
   * no override or refresh reaches them, only a new release of the bundler.
   */
  bundled: BundledHit[];
  /** Installed versions no version move fixes: deprecated with their latest (abandoned), or denied as a whole. */
  replace: Replacement[];
}

const NO_REPLACEMENTS: ReplacementOptions = { deprecated: null, denied: [] };

export interface BundledHit {
  package: string;
  version: string;
  advisory: string;
  /** `name@version` of the package whose tarball holds the copy. */
  bundler: string;
}

/** The package whose tarball carries a bundled node: the nearest enclosing folder that is not itself bundled. */
export function bundlerOf(graph: DepGraph, node: DepNode): DepNode | null {
  let location = node.location;
  for (;;) {
    const cut = location.lastIndexOf('/node_modules/');
    if (cut < 0) return null;
    location = location.slice(0, cut);
    const parent = graph.nodes.get(location);
    if (parent && !parent.inBundle) return parent;
  }
}

/** With `replacements`, deprecated versions and denied ranges count as hits too (advisory ids `deprecated`, `denied`: replacements.ts). */
export async function assess(projectPath: string, source: AdvisorySource, client: RegistryClient, replacements: ReplacementOptions = NO_REPLACEMENTS, nodeVersion?: string, lockfile?: string): Promise<Assessment> {
  const { graph } = await loadProject(projectPath, lockfile !== undefined ? { lockfile } : {});
  return assessGraph(graph, source, client, replacements, nodeVersion);
}

/**
 * assess() of a graph already in memory (a candidate's ideal tree, converted without writing and re-reading its lockfile).
 * A re-resolved copy holds package.json and the lockfile only: it is given the project's Node.js version (`nodeVersion`).
 */
export async function assessGraph(graph: DepGraph, source: AdvisorySource, client: RegistryClient, replacements: ReplacementOptions = NO_REPLACEMENTS, nodeVersion?: string): Promise<Assessment> {
  const node = nodeVersion ?? (await projectNode(graph, new Date().toISOString().slice(0, 10))).version;
  const view = new GraphView(graph, { nodeVersion: node });
  const query = auditQuery(view);
  const lookup = query.size === 0 ? { advisories: [] } : await source.advisories(query);
  // Per-package sources answer every advisory of a package: keep those that hold an installed version.
  const advisories = lookup.advisories.filter((advisory) => [...(query.get(advisory.package) ?? [])].some((version) => semver.satisfies(version, advisory.range, { includePrerelease: true, loose: true })));
  const replacing = await replacementAdvisories(graph, client, replacements);
  const { vulns } = await auditAdvisories(view, [...advisories, ...replacing.advisories], client);
  const hits = new Set<string>();
  const bundled: BundledHit[] = [];
  for (const vuln of vulns.values()) {
    for (const node of vuln.nodes) {
      for (const held of vuln.advisories) {
        if (held.type === 'metavuln' || !held.testVersion(node.version)) continue;
        const bundler = node.inBundle ? bundlerOf(graph, node) : null;
        if (bundler) bundled.push({ package: node.packageName, version: node.version, advisory: String(held.source), bundler: `${bundler.packageName}@${bundler.version}` });
        else hits.add(`${node.packageName}@${node.version} ${held.source}`);
      }
    }
  }
  return { graph, nodeVersion: node, view, vulns, hits, bundled, replace: replacing.replace };
}
