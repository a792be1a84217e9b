// The lockfile check on pnpm-lock.yaml: each rule fires on the pnpm field it
// reads (resolution.tarball, resolution.integrity, resolution.repo/commit,
// importers' specifiers, catalogs) and stays quiet on the clean service
// pnpm itself resolved (fixtures/projects/pm-service-pnpm*).

import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

const SHA512 = `sha512-${'A'.repeat(86)}==`;
const SHA1 = `sha1-${'B'.repeat(27)}=`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

async function lockfileFindings(dir: string): Promise<Finding[]> {
  const { graph } = await loadProject(dir);
  return runCheck('lockfile', graph, { registries: EXAMPLE_REGISTRY });
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}${f.evidence.reason ? ` (${String(f.evidence.reason)})` : ''}`).sort();
}

const MANIFEST = {
  name: 'tampered',
  version: '1.0.0',
  dependencies: { ms: '^2.1.0', remote: 'http://evil.example.com/remote-1.0.0.tgz', gitdep: `github:owner/gitdep#${COMMIT}`, old: '1.0.0', lib: 'catalog:', moved: '^3.0.0' },
};

// pnpm 9's shape, edited the ways an attacker or a stale checkout would.
const LOCKFILE = `lockfileVersion: '9.0'

catalogs:
  default:
    lib:
      specifier: ^1.0.0
      version: 1.0.0

importers:

  .:
    dependencies:
      gitdep:
        specifier: github:owner/gitdep#${COMMIT}
        version: https://codeload.github.com/owner/gitdep/tar.gz/${COMMIT}
      lib:
        specifier: 'catalog:'
        version: 1.0.0
      moved:
        specifier: ^2.0.0
        version: 2.0.0
      ms:
        specifier: ^2.1.0
        version: 2.1.3
      old:
        specifier: 1.0.0
        version: 1.0.0
      remote:
        specifier: http://evil.example.com/remote-1.0.0.tgz
        version: http://evil.example.com/remote-1.0.0.tgz

packages:

  gitdep@https://codeload.github.com/owner/gitdep/tar.gz/${COMMIT}:
    resolution: {tarball: https://codeload.github.com/owner/gitdep/tar.gz/${COMMIT}}
    version: 1.0.0

  lib@1.0.0:
    resolution: {integrity: ${SHA512}}

  moved@2.0.0:
    resolution: {integrity: ${SHA512}}

  ms@2.1.3:
    resolution: {}

  old@1.0.0:
    resolution: {integrity: ${SHA1}}

  orphan@1.0.0:
    resolution: {integrity: ${SHA512}}

  remote@http://evil.example.com/remote-1.0.0.tgz:
    resolution: {tarball: http://evil.example.com/remote-1.0.0.tgz}
    version: 1.0.0

snapshots:

  gitdep@https://codeload.github.com/owner/gitdep/tar.gz/${COMMIT}: {}

  lib@1.0.0: {}

  moved@2.0.0: {}

  ms@2.1.3: {}

  old@1.0.0: {}

  orphan@1.0.0: {}

  remote@http://evil.example.com/remote-1.0.0.tgz: {}
`;

