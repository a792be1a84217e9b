// webpack's real yarn.lock (../shared/data/lockfiles-pm/real/webpack-webpack,
// SOURCES.md section 2): yarn classic v1, no workspaces, 1,397 entries. It
// must load with the package count the lockfile holds, counted as yarn
// counts packages (unique name@version of what is fetched): 1,393, because
// four entries are npm: aliases (`string-width-cjs@npm:string-width@^4.2.0`
// …) of a version the lockfile also holds under its own name, with the same
// tarball URL; and every check must run on it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSyml } from '@yarnpkg/parsers';
import { describe, expect, it } from 'vitest';
import { packageCount } from '../../src/commands/check.js';
import { loadProject } from '../../src/load/load.js';
import { SHARED_DATA } from '../helpers/project.js';
import { auditEveryCheckOffline } from '../helpers/registry-checks.js';

const WEBPACK = join(SHARED_DATA, 'lockfiles-pm/real/webpack-webpack');
const present = existsSync(join(WEBPACK, 'yarn.lock'));
if (!present) console.warn(`skipping webpack yarn.lock tests: ${WEBPACK} is absent (CI lays ../shared beside the clone)`);

describe.skipIf(!present)('webpack yarn.lock (classic v1)', () => {
  it('loads every entry, one package per name@version fetched', async () => {
    const entries = parseSyml(readFileSync(join(WEBPACK, 'yarn.lock'), 'utf8')) as Record<string, { version: string; resolved: string }>;
    const distinctEntries = new Set(Object.values(entries));
    expect(distinctEntries.size).toBe(1397);
    const tarballs = new Set([...distinctEntries].map((entry) => entry.resolved));
    const { graph, diagnostics } = await loadProject(WEBPACK);
    expect(diagnostics).toEqual([]);
    expect(graph.lockfile!.manager).toBe('yarn');
    expect(graph.lockfile!.lockfileVersion).toBe(1);
    expect(packageCount(graph)).toBe(tarballs.size);
    expect(packageCount(graph)).toBe(1393);
    expect(graph.workspaces).toEqual([]);
    // Every direct dependency resolves through its exact descriptor, and every entry is reached from the root.
    for (const edge of graph.root.edgesOut) expect(edge.to, edge.name).not.toBeNull();
    expect(graph.root.edgesOut.every((edge) => edge.valid)).toBe(true);
    expect([...graph.nodes.values()].filter((node) => node.location !== '' && node.dependents.length === 0)).toEqual([]);
    // An alias edge keeps its alias name and reaches the real package.
    const aliased = [...graph.nodes.values()].flatMap((node) => node.edgesOut).find((edge) => edge.name === 'string-width-cjs')!;
    expect(aliased.spec).toBe('npm:string-width@^4.2.0');
    expect(graph.nodes.get(aliased.to!)).toMatchObject({ packageName: 'string-width', version: '4.2.3' });
    // dev from package.json (classic records none): jest is a devDependency, webpack-sources a dependency.
    const byName = (name: string) => [...graph.nodes.values()].filter((node) => node.packageName === name);
    expect(byName('jest').every((node) => node.dev)).toBe(true);
    expect(byName('webpack-sources').some((node) => !node.dev)).toBe(true);
    // The git dependency is fetched as a codeload tarball: source git, resolved the URL yarn fetches.
    expect(byName('tooling')).toMatchObject([{ source: 'git', resolved: 'https://codeload.github.com/webpack/tooling/tar.gz/4c13a00ac84cf0e2dd57c457cd1ce46faa9e456a' }]);
    // Integrity from the entries; lines of the keys for SARIF.
    const acorn = byName('acorn').find((node) => node.version.startsWith('8.'))!;
    expect(acorn.integrity).toMatch(/^sha512-/);
    const line = readFileSync(join(WEBPACK, 'yarn.lock'), 'utf8').split('\n').findIndex((text) => text.startsWith('acorn@') && text.includes('^8.16.0')) + 1;
    expect(graph.lockfile!.lines!.get(acorn.location)).toBe(line);
  });

  it('every check runs: offline, with the OSV records in fixtures/advisories, registry-backed checks say what they could not read', async () => {
    const { result } = await auditEveryCheckOffline(WEBPACK);
    expect(result.project.packageCount).toBe(1393);
    const rules = new Set(result.findings.map((finding) => finding.rule));
    // What the lockfile alone shows: ranges in package.json, the codeload.github.com tarball.
    expect(rules).toContain('pinning/range');
    expect(rules).not.toContain('lockfile/out-of-sync');
    expect(rules).not.toContain('lockfile/unreachable');
    expect(result.diagnostics.some((diagnostic) => diagnostic.code === 'REGISTRY_INCOMPLETE')).toBe(true);
  });
});
