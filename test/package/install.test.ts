// depguard as users install it: `npm pack`, then `npm install <tarball>` in a
// fresh project whose registry is a loopback server that serves only
// depguard's production dependency tree (packuments built from this repo's
// package-lock.json, tarballs packed from its node_modules). A request for
// anything else (a development dependency) is answered 404 and logged, so the
// install would fail and the test names it. Then the installed bin runs
// `--help` and `check` on this Node.js (the pinned one under `npm test`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO } from '../helpers/project.js';
import { spawnCollect } from '../helpers/cli.js';

interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  bin?: unknown;
  license?: string;
}

const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string>; scripts: Record<string, string> };

/** The package name a lockfile location installs (`node_modules/a/node_modules/@s/b` → `@s/b`). */
function nameAt(location: string, entry: LockEntry): string {
  return entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) => spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });

/** Without blocking this process: the loopback registry below must answer while npm installs. */
async function runAsync(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await spawnCollect(command, args, { cwd, env: { ...process.env, ...env } });
  return { status: code, stdout, stderr };
}

let server: Server;
let url = '';
const asked: string[] = [];
let work = '';
let installOutput = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depguard-pack-'));
  // Production packages of the lockfile, with the tarball of each installed copy (packed here, data only).
  const versions = new Map<string, Map<string, { entry: LockEntry; tarball: Buffer; integrity: string }>>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location === '' || entry.dev || entry.link || !location.includes('node_modules/')) continue;
    const name = nameAt(location, entry);
    if (versions.get(name)?.has(entry.version!)) continue;
    const dir = join(REPO, location);
    if (!existsSync(dir)) continue; // an optional package for another platform: npm skips it too
    const staging = mkdtempSync(join(work, 'stage-'));
    cpSync(dir, join(staging, 'package'), { recursive: true, filter: (source) => !source.slice(dir.length).includes('/node_modules') });
    const file = join(work, `${name.replace('/', '+')}-${entry.version}.tgz`);
    const tar = run('tar', ['-czf', file, '-C', staging, 'package'], work);
    if (tar.status !== 0) throw new Error(`tar failed for ${location}: ${tar.stderr}`);
    const tarball = readFileSync(file);
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    if (!versions.has(name)) versions.set(name, new Map());
    versions.get(name)!.set(entry.version!, { entry, tarball, integrity });
  }
  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    asked.push(path);
    const tarball = /^\/(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path);
    if (tarball) {
      const found = versions.get(tarball[1]!)?.get(tarball[2]!);
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/octet-stream' });
      res.end(found ? found.tarball : '');
      return;
    }
    const name = path.slice(1);
    const known = versions.get(name);
    if (!known) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    const docs: Record<string, unknown> = {};
    for (const [version, { entry, integrity }] of known) {
      docs[version] = {
        name,
        version,
        dependencies: entry.dependencies ?? {},
        optionalDependencies: entry.optionalDependencies ?? {},
        peerDependencies: entry.peerDependencies ?? {},
        ...(entry.peerDependenciesMeta ? { peerDependenciesMeta: entry.peerDependenciesMeta } : {}),
        ...(entry.engines ? { engines: entry.engines } : {}),
        ...(entry.os ? { os: entry.os } : {}),
        ...(entry.cpu ? { cpu: entry.cpu } : {}),
        dist: { integrity, tarball: `${url}${name}/-/${name.split('/').pop()}-${version}.tgz` },
      };
    }
    const latest = [...known.keys()].at(-1)!;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name, 'dist-tags': { latest }, versions: docs }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 240_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the packed package', () => {
  it('builds in prepack, and the tarball holds dist/ with no install or prepare script', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[script]).toBeUndefined();
    // pretest has just built dist/; packing again must not rewrite it under the other tests' feet.
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO);
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((file) => file.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('bin/depguard.js');
    expect(files.some((file) => file.startsWith('src/') || file.startsWith('test/'))).toBe(false);
    writeFileSync(join(work, 'tarball-name'), packed!.filename);
  });

  it('installs from the tarball with only production dependencies, no script, no engine warning', async () => {
    const project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const tarball = join(work, readFileSync(join(work, 'tarball-name'), 'utf8'));
    const install = await runAsync('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], project, {
      npm_config_registry: url,
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_fetch_retries: '0',
      npm_config_loglevel: 'warn',
      // The user's npm config (a mirror, allowScripts) must not decide this install.
      npm_config_userconfig: join(work, 'npmrc'),
    });
    installOutput = `${install.stdout}\n${install.stderr}`;
    expect(install.status, installOutput).toBe(0);
    expect(installOutput).not.toContain('EBADENGINE');
    expect(installOutput).not.toMatch(/install-scripts|prepare/);
    // Only production packages were asked for: every packument request named one the server knows.
    // Names that only development dependencies bring in (a name with a production copy too may be asked for).
    const prodNames = new Set(Object.entries(lock.packages).filter(([location, entry]) => location !== '' && !entry.dev).map(([location, entry]) => nameAt(location, entry)));
    const devNames = new Set(Object.entries(lock.packages).filter(([location, entry]) => location !== '' && entry.dev).map(([location, entry]) => nameAt(location, entry)).filter((name) => !prodNames.has(name)));
    const requested = asked.filter((path) => !path.includes('/-/')).map((path) => path.slice(1));
    expect(requested.filter((name) => devNames.has(name))).toEqual([]);
    expect(requested.length).toBeGreaterThan(0);
    // No development dependency is installed, by its full name: a scope can hold both (@yarnpkg/parsers is a dependency, @yarnpkg/cli-dist a devDependency).
    const installed = Object.keys(manifest.devDependencies).filter((dev) => existsSync(join(project, 'node_modules', dev)));
    expect(installed).toEqual([]);
    expect(existsSync(join(project, 'node_modules/depguard/dist/cli/main.js'))).toBe(true);
  });

  it('runs --help and check from the installed bin', () => {
    const project = join(work, 'consumer');
    const bin = join(project, 'node_modules/.bin/depguard');
    const help = run(process.execPath, [bin, '--help'], project);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('depguard <command>');
    const check = run(process.execPath, [bin, 'check', fixture('advisories-app'), '--advisory-source', join(REPO, 'fixtures/advisories/osv'), '--offline', '--format', 'json'], project, { npm_config_cache: join(work, 'npm-cache') });
    expect(check.status, check.stderr).toBe(1);
    const doc = JSON.parse(check.stdout);
    expect(doc.tool).toEqual({ name: 'depguard', version: manifest.version });
    expect(doc.findings.some((f: { rule: string }) => f.rule === 'advisories/malicious')).toBe(true);
  });

  it('on an unsupported Node.js, says in one line which work and how to run it anyway, exit 2, --help too', () => {
    // The machine's own Node.js, when it is one depguard does not support (the pinned one runs the tests).
    const system = (process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules')).map((dir) => join(dir, 'node')).find((file) => existsSync(file));
    const version = system ? run(system, ['--version'], work).stdout.trim() : '';
    const unsupported = /^v(\d+)\.(\d+)/.exec(version);
    const [major, minor] = unsupported ? [Number(unsupported[1]), Number(unsupported[2])] : [0, 0];
    if (!system || (major === 22 && minor >= 22) || (major === 24 && minor >= 15) || major === 26) {
      console.warn(`skipping the unsupported-Node.js launcher test: no unsupported Node.js on PATH (found ${version || 'none'})`);
      return;
    }
    const bin = join(work, 'consumer/node_modules/depguard/bin/depguard.js');
    for (const args of [['--help'], ['check', '.', '--skip', 'a b']]) {
      const result = run(system, [bin, ...args], work);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`Node.js ${version.slice(1)} is not supported; it runs on Node.js ^22.22.2, ^24.15.0 or ^26.0.0`);
      expect(lines[0]).toContain(`npx -p node@24 depguard ${args[0] === '--help' ? '--help' : "check . --skip 'a b'"}`);
    }
  });
});
