// The bun.lock loader on lockfiles bun wrote (fixtures/projects/bun-*) and on
// hand-made hostile ones: every tuple kind, nested and workspace keys, bun's
// resolution order, and bad input as a clear error or a named diagnostic.

import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import { keyLocation, keySegments, resolveKey } from '../../src/load/bun/keys.js';
import { readTuple } from '../../src/load/bun/tuple.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';
import { loadBunText } from '../helpers/lockfiles.js';

describe('bun.lock tuple kinds (bun 1.4.5, lockfileVersion 2)', () => {
  it('loads each kind at the folder its key names, with what the tuple says', async () => {
    const { graph, diagnostics } = await loadProject(fixture('bun-tuple-kinds'));
    expect(diagnostics).toEqual([]);
    expect(graph.lockfile).toMatchObject({ manager: 'bun', lockfileVersion: 2, file: 'bun.lock' });
    const node = (location: string) => graph.nodes.get(location);
    // npm: registry "" is the configured default registry, so no resolved URL (as npm's omit-lockfile-registry-resolved).
    expect(node('node_modules/debug')).toMatchObject({ packageName: 'debug', version: '4.3.4', source: 'registry', resolved: null, integrity: expect.stringMatching(/^sha512-/) });
    // A nested key is a copy in its parent's node_modules; bun resolves the nearest key first.
    expect(node('node_modules/debug/node_modules/ms')).toMatchObject({ version: '2.1.2' });
    expect(node('node_modules/debug')!.edgesOut.find((edge) => edge.name === 'ms')).toMatchObject({ to: 'node_modules/debug/node_modules/ms', valid: true });
    // A key starting with a workspace's name is in that workspace's node_modules.
    expect(node('packages/a/node_modules/debug')).toMatchObject({ version: '2.6.9' });
    expect(node('packages/a/node_modules/debug/node_modules/ms')).toMatchObject({ version: '2.0.0' });
    expect(node('packages/a')!.edgesOut.map((edge) => [edge.name, edge.to])).toEqual([
      ['debug', 'packages/a/node_modules/debug'],
      ['ms', 'node_modules/ms'],
    ]);
    // file: folders are copied into node_modules; link: and workspace: are links to the folder.
    expect(node('node_modules/localdir')).toMatchObject({ source: 'directory', resolved: 'file:deps/localdir', version: '' });
    expect(node('node_modules/localdir/node_modules/ms')).toMatchObject({ version: '2.0.0' });
    expect(graph.links.get('node_modules/linked')).toBe('linked');
    expect(graph.links.get('node_modules/a-ws')).toBe('packages/a');
    expect(graph.workspaces).toEqual([{ name: 'a-ws', location: 'packages/a' }]);
    expect(node('packages/a')).toMatchObject({ isWorkspace: true, version: '0.0.1' });
    // Tarballs: the URL or path, with the integrity lockfileVersion 2 records.
    expect(node('node_modules/remote-ms')).toMatchObject({ name: 'remote-ms', packageName: 'ms', version: '2.1.2', source: 'remote', resolved: 'https://registry.example.org/ms/-/ms-2.1.2.tgz', integrity: expect.stringMatching(/^sha512-/) });
    expect(node('node_modules/is-number')).toMatchObject({ source: 'file', resolved: 'file:./deps/is-number-7.0.0.tgz', integrity: expect.stringMatching(/^sha512-/) });
    // hasInstallScript (lockfileVersion 2) is the lockfile's record; esbuild's platform packages are optional.
    expect(node('node_modules/esbuild')).toMatchObject({ hasInstallScript: true, installScriptKnown: true });
    expect(node('node_modules/left-pad')).toMatchObject({ hasInstallScript: false, installScriptKnown: true });
    expect(node('node_modules/@esbuild/linux-x64')).toMatchObject({ optional: true, dev: false });
    // Lines point at the packages key (SARIF).
    expect(graph.lockfile!.lines!.get('node_modules/debug')).toBeGreaterThan(30);
    expect(graph.lockfile!.settings).toMatchObject({ overrides: { 'supports-color': '7.2.0' }, declaredOverrides: { 'supports-color': '7.2.0' }, trustedDependencies: ['left-pad'] });
    // Nothing reachable is missing, nothing unreachable is left.
    for (const from of graph.nodes.values()) for (const edge of from.edgesOut) if (edge.type === 'prod') expect(edge.to, `${from.location} → ${edge.name}`).not.toBeNull();
  });

  it('keys: package-name segments, their folder, bun\'s nearest-first resolution', () => {
    expect(keySegments('@s/x/@t/y/z')).toEqual(['@s/x', '@t/y', 'z']);
    for (const bad of ['', 'a//b', '@s', 'a/@s', '../a', 'a/./b', '@s/@t/x']) expect(keySegments(bad), bad).toBeNull();
    expect(keyLocation(['@s/x', 'y'], new Map())).toBe('node_modules/@s/x/node_modules/y');
    expect(keyLocation(['ws', 'y'], new Map([['ws', 'packages/ws']]))).toBe('packages/ws/node_modules/y');
    expect(keyLocation(['ws'], new Map([['ws', 'packages/ws']]))).toBe('node_modules/ws');
    const keys = new Set(['c', 'a/c', '@s/x/c', 'a/b']);
    expect(resolveKey(['a', 'b'], 'c', keys)).toBe('a/c');
    expect(resolveKey(['@s/x', 'q'], 'c', keys)).toBe('@s/x/c');
    expect(resolveKey(['z'], 'c', keys)).toBe('c');
    expect(resolveKey([], 'nope', keys)).toBeNull();
  });

  it('tuples: each kind read, a malformed one explained', () => {
    expect(readTuple(['@s/x@1.0.0', 'https://registry.example.org/@s/x/-/x-1.0.0.tgz', {}, 'sha512-AAAA'])).toMatchObject({ name: '@s/x', kind: 'npm', version: '1.0.0', integrity: 'sha512-AAAA' });
    expect(readTuple(['x@github:o/r#abc1234', {}, 'o-r-abc1234'])).toMatchObject({ kind: 'github', integrity: null });
    expect(readTuple(['x@git+https://example.org/r.git#0123', {}, '0123'])).toMatchObject({ kind: 'git' });
    expect(readTuple(['x@workspace:packages/x'])).toMatchObject({ kind: 'workspace' });
    expect(readTuple(['x@root:', {}])).toMatchObject({ kind: 'root' });
    expect(readTuple([123, '', {}, 'sha512-AAAA'])).toEqual({ problem: expect.stringContaining('first element') });
    expect(readTuple(['x@1.0.0', {}, 'sha512-AAAA'])).toEqual({ problem: expect.stringContaining('registry') });
    expect(readTuple(['x@1.0.0', '', 'deps', 'sha512-AAAA'])).toEqual({ problem: expect.stringContaining('INFO') });
    expect(readTuple(['x@latest', '', {}, 'sha512-AAAA'])).toEqual({ problem: expect.stringContaining('not a resolution') });
    expect(readTuple('x@1.0.0')).toEqual({ problem: expect.stringContaining('array') });
  });
});

