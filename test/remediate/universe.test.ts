// depguard fix on small projects resolved from osv-scanner's frozen npm
// universe (its santatracker remediation fixture) with the real OSV records
// of shared/data/advisories/osv served as the bulk endpoint's answer:
// a refresh within the declared range (minimist ^1.2.0 locked at 1.2.0), a
// direct dependency whose only fix is the next major (terser 3 → 4.8.1), and
// the audit of overrides a package.json already has.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { VerifyContext } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { fixture, SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from '../advisories/advisory-server.js';
import { universePackuments } from '../advisories/universe.js';

const UNIVERSE = join(SHARED_DATA, 'peers/osv-scanner/internal/remediation/testdata/santatracker/universe.yaml');
const OSV = join(SHARED_DATA, 'advisories/osv');
const present = existsSync(UNIVERSE) && existsSync(OSV);
if (!present) console.warn(`skipping depguard fix on osv-scanner's universe: ${UNIVERSE} or ${OSV} is absent (shared data not laid beside the clone)`);

let server: AdvisoryServer;
beforeAll(async () => {
  server = await new AdvisoryServer().start();
  if (!present) return;
  for (const [name, doc] of universePackuments(UNIVERSE, 'https://registry.example.org/')) server.packuments.set(name, doc);
  server.bulk = bulkFrom(osvFolderAdvisories(OSV));
});
afterAll(() => server.stop());

function context(): VerifyContext {
  return planContext(server.url);
}

function copy(name: string, edit?: (manifest: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-test-'));
  cpSync(fixture(name), dir, { recursive: true });
  if (edit) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    edit(manifest);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  }
  return dir;
}

