// pnpm-lock.yaml through loadProject: one small service (fixtures/projects/
// pm-service-*) resolved by npm and by pnpm 7, 8, 10 and 11 against the
// registry, so every lockfileVersion pnpm has written since 5.3 is read from
// a real file, and the graphs are compared with the npm one.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph } from '../../src/model.js';
import { depguard, diffFromNpm, pmServiceReport } from '../helpers/cli.js';
import { fixture, tempProject } from '../helpers/project.js';

const PNPM_FIXTURES = ['pm-service-pnpm-v53', 'pm-service-pnpm7', 'pm-service-pnpm8', 'pm-service-pnpm', 'pm-service-pnpm11'] as const;

/** name@version of every installed package (not the root, not workspaces, not pnpm's own env packages). */
function packages(graph: DepGraph): string[] {
  return [...graph.nodes.values()]
    .filter((node) => node.location.includes('node_modules/') && !node.location.startsWith('node_modules/.pnpm-env/'))
    .map((node) => `${node.packageName}@${node.version}`)
    .sort();
}

function nodeNamed(graph: DepGraph, name: string, version?: string) {
  const found = [...graph.nodes.values()].filter((node) => node.packageName === name && (version === undefined || node.version === version));
  expect(found, `${name}${version ? `@${version}` : ''}`).toHaveLength(1);
  return found[0]!;
}

