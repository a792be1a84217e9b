// Every error that reaches the CLI has a code, and every code has its remedy
// in one table (ERROR_HINTS); the stages' own error kinds and the operating
// system's file errors are translated at the CLI edge, never "internal error".
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toDepguardError } from '../src/cli/errors.js';
import { GitError } from '../src/commands/diff/git.js';
import { AdvisorySourceError } from '../src/enrich/advisories/types.js';
import { RegistryError } from '../src/enrich/registry-client.js';
import { DepguardError, ERROR_HINTS, type ErrorCode } from '../src/errors.js';
import { depguard } from './helpers/cli.js';
import { REPO, tempProject } from './helpers/project.js';

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
}

describe('error codes', () => {
  it('every code thrown in src/ has a remedy in ERROR_HINTS, and every remedy is used', () => {
    const thrown = new Set<string>();
    for (const file of sources('src')) {
      for (const match of readFileSync(join(REPO, file), 'utf8').matchAll(/new DepguardError\(\s*'([A-Z_]+)'/g)) thrown.add(match[1]!);
    }
    for (const code of thrown) expect(ERROR_HINTS, code).toHaveProperty(code);
    for (const [code, hint] of Object.entries(ERROR_HINTS)) expect(hint.length, code).toBeGreaterThan(10);
    expect(thrown.size).toBeGreaterThan(10);
  });

  it("a DepguardError without a site hint carries its code's remedy; a site hint wins", () => {
    expect(new DepguardError('EBAD_ARGS', 'bad').hint).toBe(ERROR_HINTS.EBAD_ARGS);
    expect(new DepguardError('EBAD_ARGS', 'bad', { hint: 'pass --x' }).hint).toBe('pass --x');
  });

  it('translates the stages’ own errors and file errors at the CLI edge', () => {
    const registry = toDepguardError(new RegistryError('REGISTRY_UNREACHABLE', 'left-pad', 'GET https://registry.example.org/left-pad: 503', { status: 503 }));
    expect(registry).toMatchObject({ code: 'EREGISTRY', hint: ERROR_HINTS.EREGISTRY });
    const advisories = toDepguardError(new AdvisorySourceError('osv', 'no answer', { hint: 'try --advisory-source db' }));
    expect(advisories).toMatchObject({ code: 'EADVISORIES', message: 'advisory source osv: no answer', hint: 'try --advisory-source db' });
    expect(toDepguardError(new GitError('not a git repository', '', 128))).toMatchObject({ code: 'EDIFF_BASE' });
    const isDir = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR', syscall: 'read' });
    expect(toDepguardError(isDir)).toMatchObject({ code: 'EFILE', message: 'is a folder where a file was expected [EISDIR (read)]' });
    const denied = Object.assign(new Error("EACCES: permission denied, open '/x/.npmrc'"), { code: 'EACCES', syscall: 'open', path: '/x/.npmrc' });
    expect(toDepguardError(denied)).toMatchObject({ code: 'EFILE', file: '/x/.npmrc', message: '/x/.npmrc: permission denied [EACCES (open)]' });
    // A bug stays a bug.
    expect(toDepguardError(new TypeError('x is undefined'))).toBeNull();
  });

  it.each<[string, ErrorCode]>([
    ['a package.json that is a folder', 'EFILE'],
    ['a config path that is a folder', 'EFILE'],
  ])('%s is exit 2 with a code’s hint, not an internal error', (name) => {
    const dir = tempProject({});
    let args: string[];
    if (name.startsWith('a package.json')) {
      mkdirSync(join(dir, 'package.json'));
      args = ['check', dir];
    } else {
      writeFileSync(join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}\n');
      writeFileSync(join(dir, 'package-lock.json'), '{"name":"x","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","version":"1.0.0"}}}\n');
      mkdirSync(join(dir, 'config-folder'));
      args = ['check', dir, '--config', join(dir, 'config-folder')];
    }
    const result = depguard(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).toMatch(/\nhint: .+\n$/);
  });
});
