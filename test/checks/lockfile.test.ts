import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import lockfileCheck, { classifyIntegrity, normaliseAllowedHost, resolvedHost } from '../../src/checks/lockfile/index.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, Finding } from '../../src/model.js';
import { edge, graph, node } from '../helpers/graph.js';
import { SHARED_DATA, fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

const SHA512 = 'sha512-' + 'A'.repeat(86) + '==';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

async function check(graphOrFixture: DepGraph | string, options?: Record<string, unknown>): Promise<Finding[]> {
  const g = typeof graphOrFixture === 'string' ? (await loadProject(fixture(graphOrFixture))).graph : graphOrFixture;
  return runCheck('lockfile', g, { registries: EXAMPLE_REGISTRY, ...(options ? { options } : {}) });
}

/** `rule package@location` strings, sorted, for compact assertions. */
function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? f.package.location : '-'}`).sort();
}

function only(findings: Finding[], rule: string): Finding {
  const matching = findings.filter((f) => f.rule === rule);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

/** A one-dependency graph: the root depends on `name` at node_modules/<name>. */
function single(init: Parameters<typeof node>[0] & { spec?: string }, manifest?: Record<string, unknown>): DepGraph {
  const { spec = '^1.0.0', ...rest } = init;
  const name = rest.location.slice(rest.location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return graph(manifest ?? { name: 'app', dependencies: { [name]: spec } }, [node(rest)], [edge(name, spec, rest.location)]);
}

describe('lockfile check metadata', () => {
  it('declares every rule it reports, with the default severities of the recommended policy', () => {
    const severities = Object.fromEntries(Object.entries(lockfileCheck.meta.rules).map(([rule, meta]) => [rule, meta.severity]));
    expect(severities).toEqual({
      missing: 'high',
      'version-1': 'moderate',
      'out-of-sync': 'high',
      'insecure-protocol': 'high',
      'foreign-host': 'high',
      'name-mismatch': 'high',
      alias: 'info',
      'missing-integrity': 'high',
      'weak-integrity': 'moderate',
      'invalid-integrity': 'high',
      'git-unpinned': 'high',
      'unsafe-key': 'high',
      unreachable: 'low',
    });
    expect(lockfileCheck.meta.defaultOptions).toEqual({ allowedHosts: [] });
    expect(lockfileCheck.meta.optionsSchema).toMatchObject({ additionalProperties: false });
  });
});

describe('lockfile/missing and lockfile/version-1', () => {
  it('reports a project without a lockfile, and nothing else', async () => {
    const findings = await check('lockfile-missing');
    expect(summary(findings)).toEqual(['lockfile/missing -']);
    expect(findings[0]).toMatchObject({ severity: 'high', package: null, evidence: { loadedFrom: 'package.json' } });
  });

  it('reports a v1 lockfile once, at project level', async () => {
    const findings = await check('lockfile-v1');
    expect(summary(findings)).toEqual(['lockfile/version-1 -']);
    expect(findings[0]).toMatchObject({ severity: 'moderate', evidence: { file: 'package-lock.json', lockfileVersion: 1 } });
  });

  it('is silent on a clean v3 lockfile written without `resolved` fields (optional peer not installed)', async () => {
    const { graph: g } = await loadProject(fixture('lockfile-clean-v3'));
    expect([...g.nodes.values()].every((n) => n.resolved === null)).toBe(true);
    expect(await check(g)).toEqual([]);
  });

  it('is silent on clean workspaces, and on file:, tarball, remote and pinned git specs once their host is allowed', async () => {
    expect(await check('lockfile-workspaces')).toEqual([]);
    expect(await check('lockfile-local-specs', { allowedHosts: ['github.com'] })).toEqual([]);
  });
});

describe('lockfile/out-of-sync', () => {
  it('detects a lockfile that locks a version package.json no longer accepts (the `npm ci` failure)', async () => {
    const findings = await check('lockfile-stale');
    expect(summary(findings)).toEqual(['lockfile/out-of-sync node_modules/semver']);
    expect(findings[0]!.package).toMatchObject({ name: 'semver', version: '6.3.1' });
    expect(findings[0]!.evidence).toMatchObject({
      reason: 'unsatisfied',
      dependency: 'semver',
      dependencyType: 'dependencies',
      declared: '^7.0.0',
      locked: '6.3.1',
      lockedSpec: '6.3.1',
      workspace: null,
    });
  });

  it('detects a dependency added to package.json but not to the lockfile', async () => {
    const findings = await check('lockfile-dependency-added');
    expect(summary(findings)).toEqual(['lockfile/out-of-sync -']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'missing', dependency: 'left-pad', declared: '^1.3.0', locked: null, lockedSpec: null });
  });

  it('detects a dependency removed from package.json that the lockfile still records (and which is now unreachable)', async () => {
    const findings = await check('lockfile-dependency-removed');
    expect(summary(findings)).toEqual(['lockfile/out-of-sync node_modules/is-number', 'lockfile/unreachable node_modules/is-number']);
    expect(only(findings, 'lockfile/out-of-sync').evidence).toMatchObject({
      reason: 'undeclared',
      dependencyType: 'optionalDependencies',
      declared: null,
      locked: '7.0.0',
      lockedSpec: '^7.0.0',
    });
  });

  it("checks each workspace's package.json against the lockfile", async () => {
    const findings = await check('lockfile-workspace-stale');
    expect(summary(findings)).toEqual(['lockfile/out-of-sync node_modules/semver']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'unsatisfied', workspace: 'packages/a', declared: '^8.0.0', lockedSpec: '^7.6.0' });
  });

  it('accepts aliases, dist-tags without resolved, `workspace:` links and unneeded optional peers', async () => {
    const ws = node({ location: 'packages/b', name: 'b', packageName: '@x/b', isWorkspace: true, source: 'workspace', integrity: null });
    const aliased = node({ location: 'node_modules/sw', packageName: 'string-width', version: '4.2.3' });
    const tagged = node({ location: 'node_modules/ms', version: '2.1.3' });
    const g = graph(
      {
        name: 'app',
        dependencies: { sw: 'npm:string-width@^4.2.0', ms: 'latest', '@x/b': 'workspace:*' },
        peerDependencies: { 'left-pad': '^1.3.0' },
        peerDependenciesMeta: { 'left-pad': { optional: true } },
      },
      [ws, aliased, tagged],
      [
        edge('sw', 'npm:string-width@^4.2.0', 'node_modules/sw'),
        { ...edge('ms', 'latest', 'node_modules/ms'), valid: false },
        { ...edge('@x/b', 'workspace:*', 'packages/b'), valid: false },
        { ...edge('left-pad', '^1.3.0', null, 'peerOptional'), valid: true, missing: false },
      ],
    );
    expect((await check(g)).filter((f) => f.rule === 'lockfile/out-of-sync')).toEqual([]);
  });

  it('reports a missing non-optional peer and an invalid git spec', async () => {
    const git = node({ location: 'node_modules/g', source: 'git', resolved: `git+ssh://git@github.com/o/g.git#${COMMIT}`, integrity: null });
    const g = graph(
      { name: 'app', dependencies: { g: 'github:o/other' }, peerDependencies: { react: '^18.0.0' } },
      [git],
      [{ ...edge('g', 'github:o/other', 'node_modules/g'), valid: false }, edge('react', '^18.0.0', null, 'peer')],
    );
    const findings = (await check(g, { allowedHosts: ['github.com'] })).filter((f) => f.rule === 'lockfile/out-of-sync');
    expect(findings.map((f) => [f.evidence.dependency, f.evidence.reason, f.evidence.dependencyType])).toEqual([
      ['react', 'missing', 'peerDependencies'],
      ['g', 'unsatisfied', 'dependencies'],
    ]);
  });
});

