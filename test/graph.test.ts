import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../src/errors.js';
import { hasDotSegments, parseRegistryTarballUrl } from '../src/load/identity.js';
import { loadProject } from '../src/load/load.js';
import { dependencyPaths, reachableLocations } from '../src/load/paths.js';
import { SHARED_DATA, fixture, tempProject } from './helpers/project.js';

const sharedLockfiles = join(SHARED_DATA, 'lockfiles');
const haveShared = existsSync(sharedLockfiles);
if (!haveShared) console.warn(`skipping real-lockfile graph tests: ${sharedLockfiles} is absent (CI lays ../shared beside the clone)`);

describe('registry tarball URLs', () => {
  it('reads name and version from plain and scoped URLs', () => {
    expect(parseRegistryTarballUrl('https://registry.example.org/ms/-/ms-2.1.3.tgz')).toMatchObject({ name: 'ms', version: '2.1.3' });
    expect(parseRegistryTarballUrl('https://registry.example.org/@babel/core/-/core-7.24.0.tgz')).toMatchObject({ name: '@babel/core', version: '7.24.0' });
    expect(parseRegistryTarballUrl('https://registry.example.org/@babel%2fcore/-/core-7.24.0.tgz')).toMatchObject({ name: '@babel/core', version: '7.24.0' });
    expect(parseRegistryTarballUrl('https://npm.example.com/artifactory/api/npm/npm/ms/-/ms-2.1.3.tgz')).toMatchObject({ name: 'ms', basePath: '/artifactory/api/npm/npm' });
  });

  it('is not fooled by prerelease versions that contain dashes', () => {
    expect(parseRegistryTarballUrl('https://registry.example.org/react-dom/-/react-dom-19.0.0-rc-1.tgz')).toMatchObject({ name: 'react-dom', version: '19.0.0-rc-1' });
  });

  it('rejects URLs that are not registry tarballs', () => {
    expect(parseRegistryTarballUrl('git+ssh://git@github.com/a/b.git#abc')).toBeNull();
    expect(parseRegistryTarballUrl('https://codeload.github.com/a/b/tar.gz/abc')).toBeNull();
  });

  it('sees dot segments that URL parsing would silently remove', () => {
    expect(hasDotSegments('https://registry.example.org/meow/../evil/-/evil-1.0.0.tgz')).toBe(true);
    expect(hasDotSegments('https://registry.example.org/meow/%2e%2e/evil/-/evil-1.0.0.tgz')).toBe(true);
    expect(hasDotSegments('https://registry.example.org/ms/-/ms-2.1.3.tgz')).toBe(false);
  });
});

describe('loadProject', () => {
  it('loads a v3 lockfile written without resolved URLs as registry packages', async () => {
    const { graph } = await loadProject(fixture('clean-app'));
    expect(graph.loadedFrom).toBe('lockfile');
    expect(graph.lockfile).toMatchObject({ file: 'package-lock.json', lockfileVersion: 3 });
    const ms = graph.nodes.get('node_modules/ms')!;
    expect(ms).toMatchObject({ packageName: 'ms', version: '2.1.3', resolved: null, source: 'registry', dev: false });
    expect(ms.integrity).toMatch(/^sha512-/);
    expect(graph.nodes.get('node_modules/semver')).toMatchObject({ dev: true });
    expect(graph.root.edgesOut.map((e) => `${e.name}:${e.type}`)).toEqual(['is-number:prod', 'ms:prod', 'semver:dev']);
  });

  it('loads a v1 lockfile with nested copies as separate packages', async () => {
    const { graph } = await loadProject(fixture('lockfile-v1-app'));
    expect(graph.lockfile?.lockfileVersion).toBe(1);
    expect(graph.nodes.get('node_modules/ms')?.version).toBe('2.1.2');
    expect(graph.nodes.get('node_modules/express-like/node_modules/ms')?.version).toBe('2.0.0');
    // v1 never records install scripts: unknown, not "none".
    expect(graph.nodes.get('node_modules/debug')?.installScriptKnown).toBe(false);
    expect(dependencyPaths(graph, 'node_modules/ms')).toEqual([['debug@4.1.1', 'ms@2.1.2']]);
  });

  it('reads node_modules when there is no lockfile, naming packages by folder, not by their package.json', async () => {
    const { graph } = await loadProject(fixture('node-modules-only'));
    expect(graph.loadedFrom).toBe('node_modules');
    expect(graph.lockfile).toBeNull();
    // node_modules/not-react/package.json claims to be "react".
    expect(graph.nodes.get('node_modules/not-react')?.packageName).toBe('not-react');
  });

  it.skipIf(!haveShared)('loads npm workspaces and takes alias identities from the lockfile (npm/cli)', async () => {
    const { graph } = await loadProject(join(sharedLockfiles, 'npm-cli'));
    expect(graph.workspaces.map((w) => w.name)).toContain('@npmcli/arborist');
    expect(graph.workspaces).toHaveLength(16);
    const arborist = graph.nodes.get('workspaces/arborist')!;
    expect(arborist).toMatchObject({ isWorkspace: true, source: 'workspace', packageName: '@npmcli/arborist' });
    expect(arborist.dependents).toContain('');
    const alias = graph.nodes.get('node_modules/string-width-cjs')!;
    expect(alias).toMatchObject({ name: 'string-width-cjs', packageName: 'string-width', version: '4.2.3' });
    // Counts from SOURCES.md: 1241 packages excluding root, links and workspaces.
    expect(graph.nodes.size - 1 - graph.workspaces.length).toBe(1241);
    expect(reachableLocations(graph).size).toBeGreaterThan(1200);
  });

  it.skipIf(!haveShared)('loads the real v2 and v3 lockfiles with the package counts SOURCES.md lists', async () => {
    for (const [name, count] of [['lockfile-lint', 1703], ['santa-tracker-web', 652]] as const) {
      const { graph } = await loadProject(join(sharedLockfiles, name));
      expect(graph.nodes.size - 1 - graph.workspaces.length, name).toBe(count);
    }
  });

  it('prefers npm-shrinkwrap.json over package-lock.json, as npm does, and loads a shrinkwrap alone', async () => {
    const lock = JSON.parse(readFileSync(join(fixture('clean-app'), 'package-lock.json'), 'utf8'));
    const shrinkwrap = structuredClone(lock);
    shrinkwrap.packages['node_modules/is-number'].version = '7.0.1';
    const both = tempProject({ 'package-lock.json': lock, 'npm-shrinkwrap.json': shrinkwrap }, fixture('clean-app'));
    const { graph } = await loadProject(both);
    expect(graph.lockfile?.file).toBe('npm-shrinkwrap.json');
    expect(graph.nodes.get('node_modules/is-number')?.version).toBe('7.0.1');
    const alone = tempProject({ 'package.json': JSON.parse(readFileSync(join(fixture('clean-app'), 'package.json'), 'utf8')), 'npm-shrinkwrap.json': shrinkwrap });
    expect((await loadProject(alone)).graph.nodes.get('node_modules/is-number')?.version).toBe('7.0.1');
    // The override is scoped to that one load: another project still reads its package-lock.json.
    expect((await loadProject(fixture('clean-app'))).graph.nodes.get('node_modules/is-number')?.version).toBe('7.0.0');
  });

  it('refuses a path that is a file, with the reason', async () => {
    await expect(loadProject(join(fixture('clean-app'), 'package.json'))).rejects.toThrow(DepguardError);
    await expect(loadProject(join(fixture('clean-app'), 'package.json'))).rejects.toMatchObject({ code: 'ENOT_PROJECT' });
  });
});