describe('pm-service-bun: catalogs, workspace:*, an npm: alias', () => {
  it('catalog: resolves through package.json workspaces.catalog, recorded beside the lockfile\'s catalog', async () => {
    const { graph } = await loadProject(fixture('pm-service-bun'));
    expect(graph.lockfile).toMatchObject({ lockfileVersion: 2, catalogs: { default: { semver: '^7.5.0' } }, workspaceCatalogs: { default: { semver: '^7.5.0' } } });
    expect(graph.nodes.get('packages/lib')!.edgesOut).toMatchObject([{ name: 'semver', spec: 'catalog:', valid: true, to: 'node_modules/semver' }]);
    expect(graph.lockfile!.declared!.get('packages/lib')).toEqual({ dependencies: { semver: 'catalog:' } });
    expect(graph.root.edgesOut.find((edge) => edge.name === '@svc/lib')).toMatchObject({ spec: 'workspace:*', to: 'packages/lib', valid: true });
    expect(graph.nodes.get('node_modules/ms-old')).toMatchObject({ name: 'ms-old', packageName: 'ms', version: '0.7.0' });
    // Flags as Arborist computes them: kleur is dev, bufferutil and what only it needs optional.
    expect(graph.nodes.get('node_modules/kleur')).toMatchObject({ dev: true, optional: false });
    expect(graph.nodes.get('node_modules/node-gyp-build')).toMatchObject({ dev: false, optional: true });
  });

  it('pinning judges catalog: as the spec its catalog holds', async () => {
    const { graph } = await loadProject(fixture('pm-service-bun'));
    const findings = await runCheck('pinning', graph, { registries: EXAMPLE_REGISTRY });
    const semver = findings.find((finding) => finding.package?.name === 'semver')!;
    expect(semver).toMatchObject({ rule: 'pinning/range', evidence: { catalog: 'default', catalogSpec: '^7.5.0' } });
  });
});

