// install-scripts: every rule fires on a fixture or an in-memory graph and is
// silent where it should be. Manifests come from the fixtures' node_modules or
// from in-memory ManifestSources: no test here makes a registry request.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import installScripts, { type InventoryEntry } from '../../src/checks/install-scripts/index.js';
import { classifyScripts } from '../../src/checks/install-scripts/classify.js';
import { canonicalNames } from '../../src/checks/install-scripts/lavamoat.js';
import { loadPolicy, presetPolicy } from '../../src/policy/load.js';
import { runChecks, type CheckRun, type OmitType } from '../../src/policy/run.js';
import { InstalledManifests } from '../../src/enrich/installed.js';
import type { ManifestSource, PackageManifest } from '../../src/enrich/types.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, DepNode, Finding } from '../../src/model.js';
import { json } from '../../src/render/json.js';
import { audit } from '../../src/commands/check.js';
import { edge, graph, node } from '../helpers/graph.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

interface RunOpts {
  options?: Record<string, unknown>;
  manifests?: ManifestSource;
  omit?: OmitType[];
  /** Read the policy from the project's own config (package.json#depguard) instead of the preset. */
  projectConfig?: boolean;
}

async function run(target: string | DepGraph, opts: RunOpts = {}): Promise<CheckRun & { graph: DepGraph }> {
  const g = typeof target === 'string' ? (await loadProject(fixture(target))).graph : target;
  const policy = opts.projectConfig ? await loadPolicy({ projectPath: g.projectPath, manifest: g.manifest }) : await presetPolicy('recommended');
  if (opts.options) {
    const settings = policy.checks.get('install-scripts')!;
    settings.options = { ...settings.options, ...opts.options };
  }
  const runOptions: Parameters<typeof runChecks>[0] = { graph: g, policy, registries: EXAMPLE_REGISTRY, only: ['install-scripts'], omit: opts.omit ?? [], today: '2026-11-27' };
  if (opts.manifests) runOptions.manifests = opts.manifests;
  return { ...(await runChecks(runOptions)), graph: g };
}

