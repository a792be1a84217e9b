// The engine's enrich stage (src/policy/enrich.ts): what each selected check
// declared is read once, before any check runs, and each check is handed
// only its own part.
import { describe, expect, it } from 'vitest';
import capabilities from '../../src/checks/capabilities/index.js';
import installScripts from '../../src/checks/install-scripts/index.js';
import manifestConfusion from '../../src/checks/manifest-confusion/index.js';
import pinning from '../../src/checks/pinning/index.js';
import { WHOLE_TREE, changedScope, packageIdentity } from '../../src/checks/scope.js';
import type { ScanOutcome } from '../../src/checks/capabilities/types.js';
import type { Check } from '../../src/checks/types.js';
import type { ManifestRequest, ManifestSource } from '../../src/enrich/types.js';
import type { DepNode } from '../../src/model.js';
import { enrichChecks, type EnrichInput } from '../../src/policy/enrich.js';
import { graph, node } from '../helpers/graph.js';
import { REGISTRIES } from '../helpers/enriched.js';

const a = node({ location: 'node_modules/a', hasInstallScript: true });
const b = node({ location: 'node_modules/b' });
const tree = graph({ name: 'app' }, [a, b]);

function counting() {
  const scanned: string[] = [];
  const asked: Array<[string, ManifestRequest | undefined]> = [];
  const contents = {
    scan: async (n: DepNode): Promise<ScanOutcome> => {
      scanned.push(n.location);
      return { status: 'unavailable', code: 'CAPABILITIES_NO_REGISTRY', message: 'test', blocking: false };
    },
  };
  const manifests: ManifestSource = {
    manifest: async (n, request) => {
      asked.push([n.location, request]);
      return null;
    },
    fetches: false,
  };
  return { scanned, asked, contents, manifests };
}

function input(checks: Check<any>[], parts: Partial<EnrichInput>): EnrichInput {
  return {
    graph: tree,
    scope: WHOLE_TREE,
    checks,
    optionsOf: (check) => ({ ...check.meta.defaultOptions }),
    run: { now: 0, npmSettings: null, registries: REGISTRIES },
    today: '2026-12-06',
    registry: null,
    packuments: null,
    contents: null,
    manifests: null,
    ...parts,
  };
}

describe('the enrich stage', () => {
  it('reads each package once for every check that reads contents, and hands each check its own selection', async () => {
    const { scanned, contents } = counting();
    const enriched = await enrichChecks(input([capabilities, manifestConfusion, pinning], { contents }));
    expect(scanned.sort()).toEqual(['node_modules/a', 'node_modules/b']);
    expect([...enriched.get('capabilities')!.contents.keys()].map((n) => n.location).sort()).toEqual(['node_modules/a', 'node_modules/b']);
    expect(enriched.get('manifest-confusion')!.contents.size).toBe(2);
    // A check that declared nothing gets nothing, and no registry client was there to ask.
    expect(enriched.get('pinning')!.contents.size).toBe(0);
    expect(enriched.get('pinning')!.fromRegistry).toBe(false);
  });

  it('a diff\'s narrowed scope reads only the packages its change touched', async () => {
    const { scanned, contents } = counting();
    await enrichChecks(input([capabilities], { contents, scope: changedScope(new Set([packageIdentity(b)]), new Set()) }));
    expect(scanned).toEqual(['node_modules/b']);
  });

  it('asks the manifest source what a check selects, with the check\'s request, and says why a missing one was not fetched', async () => {
    const { asked, manifests } = counting();
    const enriched = await enrichChecks(input([installScripts], { manifests }));
    expect(asked).toEqual([['node_modules/a', { required: false }]]);
    expect(enriched.get('install-scripts')!.manifests.get(a)).toBeNull();
    expect(enriched.get('install-scripts')!.manifestNotFetched(a)).toBe('run');
  });
});
