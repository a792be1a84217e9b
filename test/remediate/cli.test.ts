// depguard fix through the real CLI (bin/depguard.js) against a registry on
// 127.0.0.1 serving Arborist's mock packuments and its recorded advisories:
// the plan is printed without touching the project, --write merges it into
// package.json keeping its indentation, --lockfile refreshes the lockfile,
// and npm's own audit (the same advisory answer) then reports nothing.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO, SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, bulkFromQuickAnswer, osvFolderAdvisories, serveArboristPackuments } from '../advisories/advisory-server.js';
import { recordedPackuments, universePackuments } from '../advisories/universe.js';

const ARBORIST = join(SHARED_DATA, 'peers/npm-cli/workspaces/arborist/test/fixtures');
const present = existsSync(ARBORIST);
if (!present) console.warn(`skipping depguard fix CLI tests: ${ARBORIST} is absent (shared data not laid beside the clone)`);
const json = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

const UNIVERSE = join(SHARED_DATA, 'peers/osv-scanner/internal/remediation/testdata/santatracker/universe.yaml');
const OSV = join(SHARED_DATA, 'advisories/osv');
const universePresent = existsSync(UNIVERSE) && existsSync(OSV);

let server: AdvisoryServer;
/** osv-scanner's frozen universe with the real OSV records as the bulk answer. */
let universe: AdvisoryServer;
/** The express 4 universe recorded from the registry (fixtures/universes/express-4.json), with the same records. */
let express: AdvisoryServer;
beforeAll(async () => {
  server = await new AdvisoryServer().start();
  universe = await new AdvisoryServer().start();
  express = await new AdvisoryServer().start();
  if (universePresent) {
    for (const [name, doc] of universePackuments(UNIVERSE, 'https://registry.example.org/')) universe.packuments.set(name, doc);
    universe.bulk = bulkFrom(osvFolderAdvisories(OSV));
  }
  if (existsSync(OSV)) {
    for (const [name, doc] of recordedPackuments(join(REPO, 'fixtures/universes/express-4.json'))) express.packuments.set(name, doc);
    express.bulk = bulkFrom(osvFolderAdvisories(OSV));
  }
  if (!present) return;
  serveArboristPackuments(server, ARBORIST);
  server.bulk = bulkFromQuickAnswer(join(ARBORIST, 'audit-nyc-mkdirp/audit.json'));
});
afterAll(async () => {
  await server.stop();
  await universe.stop();
  await express.stop();
});

function environment(registry = server.url): Record<string, string> {
  return { ...(process.env as Record<string, string>), npm_config_registry: registry, npm_config_cache: mkdtempSync(join(tmpdir(), 'depguard-fix-cache-')), npm_config_offline: 'false', npm_config_audit: 'false', NO_COLOR: '1' };
}