describe('lockfile/foreign-host', () => {
  it('reports a tarball from a host that is not the registry, unless allowed', async () => {
    const findings = await check('lockfile-foreign-host');
    expect(summary(findings)).toEqual(['lockfile/foreign-host node_modules/ms']);
    expect(findings[0]!.evidence).toMatchObject({ host: 'evil.example.com', resolved: 'https://evil.example.com/ms/-/ms-2.1.3.tgz' });
    expect(await check('lockfile-foreign-host', { allowedHosts: ['evil.example.com'] })).toEqual([]);
    expect(await check('lockfile-foreign-host', { allowedHosts: ['https://evil.example.com/'] })).toEqual([]);
  });

  it('accepts bare hostnames, host:port and full URLs as allowed hosts, comparing host and port', async () => {
    const at = (resolved: string) => single({ location: 'node_modules/a', resolved, source: 'remote' }, { name: 'app', dependencies: { a: resolved } });
    expect(await check(at('https://mirror.example.com:8443/files/a.tgz'), { allowedHosts: ['mirror.example.com:8443'] })).toEqual([]);
    expect(await check(at('https://mirror.example.com:8443/files/a.tgz'), { allowedHosts: ['https://mirror.example.com:8443/npm/'] })).toEqual([]);
    expect(summary(await check(at('https://mirror.example.com:8443/files/a.tgz'), { allowedHosts: ['mirror.example.com'] }))).toEqual(['lockfile/foreign-host node_modules/a']);
    expect(normaliseAllowedHost('Mirror.Example.com')).toBe('mirror.example.com');
    expect(normaliseAllowedHost('https://registry.example.org:443/')).toBe('registry.example.org');
  });

  it('trusts scoped registries and never flags registry packages without `resolved`', async () => {
    const scoped = single({ location: 'node_modules/@acme/a', resolved: 'https://npm.acme.example.com/@acme/a/-/a-1.0.0.tgz' });
    const registries = { registry: 'https://registry.example.org/', scopes: { '@acme': 'https://npm.acme.example.com/' } };
    expect(await runCheck('lockfile', scoped, { registries })).toEqual([]);
    expect(summary(await runCheck('lockfile', scoped, { registries: EXAMPLE_REGISTRY }))).toEqual(['lockfile/foreign-host node_modules/@acme/a']);
    expect(await check(single({ location: 'node_modules/a', resolved: null }))).toEqual([]);
  });

  it('reads the host of git+ssh (also scp-style), git+https and hosted shorthands', async () => {
    expect(resolvedHost(`git+ssh://git@github.com/o/r.git#${COMMIT}`)).toBe('github.com');
    expect(resolvedHost(`git+ssh://git@github.com:o/r.git#${COMMIT}`)).toBe('github.com');
    expect(resolvedHost(`git+https://token@gitlab.example.com:8443/o/r.git#${COMMIT}`)).toBe('gitlab.example.com:8443');
    expect(resolvedHost(`github:o/r#${COMMIT}`)).toBe('github.com');
    expect(resolvedHost('not a url')).toBe('');
    const shorthand = single({ location: 'node_modules/r', source: 'git', resolved: `github:o/r#${COMMIT}`, integrity: null }, { name: 'app' });
    const findings = await check(shorthand);
    expect(only(findings, 'lockfile/foreign-host').evidence).toMatchObject({ host: 'github.com', shorthand: true });
    expect((await check(shorthand, { allowedHosts: ['github.com'] })).filter((f) => f.rule === 'lockfile/foreign-host')).toEqual([]);
  });
});

