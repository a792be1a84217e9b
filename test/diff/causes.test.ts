// A single cause (a foreign host, a weak hash, a plain-http protocol) is one
// finding per cause, and its identity has no package in it. In diff, a change
// that adds a package to a cause base already had must still give a new
// finding, about that package only; a change that leaves the cause alone
// gives none. Real git repositories (a fixture with one package from a
// foreign host) through the library, and in-memory findings for waivers and
// the reverse direction.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diff, type DiffOptions } from '../../src/commands/diff/run.js';
import { diffCauses } from '../../src/commands/diff/causes.js';
import { findingKey } from '../../src/checks/identity.js';
import { groupFindings } from '../../src/policy/group.js';
import { diffMarkdown } from '../../src/render/diff-markdown.js';
import type { Finding } from '../../src/model.js';
import { fixture } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';
import { finding, gitRepo, tempDir } from './helpers.js';

const BASE = fixture('diff-foreign-host');
const HOST = 'npm-mirror.example.net';

function options(path: string, base: string): DiffOptions {
  return { path, base, cwd: path, registries: EXAMPLE_REGISTRY, today: '2026-11-27', registryAccess: { mode: 'offline', cache: tempDir('depguard-diff-cache-') }, only: ['lockfile', 'pinning'] };
}

type Lock = { packages: Record<string, Record<string, unknown>> };
const manifest = (): { dependencies: Record<string, string> } => JSON.parse(readFileSync(join(BASE, 'package.json'), 'utf8'));
const lockfile = (): Lock => JSON.parse(readFileSync(join(BASE, 'package-lock.json'), 'utf8'));

const LEFT_PAD = { version: '1.3.0', integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEQDx+6EVSthiinfKCs5WGGPqmxyfJKEWLvWm2hmF2GAkMw==', license: 'WTFPL' };

/** The fixture with left-pad@1.3.0 added as a direct dependency, fetched from `host`. */
function withLeftPad(host: string): { 'package.json': object; 'package-lock.json': object } {
  const pkg = manifest();
  pkg.dependencies['left-pad'] = '1.3.0';
  const lock = lockfile();
  (lock.packages[''] as { dependencies: Record<string, string> }).dependencies['left-pad'] = '1.3.0';
  lock.packages['node_modules/left-pad'] = { ...LEFT_PAD, resolved: `https://${host}/left-pad/-/left-pad-1.3.0.tgz` };
  return { 'package.json': pkg, 'package-lock.json': lock };
}

const foreign = (findings: Finding[]) => findings.filter((f) => f.rule === 'lockfile/foreign-host');

describe('diff narrows a single cause to the packages a change adds to it', () => {
  it('a second package from a host base already fetched from is a new finding about that package only', async () => {
    const repo = gitRepo([{ copy: BASE, message: 'ms from a mirror' }, { files: withLeftPad(HOST), message: 'add left-pad from the same mirror' }]);
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    // Head has one finding for the host, with both packages; base had it for ms alone.
    expect(foreign(result.findings)).toHaveLength(1);
    expect(foreign(result.findings)[0]!.evidence).toMatchObject({ host: HOST, count: 2, packages: ['left-pad@1.3.0', 'ms@2.1.3'] });
    const added = foreign(result.diff.newFindings);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ package: { name: 'left-pad', version: '1.3.0', location: 'node_modules/left-pad' }, severity: 'high', evidence: { host: HOST, unchanged: 1 } });
    expect(added[0]!.message).toContain('left-pad@1.3.0');
    expect(added[0]!.message).not.toContain('ms@');
    expect(added[0]!.message).toMatch(/\(1 more already in base\)$/);
    expect(result.diff.summary.newFindings.high).toBe(1);
    expect(result.diff.resolvedFindings).toEqual([]);
    // The pull-request comment names it.
    const comment = diffMarkdown(result, { failOn: 'high', color: false });
    expect(comment).toContain('`left-pad@1.3.0`');
    expect(comment).toContain('lockfile/foreign-host');
  });

  it('several new packages on a cause base had: one narrowed finding with their count, the old ones left out', async () => {
    const pkg = manifest();
    const lock = lockfile();
    pkg.dependencies['left-pad'] = '1.3.0';
    (lock.packages[''] as { dependencies: Record<string, string> }).dependencies['left-pad'] = '1.3.0';
    lock.packages['node_modules/left-pad'] = { ...LEFT_PAD, resolved: `https://${HOST}/left-pad/-/left-pad-1.3.0.tgz` };
    // is-number moves from the registry to the mirror in the same change.
    lock.packages['node_modules/is-number']!.resolved = `https://${HOST}/is-number/-/is-number-7.0.0.tgz`;
    const repo = gitRepo([{ copy: BASE }, { files: { 'package.json': pkg, 'package-lock.json': lock } }]);
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    const added = foreign(result.diff.newFindings);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ package: null, evidence: { host: HOST, count: 2, packages: ['is-number@7.0.0', 'left-pad@1.3.0'], locations: ['node_modules/is-number', 'node_modules/left-pad'], unchanged: 1 } });
    expect(added[0]!.message).toBe(`2 packages fetched from ${HOST}, which is neither a configured registry nor in allowedHosts: is-number@7.0.0, left-pad@1.3.0 (1 more already in base)`);
  });

  it('a change that adds nothing to the cause gives no new finding for it', async () => {
    const repo = gitRepo([{ copy: BASE }, { files: withLeftPad('registry.example.org'), message: 'add left-pad from the registry' }]);
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    expect(foreign(result.findings).map((f) => f.package?.name)).toEqual(['ms']);
    expect(result.diff.newFindings).toEqual([]);
    expect(result.diff.resolvedFindings).toEqual([]);
    expect(result.diff.added.map((entry) => entry.name)).toEqual(['left-pad']);
  });

  it('a package that leaves a host head still fetches from is resolved, narrowed to it', async () => {
    const repo = gitRepo([{ copy: BASE }, { files: withLeftPad(HOST) }, { copy: BASE, message: 'back to ms alone' }]);
    const { result } = await diff(options(repo.project, 'HEAD~1'));
    expect(result.diff.newFindings).toEqual([]);
    const gone = foreign(result.diff.resolvedFindings);
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ package: { name: 'left-pad', version: '1.3.0' }, evidence: { host: HOST, unchanged: 1 } });
    expect(gone[0]!.message).toMatch(/\(1 more still in head\)$/);
  });
});

