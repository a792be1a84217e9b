import { describe, expect, it } from 'vitest';
import pinning from '../../src/checks/pinning/index.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, Finding } from '../../src/model.js';
import { edge, graph, node } from '../helpers/graph.js';
import { fixture } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';
import { presetPolicy } from '../../src/policy/load.js';
import { runChecks } from '../../src/policy/run.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

type DependencyType = 'dependencies' | 'optionalDependencies' | 'devDependencies' | 'peerDependencies';

/** A root manifest declaring one dependency `dep`, nothing resolved in the graph. */
function declaring(type: DependencyType, spec: string, name = 'dep'): DepGraph {
  return graph({ name: 'app', version: '1.0.0', [type]: { [name]: spec } }, []);
}

/** A project with workspaces packages/a and packages/b, `manifests` keyed by location. */
function withWorkspaces(root: Record<string, unknown>, manifests: Record<string, Record<string, unknown>>, nodes = [node({ location: 'node_modules/ms', version: '2.1.3' })]): DepGraph {
  const workspaceNodes = Object.entries(manifests).map(([location, manifest]) =>
    node({ location, name: String(manifest.name), packageName: String(manifest.name), version: '1.0.0', source: 'workspace', isWorkspace: true, integrity: null, edgesOut: edgesFor(manifest, nodes) }),
  );
  const all = [...nodes, ...workspaceNodes];
  const g = graph(root, all, edgesFor(root, all));
  g.workspaces = workspaceNodes.map((n) => ({ name: n.packageName, location: n.location }));
  g.workspaceManifests = new Map(Object.entries(manifests));
  return g;
}