/** `rule name` per finding (`-` for a project-level finding with no package). */
function ids(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule.slice('install-scripts/'.length)} ${f.package?.name ?? '-'}`).sort();
}

function only(findings: Finding[], rule: string, name?: string): Finding {
  const matching = findings.filter((f) => f.rule === `install-scripts/${rule}` && (name === undefined || f.package?.name === name));
  expect(matching, `${rule} ${name ?? ''}`).toHaveLength(1);
  return matching[0]!;
}

function inventory(result: CheckRun): InventoryEntry[] {
  return (result.data['install-scripts']?.packages ?? []) as InventoryEntry[];
}

function entry(result: CheckRun, name: string): InventoryEntry {
  const found = inventory(result).find((e) => e.name === name);
  expect(found, name).toBeDefined();
  return found!;
}

/** A ManifestSource over a table of `name@version` -> manifest fields. */
function memoryManifests(table: Record<string, Partial<PackageManifest>>, source: PackageManifest['source'] = 'registry'): ManifestSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async manifest(n: DepNode) {
      const id = `${n.packageName}@${n.version}`;
      asked.push(id);
      const known = table[id];
      if (!known) return null;
      return { name: n.packageName, version: n.version, scripts: {}, engines: null, gypfile: false, deprecated: null, source, ...known };
    },
  };
}

const NO_FLAGS = { fetches: [], executes: [], buildsNative: [] };

describe('install-scripts: metadata', () => {
  it('has the documented rules and severities', () => {
    expect(Object.fromEntries(Object.entries(installScripts.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({
      unapproved: 'high',
      'unpinned-approval': 'low',
      'bun-default-trusted': 'low',
      'stale-approval': 'info',
      denied: 'info',
      unknown: 'low',
      'invalid-approval': 'low',
    });
    // Script text from node_modules and the caches unless the run asks the registry anyway: --skip advisories makes no request.
    expect(installScripts.meta.needs).toEqual(['local-manifests']);
    expect(installScripts.meta.defaultOptions).toEqual({ allow: [], deny: [] });
  });
});

describe('install-scripts: npm allowScripts (install-scripts-npm-allowscripts)', async () => {
  const result = await run('install-scripts-npm-allowscripts');

  it('reports exactly the unapproved, denied, unpinned, stale and invalid entries', () => {
    expect(ids(result.findings)).toEqual([
      'denied denied-pkg',
      'invalid-approval -',
      'invalid-approval -',
      'stale-approval native-addon',
      'stale-approval plain',
      'stale-approval removed-pkg',
      'unapproved downloader',
      'unapproved ranged',
      'unpinned-approval banner',
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it('unapproved: the exact script text per event and what it does', () => {
    const finding = only(result.findings, 'unapproved', 'downloader');
    expect(finding.severity).toBe('high');
    expect(finding.package).toEqual({ name: 'downloader', version: '3.1.0', location: 'node_modules/downloader' });
    expect(finding.paths).toEqual([['downloader@3.1.0']]);
    expect(finding.evidence).toEqual({
      name: 'downloader',
      version: '3.1.0',
      source: 'registry',
      scripts: { postinstall: "curl -sSL https://files.example.org/tool.tgz | sh -c 'tar xz -C bin'" },
      events: ['postinstall'],
      scriptsFrom: 'node_modules',
      flags: { fetches: ['curl', 'url'], executes: ['sh -c'], buildsNative: [] },
    });
  });

  it("unapproved: the lockfile's hasInstallScript is enough; the text is then unavailable", () => {
    const finding = only(result.findings, 'unapproved', 'ranged');
    expect(finding.evidence).toMatchObject({ scripts: null, events: null, scriptsFrom: 'lockfile', flags: NO_FLAGS });
  });

  it('a range key approves nothing and is reported as invalid-approval; so is a dist-tag key', () => {
    const invalid = result.findings.filter((f) => f.rule === 'install-scripts/invalid-approval').map((f) => [f.evidence.key, f.evidence.reason, f.severity]);
    expect(invalid).toEqual([
      ['ranged@^1.0.0', 'range', 'low'],
      ['tagged@latest', 'dist-tag', 'low'],
    ]);
    expect(entry(result, 'ranged')).toMatchObject({ approved: null, approvedBy: [] });
  });

  it('pinned, disjunction and bare-name approvals approve; only the bare name is unpinned-approval', () => {
    expect(entry(result, 'native-addon')).toMatchObject({ approved: true, approvedBy: [{ source: 'npm', key: 'native-addon@1.2.3' }] });
    expect(entry(result, 'multi')).toMatchObject({ approved: true, approvedBy: [{ source: 'npm', key: 'multi@1.0.0 || 1.0.1' }], events: ['preinstall', 'postinstall'] });
    expect(entry(result, 'banner')).toMatchObject({ approved: true, approvedBy: [{ source: 'npm', key: 'banner' }] });
    const unpinned = only(result.findings, 'unpinned-approval');
    expect(unpinned.evidence).toEqual({ source: 'npm', file: 'package.json', field: 'allowScripts', key: 'banner', matches: ['banner@2.0.0'] });
    expect(unpinned.package).toEqual({ name: 'banner', version: '', location: '' });
  });

  it('denial wins over an approval of the same package', () => {
    const finding = only(result.findings, 'denied', 'denied-pkg');
    expect(finding.severity).toBe('info');
    expect(finding.evidence).toEqual({
      name: 'denied-pkg',
      version: '4.0.0',
      scripts: { postinstall: 'node telemetry.js' },
      deniedBy: [{ source: 'npm', key: 'denied-pkg' }],
      approvedBy: [{ source: 'npm', key: 'denied-pkg@4.0.0' }],
    });
    expect(entry(result, 'denied-pkg').approved).toBe(false);
  });

  it('stale-approval: not in the graph, another version installed, or no install scripts', () => {
    const stale = Object.fromEntries(result.findings.filter((f) => f.rule === 'install-scripts/stale-approval').map((f) => [f.evidence.key, f.evidence]));
    expect(stale).toEqual({
      'removed-pkg@1.0.0': { source: 'npm', file: 'package.json', field: 'allowScripts', key: 'removed-pkg@1.0.0', allow: true, reason: 'not-in-graph', matches: [] },
      'native-addon@1.2.2': { source: 'npm', file: 'package.json', field: 'allowScripts', key: 'native-addon@1.2.2', allow: true, reason: 'not-in-graph', installed: ['1.2.3'], matches: [] },
      plain: { source: 'npm', file: 'package.json', field: 'allowScripts', key: 'plain', allow: true, reason: 'no-install-scripts', matches: ['plain@1.0.0'] },
    });
  });

  it("the root project's own install scripts are not flagged", () => {
    expect(result.findings.every((f) => f.rule !== 'install-scripts/unapproved' || f.package !== null)).toBe(true);
    expect(inventory(result).map((e) => e.location)).not.toContain('');
  });

  it('inventories every package with install scripts, sorted, with its approval status', () => {
    expect(inventory(result).map((e) => [e.name, e.version, e.approved])).toEqual([
      ['banner', '2.0.0', true],
      ['denied-pkg', '4.0.0', false],
      ['downloader', '3.1.0', null],
      ['multi', '1.0.1', true],
      ['native-addon', '1.2.3', true],
      ['ranged', '1.0.0', null],
    ]);
    expect(entry(result, 'native-addon')).toEqual({
      name: 'native-addon',
      version: '1.2.3',
      location: 'node_modules/native-addon',
      source: 'registry',
      hasInstallScript: true,
      scripts: { install: 'prebuild-install || node-gyp rebuild' },
      events: ['install'],
      flags: { fetches: ['prebuild-install'], executes: [], buildsNative: ['node-gyp'] },
      approved: true,
      approvedBy: [{ source: 'npm', key: 'native-addon@1.2.3' }],
      deniedBy: [],
      dev: false,
      optional: false,
      devOptional: false,
    });
  });
});

describe('install-scripts: pnpm (install-scripts-pnpm)', async () => {
  const result = await run('install-scripts-pnpm');

  it('honours package.json#pnpm and pnpm-workspace.yaml', () => {
    expect(ids(result.findings)).toEqual([
      'denied quiet-hook',
      'denied telemetry-hook',
      'invalid-approval -',
      'stale-approval gone-map',
      'unapproved unlisted',
      'unpinned-approval image-native',
    ]);
    expect(entry(result, 'fast-bundler').approvedBy).toEqual([{ source: 'pnpm', key: 'fast-bundler@0.1.0' }]);
    expect(entry(result, 'ws-approved').approvedBy).toEqual([{ source: 'pnpm', key: 'ws-approved@1.0.0 || 1.0.1' }]);
    expect(entry(result, 'builds-map').approvedBy).toEqual([{ source: 'pnpm', key: 'builds-map@3.0.0' }]);
    expect(only(result.findings, 'denied', 'telemetry-hook').evidence.deniedBy).toEqual([{ source: 'pnpm', key: 'telemetry-hook' }]);
    expect(only(result.findings, 'unpinned-approval').evidence).toMatchObject({ source: 'pnpm', file: 'package.json', field: 'pnpm.onlyBuiltDependencies', key: 'image-native' });
    expect(only(result.findings, 'invalid-approval').evidence).toEqual({ source: 'pnpm', file: 'pnpm-workspace.yaml', field: 'onlyBuiltDependencies', key: 'ws-range@^2.0.0', reason: 'range' });
    expect(only(result.findings, 'stale-approval').evidence).toMatchObject({ field: 'allowBuilds', key: 'gone-map', allow: false, reason: 'not-in-graph' });
  });
});

describe('install-scripts: bun (bun-install-scripts, bun-install-scripts-trusted)', async () => {
  const byDefault = await run('bun-install-scripts');
  const trusted = await run('bun-install-scripts-trusted');

  it("without trustedDependencies, bun's default list approves bufferutil and esbuild, and says so", () => {
    // core-js is not on the list; gen is a file: folder, which the default list never covers.
    expect(ids(byDefault.findings)).toEqual(['bun-default-trusted bufferutil', 'bun-default-trusted esbuild', 'unapproved core-js', 'unapproved gen']);
    expect(only(byDefault.findings, 'bun-default-trusted', 'bufferutil')).toMatchObject({ severity: 'low', evidence: { approvedBy: [{ source: 'bun-default', key: 'bufferutil' }], list: 'bun 1.4.5' } });
    expect(only(byDefault.findings, 'bun-default-trusted', 'esbuild').message).toContain("approved only by bun 1.4.5's default trusted list");
    expect(entry(byDefault, 'bufferutil')).toMatchObject({ approved: true, approvedBy: [{ source: 'bun-default', key: 'bufferutil' }] });
    // hasInstallScript (bun.lock version 2) decides, offline, without manifests.
    expect(byDefault.diagnostics.map((diagnostic) => diagnostic.code)).not.toContain('INSTALL_SCRIPTS_UNKNOWN');
  });

  it('trustedDependencies replaces the default list: names approved, unpinned; a versioned entry is ignored', () => {
    expect(ids(trusted.findings)).toEqual(['invalid-approval -', 'unapproved bufferutil', 'unapproved esbuild', 'unpinned-approval core-js', 'unpinned-approval gen']);
    expect(only(trusted.findings, 'invalid-approval').evidence).toEqual({ source: 'bun', file: 'package.json', field: 'trustedDependencies', key: 'esbuild@0.20.0', reason: 'not-a-name' });
    expect(entry(trusted, 'gen')).toMatchObject({ approved: true, approvedBy: [{ source: 'bun', key: 'gen' }] });
  });

  it('trustedDependencies means nothing to npm: the same field in an npm project approves nothing', async () => {
    const npmGraph = (await loadProject(fixture('bun-install-scripts-trusted'))).graph;
    npmGraph.lockfile = { ...npmGraph.lockfile!, manager: 'npm' };
    npmGraph.declaredManager = null;
    const result = await run(npmGraph);
    expect(ids(result.findings)).toEqual(['unapproved bufferutil', 'unapproved core-js', 'unapproved esbuild', 'unapproved gen']);
  });
});

describe('install-scripts: LavaMoat (install-scripts-lavamoat)', async () => {
  const result = await run('install-scripts-lavamoat');

  it('matches canonical names, `a>b` chains and `#version` pins', () => {
    expect(ids(result.findings)).toEqual(['denied child', 'invalid-approval -', 'stale-approval deep', 'unapproved devtool', 'unpinned-approval solo']);
    // child@1.0.0 (hoisted, canonical name `child`) is approved; parent's nested child@2.0.0 (`parent>child`) is denied.
    expect(entry(result, 'child').approvedBy).toEqual([{ source: 'lavamoat', key: 'child#1.0.0' }]);
    const denied = only(result.findings, 'denied', 'child');
    expect(denied.package).toEqual({ name: 'child', version: '2.0.0', location: 'node_modules/parent/node_modules/child' });
    expect(denied.evidence.deniedBy).toEqual([{ source: 'lavamoat', key: 'parent>child' }]);
    // deep is hoisted but only reached through wrapper: its name is `wrapper>deep`, so `deep` is stale.
    expect(inventory(result).find((e) => e.name === 'deep')!.approvedBy).toEqual([{ source: 'lavamoat', key: 'wrapper>deep#1.0.0' }]);
    expect(only(result.findings, 'stale-approval').evidence).toMatchObject({ key: 'deep', reason: 'not-in-graph', lavamoatNames: ['wrapper>deep'] });
    expect(only(result.findings, 'invalid-approval').evidence).toMatchObject({ key: 'broken#not-a-version', reason: 'bad-version' });
    expect(only(result.findings, 'unpinned-approval').evidence).toMatchObject({ source: 'lavamoat', key: 'solo' });
  });

  it('a dev dependency is flagged with its flags, and --omit dev drops it', async () => {
    expect(entry(result, 'devtool')).toMatchObject({ dev: true, approved: null });
    const omitted = await run('install-scripts-lavamoat', { omit: ['dev'] });
    expect(ids(omitted.findings)).not.toContain('unapproved devtool');
  });

  it('canonical names: fewest steps, then shorter names, then alphabetical; dev edges of the root only', () => {
    const g = graph({ name: 'app' }, [
      node({ location: 'node_modules/zz', edgesOut: [edge('shared', '1.0.0', 'node_modules/shared')] }),
      node({ location: 'node_modules/aaa', edgesOut: [edge('shared', '1.0.0', 'node_modules/shared')] }),
      node({ location: 'node_modules/bb', edgesOut: [edge('shared', '1.0.0', 'node_modules/shared'), edge('x', '1.0.0', 'node_modules/x', 'dev')] }),
      node({ location: 'node_modules/shared', edgesOut: [edge('leaf', '1.0.0', 'node_modules/leaf')] }),
      node({ location: 'node_modules/leaf' }),
      node({ location: 'node_modules/x' }),
    ], [edge('zz', '1.0.0', 'node_modules/zz'), edge('aaa', '1.0.0', 'node_modules/aaa'), edge('bb', '1.0.0', 'node_modules/bb', 'dev')]);
    const names = canonicalNames(g);
    expect(names.get('node_modules/shared')).toBe('bb>shared');
    expect(names.get('node_modules/leaf')).toBe('bb>shared>leaf');
    expect(names.get('node_modules/bb')).toBe('bb');
    expect(names.has('node_modules/x')).toBe(false);
  });
});