describe('lockfile/insecure-protocol', () => {
  it('reports plain http on the registry host (and nothing else)', async () => {
    const findings = await check('lockfile-insecure-http');
    expect(summary(findings)).toEqual(['lockfile/insecure-protocol node_modules/ms']);
    expect(findings[0]!.evidence).toMatchObject({ protocol: 'http:', resolved: 'http://registry.example.org/ms/-/ms-2.1.3.tgz' });
  });

  it('reports git:// and stays quiet for https', async () => {
    const git = single({ location: 'node_modules/r', source: 'git', resolved: `git://github.com/o/r.git#${COMMIT}`, integrity: null }, { name: 'app' });
    expect(only(await check(git, { allowedHosts: ['github.com'] }), 'lockfile/insecure-protocol').evidence).toMatchObject({ protocol: 'git:' });
    expect(await check(single({ location: 'node_modules/ms', resolved: 'https://registry.example.org/ms/-/ms-1.0.0.tgz' }))).toEqual([]);
  });
});

describe('lockfile/name-mismatch and lockfile/alias', () => {
  it('reports a registry URL for another package (lockfile injection)', async () => {
    const findings = await check('lockfile-injected-name');
    expect(summary(findings)).toEqual(['lockfile/name-mismatch node_modules/ms']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'name', entryName: 'ms', urlName: 'evil', urlVersion: '2.1.3' });
  });

  it('reports dot segments in the tarball path (GHSA-f2p3-vh47-jhg6)', async () => {
    const findings = await check('lockfile-dot-segments');
    expect(summary(findings)).toEqual(['lockfile/name-mismatch node_modules/meow']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'dot-segments', resolved: 'https://registry.example.org/meow/../evil/-/evil-1.0.0.tgz' });
  });

  it('reports a tarball version that differs from the entry, and a file name that differs from the path', async () => {
    const version = single({ location: 'node_modules/ms', version: '2.1.3', entryVersion: '2.0.0', resolved: 'https://registry.example.org/ms/-/ms-2.1.3.tgz' });
    expect(only(await check(version), 'lockfile/name-mismatch').evidence).toMatchObject({ reason: 'version', entryVersion: '2.0.0', urlVersion: '2.1.3' });
    const file = single({ location: 'node_modules/ms', resolved: 'https://registry.example.org/ms/-/evil-1.0.0.tgz' });
    expect(only(await check(file), 'lockfile/name-mismatch').evidence).toMatchObject({ reason: 'file-name' });
  });

  it('reports a declared npm alias as info, not as injection', async () => {
    const findings = await check('lockfile-alias');
    expect(summary(findings)).toEqual(['lockfile/alias node_modules/string-width-cjs']);
    expect(findings[0]).toMatchObject({ severity: 'info', package: { name: 'string-width', version: '4.2.3' } });
    expect(findings[0]!.evidence).toMatchObject({ alias: 'string-width-cjs', realName: 'string-width', spec: 'npm:string-width@^4.2.0', declaredBy: 'package.json' });
  });

  it('reports an alias-shaped entry as name-mismatch when the dependent does not declare the alias', async () => {
    const g = single({ location: 'node_modules/string-width-cjs', packageName: 'string-width', resolved: 'https://registry.example.org/string-width/-/string-width-1.0.0.tgz', spec: '^1.0.0' });
    expect(summary(await check(g))).toEqual(['lockfile/name-mismatch node_modules/string-width-cjs']);
  });

  it('does not check names on foreign hosts (foreign-host covers them)', async () => {
    const g = single({ location: 'node_modules/ms', resolved: 'https://evil.example.com/evil/-/evil-1.0.0.tgz' });
    expect(summary(await check(g))).toEqual(['lockfile/foreign-host node_modules/ms']);
  });
});