/** The CLI, asynchronously: the registry answers from this process. */
function run(command: string, args: string[], cwd: string, registry?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: environment(registry) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const depguard = (args: string[], cwd: string, registry?: string) => run(process.execPath, [join(REPO, 'bin/depguard.js'), ...args], cwd, registry);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-cli-'));
  cpSync(join(ARBORIST, 'mkdirp-pinned'), dir, { recursive: true });
  // Four-space indentation and an unrelated field: --write must keep both.
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'pinned-app', version: '1.0.0', dependencies: { mkdirp: '0.5.1' }, private: true }, null, 4)}\n`);
  return dir;
}

describe.skipIf(!present)('depguard fix (CLI)', () => {
  it('prints a verified plan and changes nothing on disk without --write', async () => {
    const dir = project();
    const before = readFileSync(join(dir, 'package.json'), 'utf8');
    const lock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    const result = await depguard(['fix', dir, '--format', 'json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    // The common header first (schemaVersion, tool, project), then fix's own keys.
    expect(Object.keys(doc).slice(0, 4)).toEqual(['schemaVersion', 'tool', 'project', 'packageManager']);
    expect(doc.tool.name).toBe('depguard');
    // The mkdirp patch bump ranks above the minimist override (smallest edit first) and is the plan.
    expect(doc.plan.overrides).toBeNull();
    expect(doc.plan.dependencies).toEqual([{ field: 'dependencies', name: 'mkdirp', spec: '0.5.2' }]);
    expect(doc.packages[0]).toMatchObject({ package: 'minimist', advisories: ['1179'] });
    expect(doc.packages[0].suggestions.map((s: { kind: string; offered: boolean }) => `${s.kind} ${s.offered}`)).toEqual(['parent-upgrade true', 'scoped-override true']);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(lock);
    const pnpm = JSON.parse((await depguard(['fix', dir, '--format', 'json', '--package-manager', 'pnpm', '--no-audit-overrides'], dir)).stdout);
    expect(pnpm).toMatchObject({ packageManager: 'pnpm', plan: { overrides: null, dependencies: [{ name: 'mkdirp', spec: '0.5.2' }] } });
    const markdown = await depguard(['fix', dir, '--format', 'markdown', '--package-manager', 'yarn', '--no-audit-overrides'], dir);
    expect(markdown.stdout).toContain('| best | parent-upgrade |');
    expect(markdown.stdout).toContain('| ok | scoped-override | override minimist → 0.2.1 under mkdirp |');
    expect(markdown.stdout).toContain('- set "mkdirp": "0.5.2" in dependencies');
  }, 60_000);

  it('--write --lockfile applies the plan; npm audit on the result no longer reports the advisory', async () => {
    const dir = project();
    const result = await depguard(['fix', dir, '--write', '--lockfile'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wrote dependencies.mkdirp in package.json and refreshed package-lock.json');
    const text = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify({ name: 'pinned-app', version: '1.0.0', dependencies: { mkdirp: '0.5.2' }, private: true }, null, 4)}\n`);
    expect(json(join(dir, 'package-lock.json')).packages['node_modules/mkdirp'].version).toBe('0.5.2');
    expect(json(join(dir, 'package-lock.json')).packages['node_modules/minimist'].version).not.toBe('0.0.8');
    // Applying again is a no-op.
    expect((await depguard(['fix', dir, '--write'], dir)).stderr).toContain('package.json already holds the plan');
    if (spawnSync('npm', ['--version']).status !== 0) return;
    // The control: npm's audit of the untouched project reports minimist.
    const control = await run('npm', ['audit', '--json', '--package-lock-only'], project());
    expect(Object.keys(JSON.parse(control.stdout).vulnerabilities)).toEqual(['minimist', 'mkdirp']);
    const audit = await run('npm', ['audit', '--json', '--package-lock-only'], dir);
    expect(JSON.parse(audit.stdout).vulnerabilities).toEqual({});
  }, 120_000);

  it('rejects --lockfile without --write', async () => {
    const result = await depguard(['fix', project(), '--lockfile'], tmpdir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lockfile refreshes the lockfile of a written plan: it needs --write');
  });
});

describe.skipIf(!universePresent)('depguard fix --write --lockfile, then npm audit (osv-scanner universe, real OSV records)', () => {
  const npmPresent = spawnSync('npm', ['--version']).status === 0;
  for (const [name, before, fields] of [
    ['fix-direct-major', ['terser'], 'dependencies.terser'],
    // The direct mkdirp bump fixes minimist there, so no override is needed (smallest edit first).
    ['fix-global-override', ['json5', 'minimist', 'mkdirp'], 'dependencies.json5, dependencies.mkdirp'],
  ] as const) {
    it(`${name}: npm audit reports ${before.join(', ')} before and nothing after`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-cli-'));
      cpSync(fixture(name), dir, { recursive: true });
      if (npmPresent) {
        const control = await run('npm', ['audit', '--json', '--package-lock-only'], dir, universe.url);
        expect(Object.keys(JSON.parse(control.stdout).vulnerabilities).sort()).toEqual([...before]);
      }
      const result = await depguard(['fix', dir, '--write', '--lockfile', '--no-audit-overrides'], dir, universe.url);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('0 left, 0 introduced');
      expect(result.stderr).toContain(`wrote ${fields} in package.json and refreshed package-lock.json`);
      if (!npmPresent) return;
      const audit = await run('npm', ['audit', '--json', '--package-lock-only'], dir, universe.url);
      expect(JSON.parse(audit.stdout).vulnerabilities).toEqual({});
    }, 120_000);
  }

  it('fix-refresh: --write leaves package.json alone and names the update; --lockfile moves only the lockfile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-cli-'));
    cpSync(fixture('fix-refresh'), dir, { recursive: true });
    const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
    const written = await depguard(['fix', dir, '--write', '--no-audit-overrides'], dir, universe.url);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain('run `npm update minimist` or pass --lockfile');
    expect(json(join(dir, 'package-lock.json')).packages['node_modules/minimist'].version).toBe('1.2.0');
    const locked = await depguard(['fix', dir, '--write', '--lockfile', '--no-audit-overrides'], dir, universe.url);
    expect(locked.stderr).toContain('package.json already holds the plan; refreshed package-lock.json');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(manifest);
    expect(json(join(dir, 'package-lock.json')).packages['node_modules/minimist'].version).toBe('1.2.8');
  }, 120_000);
});