describe('install-scripts: lockfile v1 (install-scripts-v1-lockfile)', async () => {
  const result = await run('install-scripts-v1-lockfile');

  it('reads node_modules where the lockfile cannot tell, and reports the rest as unknown with a diagnostic', () => {
    expect(ids(result.findings)).toEqual(['stale-approval trusted-name', 'unapproved forged', 'unapproved gyp-native', 'unknown mystery']);
    const unknown = only(result.findings, 'unknown', 'mystery');
    expect(unknown.severity).toBe('low');
    expect(unknown.evidence).toEqual({ name: 'mystery', version: '1.0.0', source: 'registry', reason: 'lockfile-v1' });
    expect(result.diagnostics).toEqual([expect.objectContaining({ level: 'warning', code: 'INSTALL_SCRIPTS_UNKNOWN', check: 'install-scripts' })]);
    expect(result.diagnostics[0]!.message).toContain('mystery@1.0.0');
  });

  it('an approved package whose scripts are unknown is inventoried, not reported', () => {
    expect(entry(result, 'approved-mystery')).toMatchObject({ hasInstallScript: null, scripts: null, events: null, approved: true });
    expect(ids(result.findings)).not.toContain('unknown approved-mystery');
  });

  it('binding.gyp and no install script: npm runs node-gyp rebuild; `"gypfile": false` opts out', () => {
    expect(only(result.findings, 'unapproved', 'gyp-native').evidence).toMatchObject({ scripts: { install: 'node-gyp rebuild' }, gyp: true, flags: { buildsNative: ['node-gyp'] } });
    expect(inventory(result).map((e) => e.name)).not.toContain('gyp-optout');
    expect(inventory(result).map((e) => e.name)).not.toContain('known-plain');
  });

  it("matches by the lockfile's identity, never by the name a package.json claims", () => {
    const forged = only(result.findings, 'unapproved', 'forged');
    expect(forged.evidence).toMatchObject({ claimedName: 'trusted-name', scripts: { postinstall: 'node steal.js' } });
    expect(only(result.findings, 'stale-approval').evidence).toMatchObject({ key: 'trusted-name', reason: 'not-in-graph' });
  });

  it('unknown does not fire once a manifest answers', async () => {
    const { graph: g } = await loadProject(fixture('install-scripts-v1-lockfile'));
    const memory = memoryManifests({ 'mystery@1.0.0': { scripts: { test: 'node test.js' } } });
    const installed = new InstalledManifests(g);
    const answered = await run(g, { manifests: { manifest: async (n) => (await memory.manifest(n)) ?? installed.manifest(n) } });
    expect(ids(answered.findings)).not.toContain('unknown mystery');
    expect(answered.diagnostics).toEqual([]);
  });
});

