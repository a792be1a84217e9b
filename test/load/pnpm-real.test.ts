// vuejs/core's real pnpm-lock.yaml (../shared/data/lockfiles-pm/real/
// vuejs-core, SOURCES.md section 2): lockfileVersion '9.0', 18 importers,
// catalogs, 55 peer-suffixed snapshots. It must load with the package count
// pnpm's lockfile holds (620 `packages` entries, i.e. unique name@version),
// and every check must run on it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageCount } from '../../src/commands/check.js';
import { loadProject } from '../../src/load/load.js';
import { parse } from 'yaml';
import { SHARED_DATA } from '../helpers/project.js';
import { auditEveryCheckOffline } from '../helpers/registry-checks.js';

const VUE = join(SHARED_DATA, 'lockfiles-pm/real/vuejs-core');
const present = existsSync(join(VUE, 'pnpm-lock.yaml'));
if (!present) console.warn(`skipping vuejs/core pnpm tests: ${VUE} is absent (CI lays ../shared beside the clone)`);

describe.skipIf(!present)('vuejs/core pnpm-lock.yaml', () => {
  it('loads every package once per name@version, every importer as the root or a workspace', async () => {
    const lockfile = parse(readFileSync(join(VUE, 'pnpm-lock.yaml'), 'utf8')) as { packages: object; snapshots: object; importers: object };
    const { graph, diagnostics } = await loadProject(VUE);
    expect(diagnostics).toEqual([]);
    expect(packageCount(graph)).toBe(Object.keys(lockfile.packages).length);
    expect(packageCount(graph)).toBe(620);
    // One node per snapshot: a package resolved against two sets of peers is two nodes.
    expect(graph.lockfile!.entries.size).toBe(Object.keys(lockfile.snapshots).length);
    expect(graph.workspaces).toHaveLength(Object.keys(lockfile.importers).length - 1);
    expect(graph.workspaces.find((workspace) => workspace.location === 'packages/vue')).toEqual({ name: 'vue', location: 'packages/vue' });
    expect(graph.workspaceManifests.size).toBe(17);
    // Every direct dependency of every importer is resolved.
    for (const location of ['', ...graph.workspaces.map((workspace) => workspace.location)]) {
      for (const edge of graph.nodes.get(location)!.edgesOut) expect(edge.to, `${location} → ${edge.name}`).not.toBeNull();
    }
    // catalog: specs resolve through the lockfile's catalogs and pnpm-workspace.yaml's.
    expect(graph.lockfile!.catalogs!.default).toMatchObject({ vite: '^8.2.0' });
    expect(graph.lockfile!.workspaceCatalogs!.default).toMatchObject({ vite: '^8.2.0' });
    const catalogEdges = [...graph.nodes.values()].flatMap((node) => node.edgesOut.filter((edge) => edge.spec === 'catalog:'));
    expect(catalogEdges.length).toBe(22);
    expect(catalogEdges.every((edge) => edge.valid)).toBe(true);
    // Dev-only packages are dev (v9 records no dev flag): vitest is a root devDependency.
    expect([...graph.nodes.values()].filter((node) => node.packageName === 'vitest').every((node) => node.dev)).toBe(true);
    expect([...graph.nodes.values()].find((node) => node.packageName === '@babel/parser')!.dev).toBe(false);
  });

  it('every check runs: offline, with the OSV records in fixtures/advisories, registry-backed checks say what they could not read', async () => {
    const { result } = await auditEveryCheckOffline(VUE);
    expect(result.project.packageCount).toBe(620);
    const rules = new Set(result.findings.map((finding) => finding.rule));
    // What the lockfile alone shows: pinning of the importers' specs (typescript "*" as a peer of vue), engines.
    expect(rules).toContain('pinning/wildcard');
    expect(rules).toContain('engines/dependency-excludes');
    expect(rules).not.toContain('lockfile/out-of-sync');
    expect(rules).not.toContain('lockfile/unreachable');
    // pnpm-workspace.yaml sets minimumReleaseAge: no cooldown finding.
    expect(rules).not.toContain('npm-config/no-cooldown');
    // allowBuilds approves packages by name only.
    expect(result.findings.filter((finding) => finding.rule === 'install-scripts/unpinned-approval').length).toBeGreaterThan(0);
    // Offline with an empty cache, the registry-backed checks ran and said what they could not read.
    expect(result.diagnostics.some((diagnostic) => diagnostic.code === 'REGISTRY_INCOMPLETE')).toBe(true);
  });
});