describe('lockfile integrity rules', () => {
  it('reports a missing integrity for registry and remote tarball packages', async () => {
    const findings = await check('lockfile-missing-integrity');
    expect(summary(findings)).toEqual(['lockfile/missing-integrity node_modules/ms', 'lockfile/missing-integrity node_modules/remote-tar']);
    expect(findings.map((f) => f.evidence.source).sort()).toEqual(['registry', 'remote']);
  });

  it('does not ask git, file, directory, bundled packages or workspaces for an integrity', async () => {
    const nodes = [
      node({ location: 'node_modules/g', source: 'git', resolved: `git+ssh://git@github.com/o/g.git#${COMMIT}`, integrity: null }),
      node({ location: 'node_modules/f', source: 'file', resolved: 'file:vendor/f-1.0.0.tgz', integrity: null }),
      node({ location: 'node_modules/p', integrity: null }),
      node({ location: 'node_modules/p/node_modules/b', integrity: null, inBundle: true }),
      node({ location: 'packages/w', name: 'w', isWorkspace: true, source: 'workspace', integrity: null }),
    ];
    nodes[2]!.edgesOut.push(edge('b', '^1.0.0', 'node_modules/p/node_modules/b'));
    const g = graph({ name: 'app' }, nodes, [edge('g', 'github:o/g', 'node_modules/g'), edge('f', 'file:vendor/f-1.0.0.tgz', 'node_modules/f'), edge('p', '^1.0.0', 'node_modules/p'), edge('w', 'file:packages/w', 'packages/w', 'workspace')]);
    expect(summary(await check(g, { allowedHosts: ['github.com'] }))).toEqual(['lockfile/missing-integrity node_modules/p']);
  });

  it('reports sha1-only integrity as weak', async () => {
    const findings = await check('lockfile-sha1-integrity');
    expect(summary(findings)).toEqual(['lockfile/weak-integrity node_modules/ms']);
    expect(findings[0]!.evidence).toMatchObject({ algorithm: 'sha1', integrity: 'sha1-MhWjfyWHVAa1J3HM7b0DD4CbLEY=' });
  });

  it('reports integrity that is not SRI as invalid', async () => {
    const findings = await check(single({ location: 'node_modules/ms', integrity: 'not-an-sri' }));
    expect(summary(findings)).toEqual(['lockfile/invalid-integrity node_modules/ms']);
    expect(findings[0]!.evidence).toEqual({ integrity: 'not-an-sri' });
  });

  it('classifies by the strongest algorithm, as npm verifies', () => {
    expect(classifyIntegrity(SHA512)).toEqual({ kind: 'ok' });
    expect(classifyIntegrity(`sha1-MhWjfyWHVAa1J3HM7b0DD4CbLEY= ${SHA512}`)).toEqual({ kind: 'ok' });
    expect(classifyIntegrity('sha1-MhWjfyWHVAa1J3HM7b0DD4CbLEY=')).toEqual({ kind: 'weak', algorithm: 'sha1' });
    expect(classifyIntegrity('sha512-abc')).toEqual({ kind: 'invalid' });
    expect(classifyIntegrity('')).toEqual({ kind: 'invalid' });
    expect(classifyIntegrity('foo-bar')).toEqual({ kind: 'invalid' });
  });
});

