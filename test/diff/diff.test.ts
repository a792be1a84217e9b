// depguard diff end to end through the library: real git repositories in
// temporary folders holding two commits of a real project (real-service,
// resolved by npm from the registry), the base read from git without
// touching the working tree, or from another folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBase } from '../../src/commands/diff/base.js';
import { diff, type DiffOptions } from '../../src/commands/diff/run.js';
import type { DiffReport, DiffResult } from '../../src/render/diff-model.js';
import { findRule } from '../../src/checks/index.js';
import type { DepguardError } from '../../src/errors.js';
import type { Finding } from '../../src/model.js';
import { fixture } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';
import { gitRepo, runGit, tempDir } from './helpers.js';

const BEFORE = fixture('diff-real-service-before');
const AFTER = fixture('diff-real-service-after');

/** Offline against an empty cache: no test reaches a registry. */
function options(path: string, base: string, extra: Partial<DiffOptions> = {}): DiffOptions {
  // Not about advisories (the default gate's, asked of a source this offline run cannot reach): skipped.
  return { path, base, cwd: path, registries: EXAMPLE_REGISTRY, today: '2026-11-27', registryAccess: { mode: 'offline', cache: tempDir('depguard-diff-cache-') }, ...(extra.advisories || extra.only ? {} : { skip: ['advisories'] }), ...extra };
}

function names(entries: Array<{ name: string; version?: string; direct: boolean }>) {
  return entries.map((entry) => `${entry.direct ? 'direct' : 'transitive'} ${entry.name}${entry.version ? `@${entry.version}` : ''}`);
}

