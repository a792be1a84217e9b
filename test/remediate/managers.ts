// What the package-manager tests of depguard fix share (pnpm.test.ts,
// bun.test.ts, yarn.test.ts): the express 4 universe on a loopback registry
// with the real GitHub advisories as the bulk answer, an environment whose
// caches and config are fresh folders, copies of a fixture, and a manager's
// binary run asynchronously (the registry answers from this process).
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
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