/** Edges a manifest's dependencies would get, resolved by package name against `nodes`. */
function edgesFor(manifest: Record<string, unknown>, nodes: ReturnType<typeof node>[]) {
  const types: Array<[DependencyType, Parameters<typeof edge>[3]]> = [['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['devDependencies', 'dev'], ['peerDependencies', 'peer']];
  return types.flatMap(([field, type]) =>
    Object.entries((manifest[field] ?? {}) as Record<string, string>).map(([name, spec]) => edge(name, spec, nodes.find((n) => n.packageName === name)?.location ?? null, type)),
  );
}

function rules(findings: Finding[]): string[] {
  return findings.map((finding) => finding.rule);
}

describe('pinning: how each spec is judged', () => {
  // [dependency type, spec, rule expected under the recommended policy or null]
  const table: Array<[DependencyType, string, string | null]> = [
    ['dependencies', '*', 'wildcard'],
    ['dependencies', 'x', 'wildcard'],
    ['dependencies', 'X', 'wildcard'],
    ['dependencies', '', 'wildcard'],
    ['dependencies', '>=0.0.0', 'wildcard'],
    ['dependencies', '>=0', 'wildcard'],
    ['dependencies', '1.2.3 || *', 'wildcard'],
    ['dependencies', 'latest', 'dist-tag'],
    ['dependencies', 'next', 'dist-tag'],
    ['dependencies', 'beta', 'dist-tag'],
    ['dependencies', '>=1.2.0', 'open-ended'],
    ['dependencies', '>1', 'open-ended'],
    ['dependencies', '1.0.0 || >=2', 'open-ended'],
    ['dependencies', '^1.0.0 || >2.0.0', 'open-ended'],
    ['dependencies', '1.x', 'x-range'],
    ['dependencies', '1.2.x', 'x-range'],
    ['dependencies', '1', 'x-range'],
    ['dependencies', '1.2', 'x-range'],
    ['dependencies', '1.x || 2.x', 'x-range'],
    ['dependencies', '^1.2.3', 'range'],
    ['dependencies', '~1.2.3', 'range'],
    ['dependencies', '~1', 'range'],
    ['dependencies', '1.2.3 - 2.0.0', 'range'],
    ['dependencies', '>=1.0.0 <2.0.0', 'range'],
    ['dependencies', '<2', 'range'],
    ['dependencies', '1.2.3 || 1.2.4', 'range'],
    ['dependencies', '1.2.3', null],
    ['dependencies', '=1.2.3', null],
    ['dependencies', 'v1.2.3', null],
    ['dependencies', '1.2.3-beta.1', null],
    ['dependencies', 'npm:other@1.2.3', null],
    ['dependencies', 'npm:other@^1.2.3', 'range'],
    ['dependencies', 'npm:other@1.x', 'x-range'],
    ['dependencies', 'npm:other@>=1', 'open-ended'],
    ['dependencies', 'npm:other', 'wildcard'],
    ['dependencies', 'npm:other@latest', 'dist-tag'],
    ['dependencies', 'github:owner/repo', 'git-unpinned'],
    ['dependencies', 'owner/repo#main', 'git-unpinned'],
    ['dependencies', 'github:owner/repo#abc1234', 'git-unpinned'],
    ['dependencies', 'gitlab:owner/repo#v1.0.0', 'git-unpinned'],
    ['dependencies', 'git+https://git.example.org/owner/repo.git#semver:^1.0.0', 'git-unpinned'],
    ['dependencies', 'git+ssh://git@git.example.org/owner/repo.git', 'git-unpinned'],
    ['dependencies', `github:owner/repo#${COMMIT}`, null],
    ['dependencies', `git+https://git.example.org/owner/repo.git#${COMMIT}`, null],
    ['dependencies', `git+ssh://git@git.example.org/owner/repo.git#${COMMIT.toUpperCase()}`, null],
    ['dependencies', 'https://files.example.org/dep-1.0.0.tgz', 'tarball-url'],
    ['dependencies', 'http://files.example.org/dep-1.0.0.tgz', 'tarball-url'],
    ['dependencies', 'file:../elsewhere', 'file-outside-repo'],
    ['dependencies', '../elsewhere/dep', 'file-outside-repo'],
    ['dependencies', 'file:/opt/shared/dep-1.0.0.tgz', 'file-outside-repo'],
    ['dependencies', 'file:./libs/dep', null],
    ['dependencies', 'file:vendor/dep-1.0.0.tgz', null],
    ['dependencies', './libs/dep', null],
    ['dependencies', 'workspace:*', null],
    ['dependencies', 'workspace:^1.0.0', null],
    ['optionalDependencies', '^1.2.3', 'range'],
    ['optionalDependencies', '1.x', 'x-range'],
    ['optionalDependencies', '*', 'wildcard'],
    ['optionalDependencies', '1.2.3', null],
    ['devDependencies', '^1.2.3', null],
    ['devDependencies', '~1.2.3', null],
    ['devDependencies', '1.x', null],
    ['devDependencies', '*', 'wildcard'],
    ['devDependencies', 'latest', 'dist-tag'],
    ['devDependencies', '>=1', 'open-ended'],
    ['devDependencies', 'github:owner/repo#main', 'git-unpinned'],
    ['devDependencies', 'https://files.example.org/dep-1.0.0.tgz', 'tarball-url'],
    ['devDependencies', 'file:../elsewhere', 'file-outside-repo'],
    ['devDependencies', '1.2.3', null],
    ['peerDependencies', '^1.2.3', null],
    ['peerDependencies', '1.x', null],
    ['peerDependencies', '>=16.0.0 <20', null],
    ['peerDependencies', '>=16', 'open-ended'],
    ['peerDependencies', '*', 'wildcard'],
    ['peerDependencies', 'next', 'dist-tag'],
  ];

  it.each(table)('%s "%s" -> %s', async (type, spec, expected) => {
    const findings = await runCheck('pinning', declaring(type, spec));
    expect(rules(findings)).toEqual(expected ? [`pinning/${expected}`] : []);
    if (expected) {
      expect(findings[0]!.severity).toBe(pinning.meta.rules[expected]!.severity);
      expect(findings[0]!.evidence).toMatchObject({ name: 'dep', dependencyType: type, file: 'package.json' });
      expect(findings[0]!.evidence).not.toHaveProperty('workspace');
      // Not in the graph: the finding still names the declared dependency, with no version.
      expect(findings[0]!.package).toEqual({ name: 'dep', version: '', location: '' });
      expect(findings[0]!.paths).toEqual([]);
    }
  });

  it('uses the recommended severities of the rules', () => {
    const severities = Object.fromEntries(Object.entries(pinning.meta.rules).map(([rule, meta]) => [rule, meta.severity]));
    expect(severities).toEqual({
      wildcard: 'high',
      'dist-tag': 'high',
      'open-ended': 'high',
      'x-range': 'moderate',
      range: 'moderate',
      'git-unpinned': 'high',
      'tarball-url': 'high',
      'file-outside-repo': 'moderate',
    });
  });

  it('records the spec, the tag, the git ref and the alias target in evidence', async () => {
    const manifest = {
      name: 'app',
      dependencies: {
        tagged: 'next',
        aliased: 'npm:target@^2.0.0',
        branch: 'github:owner/repo#main',
        ranged: 'git+https://git.example.org/owner/repo.git#semver:^1.0.0',
        head: 'github:owner/repo',
      },
    };
    const findings = await runCheck('pinning', graph(manifest, []));
    const byName = new Map(findings.map((f) => [f.evidence.name, f]));
    expect(byName.get('tagged')!.evidence).toEqual({ name: 'tagged', dependencyType: 'dependencies', spec: 'next', file: 'package.json', tag: 'next' });
    expect(byName.get('aliased')!.evidence).toMatchObject({ spec: 'npm:target@^2.0.0', aliasOf: 'target' });
    expect(byName.get('aliased')!.rule).toBe('pinning/range');
    expect(byName.get('branch')!.evidence).toMatchObject({ spec: 'github:owner/repo#main', committish: 'main' });
    expect(byName.get('ranged')!.evidence).toMatchObject({ committish: null, gitRange: '^1.0.0' });
    expect(byName.get('head')!.evidence).toMatchObject({ committish: null });
  });

  it('says whether a tarball URL is plain http', async () => {
    const manifest = { name: 'app', dependencies: { plain: 'http://files.example.org/plain-1.0.0.tgz', tls: 'https://files.example.org/tls-1.0.0.tgz' } };
    const findings = await runCheck('pinning', graph(manifest, []));
    const byName = new Map(findings.map((f) => [f.evidence.name, f]));
    expect(byName.get('plain')!.evidence).toMatchObject({ url: 'http://files.example.org/plain-1.0.0.tgz', insecure: true });
    expect(byName.get('tls')!.evidence).toMatchObject({ url: 'https://files.example.org/tls-1.0.0.tgz', insecure: false });
  });

  it('keeps credentials in URL specs out of findings', async () => {
    const manifest = {
      name: 'app',
      dependencies: {
        tarball: 'https://s3cr3t-token@files.example.org/tarball-1.0.0.tgz',
        repo: 'git+https://user:s3cr3t@git.example.org/owner/repo.git#main',
      },
    };
    const findings = await runCheck('pinning', graph(manifest, []));
    expect(rules(findings).sort()).toEqual(['pinning/git-unpinned', 'pinning/tarball-url']);
    expect(JSON.stringify(findings)).not.toContain('s3cr3t');
  });

  it('names the path of a file dependency outside the repository relative to the project', async () => {
    const findings = await runCheck('pinning', declaring('dependencies', 'file:../shared/dep'));
    expect(findings[0]!.evidence).toMatchObject({ path: '../shared/dep', spec: 'file:../shared/dep' });
    expect(findings[0]!.message).not.toContain('/project');
  });
});

describe('pinning: the resolved package', () => {
  it('points at the node the root edge resolved to, with the direct path', async () => {
    const ms = node({ location: 'node_modules/ms', version: '2.1.3' });
    const g = graph({ name: 'app', dependencies: { ms: '^2.1.0' } }, [ms], [edge('ms', '^2.1.0', 'node_modules/ms')]);
    const [finding, ...rest] = await runCheck('pinning', g);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'pinning/range',
      severity: 'moderate',
      package: { name: 'ms', version: '2.1.3', location: 'node_modules/ms' },
      paths: [['ms@2.1.3']],
      evidence: { name: 'ms', dependencyType: 'dependencies', spec: '^2.1.0' },
    });
  });

  it('reports an alias under its target package but names the alias in evidence', async () => {
    const old = node({ location: 'node_modules/old-ms', packageName: 'ms', version: '2.0.0' });
    const g = graph({ name: 'app', dependencies: { 'old-ms': 'npm:ms@~2.0.0' } }, [old], [edge('old-ms', 'npm:ms@~2.0.0', 'node_modules/old-ms')]);
    const findings = await runCheck('pinning', g);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'pinning/range', package: { name: 'ms', version: '2.0.0', location: 'node_modules/old-ms' }, evidence: { name: 'old-ms', aliasOf: 'ms' } });
  });

  it('leaves an alias with an exact target alone', async () => {
    const old = node({ location: 'node_modules/old-ms', packageName: 'ms', version: '2.0.0' });
    const g = graph({ name: 'app', dependencies: { 'old-ms': 'npm:ms@2.0.0' } }, [old], [edge('old-ms', 'npm:ms@2.0.0', 'node_modules/old-ms')]);
    expect(await runCheck('pinning', g)).toEqual([]);
  });

  it('reads specs from package.json, not from the edges', async () => {
    const ms = node({ location: 'node_modules/ms', version: '2.1.3' });
    const g = graph({ name: 'app', dependencies: { ms: '2.1.3' } }, [ms], [edge('ms', '*', 'node_modules/ms')]);
    expect(await runCheck('pinning', g)).toEqual([]);
  });
});

