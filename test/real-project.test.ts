// A service resolved from the real registry (256 packages, lockfile written by
// npm with omit-lockfile-registry-resolved): one finding per real problem,
// none invented.
import { describe, expect, it } from 'vitest';
import { audit } from '../src/audit.js';
import { fixture } from './helpers/project.js';
import { EXAMPLE_REGISTRY } from './helpers/run.js';

describe('real-service fixture', () => {
  it('checks cleanly under the recommended policy', async () => {
    const { result, graph } = await audit({ path: fixture('real-service'), registries: EXAMPLE_REGISTRY, today: '2026-11-27' });
    expect(result.project.packageCount).toBe(256);
    expect(graph.loadedFrom).toBe('lockfile');
    expect(result.findings).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });

  it('under strict, reports exactly the two caret ranges in devDependencies', async () => {
    const { result } = await audit({ path: fixture('real-service'), registries: EXAMPLE_REGISTRY, policyName: 'strict', today: '2026-11-27' });
    expect(result.findings.map((f) => [f.rule, f.severity, f.package?.name ?? f.evidence.name, f.evidence.spec])).toEqual([
      ['pinning/range', 'high', 'eslint', '^10.15.0'],
      ['pinning/range', 'high', 'mocha', '^12.0.3'],
    ]);
  });
});