describe('diff of a pull request on real-service (two commits in a git repository)', () => {
  const repo = gitRepo([
    { copy: BEFORE, message: 'real-service with pino 10.3.1' },
    { copy: AFTER, message: 'upgrade pino, drop cors, loosen zod, add tsx' },
  ]);
  const before = { status: runGit(repo.dir, ['status', '--porcelain']), head: runGit(repo.dir, ['rev-parse', 'HEAD']), lock: statSync(join(repo.dir, 'package-lock.json')).mtimeMs };
  let result: DiffResult;
  let report: DiffReport;
  beforeAll(async () => {
    result = (await diff(options(repo.project, 'HEAD~1'))).result;
    report = result.diff;
  });

  it('names both sides: the ref and the commit it named, and the working tree', () => {
    expect(report.base).toMatchObject({ ref: 'HEAD~1', commit: repo.commits[0], project: { name: 'real-service', packageCount: 257 } });
    expect(report.head).toMatchObject({ ref: null, commit: null, project: { name: 'real-service', packageCount: 283 } });
  });

  it('lists added packages, direct and transitive, with the paths that bring each in', () => {
    const added = names(report.added);
    expect(added.slice(0, 1)).toEqual(['direct tsx@4.23.15']);
    expect(added).toContain('transitive esbuild@0.28.2');
    expect(added).toContain('transitive fsevents@2.3.3');
    expect(added.filter((entry) => entry.startsWith('transitive @esbuild/'))).toHaveLength(26);
    const esbuild = report.added.find((entry) => entry.name === 'esbuild')!;
    expect(esbuild).toEqual({ name: 'esbuild', version: '0.28.2', direct: false, kind: 'dev', source: 'registry', hasInstallScript: true, paths: [['tsx@4.23.15', 'esbuild@0.28.2']] });
    expect(report.added.find((entry) => entry.name === '@esbuild/linux-x64')!.paths).toEqual([['tsx@4.23.15', 'esbuild@0.28.2', '@esbuild/linux-x64@0.28.2']]);
  });

  it('lists removed packages, with the paths they had in base', () => {
    expect(names(report.removed)).toEqual(['direct cors@2.8.6', 'transitive object-assign@4.1.1', 'transitive real-require@0.2.0']);
    expect(report.removed.find((entry) => entry.name === 'object-assign')!.paths).toEqual([['cors@2.8.6', 'object-assign@4.1.1']]);
    // real-require 1.0.0 stays (thread-stream needs it): only pino's own older copy goes.
    expect(report.removed.find((entry) => entry.name === 'real-require')!.paths).toEqual([['pino@10.3.1', 'real-require@0.2.0']]);
  });

  it('lists the upgrade', () => {
    expect(report.changed).toEqual([{ name: 'pino', from: ['10.3.1'], to: ['10.4.0'], change: 'upgraded', direct: true, kind: 'prod', source: 'registry', hasInstallScript: false, paths: [['pino@10.4.0']] }]);
    expect(report.summary).toMatchObject({ added: 29, removed: 3, upgraded: 1, downgraded: 0, changed: 1 });
  });

  it('calls out the new transitive package that runs install scripts', () => {
    expect(report.installScripts).toEqual([{ name: 'esbuild', version: '0.28.2', direct: false, kind: 'dev', approved: null, events: null, paths: [['tsx@4.23.15', 'esbuild@0.28.2']] }]);
  });

  it('reports only the findings the change introduces: the unapproved install script and the loosened zod', () => {
    expect(report.newFindings.map((f) => [f.rule, f.package?.name])).toEqual([
      ['install-scripts/unapproved', 'esbuild'],
      ['pinning/range', 'zod'],
    ]);
    expect(report.newFindings[1]!.evidence).toMatchObject({ spec: '^4.6.7', dependencyType: 'dependencies' });
    // Node.js 22's end of life is a finding on both sides: legacy, not new.
    expect(result.findings.map((f) => f.rule)).toContain('engines/eol-soon');
    expect(report.resolvedFindings).toEqual([]);
    expect(report.summary.newFindings).toEqual({ info: 0, low: 0, moderate: 1, high: 1, critical: 0, waived: 0 });
  });

  it('reports the package.json changes that matter: the loosened spec and the new dependency', () => {
    expect(report.manifest.map((change) => [change.kind, change.field, change.key, change.from, change.to])).toEqual([
      ['spec-loosened', 'dependencies', 'zod', '4.6.7', '^4.6.7'],
      ['dependency-added', 'devDependencies', 'tsx', null, '4.23.15'],
    ]);
  });

  it('keeps the check document and adds diff', () => {
    expect(Object.keys(result)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'checks', 'skipped', 'diff']);
    expect(Object.keys(report)).toEqual(['base', 'head', 'summary', 'added', 'removed', 'changed', 'newFindings', 'resolvedFindings', 'installScripts', 'manifest']);
    for (const finding of report.newFindings) expect(Object.keys(finding)).toEqual(expect.arrayContaining(['check', 'rule', 'severity', 'package', 'paths', 'message', 'evidence']));
  });

  it('never touches the working tree, the index or HEAD', () => {
    expect(runGit(repo.dir, ['status', '--porcelain'])).toBe(before.status);
    expect(runGit(repo.dir, ['rev-parse', 'HEAD'])).toBe(before.head);
    expect(statSync(join(repo.dir, 'package-lock.json')).mtimeMs).toBe(before.lock);
    expect(readFileSync(join(repo.dir, 'package.json'), 'utf8')).toBe(readFileSync(join(AFTER, 'package.json'), 'utf8'));
  });

  it('reads the same base from a branch name or a full commit id', async () => {
    const byCommit = await diff(options(repo.project, repo.commits[0]!));
    expect(byCommit.result.diff.newFindings).toEqual(report.newFindings);
    expect(byCommit.result.diff.base.ref).toBe(repo.commits[0]);
  });

  it('reads nothing new against itself', async () => {
    const same = await diff(options(repo.project, 'HEAD'));
    expect(same.result.diff.summary).toMatchObject({ added: 0, removed: 0, changed: 0, resolvedFindings: 0, installScripts: 0, manifestChanges: 0 });
    expect(same.result.diff.newFindings).toEqual([]);
  });
});