describe('pinning: workspaces', () => {
  const root = { name: 'mono', version: '1.0.0', workspaces: ['packages/*'], dependencies: { ms: '2.1.3' } };

  it('checks each workspace manifest and names the workspace in evidence and paths', async () => {
    const g = withWorkspaces(root, {
      'packages/a': { name: '@mono/a', version: '1.0.0', dependencies: { ms: 'latest', missing: '^1.0.0' } },
      'packages/b': { name: '@mono/b', version: '1.0.0', dependencies: { ms: '2.1.3' } },
    });
    const findings = await runCheck('pinning', g);
    expect(findings.map((f) => [f.rule, f.evidence.name])).toEqual([
      ['pinning/dist-tag', 'ms'],
      ['pinning/range', 'missing'],
    ]);
    expect(findings[0]).toMatchObject({
      package: { name: 'ms', version: '2.1.3', location: 'node_modules/ms' },
      paths: [['@mono/a@1.0.0', 'ms@2.1.3']],
      evidence: { dependencyType: 'dependencies', spec: 'latest', workspace: '@mono/a', file: 'packages/a/package.json' },
    });
    // Not in the graph: no package, the path stops at the workspace.
    expect(findings[1]).toMatchObject({ package: { name: 'missing', version: '' }, paths: [['@mono/a@1.0.0']], evidence: { name: 'missing', workspace: '@mono/a' } });
  });

  it('accepts workspace links: workspace: specs, sibling workspaces by any range, their folders', async () => {
    const g = withWorkspaces(
      { ...root, dependencies: { '@mono/a': '*', '@mono/b': 'workspace:*' } },
      {
        'packages/a': { name: '@mono/a', version: '1.0.0', dependencies: { '@mono/b': 'file:../b', shared: 'file:../../libs/shared' } },
        'packages/b': { name: '@mono/b', version: '1.0.0', dependencies: { '@mono/a': '^1.0.0' }, devDependencies: { '@mono/a': 'workspace:^' } },
      },
    );
    expect(await runCheck('pinning', g)).toEqual([]);
  });

  it('resolves file: specs against the workspace folder', async () => {
    const g = withWorkspaces(root, {
      'packages/a': { name: '@mono/a', version: '1.0.0', dependencies: { outside: 'file:../../../outside' } },
    });
    const findings = await runCheck('pinning', g);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'pinning/file-outside-repo', evidence: { path: '../outside', workspace: '@mono/a' } });
  });
});

