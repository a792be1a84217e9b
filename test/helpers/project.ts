import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(REPO, 'fixtures/projects');
/**
 * Third-party data beside the clone (CI lays ../shared next to it); tests skip when it is absent.
 * DEPGUARD_SHARED_DATA points elsewhere, for a git worktree that is not beside it.
 */
export const SHARED_DATA = process.env.DEPGUARD_SHARED_DATA ? resolve(process.env.DEPGUARD_SHARED_DATA) : resolve(REPO, '../shared/data');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary project folder with the given files (objects are written as JSON). */
export function tempProject(files: Record<string, string | object>, from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-test-'));
  made.push(dir);
  if (from) cpSync(from, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return dir;
}

/**
 * An npm cache folder holding, where `depguard db update` puts it, the Node.js
 * core vulnerability index of our own making (fixtures/nodejs-core): audits
 * through it judge engines/vulnerable-runtime without reading the user's ~/.npm.
 */
export function nodejsCoreCache(): string {
  const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
  made.push(cache);
  mkdirSync(join(cache, '_depguard', 'nodejs-core'), { recursive: true });
  cpSync(join(REPO, 'fixtures/nodejs-core/index.json'), join(cache, '_depguard', 'nodejs-core', 'index.json'));
  return cache;
}

/**
 * An npm project named `app` as files for tempProject: package.json with
 * `dependencies` and a lockfileVersion 3 lockfile whose entries are given by
 * package name (`node_modules/<name>`), so a test spells only what matters.
 */
export function npmProject(dependencies: Record<string, string>, entries: Record<string, object>, name = 'app'): Record<string, object> {
  return {
    'package.json': { name, version: '1.0.0', dependencies },
    'package-lock.json': {
      name,
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name, version: '1.0.0', dependencies },
        ...Object.fromEntries(Object.entries(entries).map(([dependency, entry]) => [`node_modules/${dependency}`, entry])),
      },
    },
  };
}

/**
 * The smallest online target: a project that depends on left-pad@1.3.0 only,
 * locked at `registry` with the tarball's integrity. The hostile-registry
 * tests (test/security/) point it at their loopback servers.
 */
export function leftPadProject(registry: string, integrity: string): Record<string, object> {
  return npmProject({ 'left-pad': '1.3.0' }, { 'left-pad': { version: '1.3.0', resolved: `${registry}left-pad/-/left-pad-1.3.0.tgz`, integrity } }, 'victim');
}