describe('bun.lock: bad input', () => {
  it('not JSONC, not an object, no lockfileVersion: exit 2 naming the file and where', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"lockfileVersion": 1, "packages": {', /^bun\.lock is not valid JSONC \(line 1, column \d+\)/],
      ['[1, 2]', /^bun\.lock is not a bun lockfile: expected an object, found an array/],
      ['{"packages": {}}', /^bun\.lock: field "lockfileVersion" must be a bun lockfile version/],
      ['{"lockfileVersion": 1, "packages": []}', /^bun\.lock: field "packages" must be an object/],
      [`${'['.repeat(20000)}${']'.repeat(20000)}`, /^bun\.lock (is nested too deeply|is not a bun lockfile)/],
    ];
    for (const [text, message] of cases) {
      const error = await loadBunText(text, {}).catch((caught: unknown) => caught);
      expect(error, text.slice(0, 40)).toBeInstanceOf(DepguardError);
      expect((error as DepguardError).code).toBe('EBAD_LOCKFILE');
      expect((error as DepguardError).message).toMatch(message);
    }
  });

  it('empty, comments only, {}: no packages, no error', async () => {
    for (const text of ['', '// nothing yet\n', '{}']) {
      const loaded = await loadBunText(text, {});
      expect(loaded.nodes.size, JSON.stringify(text)).toBe(1);
      expect(loaded.diagnostics).toEqual([]);
    }
  });

  it('__proto__ and other hostile keys stay data: nothing is polluted, bad keys are named', async () => {
    const text = `{
      "lockfileVersion": 1,
      "workspaces": { "": { "dependencies": { "__proto__": "1.0.0", "ok": "1.0.0" } }, "../outside": { "name": "evil" } },
      "packages": {
        "__proto__": ["__proto__@1.0.0", "", {}, "sha512-AAAA"],
        "ok": ["ok@1.0.0", "", { "dependencies": { "constructor": "1.0.0" } }, "sha512-AAAA"],
        "../up": ["up@1.0.0", "", {}, "sha512-AAAA"],
        "weird": ["weird@workspace:../../etc"],
      },
    }`;
    const loaded = await loadBunText(text, { dependencies: { ok: '1.0.0' } });
    expect(({} as Record<string, unknown>).lockfileVersion).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('0');
    expect(loaded.nodes.get('node_modules/__proto__')).toMatchObject({ packageName: '__proto__', version: '1.0.0' });
    expect(loaded.nodes.get('node_modules/ok')!.edgesOut).toMatchObject([{ name: 'constructor', to: null, missing: true }]);
    expect(loaded.diagnostics.map((diagnostic) => [diagnostic.code, /"([^"]+)"/.exec(diagnostic.message)![1]])).toEqual([
      ['BUN_BAD_WORKSPACE', '../outside'],
      ['BUN_BAD_KEY', '../up'],
      ['BUN_BAD_KEY', 'weird'],
    ]);
  });

  it('a newer lockfileVersion is read as 2 with a warning', async () => {
    const loaded = await loadBunText('{"lockfileVersion": 3, "workspaces": {"": {}}, "packages": {}}', {});
    expect(loaded.diagnostics).toMatchObject([{ code: 'BUN_LOCKFILE_VERSION', level: 'warning' }]);
  });

  it('through the CLI path: a broken bun.lock is exit 2 with the bun hint, never a stack', async () => {
    const dir = tempProject({ 'package.json': { name: 'x', version: '1.0.0' }, 'bun.lock': '{ "lockfileVersion": 1, ' });
    const error = await loadProject(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect((error as DepguardError).hint).toContain('bun install --lockfile-only');
  });
});
