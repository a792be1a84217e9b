// depguard fix on a bun project, verified by bun itself (the platform binary
// of the pinned `bun` devDependency, whose postinstall is denied: the binary
// is run from @oven/bun-<platform>) against the express 4 universe on a
// loopback registry: `bun install --lockfile-only --ignore-scripts` in a
// sanitised copy, bun.lock read back by depguard's bun loader and re-audited.
// bun reads top-level overrides only: a scoped override is written (and
// verified) as a global one, and the plan says so.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/project.js';
import { runInProcess } from '../helpers/in-process.js';
import { assess } from '../../src/remediate/assess.js';
import { planContext } from './context.js';
import { binaryVersion, EXPRESS_HIT, expressUniverse, useUniverses, OSV, osvPresent, projectCopy, runManager, expectWorkspaceReResolved, moveIntoWorkspace } from './managers.js';

const BUN = join(REPO, `node_modules/@oven/bun-${process.platform}-${process.arch === 'x64' ? 'x64' : 'aarch64'}/bin/bun`);
if (!osvPresent) console.warn(`skipping depguard fix on bun projects: ${OSV} is absent (shared data not laid beside the clone)`);
const bunRuns = existsSync(BUN) && binaryVersion(BUN) === '1.4.5';
if (!bunRuns) console.warn(`skipping bun verification tests: ${BUN} (the bun devDependency's platform binary) is absent or does not run here`);

const { full, trimmed, environment } = useUniverses(expressUniverse);

const project = (edit?: (dir: string) => void): string => projectCopy('fix-express-bun', edit);

describe.skipIf(!osvPresent || !bunRuns)('depguard fix on a bun project, verified by bun', () => {
  it('plans on bun.lock and bun verifies the plan (express 4.21.2: 9 hits fixed, none introduced); a project bunfig.toml naming another registry is not read', async () => {
    environment(full(), []);
    // A registry nobody listens on: a verification that read the project's bunfig.toml would fail, not verify.
    const dir = project((folder) => writeFileSync(join(folder, 'bunfig.toml'), '[install]\nregistry = "http://127.0.0.1:9/"\n'));
    const result = await runInProcess(['fix', dir, '--format', 'json', '--no-progress', '--package-manager-bin', BUN]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ packageManager: 'bun', lockfile: 'bun.lock', verifiedBy: { manager: 'bun', version: '1.4.5' } });
    expect(doc.packages.map((entry: { package: string }) => entry.package)).toEqual(EXPRESS_HIT);
    expect(doc.plan).toMatchObject({ overrides: null, dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }], verified: true });
    expect(doc.plan.verification.fixed).toHaveLength(9);
    expect(doc.plan.verification.introduced).toEqual([]);
  }, 300_000);

  it('overrides: top-level package.json `overrides`, the scoped ones said to apply everywhere; bun install then resolves a lockfile clean of what the plan fixed', async () => {
    environment(trimmed(), []);
    const dir = project();
    const context = planContext(trimmed().url);
    const hitsBefore = [...(await assess(dir, context.source, context.client)).hits];
    const result = await runInProcess(['fix', dir, '--write', '--format', 'json', '--no-progress', '--package-manager-bin', BUN]);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.plan).toMatchObject({ verified: true, overrides: { field: 'overrides' } });
    expect(doc.plan.overrides.value).toMatchObject({ qs: '6.7.3' });
    // Only top-level keys: bun has no `parent > name` form.
    expect(Object.keys(doc.plan.overrides.value).every((name: string) => !name.includes('/') && !name.includes('>'))).toBe(true);
    expect(doc.plan.overrides.scopedWrittenGlobally).toEqual(expect.arrayContaining(['express > qs']));
    expect(doc.plan.verification.introduced).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.overrides).toEqual(doc.plan.overrides.value);
    expect(result.stderr).toContain('bun.lock is unchanged: run `bun install` to apply the plan or pass --lockfile');

    const text = await runInProcess(['fix', project(), '--no-progress', '--package-manager-bin', BUN]);
    expect(text.stdout).toContain('bun reads top-level overrides only: ');

    await runManager(BUN, ['install', '--lockfile-only', '--ignore-scripts', `--registry=${trimmed().url}`], dir);
    const hitsAfter = [...(await assess(dir, context.source, context.client)).hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`);
    for (const key of doc.plan.verification.fixed as string[]) expect(hitsAfter, key).not.toContain(key);
    expect(hitsAfter.length).toBeLessThan(hitsBefore.length);
  }, 600_000);

  it('--write --lockfile: bun rewrites bun.lock in a sanitised copy and it replaces the project\'s, clean of what the plan fixed', async () => {
    environment(trimmed(), []);
    const dir = project();
    const before = readFileSync(join(dir, 'bun.lock'), 'utf8');
    const result = await runInProcess(['fix', dir, '--write', '--lockfile', '--format', 'json', '--no-progress', '--package-manager-bin', BUN]);
    const doc = JSON.parse(result.stdout);
    expect(result.stderr).toContain('wrote overrides in package.json and refreshed bun.lock');
    expect(doc.written).toMatchObject({ fields: ['overrides'], lockfile: 'bun.lock' });
    const after = readFileSync(join(dir, 'bun.lock'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('"overrides": {');
    const context = planContext(trimmed().url);
    const hits = [...(await assess(dir, context.source, context.client)).hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`);
    expect(doc.plan.verification.fixed.length).toBeGreaterThan(0);
    for (const key of doc.plan.verification.fixed as string[]) expect(hits, key).not.toContain(key);
  }, 300_000);
});

describe.skipIf(!osvPresent || !bunRuns)('depguard fix on a bun workspace project, verified by bun', () => {
  it("bun re-resolves a copy that holds the workspace's package.json: the plan is verified on a tree that keeps the workspace's dependencies", async () => {
    environment(full(), []);
    const dir = project((folder) => moveIntoWorkspace(folder, 'package.json'));
    // The workspace's lockfile, as bun itself writes it.
    await runManager(BUN, ['install', '--lockfile-only', '--ignore-scripts', `--registry=${full().url}`], dir);
    const result = await runInProcess(['fix', dir, '--format', 'json', '--no-progress', '--package-manager-bin', BUN]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expectWorkspaceReResolved(doc);
  }, 300_000);
});