describe('pnpm-lock.yaml of one service, every lockfileVersion', async () => {
  const npm = (await loadProject(fixture('pm-service-npm'))).graph;

  it.each(PNPM_FIXTURES)('%s loads the packages npm resolved, with their flags, edges and workspace', async (name) => {
    const { graph, diagnostics } = await loadProject(fixture(name));
    expect(diagnostics).toEqual([]);
    expect(graph.loadedFrom).toBe('lockfile');
    expect(graph.lockfile).toMatchObject({ file: 'pnpm-lock.yaml', manager: 'pnpm' });
    expect(packages(graph)).toEqual(packages(npm));

    // dev, optional, peer flags as Arborist computes them for the npm lockfile.
    for (const [pkg, version] of [['kleur', '4.1.5'], ['bufferutil', '4.0.8'], ['node-gyp-build', '4.8.4'], ['react', '18.2.0'], ['ms', '0.7.0'], ['semver', '7.8.6']] as const) {
      const pnpmNode = nodeNamed(graph, pkg, version);
      const npmNode = nodeNamed(npm, pkg, version);
      expect({ dev: pnpmNode.dev, optional: pnpmNode.optional, devOptional: pnpmNode.devOptional, peer: pnpmNode.peer }, pkg).toEqual({
        dev: npmNode.dev,
        optional: npmNode.optional,
        devOptional: npmNode.devOptional,
        peer: npmNode.peer,
      });
      expect(pnpmNode.integrity, pkg).toBe(npmNode.integrity);
      expect(pnpmNode.source).toBe('registry');
    }

    // The workspace and the link to it.
    expect(graph.workspaces).toEqual([{ name: '@svc/lib', location: 'packages/lib' }]);
    expect(graph.links.get('node_modules/@svc/lib')).toBe('packages/lib');
    const rootEdges = Object.fromEntries(graph.root.edgesOut.map((edge) => [edge.name, edge]));
    expect(rootEdges['@svc/lib']).toMatchObject({ to: 'packages/lib', spec: 'workspace:*', valid: true });
    // The alias: installed as ms-old, the registry's ms@0.7.0.
    expect(rootEdges['ms-old']).toMatchObject({ spec: 'npm:ms@0.7.0', type: 'prod', valid: true });
    expect(graph.nodes.get(rootEdges['ms-old']!.to!)).toMatchObject({ packageName: 'ms', version: '0.7.0' });
    // The peer: react-dom's edge to react is a peer edge with react-dom's declared range (v9 and v6 record it).
    const reactDom = nodeNamed(graph, 'react-dom');
    expect(reactDom.edgesOut.find((edge) => edge.name === 'react')).toMatchObject({ type: 'peer', to: nodeNamed(graph, 'react').location });
    expect(nodeNamed(graph, 'react').dependents).toEqual(['', reactDom.location].sort());
    // The workspace's dependency, through the catalog where the fixture has one.
    const lib = graph.nodes.get('packages/lib')!;
    expect(lib).toMatchObject({ isWorkspace: true, source: 'workspace', packageName: '@svc/lib' });
    expect(lib.edgesOut).toMatchObject([{ name: 'semver', to: nodeNamed(graph, 'semver').location, valid: true }]);
    // Entry lines for SARIF: every package entry has one.
    for (const location of graph.lockfile!.entries) expect(graph.lockfile!.lines?.get(location), location).toBeGreaterThan(0);
  });

  it('records what each version records about builds: requiresBuild up to 6.0, nothing in 9.0', async () => {
    for (const name of PNPM_FIXTURES) {
      const { graph } = await loadProject(fixture(name));
      const bufferutil = nodeNamed(graph, 'bufferutil');
      const v9 = graph.lockfile!.lockfileVersion >= 9;
      expect({ name, has: bufferutil.hasInstallScript, known: bufferutil.installScriptKnown }).toEqual({ name, has: !v9, known: !v9 });
      expect(nodeNamed(graph, 'lodash').installScriptKnown).toBe(!v9);
    }
  });

  it('resolves catalog: specs through the lockfile catalogs and records pnpm-workspace.yaml catalogs', async () => {
    const { graph } = await loadProject(fixture('pm-service-pnpm'));
    expect(graph.lockfile).toMatchObject({ lockfileVersion: 9, catalogs: { default: { semver: '^7.5.0' } }, workspaceCatalogs: { default: { semver: '^7.5.0' } } });
    expect(graph.nodes.get('packages/lib')!.edgesOut[0]).toMatchObject({ spec: 'catalog:', valid: true });
    expect(graph.lockfile!.declared!.get('packages/lib')).toEqual({ dependencies: { semver: 'catalog:' } });
    expect(graph.declaredManager).toEqual({ manager: 'pnpm', field: 'packageManager', value: 'pnpm@10.34.8' });
  });

  it('a two-document lockfile (pnpm 11) is never read as empty: the project document, plus pnpm itself as dev packages', async () => {
    const text = readFileSync(join(fixture('pm-service-pnpm11'), 'pnpm-lock.yaml'), 'utf8');
    expect(text.match(/^lockfileVersion:/gm)).toHaveLength(2);
    const { graph } = await loadProject(fixture('pm-service-pnpm11'));
    expect(packages(graph)).toHaveLength(14);
    expect(graph.declaredManager).toMatchObject({ manager: 'pnpm', field: 'devEngines.packageManager' });
    const pnpm = nodeNamed(graph, 'pnpm', '11.28.6');
    expect(pnpm).toMatchObject({ dev: true, location: 'node_modules/.pnpm-env/pnpm@11.28.6/node_modules/pnpm' });
    expect(graph.root.edgesOut.find((edge) => edge.name === 'pnpm')).toMatchObject({ type: 'dev', spec: '11.28.6', to: pnpm.location });
    // Its line is in the first document, the project's packages' in the second.
    expect(graph.lockfile!.lines!.get(pnpm.location)).toBeLessThan(graph.lockfile!.lines!.get(nodeNamed(graph, 'kleur').location)!);
    expect(graph.lockfile!.lines!.get(nodeNamed(graph, 'kleur').location)).toBeGreaterThan(143);
  });

  it('an empty pnpm-lock.yaml is a lockfile with no packages', async () => {
    for (const text of ['', '# nothing yet\n', '---\n']) {
      const dir = tempProject({ 'package.json': { name: 'empty', version: '1.0.0', dependencies: { ms: '2.1.3' } }, 'pnpm-lock.yaml': text });
      const { graph } = await loadProject(dir);
      expect(graph.nodes.size).toBe(1);
      expect(graph.lockfile).toMatchObject({ file: 'pnpm-lock.yaml', manager: 'pnpm' });
    }
  });
});

