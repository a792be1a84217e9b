// depguard fix on yarn projects, verified by yarn itself: yarn 1.22.22
// (`yarn install --ignore-scripts` in a copy whose yarn.lock points every
// entry at the configured registry) and yarn 4.18.1 (`yarn install
// --mode=update-lockfile` with a .yarnrc.yml of depguard's own), both pinned
// as devDependencies, against the express universe with a tarball behind
// every version (yarn fetches tarballs to resolve). A hostile .yarnrc.yml
// (yarnPath, plugins, another registry) is never used: the canary its yarnPath
// would write stays absent, while yarn run in the project itself runs it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/project.js';
import { runInProcess } from '../helpers/in-process.js';
import { assess } from '../../src/remediate/assess.js';
import { planContext } from './context.js';
import { berryRc, yarnEnvironment } from '../../src/remediate/yarn.js';
import { binaryVersion, EXPRESS_HIT, useUniverses, OSV, osvPresent, projectCopy, runManager, TarballUniverse, expectWorkspaceReResolved, moveIntoWorkspace } from './managers.js';

const CLASSIC = join(REPO, 'node_modules/yarn/bin/yarn.js');
const BERRY = join(REPO, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js');
if (!osvPresent) console.warn(`skipping depguard fix on yarn projects: ${OSV} is absent (shared data not laid beside the clone)`);
const classicRuns = binaryVersion(CLASSIC) === '1.22.22';
const berryRuns = binaryVersion(BERRY) === '4.18.1';
if (!classicRuns) console.warn(`skipping yarn 1 verification tests: ${CLASSIC} (the yarn devDependency) does not run here`);
if (!berryRuns) console.warn(`skipping yarn 4 verification tests: ${BERRY} (the @yarnpkg/cli-dist devDependency) does not run here`);

const { full, trimmed, environment } = useUniverses((trimmed: boolean) => TarballUniverse.express(trimmed));

async function fix(dir: string, bin: string, extra: string[] = []): Promise<{ code: number; doc: any; stderr: string }> {
  const result = await runInProcess(['fix', dir, '--format', 'json', '--no-progress', '--package-manager-bin', bin, ...extra]);
  return { code: result.code, doc: JSON.parse(result.stdout || 'null'), stderr: result.stderr };
}

describe.skipIf(!osvPresent || !classicRuns)('depguard fix on a yarn 1 project, verified by yarn 1', () => {
  it('plans on yarn.lock and yarn verifies the plan: express 4.21.2 fixes all 9 hits, introduces none', async () => {
    environment(full(), [dirname(process.execPath)]);
    const { code, doc, stderr } = await fix(projectCopy('fix-express-yarn'), CLASSIC);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(doc).toMatchObject({ packageManager: 'yarn', lockfile: 'yarn.lock', verifiedBy: { manager: 'yarn', version: '1.22.22' } });
    expect(doc.packages.map((entry: { package: string }) => entry.package)).toEqual(EXPRESS_HIT);
    expect(doc.plan).toMatchObject({ overrides: null, dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }], verified: true });
    expect(doc.plan.verification.fixed).toHaveLength(9);
    expect(doc.plan.verification.introduced).toEqual([]);
  }, 600_000);

  it('resolutions in yarn 1 syntax (parent/name, **/name); yarn install of the written project leaves none of the fixed hits', async () => {
    environment(trimmed(), [dirname(process.execPath)]);
    const dir = projectCopy('fix-express-yarn');
    const { code, doc } = await fix(dir, CLASSIC, ['--write']);
    expect(code).toBe(1);
    expect(doc.plan).toMatchObject({ verified: true, overrides: { field: 'resolutions' } });
    expect(doc.plan.overrides.value).toMatchObject({ 'express/qs': '6.7.3' });
    expect(Object.keys(doc.plan.overrides.value).every((key: string) => /^(\*\*|[a-z-]+)\/[a-z-]+$/.test(key))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).resolutions).toEqual(doc.plan.overrides.value);
    // What the user runs next (the lockfile points at the registry the user installs from: here the loopback one).
    writeFileSync(join(dir, 'yarn.lock'), readFileSync(join(dir, 'yarn.lock'), 'utf8').split('https://registry.example.org/').join(trimmed().url));
    await runManager(CLASSIC, ['install', '--ignore-scripts', '--non-interactive', '--registry', trimmed().url], dir);
    const context = planContext(trimmed().url);
    const after = [...(await assess(dir, context.source, context.client)).hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`);
    expect(doc.plan.verification.fixed.length).toBeGreaterThan(0);
    for (const key of doc.plan.verification.fixed as string[]) expect(after, key).not.toContain(key);
  }, 600_000);

  it('a yarn.lock entry resolved from outside the registry is not fetched: nothing is re-resolved, saying why', async () => {
    environment(full(), [dirname(process.execPath)]);
    const dir = projectCopy('fix-express-yarn', (folder) => {
      const lock = readFileSync(join(folder, 'yarn.lock'), 'utf8');
      writeFileSync(join(folder, 'yarn.lock'), lock.replace('https://registry.example.org/qs/-/qs-6.7.0.tgz', 'http://169.254.169.254/latest/qs.tgz'));
    });
    const { code, doc } = await fix(dir, CLASSIC);
    expect(code).toBe(1);
    expect(doc.plan.verified).toBe(false);
    // depguard's own loader already names the entry a remote tarball, so no copy is re-resolved at all
    // (a registry-shaped URL on another host is instead pointed at the configured registry in the copy: manager.test.ts).
    const reasons = doc.packages.flatMap((entry: any) => entry.suggestions.map((s: any) => s.verification.unverified ?? s.verification.error));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason).toMatch(/outside the registries \(qs \(remote\)|not a registry tarball: yarn 1 would fetch it/);
  }, 600_000);
});

describe.skipIf(!osvPresent || !berryRuns)('depguard fix on a yarn 4 project, verified by yarn 4', () => {
  it('verified by yarn install --mode=update-lockfile; a hostile .yarnrc.yml (yarnPath, plugins, another registry) is never used', async () => {
    environment(full(), [dirname(process.execPath)]);
    const canary = join(mkdtempSync(join(tmpdir(), 'depguard-canary-')), 'yarnpath-ran');
    const hostile = (folder: string) => {
      writeFileSync(join(folder, 'evil.cjs'), `require('node:fs').writeFileSync(${JSON.stringify(canary)}, 'ran');\n`);
      writeFileSync(join(folder, '.yarnrc.yml'), `yarnPath: ./evil.cjs\nplugins:\n  - ./evil.cjs\nnpmRegistryServer: "http://127.0.0.1:9"\n`);
    };
    const { code, doc, stderr } = await fix(projectCopy('fix-express-yarn-berry', hostile), BERRY);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(doc).toMatchObject({ packageManager: 'yarn', lockfile: 'yarn.lock', verifiedBy: { manager: 'yarn', version: '4.18.1' } });
    expect(doc.plan).toMatchObject({ dependencies: [{ field: 'dependencies', name: 'express', spec: '4.21.2' }], verified: true });
    expect(doc.plan.verification.fixed).toHaveLength(9);
    expect(existsSync(canary)).toBe(false);
    // The control: yarn run in the project itself runs its yarnPath.
    await runManager(BERRY, ['--version'], projectCopy('fix-express-yarn-berry', hostile)).catch(() => undefined);
    expect(readFileSync(canary, 'utf8')).toBe('ran');
  }, 600_000);

  it('--write --lockfile: resolutions in berry syntax, and the yarn.lock yarn writes in the copy replaces the project\'s, clean of what the plan fixed', async () => {
    environment(trimmed(), [dirname(process.execPath)]);
    const dir = projectCopy('fix-express-yarn-berry');
    const { code, doc, stderr } = await fix(dir, BERRY, ['--write', '--lockfile']);
    expect(code).toBe(1);
    expect(stderr).toContain('wrote resolutions in package.json and refreshed yarn.lock');
    expect(doc.plan).toMatchObject({ verified: true, overrides: { field: 'resolutions' } });
    expect(doc.plan.overrides.value).toMatchObject({ 'express/qs': '6.7.3' });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).resolutions).toEqual(doc.plan.overrides.value);
    expect(readFileSync(join(dir, 'yarn.lock'), 'utf8')).toContain('resolution: "qs@npm:6.7.3"');
    const context = planContext(trimmed().url);
    const after = [...(await assess(dir, context.source, context.client)).hits].map((hit) => `${hit.slice(0, hit.lastIndexOf('@'))} ${hit.slice(hit.indexOf(' ') + 1)}`);
    expect(doc.plan.verification.fixed.length).toBeGreaterThan(0);
    for (const key of doc.plan.verification.fixed as string[]) expect(after, key).not.toContain(key);
  }, 600_000);

  it.skipIf(!classicRuns)('a yarn 1 binary does not verify a berry lockfile: unverified, naming both', async () => {
    environment(full(), [dirname(process.execPath)]);
    const { code, doc } = await fix(projectCopy('fix-express-yarn-berry'), CLASSIC);
    expect(code).toBe(1);
    expect(doc.plan).toMatchObject({ verified: false });
    expect(doc.plan.unverified).toContain("the project's yarn.lock is yarn 2 or later (berry)'s");
  }, 120_000);
});

describe.skipIf(!osvPresent || !berryRuns)('depguard fix on a yarn 4 workspace project, verified by yarn 4', () => {
  it("yarn re-resolves a copy that holds the workspace's package.json: the plan is verified on a tree that keeps the workspace's dependencies", async () => {
    environment(full(), [dirname(process.execPath)]);
    const dir = projectCopy('fix-express-yarn-berry', (folder) => {
      moveIntoWorkspace(folder, 'package.json');
      writeFileSync(join(folder, '.yarnrc.yml'), berryRc(null, full().url));
    });
    // The workspace's lockfile, as yarn 4 itself writes it (with the settings depguard's copies use).
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [BERRY, 'install', '--mode=update-lockfile'], { cwd: dir, env: { ...process.env, ...yarnEnvironment(full().url) }, timeout: 180_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}${stdout}`)) : resolve())),
    );
    const { code, doc } = await fix(dir, BERRY);
    expect(code).toBe(0);
    expectWorkspaceReResolved(doc);
  }, 600_000);
});
