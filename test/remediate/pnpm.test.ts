// depguard fix on a pnpm project, verified by pnpm itself (the pinned pnpm
// devDependency) against a loopback registry serving the express 4 universe
// (fixtures/universes/express-4.json) and the real GitHub advisories of
// shared/data as the bulk endpoint's answer: the plan is re-resolved by
// `pnpm install --lockfile-only` in a sanitised copy and re-audited; written
// overrides go where pnpm 11 reads them (pnpm-workspace.yaml) and pnpm's own
// re-resolution of the written project is clean of what the plan fixed; with
// no pnpm on PATH the plan is labelled unverified; a hostile .pnpmfile.cjs is
// never run.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdvisoryServer } from '../advisories/advisory-server.js';
import { fixture, REPO } from '../helpers/project.js';
import { runInProcess } from '../helpers/in-process.js';
import { assess } from '../../src/remediate/assess.js';
import { planContext } from './context.js';
import { binaryVersion, EXPRESS_HIT as HIT, expressUniverse, useUniverses, OSV, osvPresent as present, projectCopy, runManager, expectWorkspaceReResolved, moveIntoWorkspace } from './managers.js';

const PNPM = join(REPO, 'node_modules/.bin/pnpm');
if (!present) console.warn(`skipping depguard fix on pnpm projects: ${OSV} is absent (shared data not laid beside the clone)`);
const pnpmRuns = binaryVersion(PNPM) === '11.29.0';
if (!pnpmRuns) console.warn(`skipping pnpm verification tests: ${PNPM} (the pnpm devDependency) does not run here`);

const { full, trimmed, environment: managerEnv } = useUniverses(expressUniverse);

/** npm's config at `server`, fresh caches, and PATH holding the pinned Node.js and pnpm (or nothing). */
function environment(server: AdvisoryServer, path: 'pnpm' | 'empty'): void {
  managerEnv(server, path === 'pnpm' ? [dirname(PNPM)] : []);
}

const project = (edit?: (dir: string) => void): string => projectCopy('fix-express-pnpm', edit);

/** `pnpm install --lockfile-only` run by the test itself, as a user would after --write. */
function pnpmInstall(dir: string, server: AdvisoryServer, extra: string[] = ['--ignore-pnpmfile']): Promise<void> {
  return runManager(PNPM, ['install', '--lockfile-only', '--ignore-scripts', '--no-frozen-lockfile', `--registry=${server.url}`, '--reporter=silent', ...extra], dir);
}