describe('install-scripts: binding.gyp (install-scripts-binding-gyp)', async () => {
  const result = await run('install-scripts-binding-gyp');

  it('a node_modules folder with binding.gyp and no install script gets `node-gyp rebuild`; an own install script wins', () => {
    expect(ids(result.findings)).toEqual(['unapproved gyp-addon', 'unapproved gyp-with-install']);
    expect(only(result.findings, 'unapproved', 'gyp-addon').evidence).toMatchObject({ scripts: { install: 'node-gyp rebuild' }, events: ['install'], gyp: true });
    const own = only(result.findings, 'unapproved', 'gyp-with-install').evidence;
    expect(own).toMatchObject({ scripts: { install: 'node-pre-gyp install --fallback-to-build' }, flags: { fetches: ['node-pre-gyp'] } });
    expect(own).not.toHaveProperty('gyp');
  });

  it('a manifest with gypfile: true and no install script (registry metadata)', async () => {
    const g = graph({ name: 'app' }, [node({ location: 'node_modules/addon', version: '2.0.0', hasInstallScript: true })], [edge('addon', '2.0.0', 'node_modules/addon')]);
    const result = await run(g, { manifests: memoryManifests({ 'addon@2.0.0': { gypfile: true, scripts: { postinstall: 'node banner.js' } } }) });
    expect(only(result.findings, 'unapproved', 'addon').evidence).toMatchObject({ scripts: { install: 'node-gyp rebuild', postinstall: 'node banner.js' }, events: ['install', 'postinstall'], gyp: true, scriptsFrom: 'registry' });
  });
});

describe('install-scripts: bundled dependencies (install-scripts-bundled)', async () => {
  const result = await run('install-scripts-bundled');

  it('never flags a bundled package, and an approval of one is stale', () => {
    expect(ids(result.findings)).toEqual(['stale-approval inner']);
    expect(only(result.findings, 'stale-approval').evidence).toMatchObject({ key: 'inner', reason: 'bundled', matches: ['inner@1.0.0'] });
    expect(inventory(result)).toEqual([]);
  });
});