describe('lockfile/git-unpinned', () => {
  it('reports a git dependency locked to a branch, not the one locked to a full commit', async () => {
    const findings = await check('lockfile-git-unpinned', { allowedHosts: ['github.com'] });
    expect(summary(findings)).toEqual(['lockfile/git-unpinned node_modules/git-branch']);
    expect(findings[0]!.evidence).toEqual({ resolved: 'git+ssh://git@github.com/owner/git-branch.git#main' });
  });

  it('reports git hosts as foreign unless allowed', async () => {
    const findings = await check('lockfile-git-unpinned');
    expect(summary(findings)).toEqual([
      'lockfile/foreign-host node_modules/git-branch',
      'lockfile/foreign-host node_modules/git-pinned',
      'lockfile/git-unpinned node_modules/git-branch',
    ]);
  });

  it('reports abbreviated commits', async () => {
    const g = single({ location: 'node_modules/r', source: 'git', resolved: 'git+ssh://git@github.com/o/r.git#0123456', integrity: null }, { name: 'app' });
    expect(summary(await check(g, { allowedHosts: ['github.com'] }))).toEqual(['lockfile/git-unpinned node_modules/r']);
  });
});

describe('lockfile/unreachable', () => {
  it('reports an entry nothing depends on', async () => {
    const findings = await check('lockfile-unreachable-entry');
    expect(summary(findings)).toEqual(['lockfile/unreachable node_modules/left-pad']);
    expect(findings[0]).toMatchObject({ severity: 'low', package: { name: 'left-pad', version: '1.3.0' }, evidence: { location: 'node_modules/left-pad' } });
  });

  it('skips entries under a linked folder outside node_modules whose package.json depends on the checkout', async () => {
    const target = node({ location: '../shared', name: 'shared', source: 'directory', integrity: null });
    const under = node({ location: '../shared/node_modules/x' });
    const stray = node({ location: 'node_modules/stray' });
    const g = graph({ name: 'app' }, [target, under, stray], [edge('shared', 'file:../shared', '../shared')]);
    g.links.set('node_modules/shared', '../shared');
    expect(summary(await check(g))).toEqual(['lockfile/unreachable node_modules/stray']);
  });
});