describe.skipIf(!present || !pnpmRuns)('depguard fix on a pnpm project, verified by pnpm', () => {
  it('plans on pnpm-lock.yaml and pnpm verifies the plan: express 4.21.2 fixes all 9 hits, introduces none', async () => {
    environment(full(), 'pnpm');
    const dir = project();
    const lock = readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8');
    const result = await runInProcess(['fix', dir, '--format', 'json', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ packageManager: 'pnpm', lockfile: 'pnpm-lock.yaml', verifiedBy: { manager: 'pnpm', version: '11.29.0' } });
    expect(doc.packages.map((entry: { package: string }) => entry.package)).toEqual(HIT);
    for (const entry of doc.packages) expect(entry.suggestions[0], entry.package).toMatchObject({ verified: true, offered: true });
    expect(doc.plan).toMatchObject({ overrides: null, dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }], update: [], verified: true });
    expect(doc.plan.verification.fixed).toHaveLength(9);
    expect(doc.plan.verification).toMatchObject({ stillVulnerable: [], introduced: [] });
    // Nothing on disk changed: pnpm ran in a temporary copy.
    expect(readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8')).toBe(lock);
  }, 300_000);

  it('overrides in pnpm 11 syntax go to pnpm-workspace.yaml; pnpm install then resolves a lockfile depguard finds clean of them', async () => {
    environment(trimmed(), 'pnpm');
    // The fixture's lockfile holds express 4.17.1's tree, which the trimmed universe still serves in full.
    const dir = project();
    const client = planContext(trimmed().url);
    const hitsBefore = [...(await assess(dir, client.source, client.client)).hits].sort();
    expect(hitsBefore.map((hit) => hit.split('@')[0])).toEqual(expect.arrayContaining(['qs', 'send', 'cookie', 'path-to-regexp']));

    const result = await runInProcess(['fix', dir, '--write', '--format', 'json', '--no-progress']);
    const doc = JSON.parse(result.stdout);
    // express itself has no fixed 4.x here: exit 1, and no suggestion for it.
    expect(result.code).toBe(1);
    expect(doc.plan.overrides).toMatchObject({ file: 'pnpm-workspace.yaml', field: 'overrides' });
    expect(Object.keys(doc.plan.overrides.value).every((selector: string) => /^[a-z-]+(>[a-z-]+)?$/.test(selector))).toBe(true);
    expect(doc.plan.overrides.value).toMatchObject({ 'express>qs': '6.7.3' });
    expect(doc.plan.verified).toBe(true);
    expect(doc.plan.verification.introduced).toEqual([]);
    expect(result.stderr).toContain('wrote overrides in pnpm-workspace.yaml');
    expect(result.stderr).toContain('pnpm-lock.yaml is unchanged: run `pnpm install` to apply the plan or pass --lockfile');
    const workspace = readFileSync(join(dir, 'pnpm-workspace.yaml'), 'utf8');
    expect(workspace.startsWith('overrides:\n')).toBe(true);
    for (const [selector, version] of Object.entries(doc.plan.overrides.value)) expect(workspace).toContain(`\n  ${selector}: ${String(version)}\n`);
    // package.json untouched: pnpm 11 does not read its "pnpm" field.
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(readFileSync(join(fixture('fix-express-pnpm'), 'package.json'), 'utf8'));

    // What the user runs next: pnpm's own resolution of the written project, then depguard's audit of that lockfile.
    await pnpmInstall(dir, trimmed());
    expect(readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8')).toContain('express>qs: 6.7.3');
    const hitsAfter = [...(await assess(dir, client.source, client.client)).hits].sort();
    const fixed = doc.plan.verification.fixed as string[];
    expect(fixed.length).toBeGreaterThan(0);
    for (const key of fixed) expect(hitsAfter.some((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}` === key), key).toBe(false);
    expect(hitsAfter.length).toBeLessThan(hitsBefore.length);
  }, 600_000);

  it("a hostile .pnpmfile.cjs, the project's .npmrc and pnpm-workspace.yaml's pnpmfile are never used by the verification (canary)", async () => {
    environment(full(), 'pnpm');
    const canary = join(mkdtempSync(join(tmpdir(), 'depguard-canary-')), 'pnpmfile-ran');
    const hostile = (dir: string) => {
      const hook = `require('node:fs').writeFileSync(${JSON.stringify(canary)}, 'ran'); module.exports = { hooks: {} };\n`;
      writeFileSync(join(dir, '.pnpmfile.cjs'), hook);
      writeFileSync(join(dir, 'evil.cjs'), hook);
      writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'pnpmfile: evil.cjs\n');
      // A registry nobody listens on: a verification that read it would fail, not verify.
      writeFileSync(join(dir, '.npmrc'), 'registry=http://127.0.0.1:9/\npnpmfile=evil.cjs\n');
    };
    const result = await runInProcess(['fix', project(hostile), '--format', 'json', '--no-progress']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).plan).toMatchObject({ verified: true, dependencies: [{ name: 'express', spec: '4.21.2' }] });
    expect(existsSync(canary)).toBe(false);
    // The control: pnpm run in the project itself, as a user would without the flag, does run the hook.
    const control = project(hostile);
    writeFileSync(join(control, '.npmrc'), '');
    await pnpmInstall(control, full(), []);
    expect(readFileSync(canary, 'utf8')).toBe('ran');
  }, 300_000);
});

describe.skipIf(!present)('depguard fix on a pnpm project without pnpm', () => {
  it('labels every suggestion and the plan unverified, with the reason, in JSON and text; --write refuses unless --allow-unverified', async () => {
    environment(full(), 'empty');
    const dir = project();
    const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
    const json = await runInProcess(['fix', dir, '--format', 'json', '--no-progress']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ packageManager: 'pnpm', verifiedBy: null });
    expect(doc.plan).toMatchObject({ verified: false, unverified: 'pnpm is not installed (not found on PATH)', verification: null });
    // Each package's first-ranked candidate joined, the highest express target among them (path-to-regexp's).
    expect(doc.plan.dependencies).toEqual([{ field: 'dependencies', name: 'express', spec: '4.21.2' }]);
    for (const entry of doc.packages) {
      for (const s of entry.suggestions) expect(s, entry.package).toMatchObject({ verified: false, offered: false, verification: { unverified: 'pnpm is not installed (not found on PATH)', fixed: [] } });
    }
    const text = await runInProcess(['fix', dir, '--no-progress']);
    expect(text.stdout.split('\n')[0]).toBe('UNVERIFIED: pnpm is not installed (not found on PATH). The suggestions below were not re-resolved by pnpm: each is a candidate, not a verified fix.');
    expect(text.stdout).toContain('[unverified] parent-upgrade: express 4.17.1 → 4.21.1');
    expect(text.stdout).toContain('NOT VERIFIED: pnpm is not installed (not found on PATH)');
    expect(text.stdout).not.toContain('[best]');
    expect(text.stdout).not.toContain('verified together');
    const markdown = await runInProcess(['fix', dir, '--format', 'markdown', '--no-progress']);
    expect(markdown.stdout).toContain('> UNVERIFIED: pnpm is not installed');
    expect(markdown.stdout).toContain('| unverified | parent-upgrade |');

    const refused = await runInProcess(['fix', dir, '--write', '--no-progress']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing written: the plan is UNVERIFIED (pnpm is not installed (not found on PATH))');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(manifest);
    const allowed = await runInProcess(['fix', dir, '--write', '--allow-unverified', '--no-progress']);
    expect(allowed.code).toBe(1);
    expect(allowed.stderr).toContain('writing an UNVERIFIED plan');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies).toEqual({ express: '4.21.2' });
  }, 120_000);

  it('--package-manager contradicting the pnpm lockfile is an error naming both', async () => {
    environment(full(), 'empty');
    const result = await runInProcess(['fix', project(), '--package-manager', 'yarn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--package-manager yarn contradicts the project\'s lockfile pnpm-lock.yaml (pnpm)');
    // --lockfile has pnpm rewrite pnpm-lock.yaml in a copy: without pnpm, refused before anything is planned or written.
    const refused = await runInProcess(['fix', project(), '--write', '--lockfile']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--lockfile: pnpm cannot run here (pnpm is not installed (not found on PATH))');
  }, 60_000);
});

describe.skipIf(!present || !pnpmRuns)('depguard fix on a pnpm workspace project, verified by pnpm', () => {
  it("pnpm re-resolves a copy that holds the workspace's package.json: the plan is verified on a tree that keeps the workspace's dependencies", async () => {
    environment(full(), 'pnpm');
    const dir = project((folder) => moveIntoWorkspace(folder, 'pnpm-workspace.yaml'));
    // The workspace's lockfile, as pnpm itself writes it.
    await pnpmInstall(dir, full());
    const result = await runInProcess(['fix', dir, '--format', 'json', '--no-progress']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expectWorkspaceReResolved(doc);
  }, 300_000);
});