describe.skipIf(!present)('depguard fix on the osv-scanner universe', () => {
  it('refresh: a fixed version within the declared range needs only the lockfile to move', async () => {
    const plan = await remediate(copy('fix-refresh'), context());
    const [minimist] = plan.packages;
    expect(minimist).toMatchObject({ package: 'minimist', versions: ['1.2.0'], advisories: ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h'] });
    expect(minimist!.suggestions[0]).toMatchObject({ kind: 'refresh', to: '1.2.8', edits: { update: ['minimist'] }, leavesRange: false, major: false, offered: true });
    expect(minimist!.suggestions[0]!.verification).toEqual({ fixed: ['minimist GHSA-vh95-rmgr-6w4m', 'minimist GHSA-xvch-5gv4-984h'], stillVulnerable: [], introduced: [], changed: ['minimist'] });
    // A direct dependency is never overridden (npm refuses overrides that conflict with a direct spec).
    expect(minimist!.suggestions.map((s) => s.kind)).not.toContain('scoped-override');
    expect(plan.combined).toMatchObject({ overrides: {}, dependencies: [], update: ['minimist'] });
    expect(plan.combined.verification).toMatchObject({ fixed: ['minimist GHSA-vh95-rmgr-6w4m', 'minimist GHSA-xvch-5gv4-984h'], stillVulnerable: [], introduced: [] });
    expect(plan.overrideFindings).toEqual([]);
  }, 60_000);

  it('parent upgrade across a major: terser 3.x is fixed only in 4.8.1, reported as a major bump outside the declared range', async () => {
    const plan = await remediate(copy('fix-direct-major'), context());
    const terser = plan.packages.find((entry) => entry.package === 'terser')!;
    expect(terser).toMatchObject({ versions: ['3.17.0'], advisories: ['GHSA-4wf5-vphf-c2xc'] });
    expect(terser.suggestions).toHaveLength(1);
    expect(terser.suggestions[0]).toMatchObject({
      kind: 'parent-upgrade',
      to: '4.8.1',
      parent: { name: 'terser', from: '3.17.0', to: '4.8.1' },
      edits: { dependency: { field: 'dependencies', name: 'terser', spec: '^4.8.1' } },
      leavesRange: true,
      major: true,
      offered: true,
    });
    expect(terser.suggestions[0]!.verification).toMatchObject({ fixed: ['terser GHSA-4wf5-vphf-c2xc'], introduced: [] });
    expect(plan.combined.dependencies).toEqual([{ field: 'dependencies', name: 'terser', spec: '^4.8.1' }]);
  }, 60_000);

  it('an override forcing a vulnerable version is high (and, here, changes nothing: mkdirp@0.5.1 pins that version anyway)', async () => {
    const plan = await remediate(copy('fix-override-vulnerable'), context());
    expect(plan.blocked).toBe(false);
    expect(plan.overrideFindings.map((f) => [f.rule, f.severity, f.path.join('>'), f.value])).toEqual([
      ['overrides/vulnerable', 'high', 'mkdirp>minimist', '0.0.8'],
      ['overrides/unused', 'info', 'mkdirp>minimist', '0.0.8'],
    ]);
    expect(plan.overrideFindings[0]!.evidence).toEqual({ advisories: ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h'] });
    // No safe 0.x minimist is published here: the override moves to 1.2.8, a major bump outside mkdirp's pin, verified.
    const minimist = plan.packages.find((entry) => entry.package === 'minimist')!;
    const override = minimist.suggestions.find((s) => s.kind === 'scoped-override')!;
    expect(override).toMatchObject({ to: '1.2.8', edits: { overrides: { mkdirp: { minimist: '1.2.8' } } }, leavesRange: true, major: true, offered: true });
  }, 60_000);

  it('an override of a direct dependency with another spec blocks planning (npm EOVERRIDE) and is reported', async () => {
    const plan = await remediate(copy('fix-refresh', (manifest) => (manifest.overrides = { minimist: '1.2.8' })), context());
    expect(plan.blocked).toBe(true);
    expect(plan.packages).toEqual([]);
    expect(plan.overrideFindings).toEqual([expect.objectContaining({ rule: 'overrides/conflict', severity: 'moderate', path: ['minimist'], value: '1.2.8', evidence: expect.objectContaining({ directSpec: '^1.2.0' }) })]);
    const following = await remediate(copy('fix-refresh', (manifest) => (manifest.overrides = { minimist: '$minimist' })), context());
    expect(following.blocked).toBe(false);
  }, 60_000);

  it('an override that changes the tree to a safe version is not reported', async () => {
    const plan = await remediate(copy('fix-direct-major', (manifest) => (manifest.overrides = { terser: { commander: '2.20.0' } })), context());
    expect(plan.overrideFindings).toEqual([]);
  }, 60_000);

  it('several parents of one vulnerable package: scoped overrides per parent, and a global override, both verified', async () => {
    const plan = await remediate(copy('fix-global-override'), context());
    const minimist = plan.packages.find((entry) => entry.package === 'minimist')!;
    expect(minimist).toMatchObject({ versions: ['0.0.8', '1.2.0'], advisories: ['GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h'] });
    const global = minimist.suggestions.find((s) => s.kind === 'global-override')!;
    expect(global).toMatchObject({ to: '1.2.8', parents: ['json5', 'mkdirp'], edits: { overrides: { minimist: '1.2.8' } }, offered: true });
    expect(global.verification).toMatchObject({ stillVulnerable: [], introduced: [], changed: ['minimist'] });
    const scoped = minimist.suggestions.find((s) => s.kind === 'scoped-override')!;
    expect(scoped.edits.overrides).toEqual({ json5: { minimist: '1.2.8' }, mkdirp: { minimist: '1.2.8' } });
    const upgrade = minimist.suggestions.find((s) => s.kind === 'parent-upgrade' && s.parent!.name === 'mkdirp')!;
    expect(upgrade).toMatchObject({ from: ['0.0.8', '1.2.0'], to: '1.2.8', parent: { from: '0.5.1', to: '0.5.4' }, edits: { dependency: { spec: '0.5.4' } } });
    // The best of each package, verified together: json5's own advisory and minimist's, nothing left or introduced.
    expect(plan.combined.verification).toMatchObject({ stillVulnerable: [], introduced: [] });
    expect(plan.combined.verification!.fixed).toEqual(['json5 GHSA-9c47-m6qq-7p4h', 'minimist GHSA-vh95-rmgr-6w4m', 'minimist GHSA-xvch-5gv4-984h']);
  }, 60_000);
});
