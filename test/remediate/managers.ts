// What the package-manager tests of depguard fix share (pnpm.test.ts,
// bun.test.ts, yarn.test.ts): the express 4 universe on a loopback registry
// with the real GitHub advisories as the bulk answer, an environment whose
// caches and config are fresh folders, copies of a fixture, and a manager's
// binary run asynchronously (the registry answers from this process).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from '../advisories/advisory-server.js';
import { recordedPackuments } from '../advisories/universe.js';
import { useLoopbackRegistry } from '../helpers/in-process.js';
import { fixture, REPO, SHARED_DATA } from '../helpers/project.js';

export const OSV = join(SHARED_DATA, 'advisories/osv');
export const osvPresent = existsSync(OSV);

/** The packages an advisory hits under express 4.17.1 (fixtures/universes/express-4.json). */
export const EXPRESS_HIT = ['body-parser', 'cookie', 'express', 'path-to-regexp', 'qs', 'send', 'serve-static'];

/** The express universe; `trimmed`: express 4.17.1 only, so no express upgrade exists and the plan must override. */
export async function expressUniverse(trimmed: boolean): Promise<AdvisoryServer> {
  const server = await new AdvisoryServer().start();
  for (const [name, doc] of recordedPackuments(join(REPO, 'fixtures/universes/express-4.json'))) {
    if (trimmed && name === 'express') {
      const versions = doc.versions as Record<string, unknown>;
      server.packuments.set(name, { ...doc, 'dist-tags': { latest: '4.17.1' }, versions: { '4.17.1': versions['4.17.1'] } });
    } else server.packuments.set(name, doc);
  }
  if (osvPresent) server.bulk = bulkFrom(osvFolderAdvisories(OSV));
  return server;
}

/** The binary's `--version` when it runs here with the pinned Node.js on PATH, else null (the caller skips, saying why). */
export function binaryVersion(bin: string): string | null {
  if (!existsSync(bin)) return null;
  try {
    return execFileSync(bin, ['--version'], { env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }, stdio: 'pipe' }).toString().trim();
  } catch {
    return null;
  }
}

/**
 * npm's config at `server`; the managers' caches and config (XDG folders,
 * bun's cache) in fresh folders; PATH holding only `path` (and the pinned
 * Node.js when not empty). Returns what restores the environment.
 */
export function managerEnvironment(server: AdvisoryServer, path: string[]): () => void {
  const restore = useLoopbackRegistry(server.url);
  const home = mkdtempSync(join(tmpdir(), 'depguard-pm-home-'));
  for (const name of ['XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME']) process.env[name] = join(home, name.toLowerCase());
  process.env.npm_config_cache = join(home, 'npm-cache');
  process.env.BUN_INSTALL_CACHE_DIR = join(home, 'bun-cache');
  process.env.YARN_CACHE_FOLDER = join(home, 'yarn-cache');
  process.env.YARN_GLOBAL_FOLDER = join(home, 'yarn-global');
  process.env.PATH = path.length === 0 ? '' : [...path, dirname(process.execPath)].join(':');
  return restore;
}

/** A temporary copy of a fixture project, edited by `edit`. */
export function projectCopy(name: string, edit?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), `depguard-${name}-`));
  cpSync(fixture(name), dir, { recursive: true });
  edit?.(dir);
  return dir;
}

