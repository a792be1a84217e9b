// The capabilities check end to end: hand-written packages from
// fixtures/capabilities/packages are packed into tarballs and served through
// nock as the registry serves them; the real registry client fetches them,
// the check parses them and the engine turns reports into findings.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/commands/check.js';
import { ANALYSER_VERSION } from '../../src/checks/capabilities/cache.js';
import capabilitiesCheck, { type InventoryEntry } from '../../src/checks/capabilities/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/enrich/registry-client.js';
import { runChecks } from '../../src/policy/run.js';
import { DepguardError } from '../../src/errors.js';
import type { DepGraph, DepNode, Finding } from '../../src/model.js';
import { ELF, packageFiles, packFixture, PACKAGES, REGISTRY, serve, type Served } from './capabilities/packages.js';
import { depguard } from '../helpers/cli.js';
import { edge, graph, node } from '../helpers/graph.js';
import { tempProject, npmProject } from '../helpers/project.js';

const REGISTRIES = { registry: REGISTRY, scopes: {} };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function freshCache(): string {
  return mkdtempSync(join(tmpdir(), 'depguard-capabilities-'));
}

function client(cache: string, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ registries: REGISTRIES, cache, fetchOptions: { retry: { retries: 0 }, timeout: 3000 }, ...options });
}

/** A project whose root depends on each served package (dev ones through devDependencies). */
function projectOf(packages: Array<Served & { dev?: boolean }>): DepGraph {
  const nodes = packages.map((pkg) => node({ location: `node_modules/${pkg.name}`, version: pkg.version, integrity: pkg.integrity, dev: pkg.dev === true }));
  const edges = packages.map((pkg) => edge(pkg.name, pkg.version, `node_modules/${pkg.name}`, pkg.dev ? 'dev' : 'prod'));
  return graph({ name: 'app', version: '1.0.0' }, nodes, edges);
}

interface Run {
  findings: Finding[];
  diagnostics: Array<{ code: string; level: string; message: string }>;
  packages: InventoryEntry[];
  summary: Record<string, unknown>;
}

async function check(g: DepGraph, registry: RegistryClient | null, options: Record<string, unknown> = {}): Promise<Run> {
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('capabilities')!;
  settings.options = { ...settings.options, ...options };
  const run = await runChecks({ graph: g, policy, registries: REGISTRIES, only: ['capabilities'], today: '2026-11-27', ...(registry ? { registry } : {}) });
  const data = run.data.capabilities ?? {};
  return { findings: run.findings, diagnostics: run.diagnostics, packages: data.packages as InventoryEntry[], summary: data.summary as Record<string, unknown> };
}

function finding(findings: Finding[], rule: string, name: string): Finding {
  const matching = findings.filter((f) => f.rule === rule && f.package?.name === name);
  expect(matching, `${rule} for ${name}`).toHaveLength(1);
  return matching[0]!;
}

/** `file:line what` of a finding's evidence places. */
function places(f: Finding): string[] {
  return (f.evidence.evidence as Array<{ file: string; line: number; what: string }>).map((e) => `${e.file}:${e.line} ${e.what}`);
}

function rulesFor(findings: Finding[], name: string): string[] {
  return findings.filter((f) => f.package?.name === name).map((f) => f.rule).sort();
}

describe('capabilities check metadata', () => {
  it('has one rule per capability, with the recommended severities, and is off unless asked for', () => {
    const severities = Object.fromEntries(Object.entries(capabilitiesCheck.meta.rules).map(([rule, meta]) => [rule, meta.severity]));
    expect(severities).toEqual({
      network: 'low',
      shell: 'moderate',
      filesystem: 'info',
      'dynamic-code': 'moderate',
      environment: 'info',
      native: 'moderate',
      'install-time': 'info',
      obfuscation: 'moderate',
      'integrity-mismatch': 'critical',
      'foreign-tarball': 'high',
    });
    expect(capabilitiesCheck.meta.needs).toEqual(['registry', 'contents']);
    expect(capabilitiesCheck.meta.enabledByDefault).toBe(false);
    expect(capabilitiesCheck.meta.defaultOptions).toEqual({ ignoreDev: ['network', 'filesystem', 'environment'] });
  });
});

