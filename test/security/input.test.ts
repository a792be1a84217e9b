// Hostile project files (issue 15, item 6): a folder where package.json or
// the lockfile should be, and a lockfile that is a symbolic link to a
// system file. Each is exit 2 with one message naming the file, never an
// internal error, and never the bytes of the file a link points to.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depguard } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

function expectCleanFailure(result: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('hostile project files (security-input)', () => {
  it('a folder named package.json is exit 2 naming it', () => {
    const dir = tempProject({});
    mkdirSync(join(dir, 'package.json'));
    expectCleanFailure(depguard(['check', dir]), /^depguard: package\.json is a folder: expected a JSON file\n/);
  });

  it('a folder named package-lock.json is exit 2 naming it', () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' } });
    mkdirSync(join(dir, 'package-lock.json'));
    expectCleanFailure(depguard(['check', dir]), /^depguard: package-lock\.json is a folder: expected a JSON file\n/);
  });

  it('a lockfile linked to another file: the error never quotes its bytes', () => {
    const secret = tempProject({});
    writeFileSync(join(secret, 'passwd'), 'root:x:0:0:SECRETPW:/root:/bin/bash\n');
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' } });
    symlinkSync(join(secret, 'passwd'), join(dir, 'package-lock.json'));
    const result = depguard(['check', dir]);
    expectCleanFailure(result, /^depguard: package-lock\.json is not valid JSON/);
    expect(result.stderr).not.toContain('root');
    expect(result.stderr).not.toContain('SECRETPW');
  });

  it('a package.json that is not JSON: the message names the place, not the content', () => {
    const dir = tempProject({ 'package.json': '{"name": "app", "token": "SECRETPW", oops}' });
    const result = depguard(['check', dir]);
    expectCleanFailure(result, /^depguard: package\.json is not valid JSON at line 1, column \d+/);
    expect(result.stderr).not.toContain('SECRETPW');
  });

  it('a dependency named toString inside a lockfile entry: the message names the entry and the field', () => {
    const dir = tempProject({
      'package.json': { name: 'app', version: '1.0.0', dependencies: { a: '1.0.0' } },
      'package-lock.json': {
        name: 'app',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { a: '1.0.0' } },
          'node_modules/a': { version: '1.0.0', resolved: 'https://registry.example.org/a/-/a-1.0.0.tgz', dependencies: { toString: '1.0.0' } },
        },
      },
    });
    expectCleanFailure(depguard(['check', dir]), /^depguard: package-lock\.json: packages\["node_modules\/a"\]\.dependencies\["toString"\]: "toString" cannot be a dependency name/);
  });

  it('a lockfile entry field of the wrong type names the entry and the field', () => {
    const dir = tempProject({
      'package.json': { name: 'app', version: '1.0.0' },
      'package-lock.json': { name: 'app', lockfileVersion: 3, packages: { '': { name: 'app', version: '1.0.0' }, 'node_modules/a': { version: 5, dependencies: [] } } },
    });
    expectCleanFailure(depguard(['check', dir]), /^depguard: package-lock\.json: packages\["node_modules\/a"\]\.version must be a string, found a number\n/);
  });
});