describe('install-scripts: git and directory dependencies, workspaces (install-scripts-git-directory)', async () => {
  const result = await run('install-scripts-git-directory');

  it("a git or directory dependency's prepare counts; a registry package's prepare, a workspace's and the root's scripts do not", () => {
    expect(ids(result.findings)).toEqual(['unapproved local-tool', 'unknown gitother']);
    expect(only(result.findings, 'unapproved', 'local-tool').evidence).toMatchObject({ source: 'directory', scripts: { prepare: 'node build.js' }, events: ['prepare'] });
    expect(only(result.findings, 'unknown', 'gitother').evidence).toMatchObject({ source: 'git', reason: 'prepare-unknown' });
    expect(inventory(result).map((e) => e.name)).toEqual(['gitdep', 'gitother', 'local-tool']);
  });

  it('a git key approves by repository and commit prefix', () => {
    expect(entry(result, 'gitdep')).toMatchObject({ source: 'git', scripts: { prepare: 'npm run build' }, approved: true, approvedBy: [{ source: 'npm', key: 'github:example/gitdep#0123456' }] });
  });

  it('a file: key in the allow option approves a directory dependency; a registry key never matches a git package', async () => {
    const allowed = await run('install-scripts-git-directory', { options: { allow: ['file:tools/local-tool', 'gitother'] } });
    expect(entry(allowed, 'local-tool').approvedBy).toEqual([{ source: 'depguard', key: 'file:tools/local-tool' }]);
    expect(ids(allowed.findings)).toContain('unknown gitother');
    expect(ids(allowed.findings)).toContain('stale-approval gitother');
  });
});

describe("install-scripts: depguard's own options (install-scripts-depguard-options)", async () => {
  const result = await run('install-scripts-depguard-options', { projectConfig: true });

  it('allow and deny from the config, pinned and unpinned', () => {
    expect(ids(result.findings)).toEqual(['denied denied-by-config', 'stale-approval stale-config', 'unpinned-approval open-config']);
    expect(entry(result, 'allowed-by-config').approvedBy).toEqual([{ source: 'depguard', key: 'allowed-by-config@1.0.0' }]);
    expect(only(result.findings, 'denied').evidence.deniedBy).toEqual([{ source: 'depguard', key: 'denied-by-config' }]);
    expect(only(result.findings, 'unpinned-approval').evidence).toMatchObject({ source: 'depguard', field: 'checks.install-scripts.allow', key: 'open-config' });
  });

  it('without the config, the same packages are unapproved', async () => {
    const bare = await run('install-scripts-depguard-options');
    expect(ids(bare.findings)).toEqual(['unapproved allowed-by-config', 'unapproved denied-by-config', 'unapproved open-config']);
  });
});

describe('install-scripts: in-memory cases', () => {
  const scripted = (init: Partial<DepNode> & { location: string }) => node({ hasInstallScript: true, ...init });

  it('each approval source approves and denies; silent where nothing applies', async () => {
    const g = graph(
      {
        name: 'app',
        allowScripts: { a: true, 'b@1.0.0': false },
        pnpm: { onlyBuiltDependencies: ['c@1.0.0'] },
        lavamoat: { allowScripts: { 'd#1.0.0': true } },
      },
      [scripted({ location: 'node_modules/a' }), scripted({ location: 'node_modules/b' }), scripted({ location: 'node_modules/c' }), scripted({ location: 'node_modules/d' }), scripted({ location: 'node_modules/e' }), node({ location: 'node_modules/f' })],
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => edge(name, '1.0.0', `node_modules/${name}`)),
    );
    const result = await run(g, { options: { allow: ['e@1.0.0'] }, manifests: memoryManifests({}) });
    expect(ids(result.findings)).toEqual(['denied b', 'unpinned-approval a']);
    expect(inventory(result).map((e) => [e.name, e.approved, e.approvedBy.map((r) => r.source)])).toEqual([
      ['a', true, ['npm']],
      ['b', false, []],
      ['c', true, ['pnpm']],
      ['d', true, ['lavamoat']],
      ['e', true, ['depguard']],
    ]);
  });

  it('unapproved does not fire for a package without install scripts, and the lockfile settles registry packages without a manifest', async () => {
    const manifests = memoryManifests({});
    const g = graph({ name: 'app' }, [node({ location: 'node_modules/quiet' })], [edge('quiet', '1.0.0', 'node_modules/quiet')]);
    const result = await run(g, { manifests });
    expect(result.findings).toEqual([]);
    expect(manifests.asked).toEqual([]);
    expect(result.data['install-scripts']).toEqual({ packages: [] });
  });

  it("a version key matches the lockfile's version, also without a resolved URL", async () => {
    const g = graph({ name: 'app', allowScripts: { 'tool@2.0.0': true } }, [scripted({ location: 'node_modules/tool', version: '2.0.0', resolved: null })], [edge('tool', '2.0.0', 'node_modules/tool')]);
    const result = await run(g, { manifests: memoryManifests({}) });
    expect(result.findings).toEqual([]);
  });

  it('a registry key never matches a git package of the same name', async () => {
    const g = graph(
      { name: 'app', allowScripts: { tool: true } },
      [scripted({ location: 'node_modules/tool', source: 'git', resolved: 'git+ssh://git@github.com/example/tool.git#0123456789abcdef0123456789abcdef01234567' })],
      [edge('tool', 'github:example/tool', 'node_modules/tool')],
    );
    const result = await run(g, { manifests: memoryManifests({}) });
    expect(ids(result.findings)).toEqual(['stale-approval tool', 'unapproved tool']);
  });

  it('invalid-approval: alias keys, non-boolean values and non-string entries; silent for valid keys', async () => {
    const g = graph(
      { name: 'app', allowScripts: { 'x@npm:tool@1.0.0': true, 'tool@1.0.0': 'yes', tool: true }, pnpm: { neverBuiltDependencies: [42] } },
      [scripted({ location: 'node_modules/tool' })],
      [edge('tool', '1.0.0', 'node_modules/tool')],
    );
    const result = await run(g, { manifests: memoryManifests({}) });
    const invalid = result.findings.filter((f) => f.rule === 'install-scripts/invalid-approval').map((f) => [f.evidence.key, f.evidence.reason]);
    expect(invalid.sort()).toEqual([
      ['42', 'not-a-string'],
      ['tool@1.0.0', 'not-boolean'],
      ['x@npm:tool@1.0.0', 'alias'],
    ]);
    const valid = await run(graph({ name: 'app', allowScripts: { 'tool@1.0.0': true } }, [scripted({ location: 'node_modules/tool' })], [edge('tool', '1.0.0', 'node_modules/tool')]), { manifests: memoryManifests({}) });
    expect(valid.findings).toEqual([]);
  });

  it('denied does not fire for a denied package without install scripts: the denial is stale instead', async () => {
    const g = graph({ name: 'app', allowScripts: { quiet: false } }, [node({ location: 'node_modules/quiet' })], [edge('quiet', '1.0.0', 'node_modules/quiet')]);
    const result = await run(g, { manifests: memoryManifests({}) });
    expect(ids(result.findings)).toEqual(['stale-approval quiet']);
    expect(only(result.findings, 'stale-approval').evidence).toMatchObject({ allow: false, reason: 'no-install-scripts' });
  });

  it('workspaces never count, even with scripts', async () => {
    const g = graph({ name: 'app' }, [scripted({ location: 'packages/ws', name: 'ws', source: 'workspace', isWorkspace: true })]);
    const result = await run(g, { manifests: memoryManifests({ 'ws@1.0.0': { scripts: { postinstall: 'node x.js' } } }) });
    expect(result.findings).toEqual([]);
  });
});