describe('lockfile check on pnpm-lock.yaml', () => {
  it('fires on the pnpm fields it reads', async () => {
    const dir = tempProject({ 'package.json': MANIFEST, 'pnpm-lock.yaml': LOCKFILE, 'pnpm-workspace.yaml': 'catalog:\n  lib: ^1.1.0\n' });
    const findings = await lockfileFindings(dir);
    expect(summary(findings)).toEqual([
      'lockfile/foreign-host gitdep@1.0.0',
      'lockfile/foreign-host remote@1.0.0',
      'lockfile/insecure-protocol remote@1.0.0',
      'lockfile/missing-integrity gitdep@1.0.0',
      'lockfile/missing-integrity ms@2.1.3',
      'lockfile/missing-integrity remote@1.0.0',
      'lockfile/out-of-sync - (catalog)',
      'lockfile/out-of-sync moved@2.0.0 (specifier)',
      'lockfile/unreachable orphan@1.0.0',
      'lockfile/weak-integrity old@1.0.0',
    ]);
    const specifier = findings.find((f) => f.evidence.reason === 'specifier')!;
    expect(specifier.message).toBe('pnpm-lock.yaml is out of sync with package.json: moved (dependencies ^3.0.0) is recorded in the lockfile as "^2.0.0"; run `pnpm install` and commit the lockfile.');
    expect(findings.find((f) => f.evidence.reason === 'catalog')!.evidence).toMatchObject({ catalog: 'default', dependency: 'lib', declared: '^1.1.0', lockedSpec: '^1.0.0' });
    expect(findings.find((f) => f.rule === 'lockfile/insecure-protocol')!.evidence).toMatchObject({ resolved: 'http://evil.example.com/remote-1.0.0.tgz', protocol: 'http:' });
  });

  it('a dependency the importer lacks, and one it records that package.json dropped', async () => {
    const manifest = { ...MANIFEST, dependencies: { ...MANIFEST.dependencies, added: '1.0.0' } as Record<string, string> };
    delete manifest.dependencies.old;
    const dir = tempProject({ 'package.json': manifest, 'pnpm-lock.yaml': LOCKFILE, 'pnpm-workspace.yaml': 'catalog:\n  lib: ^1.0.0\n' });
    const sync = (await lockfileFindings(dir)).filter((f) => f.rule === 'lockfile/out-of-sync');
    expect(summary(sync)).toEqual(['lockfile/out-of-sync - (missing)', 'lockfile/out-of-sync moved@2.0.0 (specifier)', 'lockfile/out-of-sync old@1.0.0 (undeclared)']);
  });

  it('overrides changed in package.json or pnpm-workspace.yaml since the lockfile was written', async () => {
    const withOverrides = LOCKFILE.replace("lockfileVersion: '9.0'\n", "lockfileVersion: '9.0'\n\noverrides:\n  ms: 2.1.3\n  qs: 6.0.0\n");
    const manifest = { ...MANIFEST, pnpm: { overrides: { ms: '2.1.3' } } };
    const dir = tempProject({ 'package.json': manifest, 'pnpm-lock.yaml': withOverrides, 'pnpm-workspace.yaml': 'catalog:\n  lib: ^1.0.0\noverrides:\n  semver: 7.8.6\n' });
    const overrides = (await lockfileFindings(dir)).filter((f) => f.evidence.reason === 'overrides');
    expect(overrides.map((f) => f.evidence)).toEqual([
      { reason: 'overrides', dependency: 'qs', declared: null, lockedSpec: '6.0.0' },
      { reason: 'overrides', dependency: 'semver', declared: '7.8.6', lockedSpec: null },
    ]);
    // The same overrides on both sides: nothing.
    const same = tempProject({ 'package.json': { ...MANIFEST, pnpm: { overrides: { ms: '2.1.3', qs: '6.0.0' } } }, 'pnpm-lock.yaml': withOverrides, 'pnpm-workspace.yaml': 'catalog:\n  lib: ^1.0.0\n' });
    expect((await lockfileFindings(same)).filter((f) => f.evidence.reason === 'overrides')).toEqual([]);
  });

  it('is quiet on the service pnpm resolved, in every lockfileVersion (the alias is shown, as for npm)', async () => {
    for (const name of ['pm-service-pnpm-v53', 'pm-service-pnpm7', 'pm-service-pnpm8', 'pm-service-pnpm', 'pm-service-pnpm11']) {
      expect(summary(await lockfileFindings(fixture(name))), name).toEqual(['lockfile/alias ms@0.7.0']);
    }
  });

  it('a declared pnpm project with only an npm lockfile has no lockfile', async () => {
    const dir = tempProject({ 'package.json': { name: 'x', version: '1.0.0', packageManager: 'pnpm@9.15.0' }, 'package-lock.json': { name: 'x', version: '1.0.0', lockfileVersion: 3, packages: { '': { name: 'x', version: '1.0.0' } } } });
    const findings = await lockfileFindings(dir);
    expect(summary(findings)).toEqual(['lockfile/missing -']);
    expect(findings[0]!.message).toBe('The project has no pnpm-lock.yaml (package.json declares pnpm@9.15.0 in packageManager), so every install may resolve different packages and none of them is pinned by an integrity hash.');
  });
});
