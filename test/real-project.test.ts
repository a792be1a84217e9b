// A service resolved from the real registry (256 packages, lockfile written by
// npm with omit-lockfile-registry-resolved): one finding per real problem,
// none invented.
import { describe, expect, it } from 'vitest';
import { audit } from '../src/commands/check.js';
import { fixture, nodejsCoreCache } from './helpers/project.js';
import { EXAMPLE_REGISTRY } from './helpers/run.js';

function summary(findings: Awaited<ReturnType<typeof audit>>['result']['findings']) {
  return findings.map((f) => [f.rule, f.severity, f.package?.name ?? f.evidence.name ?? null, f.evidence.spec ?? null]);
}

describe('real-service fixture', () => {
  it('under the recommended policy, reports only that Node.js 22 ends within 180 days', async () => {
    // Advisories (the default gate's, asked of a source) aside: this is about the checks that read the tree.
    // A cache holding the committed Node.js core index: the engines check judges vulnerable-runtime too, and finds nothing.
    const { result, graph } = await audit({ path: fixture('real-service'), registries: EXAMPLE_REGISTRY, today: '2026-11-27', registryAccess: { cache: nodejsCoreCache() }, skip: ['advisories'] });
    expect(result.project.packageCount).toBe(256);
    expect(graph.loadedFrom).toBe('lockfile');
    expect(summary(result.findings)).toEqual([['engines/eol-soon', 'low', null, null]]);
    expect(result.findings[0]!.evidence).toMatchObject({ lines: [{ line: '22', end: '2027-04-30', daysLeft: 154 }] });
    expect(result.diagnostics).toEqual([]);
    // No package in this tree runs install scripts, and the inventory says so.
    expect(result.checks?.['install-scripts']).toEqual({ packages: [] });
  });

  it('is clean as of a day when Node.js 22 still had more than 180 days', async () => {
    const { result } = await audit({ path: fixture('real-service'), registries: EXAMPLE_REGISTRY, today: '2026-10-01', skip: ['advisories'] });
    expect(result.findings).toEqual([]);
  });

  it('under strict, adds exactly the two caret ranges in devDependencies (registry-backed checks aside)', async () => {
    const skip = ['advisories', 'capabilities', 'deprecated', 'manifest-confusion', 'provenance', 'publisher', 'release-age', 'signatures'];
    const { result } = await audit({ path: fixture('real-service'), registries: EXAMPLE_REGISTRY, policyName: 'strict', skip, today: '2026-10-01' });
    expect(summary(result.findings)).toEqual([
      ['pinning/range', 'high', 'eslint', '^10.15.0'],
      ['pinning/range', 'high', 'mocha', '^12.0.3'],
    ]);
  });
});