describe('diff against another folder', () => {
  it('reports the reverse change as a downgrade, removals and a resolved finding', async () => {
    const { result } = await diff(options(BEFORE, AFTER));
    const report = result.diff;
    // Shown relative to the working folder (here the head project), never as a temporary path.
    expect(report.base).toMatchObject({ ref: null, commit: null, path: '../diff-real-service-after' });
    expect(report.changed.map((change) => [change.name, change.from, change.to, change.change])).toEqual([['pino', ['10.4.0'], ['10.3.1'], 'downgraded']]);
    expect(names(report.added)).toEqual(['direct cors@2.8.6', 'transitive object-assign@4.1.1', 'transitive real-require@0.2.0']);
    expect(report.removed.map((entry) => entry.name)).toContain('esbuild');
    expect(report.resolvedFindings.map((f) => [f.rule, f.package?.name])).toEqual([
      ['install-scripts/unapproved', 'esbuild'],
      ['pinning/range', 'zod'],
    ]);
    expect(report.newFindings).toEqual([]);
    expect(report.installScripts).toEqual([]);
    expect(report.manifest.map((change) => change.kind)).toEqual(['dependency-added']);
  });
});

describe('a change that fixes findings and keeps legacy ones', () => {
  it('lists fixed findings as resolved and the ones it kept as neither new nor resolved', async () => {
    const risky = fixture('risky-app');
    const fixedLock = JSON.parse(readFileSync(join(risky, 'package-lock.json'), 'utf8'));
    fixedLock.packages['node_modules/is-number'].resolved = 'https://registry.example.org/is-number/-/is-number-7.0.0.tgz';
    fixedLock.packages[''].dependencies.ms = '2.1.3';
    const manifest = JSON.parse(readFileSync(join(risky, 'package.json'), 'utf8'));
    const repo = gitRepo([{ copy: risky }, { files: { 'package.json': { ...manifest, dependencies: { ...manifest.dependencies, ms: '2.1.3' } }, 'package-lock.json': fixedLock } }]);
    const { result } = await diff(options(repo.project, 'main~1'));
    expect(result.diff.resolvedFindings.map((f) => f.rule).sort()).toEqual(['lockfile/foreign-host', 'lockfile/insecure-protocol', 'pinning/wildcard']);
    expect(result.diff.newFindings).toEqual([]);
    // The caret range on is-number is still there, in base and head alike.
    expect(result.findings.map((f) => f.rule)).toContain('pinning/range');
    expect(result.diff.summary.changed + result.diff.summary.added + result.diff.summary.removed).toBe(0);
  });
});