describe('diffCauses (in memory)', () => {
  const copy = (name: string, version: string, extra: Partial<Finding> = {}) =>
    finding({ rule: 'lockfile/weak-integrity', severity: 'moderate', package: { name, version, location: `node_modules/${name}` }, paths: [[`${name}@${version}`]], evidence: { integrity: `sha1-${name}`, algorithm: 'sha1' }, ...extra });
  const side = (copies: Finding[]) => ({ findings: groupFindings(copies), copies });

  it('a new version of a package on the cause is new; the same versions are not', () => {
    const base = side([copy('a', '1.0.0'), copy('b', '1.0.0')]);
    expect(diffCauses(base, side([copy('a', '1.0.0'), copy('b', '1.0.0')]))).toEqual({ newFindings: [], resolvedFindings: [] });
    const result = diffCauses(base, side([copy('a', '1.0.0'), copy('b', '1.0.1')]));
    expect(result.newFindings.map((f) => [f.package?.name, f.package?.version])).toEqual([['b', '1.0.1']]);
    expect(result.resolvedFindings.map((f) => [f.package?.name, f.package?.version])).toEqual([['b', '1.0.0']]);
    // Same identity as the cause, as in check: one package or several, one fingerprint per algorithm.
    expect(findingKey(result.newFindings[0]!)).toBe(findingKey(base.findings[0]!));
  });

  it('keeps waived and unwaived packages apart, each with its waiver', () => {
    const waived = { id: 'lockfile/weak-integrity', package: 'legacy', reason: 'vendor', expires: '2027-01-31' };
    const base = side([copy('a', '1.0.0')]);
    const head = side([copy('a', '1.0.0'), copy('legacy', '2.0.0', { waived }), copy('c', '1.0.0')]);
    const { newFindings } = diffCauses(base, head);
    expect(newFindings.map((f) => [f.package?.name, f.waived?.package ?? null])).toEqual([
      ['c', null],
      ['legacy', 'legacy'],
    ]);
  });

  it('names a package with no version as evidence.packages does, by its name', () => {
    const { newFindings } = diffCauses(side([copy('a', '1.0.0')]), side([copy('a', '1.0.0'), copy('git-dep', '')]));
    expect(newFindings.map((f) => f.package?.name)).toEqual(['git-dep']);
  });

  it('leaves a cause base never had to the plain comparison: the whole finding is new', () => {
    const { newFindings } = diffCauses(side([]), side([copy('a', '1.0.0'), copy('b', '1.0.0')]));
    expect(newFindings).toHaveLength(1);
    expect(newFindings[0]).toMatchObject({ package: null, evidence: { count: 2 } });
    expect(newFindings[0]!.evidence.unchanged).toBeUndefined();
  });
});