describe('SARIF on a pnpm project', () => {
  it('puts a package finding at its pnpm-lock.yaml entry line', () => {
    const dir = tempProject({});
    const output = join(dir, 'out.sarif');
    const run = depguard(['check', fixture('pm-service-pnpm'), '--only', 'lockfile', '--format', 'sarif', '--date', '2026-11-27', '--fail-on', 'none', '-o', output]);
    expect(run.code, run.stderr).toBe(0);
    const log = JSON.parse(readFileSync(output, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
    const lines = readFileSync(join(fixture('pm-service-pnpm'), 'pnpm-lock.yaml'), 'utf8').split('\n');
    const entry = lines.indexOf('  ms@0.7.0:') + 1;
    expect(entry).toBeGreaterThan(0);
    expect(log.runs[0]!.results.map((result) => [result.ruleId, result.locations[0]!.physicalLocation.artifactLocation.uri, result.locations[0]!.physicalLocation.region?.startLine])).toEqual([
      ['lockfile/alias', 'pnpm-lock.yaml', entry],
    ]);
  });
});

describe('diff across a change of package manager', () => {
  it('npm base, pnpm head of the same service: no package added, removed or changed; the spec changes read through pnpm', () => {
    const run = diffFromNpm(fixture('pm-service-pnpm'), fixture('pm-service-npm'));
    expect(run.code, run.stderr).toBe(0);
    const diff = run.diff!;
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed }).toEqual({ added: [], removed: [], changed: [] });
    // `"@svc/lib": "0.1.0"` (npm workspace) became `workspace:*`; `semver: ^7.5.0` became `catalog:` holding ^7.5.0: neither is looser.
    expect(diff.manifest).toEqual([{ kind: 'spec-changed', file: 'package.json', field: 'dependencies', key: '@svc/lib', from: '0.1.0', to: 'workspace:*', looseness: { from: 'exact', to: 'exact' } }]);
    // The alias finding is the same on both sides; the semver range finding names the new spec.
    expect(diff.newFindings.map((f) => f.rule)).toEqual(['pinning/range']);
    expect(diff.resolvedFindings.map((f) => f.rule)).toEqual(['pinning/range']);
  });
});

describe('report on a pnpm project', () => {
  it('writes the report from the pnpm graph: packages, direct and transitive, findings', () => {
    const run = pmServiceReport(fixture('pm-service-pnpm'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('# Dependency audit: pm-service@1.0.0');
    expect(run.stdout).toContain('14 packages: 9 direct, 5 transitive');
    expect(run.stdout).toContain('`lockfile/alias`');
  });
});

describe('hostile pnpm-lock.yaml input', () => {
  it('keys named like Object.prototype members are ordinary keys', async () => {
    const lockfile = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      __proto__:\n        specifier: 1.0.0\n        version: 1.0.0\npackages:\n  __proto__@1.0.0:\n    resolution: {integrity: sha512-AA}\n  constructor@1.0.0:\n    resolution: {integrity: sha512-AA}\nsnapshots:\n  __proto__@1.0.0: {}\n  constructor@1.0.0:\n    dependencies:\n      toString: 1.0.0\n";
    const dir = tempProject({ 'package.json': { name: 'x', version: '1.0.0' }, 'pnpm-lock.yaml': lockfile });
    const { graph } = await loadProject(dir);
    expect(Object.hasOwn(graph.lockfile!.declared!.get('')!.dependencies!, '__proto__')).toBe(true);
    expect(graph.root.edgesOut).toMatchObject([{ name: '__proto__', to: 'node_modules/.pnpm/__proto__@1.0.0/node_modules/__proto__' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
