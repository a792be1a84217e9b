// Real bun lockfiles (../shared/data/lockfiles-pm/real, SOURCES.md section 2):
// honojs/hono (lockfileVersion 1, one workspace, only devDependencies, 384
// nested keys) and onlook-dev/onlook (lockfileVersion 1, 31 workspaces, one
// of them, apps/admin, a git submodule whose package.json is not in the
// tree). Each must load with the package count bun's lockfile holds (unique
// name@version of its registry entries, as bun counts them), resolve every
// dependency, and run every check.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { packageCount } from '../../src/commands/check.js';
import { loadProject } from '../../src/load/load.js';
import { SHARED_DATA } from '../helpers/project.js';
import { auditEveryCheckOffline } from '../helpers/registry-checks.js';

const REAL = join(SHARED_DATA, 'lockfiles-pm/real');
const HONO = join(REAL, 'honojs-hono');
const ONLOOK = join(REAL, 'onlook-dev-onlook');
const present = existsSync(join(HONO, 'bun.lock')) && existsSync(join(ONLOOK, 'bun.lock'));
if (!present) console.warn(`skipping hono/onlook bun.lock tests: ${REAL} is absent (CI lays ../shared beside the clone)`);

/** The distinct name@version of a bun.lock's registry entries, counted from the file itself. */
function lockfileCount(folder: string): { entries: number; distinct: number; workspaces: number } {
  const lockfile = parseJsonc(readFileSync(join(folder, 'bun.lock'), 'utf8')) as { packages: Record<string, [string]>; workspaces: object };
  const idents = Object.values(lockfile.packages).map((tuple) => tuple[0]);
  return { entries: idents.length, distinct: new Set(idents.filter((ident) => !ident.includes('@workspace:'))).size, workspaces: Object.keys(lockfile.workspaces).length };
}

describe.skipIf(!present)('real bun.lock files', () => {
  it('hono: 1,012 packages, all dev (hono declares only devDependencies), every dependency resolved', async () => {
    const counted = lockfileCount(HONO);
    const { graph, diagnostics } = await loadProject(HONO);
    expect(diagnostics).toEqual([]);
    expect(graph.lockfile).toMatchObject({ manager: 'bun', lockfileVersion: 1 });
    expect(packageCount(graph)).toBe(counted.distinct);
    expect(packageCount(graph)).toBe(1012);
    // One node per packages key: nested keys are second copies, as on disk.
    expect(graph.lockfile!.entries.size).toBe(counted.entries);
    expect(graph.workspaces).toEqual([]);
    const packages = [...graph.nodes.values()].filter((node) => node.location !== '');
    expect(packages.every((node) => node.dev)).toBe(true);
    for (const node of graph.nodes.values()) {
      for (const edge of node.edgesOut) if (edge.type !== 'optional' && edge.type !== 'peerOptional') expect(edge.to, `${node.location} → ${edge.name}`).not.toBeNull();
    }
    // A nested key is a second version in its parent's node_modules.
    const nested = packages.filter((node) => node.location.includes('/node_modules/'));
    expect(nested.length).toBeGreaterThan(300);
  });

  it('onlook: 2,513 packages, 30 workspaces, workspace deps linked, the submodule workspace read from the lockfile', async () => {
    const counted = lockfileCount(ONLOOK);
    const { graph, diagnostics } = await loadProject(ONLOOK);
    expect(packageCount(graph)).toBe(counted.distinct);
    expect(packageCount(graph)).toBe(2513);
    expect(graph.workspaces).toHaveLength(counted.workspaces - 1);
    // apps/admin is a git submodule: its package.json is not in the tree.
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['WORKSPACE_MISSING']);
    expect(graph.workspaceManifests.size).toBe(29);
    const admin = graph.nodes.get('apps/admin')!;
    expect(admin.edgesOut.find((edge) => edge.name === '@onlook/ui')).toMatchObject({ to: 'packages/ui', valid: true });
    for (const location of ['', ...graph.workspaces.map((workspace) => workspace.location)]) {
      for (const edge of graph.nodes.get(location)!.edgesOut) {
        if (edge.type !== 'optional') expect(edge.to, `${location} → ${edge.name}`).not.toBeNull();
        // Workspace deps are written "*" or workspace:*; both link the workspace.
        if (edge.name.startsWith('@onlook/')) expect(edge.valid, `${location} → ${edge.name}`).toBe(true);
      }
    }
    // The four npm: aliases load as the aliased package under the alias's name.
    const alias = graph.nodes.get('node_modules/string-width-cjs')!;
    expect(alias).toMatchObject({ name: 'string-width-cjs', packageName: 'string-width' });
  });

  it.each([
    ['hono', HONO, 1012],
    ['onlook', ONLOOK, 2513],
  ])('%s: every check runs offline, registry-backed checks say what they could not read', async (_name, path, count) => {
    const { result } = await auditEveryCheckOffline(path);
    expect(result.project.packageCount).toBe(count);
    const rules = new Set(result.findings.map((finding) => finding.rule));
    expect(rules).not.toContain('lockfile/out-of-sync');
    expect(rules).not.toContain('lockfile/unreachable');
    expect(rules).not.toContain('lockfile/missing-integrity');
    expect(result.diagnostics.some((diagnostic) => diagnostic.code === 'REGISTRY_INCOMPLETE')).toBe(true);
  });
});