/** A manager run by the test itself, as a user would after --write. */
export function runManager(bin: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd, env: process.env, timeout: 180_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}${stdout}`)) : resolve()));
  });
}

/** A ustar archive of `package/package.json` (fixed mode, owner and time, so the same manifest always gives the same bytes), gzipped. */
export function manifestTarball(manifest: Record<string, unknown>): Buffer {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  field('package/package.json', 0, 100);
  field('0000644\0', 100, 8);
  field('0000000\0', 108, 8);
  field('0000000\0', 116, 8);
  field(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  field('00000000000\0', 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return gzipSync(Buffer.concat([header, body, padding, Buffer.alloc(1024)]), { level: 9 });
}

/**
 * The express universe with a tarball behind every version (its package.json
 * only), for managers that fetch tarballs to resolve (yarn classic installs,
 * berry checksums new entries): dist.tarball points at this server, with the
 * tarball's own integrity and shasum.
 */
export class TarballUniverse extends AdvisoryServer {
  readonly tarballs = new Map<string, Buffer>();

  protected override handle(req: IncomingMessage, res: ServerResponse): void {
    const tarball = req.method === 'GET' ? this.tarballs.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
    if (!tarball) return super.handle(req, res);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(tarball.length) });
    res.end(tarball);
  }

  static async express(trimmed: boolean): Promise<TarballUniverse> {
    const server = await new TarballUniverse().start();
    for (const [name, doc] of recordedPackuments(join(REPO, 'fixtures/universes/express-4.json'))) {
      const versions: Record<string, Record<string, unknown>> = {};
      for (const [version, manifest] of Object.entries(doc.versions as Record<string, Record<string, unknown>>)) {
        if (trimmed && name === 'express' && version !== '4.17.1') continue;
        const { dist: _dist, ...fields } = manifest;
        const bytes = manifestTarball(fields);
        const path = `/${name}/-/${name.slice(name.indexOf('/') + 1)}-${version}.tgz`;
        server.tarballs.set(path, bytes);
        versions[version] = { ...fields, dist: { tarball: `${server.url.slice(0, -1)}${path}`, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, shasum: createHash('sha1').update(bytes).digest('hex') } };
      }
      // Publication times, as the registry gives them: yarn 4 quarantines versions whose age it cannot tell (npmMinimalAgeGate).
      const time = { created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', ...Object.fromEntries(Object.keys(versions).map((version) => [version, '2020-01-01T00:00:00.000Z'])) };
      server.packuments.set(name, { ...doc, ...(trimmed && name === 'express' ? { 'dist-tags': { latest: '4.17.1' } } : {}), versions, time });
    }
    if (osvPresent) server.bulk = bulkFrom(osvFolderAdvisories(OSV));
    return server;
  }
}

/**
 * The full and the trimmed universe for a test file (started before its
 * tests, stopped after), and `environment(server, path)`: managerEnvironment
 * for one test, restored after it.
 */
export function useUniverses<T extends AdvisoryServer>(start: (trimmed: boolean) => Promise<T>): { full(): T; trimmed(): T; environment(server: T, path: string[]): void } {
  let full: T;
  let trimmed: T;
  let restore: (() => void) | null = null;
  beforeAll(async () => {
    full = await start(false);
    trimmed = await start(true);
  });
  afterAll(async () => {
    await full.stop();
    await trimmed.stop();
  });
  afterEach(() => {
    restore?.();
    restore = null;
  });
  return { full: () => full, trimmed: () => trimmed, environment: (server, path) => (restore = managerEnvironment(server, path)) };
}

/**
 * A fix-express fixture made a workspace project: the root declares no
 * dependency, its workspace `packages/web` pins express 4.17.1; `declare`
 * says where the manager finds its workspaces (package.json `workspaces`, or
 * pnpm-workspace.yaml `packages`). The test then has the manager write the lockfile.
 */
export function moveIntoWorkspace(folder: string, declare: 'package.json' | 'pnpm-workspace.yaml'): void {
  const root = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  delete root.dependencies;
  if (declare === 'package.json') root.workspaces = ['packages/*'];
  else writeFileSync(join(folder, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(root, null, 2)}\n`);
  mkdirSync(join(folder, 'packages/web'), { recursive: true });
  writeFileSync(join(folder, 'packages/web/package.json'), `${JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { express: '4.17.1' } }, null, 2)}\n`);
}

/** `fix --format json` on moveIntoWorkspace's project: verified on a tree that keeps the workspace's dependencies. */
export function expectWorkspaceReResolved(doc: any): void {
  expect(doc.packages.map((entry: { package: string }) => entry.package)).toEqual(EXPRESS_HIT);
  for (const entry of doc.packages) for (const suggestion of entry.suggestions) expect(String(suggestion.verification?.error ?? ''), entry.package).not.toMatch(/^not re-resolved/);
  expect(doc.plan.verified).toBe(true);
  const joined = doc.plan.verification;
  expect(joined.introduced).toEqual([]);
  expect(joined.fixed).toEqual(expect.arrayContaining(['express GHSA-qw6h-vgh9-j6wx']));
  // express moved; array-flatten (the same in every express 4) did not: the workspace's tree was re-resolved, not dropped.
  expect(joined.changed).toContain('express');
  expect(joined.changed).not.toContain('array-flatten');
}
