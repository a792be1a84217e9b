// depguard fix on read-only files (issue 15, item 6): the temporary copies it
// re-resolves are writable whatever the project's file modes, a temporary
// folder is removed even when the re-resolution fails, and `--write` never
// claims a plan with no verified change is "already" in package.json.
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCopy, type VerifyContext } from '../../src/remediate/verify.js';
import { fixture } from '../helpers/project.js';
import { depguard } from '../helpers/cli.js';

let privateTmp: string;
let saved: string | undefined;
beforeEach(() => {
  // os.tmpdir() follows TMPDIR: a folder of this test's own, to count what is left in it.
  saved = process.env.TMPDIR;
  privateTmp = mkdtempSync(join(tmpdir(), 'depguard-fix-tmp-'));
  process.env.TMPDIR = privateTmp;
});
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
  rmSync(privateTmp, { recursive: true, force: true });
});

/** A project whose package.json and lockfile are read-only (mode 0444). */
function readOnlyProject(dependencies: Record<string, string>): string {
  const dir = mkdtempSync(join(saved ?? '/tmp', 'depguard-fix-ro-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'app', version: '1.0.0', dependencies })}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies } } })}\n`);
  chmodSync(join(dir, 'package.json'), 0o444);
  chmodSync(join(dir, 'package-lock.json'), 0o444);
  return dir;
}

describe('depguard fix on read-only files (security-fix)', () => {
  // A registry nothing listens on, no retries.
  const ctx = { registry: 'http://127.0.0.1:9/', cache: '', fetchOptions: { retry: { retries: 0 }, offline: false } } as unknown as VerifyContext;

  it('the temporary copy of a read-only project is writable', async () => {
    const copy = await resolveCopy(readOnlyProject({}), { name: 'app', version: '1.0.0' }, undefined, { ...ctx, cache: join(privateTmp, 'cache') });
    try {
      expect(statSync(join(copy, 'package-lock.json')).mode & 0o200).toBe(0o200);
      expect(statSync(join(copy, 'package.json')).mode & 0o200).toBe(0o200);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the temporary folder is removed when the re-resolution fails', async () => {
    const error = await resolveCopy(readOnlyProject({ nope: '1.0.0' }), { name: 'app', version: '1.0.0', dependencies: { nope: '1.0.0' } }, undefined, { ...ctx, cache: join(privateTmp, 'cache') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('depguard-fix-'))).toEqual([]);
  });

  it('--write with nothing to fix leaves no depguard-fix-* folder', () => {
    const dir = mkdtempSync(join(saved ?? '/tmp', 'depguard-fix-clean-'));
    cpSync(fixture('clean-app'), dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) if (existsSync(join(dir, file))) chmodSync(join(dir, file), 0o444);
    // An advisory database with one record, about a package the project does not have.
    const osv = mkdtempSync(join(saved ?? '/tmp', 'depguard-fix-osv-'));
    const record = { id: 'GHSA-0000-0000-0000', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'not-in-this-project' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] };
    writeFileSync(join(osv, 'GHSA-0000-0000-0000.json'), JSON.stringify(record));
    const result = depguard(['fix', dir, '--write', '--advisory-source', osv], { env: { TMPDIR: privateTmp } });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('verification');
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('depguard-fix-'))).toEqual([]);
  });
});

describe('the --write message when verifications failed (security-fix)', () => {
  it('names the failures instead of saying the plan is already in package.json', async () => {
    const { failedVerifications } = await import('../../src/cli/commands/fix.js');
    const failed = { offered: false, verification: { error: "EACCES: permission denied, open '/tmp/depguard-fix-x/package-lock.json'" } };
    const ok = { offered: true, verification: {} };
    expect(failedVerifications({ packages: [{ package: 'minimist', suggestions: [failed, failed] }, { package: 'ms', suggestions: [failed, ok] }] })).toEqual([
      "minimist: EACCES: permission denied, open '/tmp/depguard-fix-x/package-lock.json'",
      "minimist: EACCES: permission denied, open '/tmp/depguard-fix-x/package-lock.json'",
    ]);
    expect(failedVerifications({ packages: [] })).toEqual([]);
  });
});
