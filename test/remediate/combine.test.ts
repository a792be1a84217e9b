// The plan beyond the phase order, on a small loopback universe: a and b are
// pinned direct dependencies whose pinned versions depend on vulnerable p and
// q, with no fixed p or q published (no override can help); a@1.0.1 and
// b@1.0.1 drop them, but need conflicting peers (r@^2 and r@^1). Each bump
// alone is verified and offered; phase 1 joins both, npm refuses the pair
// (ERESOLVE), and the greedy phases end with nothing. The search over
// combinations of verified suggestions finds the one that works.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { FixProgress } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { AdvisoryServer, bulkFrom } from '../advisories/advisory-server.js';

let server: AdvisoryServer;

function packument(name: string, versions: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>) {
  const list = Object.keys(versions);
  return {
    name,
    'dist-tags': { latest: list.at(-1) },
    versions: Object.fromEntries(list.map((version) => [version, { name, version, ...versions[version], dist: { tarball: `${server.url}${name}/-/${name}-${version}.tgz` } }])),
  };
}

beforeAll(async () => {
  server = await new AdvisoryServer().start();
  server.packuments.set('a', packument('a', { '1.0.0': { dependencies: { p: '1.0.0' } }, '1.0.1': { peerDependencies: { r: '^2.0.0' } } }));
  server.packuments.set('b', packument('b', { '1.0.0': { dependencies: { q: '1.0.0' } }, '1.0.1': { peerDependencies: { r: '^1.0.0' } } }));
  server.packuments.set('p', packument('p', { '1.0.0': {} }));
  server.packuments.set('q', packument('q', { '1.0.0': {} }));
  server.packuments.set('r', packument('r', { '1.0.0': {}, '2.0.0': {} }));
  const advisory = (name: string, id: string) => ({ package: name, id, url: `https://advisories.example.org/${id}`, title: `${name} is bad`, severity: 'high', range: '*', cwe: [], cvss: null, aliases: [] });
  server.bulk = bulkFrom([advisory('p', 'GHSA-pppp-pppp-pppp'), advisory('q', 'GHSA-qqqq-qqqq-qqqq')] as never);
});
afterAll(() => server.stop());

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-combine-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'combo-app', version: '1.0.0', dependencies: { a: '1.0.0', b: '1.0.0' } }, null, 2));
  const entry = (version: string, dependencies?: Record<string, string>) => ({ version, ...(dependencies ? { dependencies } : {}) });
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({
      name: 'combo-app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'combo-app', version: '1.0.0', dependencies: { a: '1.0.0', b: '1.0.0' } },
        'node_modules/a': entry('1.0.0', { p: '1.0.0' }),
        'node_modules/b': entry('1.0.0', { q: '1.0.0' }),
        'node_modules/p': entry('1.0.0'),
        'node_modules/q': entry('1.0.0'),
      },
    }, null, 2),
  );
  return dir;
}

describe('depguard fix: combinations beyond the phase order', () => {
  it('finds the verified combination the all-or-nothing phases miss (two bumps whose peers conflict)', async () => {
    const events: FixProgress[] = [];
    const plan = await remediate(project(), planContext(server.url, { progress: (event) => events.push(event) }), { auditOverrides: false });
    // Each bump alone: verified, fixes its package's advisory, introduces nothing.
    expect(plan.packages.map((entry) => [entry.package, entry.suggestions.map((s) => `${s.kind} ${s.parent?.name}@${s.parent?.to} ${s.offered}`)])).toEqual([
      ['p', ['parent-upgrade a@1.0.1 true']],
      ['q', ['parent-upgrade b@1.0.1 true']],
    ]);
    // Both at once is what phase 1 tries: npm refuses it, and with no other suggestion the phases end empty.
    // The search verifies the subsets ({a}, {b}, {a, b}) and keeps one that fixes an advisory.
    expect(plan.combined.searched).toEqual({ combinations: 3, improved: true });
    expect(plan.combined.dependencies).toEqual([{ field: 'dependencies', name: 'a', spec: '1.0.1' }]);
    expect(plan.combined.verification).toMatchObject({ fixed: ['p GHSA-pppp-pppp-pppp'], introduced: [], stillVulnerable: ['q GHSA-qqqq-qqqq-qqqq'] });
    // Progress: the phases, the package n of m, and the count of re-resolutions.
    expect(events.map((event) => event.phase)).toEqual(expect.arrayContaining(['assess', 'verify', 'combine', 'done']));
    expect(events.find((event) => event.phase === 'verify')).toMatchObject({ index: expect.any(Number), total: 2 });
    expect(events.at(-1)!.verified).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('--max-time: past the deadline no verification starts, and the plan is labelled partial', async () => {
    const plan = await remediate(project(), planContext(server.url, { deadline: Date.now() - 1 }), { auditOverrides: false });
    expect(plan.partial).toEqual({ reason: 'max-time', candidatesSkipped: 2, combineSkipped: false });
    expect(plan.packages.map((entry) => [entry.package, entry.suggestions.length])).toEqual([['p', 0], ['q', 0]]);
    expect(plan.combined).toEqual({ overrides: {}, dependencies: [], update: [] });
  }, 60_000);
});
