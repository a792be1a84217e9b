// Which manager depguard fix plans for (check's lockfile selection), where
// pnpm's overrides go, and what of pnpm-workspace.yaml a verification copy
// may carry, and yarn's: no process is run here but `--version` probes of
// binaries that do not exist or are not package managers.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/project.js';
import { detectManager, probeVerifier } from '../../src/remediate/manager.js';
import { pnpmOverridesTarget, sanitizedWorkspace, withWorkspaceOverrides } from '../../src/remediate/pnpm.js';
import { editedFiles } from '../../src/remediate/files.js';
import { forManager, scopedForBun } from '../../src/remediate/merge.js';
import { berryRc, classicLockfile, yarnCommand } from '../../src/remediate/yarn.js';
import { parse } from 'yaml';

const LOCK_V9 = "lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n";

describe('detectManager', () => {
  it('follows the lockfile present and the declared manager', () => {
    expect(detectManager(tempProject({ 'package.json': { name: 'a' }, 'pnpm-lock.yaml': LOCK_V9 }), { name: 'a' })).toEqual({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' });
    expect(detectManager(tempProject({ 'package.json': { name: 'a' }, 'package-lock.json': { lockfileVersion: 3, packages: {} } }), { name: 'a' })).toEqual({ name: 'npm', lockfile: 'package-lock.json' });
    expect(detectManager(tempProject({ 'package.json': {}, 'yarn.lock': '__metadata:\n  version: 8\n' }), {})).toEqual({ name: 'yarn', lockfile: 'yarn.lock', flavor: 'berry' });
    expect(detectManager(tempProject({ 'package.json': {}, 'yarn.lock': '# yarn lockfile v1\n' }), {})).toEqual({ name: 'yarn', lockfile: 'yarn.lock', flavor: 'classic' });
  });

  it('--package-manager chooses among lockfiles of several managers; without it, or naming an absent one, the ambiguity is an error', () => {
    const dir = tempProject({ 'package.json': {}, 'pnpm-lock.yaml': LOCK_V9, 'package-lock.json': { lockfileVersion: 3, packages: {} } });
    expect(detectManager(dir, {}, 'pnpm')).toEqual({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' });
    expect(detectManager(dir, {}, 'npm')).toEqual({ name: 'npm', lockfile: 'package-lock.json' });
    expect(() => detectManager(dir, {})).toThrow(/found lockfiles of 2 package managers/);
    expect(() => detectManager(dir, {}, 'bun')).toThrow(/found lockfiles of 2 package managers/);
  });

  it('a flag contradicting a pnpm lockfile is EBAD_ARGS naming both; on an npm lockfile it respells', () => {
    const pnpm = tempProject({ 'package.json': {}, 'pnpm-lock.yaml': LOCK_V9 });
    expect(() => detectManager(pnpm, {}, 'npm')).toThrow(expect.objectContaining({ code: 'EBAD_ARGS', message: expect.stringContaining('--package-manager npm contradicts the project\'s lockfile pnpm-lock.yaml (pnpm)') }));
    const npm = tempProject({ 'package.json': {}, 'package-lock.json': { lockfileVersion: 3, packages: {} } });
    expect(detectManager(npm, {}, 'pnpm')).toEqual({ name: 'npm', lockfile: 'package-lock.json' });
  });

  it("no lockfile: ENO_LOCKFILE whose hint is the declared manager's own command, never an npm lockfile for a pnpm project", () => {
    const manifest = { packageManager: 'pnpm@11.29.0' };
    const dir = tempProject({ 'package.json': manifest });
    expect(() => detectManager(dir, manifest)).toThrow(expect.objectContaining({ code: 'ENO_LOCKFILE', file: 'pnpm-lock.yaml', hint: expect.stringContaining('pnpm install --lockfile-only --ignore-scripts') }));
    expect(() => detectManager(tempProject({ 'package.json': {} }), {})).toThrow(expect.objectContaining({ code: 'ENO_LOCKFILE', hint: expect.stringContaining('npm install --package-lock-only') }));
  });
});

describe('probeVerifier', () => {
  it('npm needs no binary; a missing or broken binary is unavailable with the reason', async () => {
    expect(await probeVerifier({ name: 'npm', lockfile: 'package-lock.json' }, undefined)).toEqual({ by: 'arborist', bin: null, version: null });
    const missing = await probeVerifier({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' }, '/nonexistent/pnpm');
    expect(missing).toEqual({ by: 'pnpm', bin: '/nonexistent/pnpm', version: null, unavailable: '/nonexistent/pnpm is not installed (not found on PATH)' });
    const dir = tempProject({});
    const fake = join(dir, 'fake-pnpm');
    writeFileSync(fake, '#!/bin/sh\necho "not a version"\n');
    chmodSync(fake, 0o755);
    expect((await probeVerifier({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' }, fake)).unavailable).toBe(`\`${fake} --version\` printed "not a version", not a version`);
    const failing = join(dir, 'failing-pnpm');
    writeFileSync(failing, '#!/bin/sh\necho "boom" >&2\nexit 3\n');
    chmodSync(failing, 0o755);
    expect((await probeVerifier({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' }, failing)).unavailable).toBe(`\`${failing} --version\` failed: boom`);
  });
});

describe("pnpm's overrides: where they go", () => {
  const ws = 'packages:\n  - packages/*\n';
  it('pnpm-workspace.yaml for pnpm 11+, or where the project keeps them; else package.json pnpm.overrides', () => {
    expect(pnpmOverridesTarget(tempProject({}), { packageManager: 'pnpm@11.29.0' }, null)).toBe('pnpm-workspace.yaml');
    expect(pnpmOverridesTarget(tempProject({}), {}, '11.29.0')).toBe('pnpm-workspace.yaml');
    expect(pnpmOverridesTarget(tempProject({}), { packageManager: 'pnpm@9.15.0' }, '11.29.0')).toBe('package.json');
    expect(pnpmOverridesTarget(tempProject({ 'pnpm-workspace.yaml': `${ws}overrides:\n  a: 1.0.0\n` }), { packageManager: 'pnpm@9.15.0' }, null)).toBe('pnpm-workspace.yaml');
    expect(pnpmOverridesTarget(tempProject({ 'pnpm-workspace.yaml': ws }), { packageManager: 'pnpm@10.34.8' }, null)).toBe('pnpm-workspace.yaml');
    expect(pnpmOverridesTarget(tempProject({ 'pnpm-workspace.yaml': ws }), { packageManager: 'pnpm@10.34.8', pnpm: { overrides: { a: '1.0.0' } } }, null)).toBe('package.json');
    expect(pnpmOverridesTarget(tempProject({}), { packageManager: 'pnpm@10.34.8' }, null)).toBe('package.json');
  });

  it('merges into pnpm-workspace.yaml keeping comments, order and the other settings, naming a replaced value', () => {
    const text = '# the workspace\npackages:\n  - packages/*\n\noverrides:\n  # pinned for a reason\n  left-pad: 1.3.0\n  qs: 6.7.0\ncatalog:\n  react: ^18.2.0\n';
    const result = withWorkspaceOverrides(text, { 'express>qs': '6.7.3', qs: '6.7.3' });
    expect(result.changed).toBe(true);
    expect(result.replaced).toEqual([{ path: 'qs', old: '6.7.0', new: '6.7.3' }]);
    expect(result.text).toBe('# the workspace\npackages:\n  - packages/*\n\noverrides:\n  # pinned for a reason\n  left-pad: 1.3.0\n  qs: 6.7.3\n  express>qs: 6.7.3\ncatalog:\n  react: ^18.2.0\n');
    expect(withWorkspaceOverrides(result.text, { qs: '6.7.3' }).changed).toBe(false);
    expect(withWorkspaceOverrides('', { 'a>b': '1.0' }).text).toBe('overrides:\n  a>b: "1.0"\n');
    expect(() => withWorkspaceOverrides('overrides: [1]\n', { a: '1.0.0' })).toThrow(/must be a mapping/);
  });

  it('editedFiles: the same text --write puts in the project and the verification copy gets', () => {
    const dir = tempProject({ 'package.json': '{\n    "name": "app",\n    "dependencies": { "express": "4.17.1" }\n}\n', 'pnpm-workspace.yaml': 'packages: []\n' });
    const edits = { overrides: { express: { qs: '6.7.3' } }, dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }] };
    const yaml = editedFiles(dir, edits, { manager: 'pnpm', overridesIn: 'pnpm-workspace.yaml' });
    expect(yaml.fields).toEqual(['dependencies.express', 'pnpm-workspace.yaml overrides']);
    expect(yaml.files['pnpm-workspace.yaml']).toBe('packages: []\noverrides:\n  express>qs: 6.7.3\n');
    expect(JSON.parse(yaml.files['package.json']!)).toEqual({ name: 'app', dependencies: { express: '4.21.2' } });
    expect(yaml.files['package.json']).toMatch(/^\{\n {4}"name"/);
    const json = editedFiles(dir, edits, { manager: 'pnpm', overridesIn: 'package.json' });
    expect(Object.keys(json.files)).toEqual(['package.json']);
    expect(JSON.parse(json.files['package.json']!).pnpm).toEqual({ overrides: { 'express>qs': '6.7.3' } });
  });
});

describe('the verification copy of pnpm-workspace.yaml', () => {
  it('keeps resolution settings and drops what runs code or changes where packages come from', () => {
    const text = 'packages:\n  - packages/*\npnpmfile: evil.cjs\nglobalPnpmfile: evil.cjs\nconfigDependencies:\n  evil: 1.0.0+sha512-x\nexecutionEnv:\n  nodeVersion: 99.0.0\ncatalog:\n  react: ^18.2.0\noverrides:\n  qs: 6.7.3\nminimumReleaseAge: 1440\n';
    expect(sanitizedWorkspace(text)).toBe('packages:\n  - packages/*\ncatalog:\n  react: ^18.2.0\noverrides:\n  qs: 6.7.3\nminimumReleaseAge: 1440\n');
    expect(sanitizedWorkspace('pnpmfile: evil.cjs\n')).toBeNull();
    expect(sanitizedWorkspace('- a list\n')).toBeNull();
  });
});

describe('bun spelling', () => {
  it('bun reads top-level overrides only: a scoped override is written for every copy, and named', () => {
    expect(forManager({ express: { qs: '6.7.3' }, send: '0.19.0' }, 'bun')).toEqual({ field: 'overrides', value: { qs: '6.7.3', send: '0.19.0' } });
    expect(scopedForBun({ express: { qs: '6.7.3' }, send: '0.19.0' })).toEqual(['express > qs']);
  });
});

describe("yarn's verification copy", () => {
  it('berry: a .yarnrc.yml of our own, the registry from npm config, the project file only for resolution settings (never yarnPath, plugins, registries, tokens)', () => {
    const project = 'yarnPath: .yarn/releases/evil.cjs\nplugins:\n  - path: .yarn/plugins/evil.cjs\nnpmRegistryServer: "https://evil.example"\nnpmAuthToken: secret\nnpmMinimalAgeGate: 1440\npackageExtensions:\n  "debug@*":\n    dependencies:\n      ms: "*"\n';
    expect(parse(berryRc(project, 'http://127.0.0.1:4873/'))).toEqual({
      npmMinimalAgeGate: 1440,
      packageExtensions: { 'debug@*': { dependencies: { ms: '*' } } },
      npmRegistryServer: 'http://127.0.0.1:4873',
      unsafeHttpWhitelist: ['127.0.0.1'],
      enableScripts: false,
      enableImmutableInstalls: false,
      enableTelemetry: false,
    });
    expect(parse(berryRc(null, 'https://registry.example.org/'))).toEqual({ npmRegistryServer: 'https://registry.example.org', enableScripts: false, enableImmutableInstalls: false, enableTelemetry: false });
  });

  it("classic: every resolved URL moves to the configured registry (hash kept); a URL that is no registry tarball stops the verification", () => {
    const lock = '# yarn lockfile v1\n\n"@types/node@^20":\n  version "20.1.0"\n  resolved "https://registry.yarnpkg.com/@types/node/-/node-20.1.0.tgz#abc"\n\nqs@6.7.0:\n  version "6.7.0"\n  resolved "https://registry.example.org/qs/-/qs-6.7.0.tgz#def"\n';
    expect(classicLockfile(lock, 'http://127.0.0.1:4873/')).toBe('# yarn lockfile v1\n\n"@types/node@^20":\n  version "20.1.0"\n  resolved "http://127.0.0.1:4873/@types/node/-/node-20.1.0.tgz#abc"\n\nqs@6.7.0:\n  version "6.7.0"\n  resolved "http://127.0.0.1:4873/qs/-/qs-6.7.0.tgz#def"\n');
    expect(classicLockfile('a@1:\n  resolved "https://r.example/a/-/a-1.0.0.tgz"\n', 'https://mirror.example/api/npm/')).toBe('a@1:\n  resolved "https://mirror.example/api/npm/a/-/a-1.0.0.tgz"\n');
    expect(() => classicLockfile('a@1:\n  resolved "http://169.254.169.254/latest/meta-data"\n', 'https://registry.example.org/')).toThrow(/not a registry tarball: yarn 1 would fetch it/);
    expect(() => classicLockfile('a@1:\n  resolved "git+ssh://git@example.org/a.git#abc"\n', 'https://registry.example.org/')).toThrow(/not a registry tarball/);
  });

  it('commands: lockfile-only for berry, scripts off for classic; moves within ranges through up -R / upgrade', () => {
    expect(yarnCommand('berry', 'https://r.example/', [])).toEqual(['install', '--mode=update-lockfile']);
    expect(yarnCommand('berry', 'https://r.example/', ['qs'])).toEqual(['up', '-R', 'qs', '--mode=update-lockfile']);
    expect(yarnCommand('classic', 'https://r.example/', [])).toEqual(['install', '--ignore-scripts', '--non-interactive', '--no-bin-links', '--ignore-engines', '--no-progress', '--registry', 'https://r.example/']);
    expect(yarnCommand('classic', 'https://r.example/', ['express'])[0]).toBe('upgrade');
  });

  it('resolutions: classic spells every copy **/name, berry name; a parent scope is parent/name in both', () => {
    const overrides = { express: { qs: '6.7.3' }, send: '0.19.0' };
    expect(forManager(overrides, 'yarn', 'classic').value).toEqual({ 'express/qs': '6.7.3', '**/send': '0.19.0' });
    expect(forManager(overrides, 'yarn', 'berry').value).toEqual({ 'express/qs': '6.7.3', send: '0.19.0' });
  });
});