describe('install-scripts: classification table', () => {
  it.each([
    ['curl -fsSL https://example.org/x | sh', { fetches: ['curl', 'url'], executes: [], buildsNative: [] }],
    ['wget -q http://example.org/x', { fetches: ['wget', 'url'], executes: [], buildsNative: [] }],
    ['node-pre-gyp install --fallback-to-build', { fetches: ['node-pre-gyp'], executes: [], buildsNative: [] }],
    ['prebuild-install || node-gyp rebuild --release', { fetches: ['prebuild-install'], executes: [], buildsNative: ['node-gyp'] }],
    ['npx some-tool setup', { fetches: ['npx'], executes: [], buildsNative: [] }],
    ['node -e "require(\'./x\')"', { fetches: [], executes: ['node -e'], buildsNative: [] }],
    ["bash -c 'echo hi'", { fetches: [], executes: ['sh -c'], buildsNative: [] }],
    ['eval "$(cat x)"', { fetches: [], executes: ['eval'], buildsNative: [] }],
    ['powershell -Command iex', { fetches: [], executes: ['powershell'], buildsNative: [] }],
    ['echo aGk= | base64 -d | sh', { fetches: [], executes: ['base64'], buildsNative: [] }],
    ['node-gyp-build', { fetches: [], executes: [], buildsNative: ['node-gyp-build'] }],
    ['cmake-js compile', { fetches: [], executes: [], buildsNative: ['cmake-js'] }],
    ['node install.js', { fetches: [], executes: [], buildsNative: [] }],
  ])('%s', (text, expected) => {
    expect(classifyScripts({ install: text })).toEqual(expected);
  });
});

// A project resolved from the real registry (npm install --package-lock-only
// --ignore-scripts; this npm omits `resolved`): 140 packages, 7 with install
// scripts; package.json approves esbuild (pinned) and core-js (bare name) and
// denies protobufjs. The scripts below are the published ones (`npm view
// <pkg>@<version> scripts`), served from memory.
const REAL_SCRIPTS: Record<string, Record<string, string>> = {
  'bcrypt@5.1.1': {"test":"npm ci --build-from-source && jest","install":"node-pre-gyp install --fallback-to-build"},
  'better-sqlite3@11.10.0': {"install":"prebuild-install || node-gyp rebuild --release","build-release":"node-gyp rebuild --release","build-debug":"node-gyp rebuild --debug","rebuild-release":"npm run lzz && npm run build-release","rebuild-debug":"npm run lzz && npm run build-debug","test":"mocha --exit --slow=75 --timeout=5000","benchmark":"node benchmark","download":"bash ./deps/download.sh","lzz":"lzz -hx hpp -sx cpp -k BETTER_SQLITE3 -d -hl -sl -e ./src/better_sqlite3.lzz"},
  'bufferutil@4.0.9': {"install":"node-gyp-build","prebuild":"prebuildify --napi --strip --target=8.11.2","prebuild-darwin-x64+arm64":"prebuildify --arch x64+arm64 --napi --strip --target=8.11.2","test":"mocha"},
  'core-js@3.41.0': {"postinstall":"node -e \"try{require('./postinstall')}catch(e){}\""},
  'es5-ext@0.10.64': {"coverage":"nyc npm test","lint":"eslint --ignore-path=.gitignore .","lint:updated":"pipe-git-updated --base=main --ext=js -- eslint --ignore-pattern '!*'","postinstall":" node -e \"try{require('./_postinstall')}catch(e){}\" || exit 0","prettier-check":"prettier -c --ignore-path .gitignore \"**/*.{css,html,js,json,md,yaml,yml}\"","prettier-check:updated":"pipe-git-updated --base=main --ext=css --ext=html --ext=js --ext=json --ext=md --ext=yaml --ext=yml -- prettier -c","prettify":"prettier --write --ignore-path .gitignore \"**/*.{css,html,js,json,md,yaml,yml}\"","prettify:updated":"pipe-git-updated ---base=main -ext=css --ext=html --ext=js --ext=json --ext=md --ext=yaml --ext=yml -- prettier --write","test":"node ./node_modules/tad/bin/tad"},
  'esbuild@0.25.0': {"postinstall":"node install.js"},
  'protobufjs@7.4.0': {"bench":"node bench","build":"npm run build:bundle && npm run build:types","build:bundle":"gulp --gulpfile scripts/gulpfile.js","build:types":"node cli/bin/pbts --main --global protobuf --out index.d.ts src/ lib/aspromise/index.js lib/base64/index.js lib/codegen/index.js lib/eventemitter/index.js lib/float/index.js lib/fetch/index.js lib/inquire/index.js lib/path/index.js lib/pool/index.js lib/utf8/index.js","changelog":"node scripts/changelog -w","coverage":"nyc tape -r ./lib/tape-adapter tests/*.js tests/node/*.js","docs":"jsdoc -c config/jsdoc.json -R README.md --verbose --pedantic","lint":"npm run lint:sources && npm run lint:types","lint:sources":"eslint \"**/*.js\" -c config/eslint.json","lint:types":"tslint \"**/*.d.ts\" -e \"**/node_modules/**\" -t stylish -c config/tslint.json","pages":"node scripts/pages","prepublish":"cd cli && npm install && cd .. && npm run build","prepublishOnly":"cd cli && npm install && cd .. && npm run build","postinstall":"node scripts/postinstall","prof":"node bench/prof","test":"npm run test:sources && npm run test:types","test:sources":"tape -r ./lib/tape-adapter tests/*.js tests/node/*.js","test:types":"tsc tests/comp_typescript.ts --lib es2015 --esModuleInterop --strictNullChecks --experimentalDecorators --emitDecoratorMetadata && tsc tests/data/test.js.ts --lib es2015 --esModuleInterop --noEmit --strictNullChecks && tsc tests/data/*.ts --lib es2015 --esModuleInterop --noEmit --strictNullChecks","make":"npm run lint:sources && npm run build && npm run lint:types && node ./scripts/gentests.js && npm test"}
};