describe('capabilities of packages served as tarballs', () => {
  const all = () => [
    packFixture('net-client'),
    packFixture('spawner'),
    packFixture('file-writer'),
    packFixture('code-runner'),
    packFixture('env-reader'),
    packFixture('native-addon', { 'prebuilds/linux-x64/addon.node': ELF }),
    packFixture('installer'),
    packFixture('obfuscated'),
    packFixture('quiet-mentions'),
  ];

  it('detects each capability with file:line evidence, and nothing where they are only mentioned', async () => {
    const packages = all();
    const scope = serve(packages);
    const { findings, diagnostics, packages: inventory } = await check(projectOf(packages), client(freshCache()));
    expect(scope.isDone()).toBe(true);
    expect(diagnostics).toEqual([]);

    const network = finding(findings, 'capabilities/network', 'net-client');
    expect(network.severity).toBe('low');
    expect(places(network)).toEqual(["lib/index.js:3 require('node:https')", 'lib/index.js:12 fetch(url)']);

    const shell = finding(findings, 'capabilities/shell', 'spawner');
    expect(shell).toMatchObject({ severity: 'moderate', evidence: { shell: true, from: 'registry' } });
    expect(places(shell)).toEqual([
      "lib/run.js:2 require('child_process')",
      "lib/run.js:3 require('node:child_process')",
      'lib/run.js:3 spawn from child_process',
      'lib/run.js:6 cp.exec(command)',
      "lib/run.js:10 spawn(file, args, { stdio: 'inherit', shell: true })",
    ]);
    expect(shell.message).toBe('spawner@2.1.0 starts processes (through a shell): cp.exec(command) at lib/run.js:6 (+4 more)');

    const filesystem = finding(findings, 'capabilities/filesystem', 'file-writer');
    expect(filesystem.evidence.access).toEqual(['read', 'write']);
    expect(places(filesystem).slice(0, 2)).toEqual(["index.js:6 fs.promises.writeFile(path + '.bak', previous)", 'index.js:7 fs.rmSync(path, { force: true })']);

    const dynamic = finding(findings, 'capabilities/dynamic-code', 'code-runner');
    expect(places(dynamic)).toEqual([
      "index.js:1 require('vm')",
      'index.js:4 eval(source)',
      "index.js:8 new Function('input', body)",
      'index.js:16 require(name)',
      "index.js:19 require('child_' + 'process')",
    ]);
    expect((dynamic.evidence.evidence as Array<{ resolves?: string }>)[4]!.resolves).toBe('child_process');
    // The disguised require still names what it loads.
    expect(places(finding(findings, 'capabilities/shell', 'code-runner'))).toEqual(["index.js:19 require('child_' + 'process')"]);

    const environment = finding(findings, 'capabilities/environment', 'env-reader');
    expect(environment.evidence.keys).toEqual(['AWS_SECRET_ACCESS_KEY', 'HOME', 'NPM_TOKEN']);
    expect(places(environment)).toEqual(['config.js:2 process.env.AWS_SECRET_ACCESS_KEY', 'config.js:5 process.env.NPM_TOKEN', 'config.js:6 env.HOME']);

    const native = finding(findings, 'capabilities/native', 'native-addon');
    expect(places(native)).toEqual([
      'binding.gyp:0 binding.gyp: node-gyp builds a native addon',
      "index.js:1 require('node-gyp-build')",
      'package.json:6 "gypfile": true',
      'prebuilds/linux-x64/addon.node:0 compiled native addon',
    ]);

    const install = finding(findings, 'capabilities/install-time', 'installer');
    expect(install.evidence.evidence).toEqual([
      { file: 'package.json', line: 8, kind: 'script', what: 'postinstall: node scripts/setup.js && curl -s https://example.org/telemetry', invokes: ['curl', 'url'] },
    ]);
    expect(places(finding(findings, 'capabilities/install-time', 'native-addon'))).toEqual(['package.json:8 install: node-gyp-build']);

    const obfuscation = finding(findings, 'capabilities/obfuscation', 'obfuscated');
    expect(places(obfuscation)).toEqual([
      'index.js:2 26 identifiers named like _0x1a2b (javascript-obfuscator)',
      'index.js:4 base64-encoded text of 2320 characters in a file that evaluates code',
    ]);
    expect(rulesFor(findings, 'obfuscated')).toEqual(['capabilities/dynamic-code', 'capabilities/obfuscation']);

    // Comments, strings, templates, .d.ts types, a README, a local fetch, methods named exec, a parameter named process.
    expect(rulesFor(findings, 'quiet-mentions')).toEqual([]);
    expect(inventory.find((entry) => entry.name === 'quiet-mentions')).toMatchObject({ status: 'analysed', capabilities: {}, files: { parsed: 1, failed: 0 } });

    // Nothing else: each package shows only what it does.
    expect(rulesFor(findings, 'net-client')).toEqual(['capabilities/network']);
    expect(rulesFor(findings, 'spawner')).toEqual(['capabilities/shell']);
    expect(rulesFor(findings, 'file-writer')).toEqual(['capabilities/filesystem']);
    expect(rulesFor(findings, 'env-reader')).toEqual(['capabilities/environment']);
    expect(rulesFor(findings, 'installer')).toEqual(['capabilities/install-time']);
  });

  it('reads ES modules, a node shebang bin, and weakens what only tests and build files do', async () => {
    const packages = [packFixture('esm-tool'), packFixture('dev-only')];
    serve(packages);
    const { findings, packages: inventory } = await check(projectOf(packages), client(freshCache()));
    expect(places(finding(findings, 'capabilities/shell', 'esm-tool'))).toEqual([
      "src/index.js:1 import * as childProcess from 'node:child_process';",
      "src/index.js:6 childProcess.execFileSync('git', ['status'])",
    ]);
    expect(places(finding(findings, 'capabilities/filesystem', 'esm-tool'))).toEqual([
      'src/index.js:2 writeFile from fs',
      "src/index.js:5 writeFile('out.txt', args.join(' '))",
      "src/index.js:2 import { writeFile } from 'node:fs/promises';",
    ]);
    const esm = inventory.find((entry) => entry.name === 'esm-tool')!;
    expect(esm.files).toMatchObject({ parsed: 2, failed: 0 });
    // import(`./plugins/${name}.js`) stays inside the package: listed, weak, not reported.
    expect(esm.capabilities['dynamic-code']).toMatchObject({ strong: 0, evidence: [{ file: 'src/index.js', line: 7, lowSignal: true }] });
    expect(rulesFor(findings, 'esm-tool')).toEqual(['capabilities/filesystem', 'capabilities/shell']);

    // test/index.test.js spawns, but nothing at run time requires it; the helper it shares is required by lib/.
    expect(rulesFor(findings, 'dev-only')).toEqual(['capabilities/environment']);
    const devOnly = inventory.find((entry) => entry.name === 'dev-only')!;
    expect(devOnly.capabilities.shell).toMatchObject({ strong: 0, reported: false });
    expect(devOnly.capabilities.shell!.evidence.every((e) => e.devOnly === true)).toBe(true);
    expect(devOnly.capabilities.environment!.evidence[0]).toMatchObject({ file: 'test/helper-used-at-runtime.js', line: 1, key: 'OFFSET' });
  });

  it('turns a file that does not parse into a diagnostic and keeps the rest of the package', async () => {
    const packages = [packFixture('broken-syntax')];
    serve(packages);
    const { findings, diagnostics, packages: inventory } = await check(projectOf(packages), client(freshCache()));
    expect(places(finding(findings, 'capabilities/network', 'broken-syntax'))).toEqual(["lib/index.js:1 require('http')"]);
    expect(diagnostics).toEqual([expect.objectContaining({ level: 'warning', code: 'CAPABILITIES_PARSE_ERROR', check: 'capabilities' })]);
    expect(diagnostics[0]!.message).toContain('broken-syntax@1.0.0 (lib/jsx.js:3: Unexpected token)');
    expect(inventory[0]).toMatchObject({ files: { parsed: 1, failed: 1 }, parseErrors: [{ file: 'lib/jsx.js', line: 3 }] });
  });

  it('allows by name or name@range, and leaves network, filesystem and environment of dev-only packages out', async () => {
    const packages = [packFixture('spawner'), packFixture('code-runner'), { ...packFixture('net-client'), dev: true }, { ...packFixture('env-reader'), dev: true }];
    serve(packages);
    const { findings, packages: inventory } = await check(projectOf(packages), client(freshCache()), { shell: ['spawner@^2.0.0', 'code-runner'], 'dynamic-code': ['code-runner@<1.0.0'] });
    expect(findings.map((f) => `${f.rule} ${f.package!.name}`).sort()).toEqual(['capabilities/dynamic-code code-runner']);
    expect(inventory.find((entry) => entry.name === 'spawner')!.capabilities.shell).toMatchObject({ allowedBy: 'spawner@^2.0.0', reported: false });
    expect(inventory.find((entry) => entry.name === 'net-client')).toMatchObject({ dev: true, capabilities: { network: { reported: false } } });

    // ignoreDev: [] reports dev-only packages too.
    serve(packages);
    const all = await check(projectOf(packages), client(freshCache()), { ignoreDev: [] });
    expect(rulesFor(all.findings, 'net-client')).toEqual(['capabilities/network']);
    expect(rulesFor(all.findings, 'env-reader')).toEqual(['capabilities/environment']);
  });

  it('rejects an allowlist entry that is neither a name nor name@range', async () => {
    const error = await check(projectOf([]), null, { network: ['axios@not a range'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect(error).toMatchObject({ code: 'EBAD_CONFIG', field: 'checks.capabilities.network[0]' });
  });

  it('caches per integrity: a warm run asks for nothing and reads no tarball', async () => {
    const packages = all();
    const cache = freshCache();
    serve(packages);
    const cold = await check(projectOf(packages), client(cache));
    expect(cold.summary).toMatchObject({ packages: 9, analysed: 9, cached: 0, fromRegistry: 9 });
    const records = readdirSync(join(cache, '_depguard'));
    expect(records).toContain(`capabilities-v${ANALYSER_VERSION}`);

    // No interceptors now, and nock refuses any connection: a request would be a diagnostic.
    const warm = await check(projectOf(packages), client(cache));
    expect(warm.diagnostics).toEqual([]);
    expect(warm.summary).toMatchObject({ analysed: 9, cached: 9 });
    expect(warm.findings).toEqual(cold.findings);
  });

  it('names packages it could not get: too large, not found', async () => {
    const big = packFixture('spawner');
    serve([big]);
    const limited = await check(projectOf([big]), client(freshCache(), { tarballLimits: { maxFiles: 1 } }));
    expect(limited.findings).toEqual([]);
    expect(limited.diagnostics).toEqual([expect.objectContaining({ level: 'error', code: 'REGISTRY_TARBALL_TOO_LARGE' })]);
    expect(limited.packages[0]).toMatchObject({ status: 'unavailable', error: { code: 'REGISTRY_TARBALL_TOO_LARGE' } });

    // Asked twice: abbreviated, then full (a registry may 404 only the abbreviated form).
    nock(REGISTRY).get('/gone').times(2).reply(404, { error: 'Not found' });
    const missing = await check(projectOf([{ ...big, name: 'gone' }]), client(freshCache()));
    expect(missing.diagnostics).toEqual([expect.objectContaining({ level: 'error', code: 'REGISTRY_NOT_FOUND', package: { name: 'gone', version: '2.1.0', location: 'node_modules/gone' } })]);
  });

  it('reads a bundled dependency from the tarball of the package that bundles it', async () => {
    const bundled = Object.entries(packageFiles('spawner')).map(([path, data]) => [`node_modules/spawner/${path}`, data] as const);
    const bundler = packFixture('net-client', Object.fromEntries(bundled));
    serve([bundler]);
    const inner = node({ location: 'node_modules/net-client/node_modules/spawner', version: '2.1.0', integrity: null, inBundle: true });
    const outer = node({ location: 'node_modules/net-client', version: bundler.version, integrity: bundler.integrity, edgesOut: [edge('spawner', '2.1.0', inner.location)] });
    const g = graph({ name: 'app' }, [outer, inner], [edge('net-client', '1.0.0', outer.location)]);
    const { findings } = await check(g, client(freshCache()));
    expect(findings.map((f) => `${f.rule} ${f.package!.location}`).sort()).toEqual([
      'capabilities/network node_modules/net-client',
      'capabilities/shell node_modules/net-client/node_modules/spawner',
    ]);
  });
});

/** A project with an installed node_modules copy of fixture packages (and a lockfile naming them). */
function installedProject(names: string[]): { dir: string; nodes: DepNode[] } {
  const versions = Object.fromEntries(names.map((name) => [name, packFixture(name).version]));
  const dir = tempProject(npmProject(versions, Object.fromEntries(names.map((name) => [name, { version: versions[name], integrity: packFixture(name).integrity, license: 'MIT' }]))));
  for (const name of names) {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(PACKAGES, name), join(dir, 'node_modules', name), { recursive: true });
  }
  return { dir, nodes: names.map((name) => node({ location: `node_modules/${name}`, version: versions[name]!, integrity: packFixture(name).integrity })) };
}

describe('installed copies', () => {
  it('reads node_modules first, as data, when it holds the locked version', async () => {
    const { dir, nodes } = installedProject(['spawner', 'quiet-mentions']);
    const g = { ...graph({ name: 'app' }, nodes, nodes.map((n) => edge(n.name, n.version, n.location))), projectPath: dir };
    // No registry client and no nock interceptor: everything comes from the folder.
    const { findings, packages } = await check(g, null);
    expect(findings.map((f) => f.rule)).toEqual(['capabilities/shell']);
    expect(packages.find((entry) => entry.name === 'spawner')).toMatchObject({ from: 'node_modules', cached: false });
  });
});

describe('fail closed', () => {
  it('exits 2 when a package can be had neither from a cache nor from node_modules, unless incomplete data is accepted', async () => {
    const { dir } = installedProject(['spawner']);
    rmSync(join(dir, 'node_modules'), { recursive: true });
    const options = { path: dir, only: ['capabilities'], registries: REGISTRIES, today: '2026-11-27' };
    const error = await audit({ ...options, registryAccess: { mode: 'offline', cache: freshCache() } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EREGISTRY', message: expect.stringContaining('spawner@2.1.0 (REGISTRY_NOT_CACHED)') });

    const { result } = await audit({ ...options, registryAccess: { mode: 'offline', cache: freshCache(), allowIncomplete: true } });
    expect(result.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual(['error REGISTRY_NOT_CACHED', 'warning REGISTRY_INCOMPLETE']);
    expect(result.checks!.capabilities!.packages).toMatchObject([{ name: 'spawner', status: 'unavailable', error: { code: 'REGISTRY_NOT_CACHED' } }]);
  });
});

describe('depguard check --capabilities', () => {
  it('prints the inventory table, and the JSON inventory under checks.capabilities', () => {
    const { dir } = installedProject(['spawner', 'net-client', 'quiet-mentions', 'native-addon']);
    const table = depguard(['check', dir, '--capabilities', '--no-progress']);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n').filter((line) => line.startsWith('│'));
    expect(rows[0]).toMatch(/│ package\s+│ network │ shell │ fs write │ dyn\. code │ env\s+│ native │ install\s+│ obfusc\. │/);
    expect(rows.slice(1).map((row) => row.split('│').map((cell) => cell.trim()).filter((cell, i) => i > 0 && i < 10))).toEqual([
      ['native-addon@3.0.0', '', '', '', '', '', 'yes', 'install', ''],
      ['net-client@1.0.0', 'yes', '', '', '', '', '', '', ''],
      ['spawner@2.1.0', '', 'shell', '', '', '', '', '', ''],
    ]);
    expect(table.stdout).toContain('4 package versions analysed: 3 can do something above, 1 nothing');

    const json = depguard(['check', dir, '--capabilities', '--format', 'json', '--no-progress']);
    const result = JSON.parse(json.stdout) as { findings: Finding[]; checks: { capabilities: { packages: InventoryEntry[]; summary: { analysed: number } } } };
    expect(result.checks.capabilities.summary.analysed).toBe(4);
    expect(result.checks.capabilities.packages.map((entry) => entry.name)).toEqual(['native-addon', 'net-client', 'quiet-mentions', 'spawner']);
    expect(result.findings.map((f) => f.rule).sort()).toEqual(['capabilities/install-time', 'capabilities/native', 'capabilities/network', 'capabilities/shell']);
  });
});