describe('a change that resolves advisories (advisories check, offline OSV records)', () => {
  // Written against the advisories check as it stands; skipped with a reason if its rules are not there.
  const ready = findRule('advisories/vulnerable') !== undefined && findRule('advisories/metavulnerability') !== undefined;
  it.skipIf(!ready)('lists the advisories that upgrading minimist and mkdirp fixes as resolved, and the remaining ones as neither', async () => {
    const project = fixture('advisories-app');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    const upgraded = { ...manifest.dependencies, minimist: '^1.2.8', mkdirp: '^0.5.6' };
    lock.packages[''].dependencies = upgraded;
    lock.packages['node_modules/minimist'] = { ...lock.packages['node_modules/minimist'], version: '1.2.8', resolved: 'https://registry.example.org/minimist/-/minimist-1.2.8.tgz', integrity: 'sha512-2yyAR8qBkN3YuheJanUpWC5U3bb5osDywNB8RzDVlDwDHbocAJveqqj1u8+SVD7jkWT4yvsHCpWqqWqAxb0zCA==' };
    lock.packages['node_modules/mkdirp'] = { ...lock.packages['node_modules/mkdirp'], version: '0.5.6', resolved: 'https://registry.example.org/mkdirp/-/mkdirp-0.5.6.tgz', integrity: 'sha512-FP+p8RB8OWpF3YZBCrP5gtADmtXApB5AMLn+vdyA+PyxCjrCs00mjyUozssO33cwDeT3wNGdLxJ5M//YqtHAJw==', dependencies: { minimist: '^1.2.6' } };
    delete lock.packages['node_modules/mkdirp/node_modules/minimist'];
    const repo = gitRepo([{ copy: project }, { files: { 'package.json': { ...manifest, dependencies: upgraded }, 'package-lock.json': lock } }]);
    const run = (scope: 'changed' | 'all') =>
      diff({
        ...options(repo.project, 'HEAD~1', {
          advisories: { source: fixture('../advisories/osv') },
          // The metavulnerability computation would like packuments; offline, it assumes the worst, as npm does.
          registryAccess: { mode: 'offline', cache: tempDir('depguard-diff-cache-'), allowIncomplete: true },
        }),
        scope,
      });
    const { result } = await run('changed');
    const advisories = (findings: Finding[]) => findings.filter((f) => f.check === 'advisories').map((f) => [f.rule, f.package?.name, f.advisory?.id]);
    // Both vulnerable copies of minimist (0.0.8 under mkdirp, 1.2.5 at the top) are gone.
    expect(result.diff.resolvedFindings.filter((f) => f.check === 'advisories').map((f) => [f.rule, `${f.package?.name}@${f.package?.version}`, f.advisory?.id]).sort()).toEqual([
      ['advisories/metavulnerability', 'mkdirp@0.5.1', 'GHSA-vh95-rmgr-6w4m'],
      ['advisories/vulnerable', 'minimist@0.0.8', 'GHSA-vh95-rmgr-6w4m'],
      ['advisories/vulnerable', 'minimist@0.0.8', 'GHSA-xvch-5gv4-984h'],
      ['advisories/vulnerable', 'minimist@1.2.5', 'GHSA-xvch-5gv4-984h'],
    ]);
    expect(advisories(result.diff.newFindings)).toEqual([]);
    // event-stream's malicious release is still there, on both sides: not new, not resolved. The change did not
    // touch it, so the default scope does not judge it (result.scope says so); --scope all judges every package.
    expect(result.diff.head.scope).toEqual({ judged: 'changed', checks: ['advisories'], packages: 2 });
    expect(advisories(result.findings)).not.toContainEqual(['advisories/malicious', 'event-stream', 'GHSA-mh6f-8j2x-4483']);
    const whole = (await run('all')).result;
    expect(whole.diff.head.scope).toBeUndefined();
    expect(advisories(whole.findings)).toContainEqual(['advisories/malicious', 'event-stream', 'GHSA-mh6f-8j2x-4483']);
    expect(advisories(whole.diff.newFindings)).toEqual([]);
    expect(whole.diff.resolvedFindings.map((f) => f.advisory?.id).sort()).toEqual(result.diff.resolvedFindings.map((f) => f.advisory?.id).sort());
    expect(result.diff.resolvedFindings.find((f) => f.advisory?.id === 'GHSA-xvch-5gv4-984h')!.advisory!.url).toMatch(/^https:\/\//);
    expect(result.diff.changed.map((change) => [change.name, change.from, change.to, change.change])).toEqual([
      ['minimist', ['0.0.8', '1.2.5'], ['1.2.8'], 'upgraded'],
      ['mkdirp', ['0.5.1'], ['0.5.6'], 'upgraded'],
    ]);
  });
});

describe('a project in a subfolder of the repository', () => {
  it('reads the base from the same subfolder at the ref', async () => {
    const repo = gitRepo([{ copy: BEFORE }, { copy: AFTER }], { under: 'services/api' });
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    expect(result.diff.changed.map((change) => change.name)).toEqual(['pino']);
    expect(result.diff.newFindings.map((f) => f.rule)).toEqual(['install-scripts/unapproved', 'pinning/range']);
  });
});

describe('a workspaces project', () => {
  it('compares each workspace manifest read from the ref, and finds the looser spec in it', async () => {
    const project = fixture('lockfile-workspaces');
    const manifest = JSON.parse(readFileSync(join(project, 'packages/a/package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    lock.packages['packages/a'].dependencies.semver = '>=7.6.0';
    const repo = gitRepo([{ copy: project }, { files: { 'packages/a/package.json': { ...manifest, dependencies: { ...manifest.dependencies, semver: '>=7.6.0' } }, 'package-lock.json': lock } }]);
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    expect(result.diff.manifest.map((change) => [change.kind, change.file, change.key, change.from, change.to, change.looseness])).toEqual([
      ['spec-loosened', 'packages/a/package.json', 'semver', '^7.6.0', '>=7.6.0', { from: 'range', to: 'open' }],
    ]);
    expect(result.diff.newFindings.map((f) => [f.rule, f.evidence.workspace])).toEqual([['pinning/open-ended', '@fixture/a']]);
    expect(result.diff.summary).toMatchObject({ added: 0, removed: 0, changed: 0 });
  });
});

describe('loadBase', () => {
  it('copies only the files depguard reads, in a temporary folder it removes', async () => {
    const repo = gitRepo([
      {
        copy: BEFORE,
        files: {
          '.nvmrc': '24\n',
          'src/index.js': 'console.log(1)\n',
          '.github/workflows/ci.yml': 'on: push\n',
          'packages/a/package.json': { name: 'a', version: '1.0.0' },
          'node_modules/x/package.json': { name: 'x' },
        },
      },
    ]);
    const base = await loadBase(repo.project, 'main');
    try {
      expect(base).toMatchObject({ ref: 'main', commit: repo.commits[0], label: 'main' });
      for (const file of ['package.json', 'package-lock.json', '.nvmrc', '.github/workflows/ci.yml', 'packages/a/package.json']) expect(existsSync(join(base.path, file))).toBe(true);
      for (const file of ['src/index.js', 'node_modules/x/package.json']) expect(existsSync(join(base.path, file))).toBe(false);
      expect(readFileSync(join(base.path, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(BEFORE, 'package-lock.json'), 'utf8'));
    } finally {
      await base.cleanup();
    }
    expect(existsSync(base.path)).toBe(false);
  });

  async function failure(promise: Promise<unknown>): Promise<DepguardError> {
    try {
      await promise;
    } catch (error) {
      return error as DepguardError;
    }
    throw new Error('expected a failure');
  }

  it('says clearly when the base is neither a folder nor a ref git knows', async () => {
    const repo = gitRepo([{ copy: BEFORE }]);
    const unknown = await failure(loadBase(repo.project, 'no-such-branch'));
    expect(unknown).toMatchObject({ code: 'EDIFF_BASE', field: '--base' });
    expect(unknown.message).toMatch(/no commit of that name/);
    expect(unknown.hint).toMatch(/fetch-depth: 0/);
    const option = await failure(loadBase(repo.project, '--output=x'));
    expect(option).toMatchObject({ code: 'EDIFF_BASE' });
  });

  it('says clearly when the project is not in a git repository', async () => {
    const folder = tempDir();
    const error = await failure(loadBase(folder, 'main'));
    expect(error).toMatchObject({ code: 'EDIFF_BASE' });
    expect(error.message).toMatch(/not in a git repository/);
  });

  it('says clearly when the project did not exist at the ref', async () => {
    const repo = gitRepo([{ files: { 'README.md': 'hello\n' } }, { copy: BEFORE }]);
    const error = await failure(loadBase(repo.project, 'HEAD~1'));
    expect(error).toMatchObject({ code: 'EDIFF_BASE' });
    expect(error.message).toMatch(/package\.json does not exist at that commit/);
  });

  it('names the base, not the temporary folder, when the base lockfile is broken', async () => {
    const repo = gitRepo([{ copy: BEFORE, files: { 'package-lock.json': '{ "lockfileVersion": 3, ' } }, { copy: AFTER }]);
    const error = await failure(diff(options(repo.project, 'HEAD~1')));
    expect(error).toMatchObject({ code: 'EJSON_PARSE', file: 'package-lock.json' });
    expect(error.message).toMatch(/^base HEAD~1: package-lock\.json is not valid JSON/);
    expect(error.message).not.toMatch(/depguard-base-/);
  });
});