describe('install-scripts: a project resolved from the real registry (install-scripts-real-registry)', async () => {
  const dir = fixture('install-scripts-real-registry');
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; hasInstallScript?: boolean }> };
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  const manifests = memoryManifests(Object.fromEntries(Object.entries(REAL_SCRIPTS).map(([id, scripts]) => [id, { scripts }])));
  const result = await run('install-scripts-real-registry', { manifests });

  it('reports exactly the packages the lockfile flags and package.json does not approve', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([location, entry]) => location !== '' && entry.hasInstallScript === true)
      .map(([location, entry]) => ({ name: location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version! }));
    expect(withScripts.length).toBe(7);
    expect(Object.keys(lock.packages).length - 1).toBeLessThanOrEqual(150);
    const settled = (name: string, version: string) => Object.hasOwn(manifest.allowScripts, name) || Object.hasOwn(manifest.allowScripts, `${name}@${version}`);
    const expected = withScripts.filter((p) => !settled(p.name, p.version)).map((p) => `${p.name}@${p.version}`).sort();
    const reported = result.findings.filter((f) => f.rule === 'install-scripts/unapproved').map((f) => `${f.package!.name}@${f.package!.version}`).sort();
    expect(reported).toEqual(expected);
    expect(reported).toEqual(['bcrypt@5.1.1', 'better-sqlite3@11.10.0', 'bufferutil@4.0.9', 'es5-ext@0.10.64']);
    expect(inventory(result).map((e) => `${e.name}@${e.version}`).sort()).toEqual(withScripts.map((p) => `${p.name}@${p.version}`).sort());
    // Only the seven packages with install scripts were asked for their manifest.
    expect(manifests.asked.sort()).toEqual(withScripts.map((p) => `${p.name}@${p.version}`).sort());
  });

  it('gives the real script text and its flags', () => {
    expect(only(result.findings, 'unapproved', 'better-sqlite3').evidence).toMatchObject({
      scripts: { install: 'prebuild-install || node-gyp rebuild --release' },
      flags: { fetches: ['prebuild-install'], executes: [], buildsNative: ['node-gyp'] },
      scriptsFrom: 'registry',
    });
    expect(only(result.findings, 'unapproved', 'bcrypt').evidence).toMatchObject({ scripts: { install: 'node-pre-gyp install --fallback-to-build' }, flags: { fetches: ['node-pre-gyp'] } });
    expect(only(result.findings, 'unapproved', 'es5-ext').evidence).toMatchObject({ scripts: { postinstall: ` node -e "try{require('./_postinstall')}catch(e){}" || exit 0` }, flags: { executes: ['node -e'] } });
    expect(only(result.findings, 'unapproved', 'bufferutil').evidence).toMatchObject({ events: ['install'], flags: { buildsNative: ['node-gyp-build'] } });
    expect(entry(result, 'bufferutil').dev).toBe(true);
  });

  it('approved, unpinned and denied as package.json says', () => {
    expect(entry(result, 'esbuild')).toMatchObject({ approved: true, scripts: { postinstall: 'node install.js' }, approvedBy: [{ source: 'npm', key: 'esbuild@0.25.0' }] });
    expect(entry(result, 'core-js')).toMatchObject({ approved: true, flags: { executes: ['node -e'] } });
    expect(only(result.findings, 'unpinned-approval').evidence).toMatchObject({ key: 'core-js', matches: ['core-js@3.41.0'] });
    expect(only(result.findings, 'denied', 'protobufjs').evidence).toMatchObject({ scripts: { postinstall: 'node scripts/postinstall' } });
  });
});