const realLockfiles = join(SHARED_DATA, 'lockfiles');
const haveReal = existsSync(realLockfiles);
if (!haveReal) console.warn(`skipping real-lockfile lockfile-check tests: ${realLockfiles} is absent (CI lays ../shared beside the clone)`);
describe.skipIf(!haveReal)('real lockfiles in ../shared/data/lockfiles', () => {
  // npm-cli (v3, workspaces, 1241 packages) and lockfile-lint (v3, workspaces,
  // 1703 packages) are clean: no unreachable entries, no out-of-sync
  // workspace, nothing foreign. santa-tracker-web (v2) is old: 173 entries
  // still carry sha1-only integrity, and google-closure-library is locked as
  // `v20190909.0.0` with neither resolved nor integrity. Those are real.
  it.each(['npm-cli', 'lockfile-lint'])('%s yields no findings', async (name) => {
    const { graph: g } = await loadProject(join(realLockfiles, name));
    expect(summary(await check(g))).toEqual([]);
  });

  it('santa-tracker-web yields only its real sha1 and missing-integrity entries', async () => {
    const { graph: g } = await loadProject(join(realLockfiles, 'santa-tracker-web'));
    const findings = await check(g);
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.rule] = (counts[f.rule] ?? 0) + 1;
    expect(counts).toEqual({ 'lockfile/weak-integrity': 173, 'lockfile/missing-integrity': 1 });
    expect(only(findings, 'lockfile/missing-integrity').package).toMatchObject({ name: 'google-closure-library', version: 'v20190909.0.0' });
    expect(findings.every((f) => f.rule !== 'lockfile/weak-integrity' || f.evidence.algorithm === 'sha1')).toBe(true);
  });
});

describe('lockfile keys that escape the project (lockfile-unsafe-keys, security)', () => {
  it('reports every key npm would not write, as high, and still checks the entry wherever it lands', async () => {
    const findings = await check('lockfile-unsafe-keys');
    const keys = findings.filter((f) => f.rule === 'lockfile/unsafe-key');
    expect(keys.map((f) => [f.severity, f.evidence.key, f.evidence.reason])).toEqual(
      expect.arrayContaining([
        ['high', 'node_modules/../../evil', 'parent-segment'],
        ['high', 'node_modules/./dot', 'dot-segment'],
        ['high', 'node_modules\\back', 'backslash'],
        ['high', '/tmp/absolute', 'absolute'],
        ['high', 'stray', 'not-linked'],
      ]),
    );
    expect(keys).toHaveLength(5);
    expect(only(findings.filter((f) => f.evidence.key === 'node_modules/../../evil'), 'lockfile/unsafe-key').package?.location).toBe('../evil');
    // The escaped entry gets every check it would get in node_modules.
    const atEvil = findings.filter((f) => f.package?.location === '../evil').map((f) => f.rule).sort();
    expect(atEvil).toEqual(['lockfile/foreign-host', 'lockfile/insecure-protocol', 'lockfile/invalid-integrity', 'lockfile/unreachable', 'lockfile/unsafe-key']);
    const atStray = findings.filter((f) => f.package?.location === 'stray').map((f) => f.rule).sort();
    expect(atStray).toEqual(['lockfile/foreign-host', 'lockfile/unreachable', 'lockfile/unsafe-key']);
    expect(findings.filter((f) => f.package?.location === 'node_modules/dot').map((f) => f.rule).sort()).toEqual([
      'lockfile/foreign-host',
      'lockfile/missing-integrity',
      'lockfile/unreachable',
      'lockfile/unsafe-key',
    ]);
  });

  it('keys npm writes are not findings: node_modules paths, workspaces and file: link targets, also outside the project', async () => {
    for (const name of ['lockfile-clean-v3', 'lockfile-workspaces', 'lockfile-local-specs', 'lockfile-v1']) {
      const findings = await check(name);
      expect(findings.filter((f) => f.rule === 'lockfile/unsafe-key'), name).toEqual([]);
    }
    // A file: dependency outside the project: npm records the folder as `../shared`, and its own node_modules.
    const outside = tempProject({
      'package.json': { name: 'app', version: '1.0.0', dependencies: { shared: 'file:../shared' } },
      'package-lock.json': {
        name: 'app',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { shared: 'file:../shared' } },
          '../shared': { name: 'shared', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
          '../shared/node_modules/ms': { version: '2.1.3', resolved: 'https://registry.example.org/ms/-/ms-2.1.3.tgz', integrity: SHA512 },
          'node_modules/shared': { resolved: '../shared', link: true },
        },
      },
    });
    expect((await check((await loadProject(outside)).graph)).filter((f) => f.rule === 'lockfile/unsafe-key')).toEqual([]);
  });
});