describe('pinning: policies and options', () => {
  const manifest = {
    name: 'app',
    dependencies: { prod: '1.2.3' },
    devDependencies: { caret: '^1.2.3', partial: '1.x', star: '*' },
    peerDependencies: { peer: '^1.0.0' },
    optionalDependencies: { opt: '~1.0.0' },
  };

  it('allows dev and peer ranges under recommended', async () => {
    const findings = await runCheck('pinning', graph(manifest, []));
    expect(findings.map((f) => [f.rule, f.evidence.name, f.severity])).toEqual([
      ['pinning/wildcard', 'star', 'high'],
      ['pinning/range', 'opt', 'moderate'],
    ]);
  });

  it('flags dev ranges under strict, still allowing peer ranges', async () => {
    const findings = await runCheck('pinning', graph(manifest, []), { policy: 'strict' });
    expect(findings.map((f) => [f.rule, f.evidence.name, f.severity])).toEqual([
      ['pinning/range', 'caret', 'high'],
      ['pinning/range', 'opt', 'high'],
      ['pinning/wildcard', 'star', 'high'],
      ['pinning/x-range', 'partial', 'moderate'],
    ]);
    expect(findings.find((f) => f.evidence.name === 'caret')!.evidence).toMatchObject({ dependencyType: 'devDependencies', spec: '^1.2.3' });
  });

  it('flags peer ranges when rangesAllowedIn is empty', async () => {
    const findings = await runCheck('pinning', graph(manifest, []), { options: { rangesAllowedIn: [] } });
    expect(findings.map((f) => f.evidence.name).sort()).toEqual(['caret', 'opt', 'partial', 'peer', 'star']);
  });

  it('skips ignored names exactly', async () => {
    const findings = await runCheck('pinning', graph(manifest, []), { options: { ignore: ['star', 'op'] } });
    expect(findings.map((f) => f.evidence.name)).toEqual(['opt']);
  });

  it('drops devDependency findings with --omit dev, and optional and peer ones with their omits', async () => {
    const loose = { name: 'app', dependencies: { a: '*' }, devDependencies: { b: '*' }, optionalDependencies: { c: '*' }, peerDependencies: { d: '*' } };
    expect((await runCheck('pinning', graph(loose, []))).map((f) => f.evidence.name)).toEqual(['a', 'b', 'c', 'd']);
    expect((await runCheck('pinning', graph(loose, []), { omit: ['dev'] })).map((f) => f.evidence.name)).toEqual(['a', 'c', 'd']);
    expect((await runCheck('pinning', graph(loose, []), { omit: ['optional', 'peer'] })).map((f) => f.evidence.name)).toEqual(['a', 'b']);
  });

  it('drops a devDependency finding with --omit dev even when the package is also a prod dependency elsewhere', async () => {
    const ms = node({ location: 'node_modules/ms', version: '2.1.3' });
    const g = graph({ name: 'app', devDependencies: { ms: 'latest' } }, [ms], [edge('ms', 'latest', 'node_modules/ms', 'dev')]);
    expect(rules(await runCheck('pinning', g))).toEqual(['pinning/dist-tag']);
    expect(await runCheck('pinning', g, { omit: ['dev'] })).toEqual([]);
  });

  it('judges a name in both dependencies and optionalDependencies once, as npm does, as optional', async () => {
    const findings = await runCheck('pinning', graph({ name: 'app', dependencies: { dup: '^1.0.0' }, optionalDependencies: { dup: '^1.0.0' } }, []));
    expect(findings.map((f) => f.evidence.dependencyType)).toEqual(['optionalDependencies']);
  });

  it('treats __proto__ and constructor as plain dependency names', async () => {
    const manifest = JSON.parse('{"name":"app","dependencies":{"__proto__":"*","constructor":"latest","toString":"1.0.0","hasOwnProperty":"^1.0.0"}}') as Record<string, unknown>;
    const findings = await runCheck('pinning', graph(manifest, []));
    expect(findings.map((f) => [f.rule, f.evidence.name])).toEqual([
      ['pinning/dist-tag', 'constructor'],
      ['pinning/wildcard', '__proto__'],
      ['pinning/range', 'hasOwnProperty'],
    ]);
    const ignored = await runCheck('pinning', graph(manifest, []), { options: { ignore: ['__proto__', 'constructor', 'hasOwnProperty'] } });
    expect(ignored).toEqual([]);
  });
});

