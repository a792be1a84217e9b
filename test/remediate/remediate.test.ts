// depguard fix's planner on Arborist's own audit fixtures: mkdirp@0.5.1 pins
// minimist@0.0.8 (advisory 1179, `<0.2.1 || >=1.0.0 <1.2.3`). The packuments
// are Arborist's mock registry served from 127.0.0.1, the advisories its
// recorded audit answer; every candidate is re-resolved by Arborist.
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { VerifyContext } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFromQuickAnswer, serveArboristPackuments } from '../advisories/advisory-server.js';

const ARBORIST = join(SHARED_DATA, 'peers/npm-cli/workspaces/arborist/test/fixtures');
const present = existsSync(ARBORIST);
if (!present) console.warn(`skipping depguard fix on Arborist's fixtures: ${ARBORIST} is absent (shared data not laid beside the clone)`);

let server: AdvisoryServer;

beforeAll(async () => {
  server = await new AdvisoryServer().start();
  if (!present) return;
  serveArboristPackuments(server, ARBORIST);
  server.bulk = bulkFromQuickAnswer(join(ARBORIST, 'audit-nyc-mkdirp/audit.json'));
});
afterAll(() => server.stop());

/** A copy of a fixture: the planner must leave its folder untouched, and the test checks that. */
function project(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-test-'));
  cpSync(join(ARBORIST, fixture), dir, { recursive: true });
  return dir;
}

function context(): VerifyContext {
  return planContext(server.url);
}

describe.skipIf(!present)('depguard fix: mkdirp@0.5.1 pinning a vulnerable minimist', () => {
  it('plans a parent upgrade and a scoped override on the 0.x line, verified by re-resolving', async () => {
    const dir = project('mkdirp-pinned');
    const before = readFileSync(join(dir, 'package.json'), 'utf8');
    const plan = await remediate(dir, context());
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(before);
    const minimist = plan.packages.find((entry) => entry.package === 'minimist')!;
    expect(minimist).toMatchObject({ versions: ['0.0.8'], advisories: ['1179'] });
    const kinds = minimist.suggestions.map((s) => s.kind);
    // 0.0.8 is pinned exactly: no refresh can fix it.
    expect(kinds).not.toContain('refresh');
    const override = minimist.suggestions.find((s) => s.kind === 'scoped-override')!;
    // The lowest safe version on the installed major (0.x), not 1.2.5.
    expect(override).toMatchObject({ to: '0.2.1', edits: { overrides: { mkdirp: { minimist: '0.2.1' } } }, leavesRange: true, major: true, offered: true });
    expect(override.verification).toMatchObject({ fixed: ['minimist 1179'], stillVulnerable: [], introduced: [], changed: ['minimist'] });
    const upgrade = minimist.suggestions.find((s) => s.kind === 'parent-upgrade')!;
    expect(upgrade).toMatchObject({ parent: { name: 'mkdirp', from: '0.5.1', to: '0.5.2' }, edits: { dependency: { field: 'dependencies', name: 'mkdirp', spec: '0.5.2' } }, leavesRange: true, major: false, offered: true });
    expect(upgrade.verification.fixed).toEqual(['minimist 1179']);
    expect(upgrade.verification.changed).toEqual(['minimist', 'mkdirp']);
    // Smallest edit first (issue 19): the patch bump of the direct dependency fixes the same advisory and introduces
    // nothing, so it ranks above the override, which moves minimist across a (0.x) major; the plan takes the bump.
    expect(minimist.suggestions.map((s) => s.kind)).toEqual(['parent-upgrade', 'scoped-override']);
    expect(plan.combined).toMatchObject({ overrides: {}, dependencies: [{ field: 'dependencies', name: 'mkdirp', spec: '0.5.2' }], update: [] });
    expect(plan.combined.verification).toMatchObject({ fixed: ['minimist 1179'], stillVulnerable: [], introduced: [] });
  }, 60_000);
});

describe.skipIf(!present)('depguard fix: a project with a git dependency', () => {
  it('plans but does not re-resolve (it would fetch from outside the registries), so offers nothing', async () => {
    server.packuments.set('@isaacs/minimist-git-dep', {
      name: '@isaacs/minimist-git-dep',
      'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': { name: '@isaacs/minimist-git-dep', version: '1.0.0', dependencies: { minimist: 'github:substack/minimist#3754568bfd43a841d2d72d7fb54598635aea8fa4' } } },
    });
    const plan = await remediate(project('minimist-git-metadep'), context());
    const suggestions = plan.packages.flatMap((entry) => entry.suggestions);
    expect(suggestions.length).toBeGreaterThan(0);
    for (const suggestion of suggestions) {
      expect(suggestion.offered).toBe(false);
      expect(suggestion.verification.error).toMatch(/^not re-resolved: the project has dependencies from outside the registries \(minimist \(git\)\)/);
    }
    expect(plan.combined.verification).toBeUndefined();
  }, 60_000);
});

describe.skipIf(!present)('depguard fix: hits bundled inside another package (audit-nyc-mkdirp)', () => {
  it('plans for the copy installed from the registry; copies inside nyc\'s tarball are named with their bundler, not planned', async () => {
    const plan = await remediate(project('audit-nyc-mkdirp'), context(), { auditOverrides: false });
    // minimist@0.0.8 twice: under mkdirp at the top (fixable) and in nyc@11.9.0's bundleDependencies (only a new nyc can move it).
    expect(plan.packages.map((entry) => entry.package)).toEqual(['minimist']);
    const [minimist] = plan.packages;
    const override = minimist!.suggestions.find((s) => s.kind === 'scoped-override');
    expect(override).toMatchObject({ kind: 'scoped-override', to: '0.2.1', parents: ['mkdirp'], offered: true });
    // The bundled copy stays, yet the advisory counts as fixed where it could be: keys of bundled copies are kept apart.
    expect(override!.verification).toMatchObject({ fixed: ['minimist 1179'], introduced: [] });
    // Moving mkdirp within its declared range (`npm update mkdirp`) fixes the same and ranks first (smallest edit first).
    expect(minimist!.suggestions[0]).toMatchObject({ kind: 'parent-upgrade', parent: { name: 'mkdirp' }, edits: { update: ['mkdirp'] }, leavesRange: false, offered: true });
    expect(new Set(plan.bundled.map((hit) => hit.bundler))).toEqual(new Set(['nyc@11.9.0']));
    expect(plan.bundled).toContainEqual({ package: 'minimist', version: '0.0.8', advisory: '1179', bundler: 'nyc@11.9.0' });
    expect(new Set(plan.bundled.map((hit) => hit.package))).toEqual(new Set(['handlebars', 'kind-of', 'lodash', 'mem', 'minimist', 'mixin-deep', 'set-value']));
    // No suggestion targets a bundled package alone (each would re-resolve for nothing).
    expect(plan.packages.some((entry) => entry.package === 'handlebars')).toBe(false);
  }, 120_000);
});
