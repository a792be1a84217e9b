// One advisory assessment of a project folder: its graph (from the lockfile),
// the advisories its versions match and npm's vulnerability calculation. The
// planner runs it on the project, and again on each candidate's re-resolved
// copy, with the same advisory source and registry client.

import semver from 'semver';
import { auditAdvisories } from '../advisories/audit.js';
import { GraphView, type Vuln } from '../advisories/match.js';
import type { AdvisorySource } from '../advisories/types.js';
import { auditQuery } from '../checks/advisories.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import { loadProject } from '../graph/load.js';
import type { DepGraph } from '../model.js';

export interface Assessment {
  graph: DepGraph;
  view: GraphView;
  vulns: Map<string, Vuln>;
  /** `name@version advisoryId` for every installed version an advisory (not a metavulnerability) matches. */
  hits: Set<string>;
}

export async function assess(projectPath: string, source: AdvisorySource, client: RegistryClient): Promise<Assessment> {
  const { graph } = await loadProject(projectPath);
  const view = new GraphView(graph);
  const query = auditQuery(view);
  const lookup = query.size === 0 ? { advisories: [] } : await source.advisories(query);
  // Per-package sources answer every advisory of a package: keep those that hold an installed version.
  const advisories = lookup.advisories.filter((advisory) => [...(query.get(advisory.package) ?? [])].some((version) => semver.satisfies(version, advisory.range, { includePrerelease: true, loose: true })));
  const { vulns } = await auditAdvisories(view, advisories, client);
  const hits = new Set<string>();
  for (const vuln of vulns.values()) {
    for (const node of vuln.nodes) {
      for (const held of vuln.advisories) {
        if (held.type !== 'metavuln' && held.testVersion(node.version)) hits.add(`${node.packageName}@${node.version} ${held.source}`);
      }
    }
  }
  return { graph, view, vulns, hits };
}
