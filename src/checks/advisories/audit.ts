// One audit over a graph: packuments from depguard's registry client in the
// shape npm's calculator reads, then npm's matching. Shared by the check and
// by the tests that hold depguard's answer equal to Arborist's.

import { isRegistryError, type RegistryClient } from '../../enrich/registry-client.js';
import { Calculator, emptyPackument, type CalcPackument } from './calculator.js';
import { matchAdvisories, type GraphView, type MatchResult } from './match.js';
import type { Advisory } from '../../enrich/advisories/types.js';

/** The registry client's compact packument in the shape npm's calculator reads; an empty one when it cannot be had (npm does the same). */
export function packumentLoader(client: RegistryClient | null, misses: Map<string, string>) {
  return async (name: string): Promise<CalcPackument> => {
    if (!client) return emptyPackument(name);
    try {
      const packument = await client.packument(name);
      const versions: CalcPackument['versions'] = Object.create(null);
      for (const [version, data] of Object.entries(packument.versions)) {
        versions[version] = {
          name,
          version,
          dependencies: data.dependencies ?? {},
          ...(data.bundled && data.bundled.length > 0 ? { bundleDependencies: data.bundled } : {}),
          ...(data.deprecated ? { deprecated: data.deprecated } : {}),
          ...(data.engines ? { engines: data.engines } : {}),
        };
      }
      return { name, 'dist-tags': { ...packument.distTags }, versions };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      // Not on the registry (a git or private package): npm treats it as having no versions.
      if (error.code !== 'REGISTRY_NOT_FOUND' && error.code !== 'REGISTRY_BAD_NAME') misses.set(name, `${error.code}: ${error.message}`);
      return emptyPackument(name);
    }
  };
}

export interface AdvisoryAudit extends MatchResult {
  calculator: Calculator;
  /** Packuments that could not be had, by name, with the reason (404s are not misses: npm expects them). */
  misses: Map<string, string>;
}

/**
 * npm's matching depends on the order of the advisories in one corner (a
 * node already marked vulnerable by one advisory is not searched again for
 * the next, so its dependents' metavulnerabilities are computed against the
 * first only). depguard fixes the order — package name, then id — so its
 * answer is the same whichever source, and whatever order it answers in.
 */
export function canonicalOrder(advisories: Advisory[]): Advisory[] {
  return [...advisories].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function auditAdvisories(view: GraphView, advisories: Advisory[], client: RegistryClient | null): Promise<AdvisoryAudit> {
  const misses = new Map<string, string>();
  const calculator = new Calculator(packumentLoader(client, misses));
  return { ...(await matchAdvisories(view, canonicalOrder(advisories), calculator)), calculator, misses };
}