describe.skipIf(!existsSync(OSV))('depguard fix --write --lockfile on an old express, then npm audit (recorded express 4 universe, real GitHub advisories)', () => {
  it('fix-express: npm audit reports express and six of its dependencies before, and nothing after one upgrade of express', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-cli-'));
    cpSync(fixture('fix-express'), dir, { recursive: true });
    const npmPresent = spawnSync('npm', ['--version']).status === 0;
    if (npmPresent) {
      const control = await run('npm', ['audit', '--json', '--package-lock-only'], dir, express.url);
      expect(Object.keys(JSON.parse(control.stdout).vulnerabilities).sort()).toEqual(['body-parser', 'cookie', 'express', 'path-to-regexp', 'qs', 'send', 'serve-static']);
    }
    const result = await depguard(['fix', dir, '--write', '--lockfile', '--no-audit-overrides'], dir, express.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('fixes 9 advisory hit(s), 0 left, 0 introduced');
    expect(result.stderr).toContain('wrote dependencies.express in package.json and refreshed package-lock.json');
    const manifest = json(join(dir, 'package.json'));
    expect(manifest.dependencies).toEqual({ express: '4.21.2' });
    expect(manifest.overrides).toBeUndefined();
    expect(json(join(dir, 'package-lock.json')).packages['node_modules/qs'].version).toBe('6.13.0');
    if (!npmPresent) return;
    const audit = await run('npm', ['audit', '--json', '--package-lock-only'], dir, express.url);
    expect(JSON.parse(audit.stdout).vulnerabilities).toEqual({});
  }, 120_000);
});

describe('depguard fix --write, then npm install --package-lock-only and npm audit (npm resolves the written package.json itself)', () => {
  const npmPresent = spawnSync('npm', ['--version']).status === 0;
  const cases = [
    { name: 'mkdirp-pinned', from: () => join(ARBORIST, 'mkdirp-pinned'), registry: () => server.url, ready: present },
    { name: 'fix-express', from: () => fixture('fix-express'), registry: () => express.url, ready: existsSync(OSV) },
    { name: 'fix-direct-major', from: () => fixture('fix-direct-major'), registry: () => universe.url, ready: universePresent },
  ];
  for (const { name, from, registry, ready } of cases) {
    it.skipIf(!ready || !npmPresent)(`${name}: npm's own lockfile from the written package.json audits clean`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-npm-'));
      cpSync(from(), dir, { recursive: true });
      const before = await run('npm', ['audit', '--json', '--package-lock-only'], dir, registry());
      expect(Object.keys(JSON.parse(before.stdout).vulnerabilities).length).toBeGreaterThan(0);
      const written = await depguard(['fix', dir, '--write', '--no-audit-overrides'], dir, registry());
      expect(written.code).toBe(0);
      const install = await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], dir, registry());
      expect(install.code, install.stderr).toBe(0);
      const audit = await run('npm', ['audit', '--json', '--package-lock-only'], dir, registry());
      expect(JSON.parse(audit.stdout).vulnerabilities).toEqual({});
    }, 120_000);
  }
});

describe('depguard fix on a project without a resolved tree', () => {
  it('exits 2 naming the missing lockfile instead of reporting nothing to fix', async () => {
    const result = await depguard(['fix', fixture('lockfile-missing')], tmpdir(), 'http://127.0.0.1:9/');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no package-lock.json, npm-shrinkwrap.json or node_modules');
    expect(result.stderr).toContain('npm install --package-lock-only --ignore-scripts');
    expect(result.stdout).toBe('');
  });
});