describe('pinning: real projects', () => {
  it('finds the workspace wildcard in an npm workspaces project, and not the sibling link', async () => {
    const { graph: g } = await loadProject(fixture('pinning-workspaces'));
    const findings = await runCheck('pinning', g);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'pinning/wildcard',
      severity: 'high',
      package: { name: 'ms', version: '2.1.3', location: 'node_modules/ms' },
      paths: [['@depguard-fixture/a@1.0.0', 'ms@2.1.3']],
      evidence: { name: 'ms', dependencyType: 'dependencies', spec: '*', workspace: '@depguard-fixture/a', file: 'packages/a/package.json' },
    });
  });

  it('flags the workspace devDependency caret range under strict, and --omit dev drops it', async () => {
    const { graph: g } = await loadProject(fixture('pinning-workspaces'));
    const strict = await runCheck('pinning', g, { policy: 'strict' });
    expect(strict.map((f) => [f.rule, f.evidence.name])).toEqual([
      ['pinning/range', 'is-number'],
      ['pinning/wildcard', 'ms'],
    ]);
    expect(strict[0]).toMatchObject({
      severity: 'high',
      package: { name: 'is-number', version: '7.0.0' },
      paths: [['@depguard-fixture/a@1.0.0', 'is-number@7.0.0']],
      evidence: { dependencyType: 'devDependencies', spec: '^7.0.0', workspace: '@depguard-fixture/a' },
    });
    const omitted = await runCheck('pinning', g, { policy: 'strict', omit: ['dev'] });
    expect(rules(omitted)).toEqual(['pinning/wildcard']);
  });

  it('finds nothing in a project of exact pins (with an exact alias and a peer range)', async () => {
    const { graph: g } = await loadProject(fixture('pinning-clean'));
    expect(await runCheck('pinning', g)).toEqual([]);
    expect(await runCheck('pinning', g, { policy: 'strict' })).toEqual([]);
  });
});

