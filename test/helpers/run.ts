import { presetPolicy } from '../../src/policy/load.js';
import { runChecks, type OmitType } from '../../src/policy/run.js';
import type { DepGraph, Finding } from '../../src/model.js';
import type { RegistryConfig } from '../../src/enrich/npm-config.js';

export const EXAMPLE_REGISTRY: RegistryConfig = { registry: 'https://registry.example.org/', scopes: {} };

/** Runs one check over a graph through the real engine, with the named preset and optional option overrides. */
export async function runCheck(
  checkId: string,
  graph: DepGraph,
  opts: { options?: Record<string, unknown>; policy?: string; registries?: RegistryConfig; omit?: OmitType[] } = {},
): Promise<Finding[]> {
  const policy = await presetPolicy(opts.policy ?? 'recommended');
  if (opts.options) {
    const settings = policy.checks.get(checkId)!;
    settings.options = { ...settings.options, ...opts.options };
  }
  const { findings } = await runChecks({ graph, policy, registries: opts.registries ?? EXAMPLE_REGISTRY, only: [checkId], omit: opts.omit ?? [], today: '2026-11-27' });
  return findings;
}