describe('install-scripts: JSON output', () => {
  it('puts the inventory under checks["install-scripts"], after the contract keys', async () => {
    const { result } = await audit({
      path: fixture('install-scripts-bundled'),
      registries: EXAMPLE_REGISTRY,
      only: ['install-scripts'],
      today: '2026-11-27',
      registryAccess: { mode: 'offline', cache: mkdtempSync(join(tmpdir(), 'depguard-cache-')) },
    });
    const doc = JSON.parse(json(result, { color: false, failOn: 'high' }));
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'checks', 'skipped']);
    expect(doc.checks).toEqual({ 'install-scripts': { packages: [] } });
    // The default gate's other checks, named as not run (--only).
    expect(doc.skipped.map((entry: { check: string }) => entry.check)).toEqual(expect.arrayContaining(['advisories', 'denied', 'engines', 'lockfile', 'npm-config', 'pinning']));
    expect(doc.skipped.every((entry: { check: string; reason: string }) => entry.reason === '--only' && entry.check !== 'install-scripts')).toBe(true);
  });

  it('has no checks key when no check handed over data', async () => {
    const g = graph({ name: 'app' }, []);
    const policy = await presetPolicy('recommended');
    const { data } = await runChecks({ graph: g, policy, registries: EXAMPLE_REGISTRY, only: ['pinning'], today: '2026-11-27' });
    expect(data).toEqual({});
  });
});

describe('install-scripts: yarn berry (install-scripts-yarn-berry)', () => {
  // berry's lockfile records no scripts: they come from the manifests.
  const manifests = () =>
    memoryManifests({
      'approved-native@1.0.0': { gypfile: true },
      'bare-approved@3.0.0': { scripts: { postinstall: 'node setup.js' } },
      'blocked-hook@2.0.0': { scripts: { postinstall: 'node telemetry.js' } },
      'unlisted@1.0.0': { scripts: { install: 'node build.js' } },
      'quiet@1.0.0': {},
    });
  const project = (files: Record<string, string> = {}) => tempProject(files, fixture('install-scripts-yarn-berry'));

  it('dependenciesMeta.built approves and denies; with scripts on (lockfile version 8, no .yarnrc.yml) the unlisted one is unapproved', async () => {
    const result = await run((await loadProject(project())).graph, { manifests: manifests() });
    expect(ids(result.findings)).toEqual(['denied blocked-hook', 'stale-approval gone', 'unapproved unlisted', 'unpinned-approval bare-approved']);
    expect(entry(result, 'approved-native').approvedBy).toEqual([{ source: 'yarn', key: 'approved-native@1.0.0' }]);
    expect(only(result.findings, 'denied', 'blocked-hook').evidence.deniedBy).toEqual([{ source: 'yarn', key: 'blocked-hook' }]);
    expect(only(result.findings, 'unpinned-approval').evidence).toMatchObject({ source: 'yarn', file: 'package.json', field: 'dependenciesMeta', key: 'bare-approved' });
  });

  it('enableScripts: false in .yarnrc.yml: only what dependenciesMeta approves builds, the rest is denied by the setting', async () => {
    const result = await run((await loadProject(project({ '.yarnrc.yml': 'enableScripts: false\n' }))).graph, { manifests: manifests() });
    expect(ids(result.findings)).toEqual(['denied blocked-hook', 'denied unlisted', 'stale-approval gone', 'unpinned-approval bare-approved']);
    expect(only(result.findings, 'denied', 'unlisted').evidence.deniedBy).toEqual([{ source: 'yarn', key: 'enableScripts: false' }]);
    expect(entry(result, 'approved-native').approved).toBe(true);
    // enableScripts: true is yarn's older default: the unlisted one runs.
    const on = await run((await loadProject(project({ '.yarnrc.yml': 'enableScripts: true\n', 'yarn.lock': readFileSync(join(fixture('install-scripts-yarn-berry'), 'yarn.lock'), 'utf8').replace('version: 8', 'version: 10') }))).graph, { manifests: manifests() });
    expect(ids(on.findings)).toContain('unapproved unlisted');
  });

  it('a lockfile of __metadata.version 9 or later with no enableScripts: off by yarn 4\'s default', async () => {
    const lockfile = readFileSync(join(fixture('install-scripts-yarn-berry'), 'yarn.lock'), 'utf8').replace('version: 8', 'version: 10');
    const result = await run((await loadProject(project({ 'yarn.lock': lockfile }))).graph, { manifests: manifests() });
    expect(ids(result.findings)).toEqual(['denied blocked-hook', 'denied unlisted', 'stale-approval gone', 'unpinned-approval bare-approved']);
    expect(only(result.findings, 'denied', 'unlisted').evidence.deniedBy).toEqual([{ source: 'yarn', key: 'enableScripts unset (off by default for __metadata.version 10)' }]);
  });

  it('yarn classic ignores dependenciesMeta and runs every script', async () => {
    const classic = `# yarn lockfile v1\n\n${['approved-native@1.0.0', 'bare-approved@3.0.0', 'blocked-hook@2.0.0', 'quiet@1.0.0', 'unlisted@1.0.0']
      .map((pair) => {
        const [name, version] = pair.split('@') as [string, string];
        return `${pair}:\n  version "${version}"\n  resolved "https://registry.example.org/${name}/-/${name}-${version}.tgz"\n  integrity sha512-${'A'.repeat(86)}==\n`;
      })
      .join('\n')}`;
    const result = await run((await loadProject(project({ 'yarn.lock': classic }))).graph, { manifests: manifests() });
    expect(ids(result.findings)).toEqual(['unapproved approved-native', 'unapproved bare-approved', 'unapproved blocked-hook', 'unapproved unlisted']);
  });
});