describe('pinning: specs npm cannot read', () => {
  it('become diagnostics with the file and field, not findings and not crashes', async () => {
    const policy = await presetPolicy('recommended');
    const { findings, diagnostics } = await runChecks({
      graph: declaring('dependencies', 'link:../elsewhere'),
      policy,
      registries: EXAMPLE_REGISTRY,
      only: ['pinning'],
      today: '2026-11-27',
    });
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'UNREADABLE_SPEC', check: 'pinning', file: 'package.json', message: expect.stringContaining('dependencies["dep"] is "link:../elsewhere"') }),
    ]);
  });
});

describe('pinning: yarn protocols', () => {
  /** A yarn berry project declaring `dependencies`, nothing resolved. */
  function yarnProject(dependencies: Record<string, string>): DepGraph {
    const g = graph({ name: 'app', version: '1.0.0', dependencies }, []);
    g.lockfile = { file: 'yarn.lock', lockfileVersion: 8, manager: 'yarn', entries: new Set() };
    return g;
  }

  it('judges the spec a patch: wraps, the patch file in evidence; portal: as a folder; berry npm:<range> as the range', async () => {
    const findings = await runCheck(
      'pinning',
      yarnProject({
        resolve: 'patch:resolve@npm%3A^1.22.0#./.yarn/patches/resolve.patch',
        aliased: 'patch:real@npm%3A~2.0.0#./.yarn/patches/real.patch',
        outside: 'portal:../../elsewhere',
        debug: 'npm:^4.3.4',
      }),
    );
    const byName = new Map(findings.map((f) => [f.evidence.name, f]));
    expect(byName.get('resolve')).toMatchObject({ rule: 'pinning/range', evidence: { spec: 'patch:resolve@npm%3A^1.22.0#./.yarn/patches/resolve.patch', patch: './.yarn/patches/resolve.patch' } });
    expect(byName.get('aliased')).toMatchObject({ rule: 'pinning/range', evidence: { aliasOf: 'real', patch: './.yarn/patches/real.patch' } });
    expect(byName.get('outside')!.rule).toBe('pinning/file-outside-repo');
    expect(byName.get('debug')!.rule).toBe('pinning/range');
    expect(findings).toHaveLength(4);
  });

  it('leaves exact patched versions, portals inside the repository and berry npm:<version> alone', async () => {
    const findings = await runCheck(
      'pinning',
      yarnProject({
        resolve: 'patch:resolve@npm%3A1.22.8#./.yarn/patches/resolve.patch',
        inside: 'portal:./vendor/inside',
        ms: 'npm:2.1.3',
        lib: 'workspace:^',
      }),
    );
    expect(findings).toEqual([]);
  });

  it('the same specs in an npm project are specs npm cannot read', async () => {
    const policy = await presetPolicy('recommended');
    const { findings, diagnostics } = await runChecks({ graph: declaring('dependencies', 'patch:resolve@npm%3A^1.22.0#./p.patch'), policy, registries: EXAMPLE_REGISTRY, only: ['pinning'], today: '2026-11-27' });
    expect(findings).toEqual([]);
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['UNREADABLE_SPEC']);
  });
});
