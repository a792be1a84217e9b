// manifest-confusion against a loopback registry whose version manifests and
// tarballs disagree, as a publisher can make them (the registry checks
// neither against the other): an install script only the tarball has, a
// dependency only the tarball declares, a renamed package; and packages whose
// two manifests differ only as npm's own normalisation makes them (optional
// dependencies copied into dependencies, a string bin, node-gyp implied by
// binding.gyp), which must not fire. The tarballs are the fixture's
// tarballs.json, packed as npm packs them (fixture lockfile integrities match).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import manifestConfusion from '../../src/checks/manifest-confusion/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import type { RequestEvent } from '../../src/enrich/registry-client.js';
import { fixture } from '../helpers/project.js';
import { auditWith, emptyCache, summary } from '../helpers/registry-checks.js';
import { makeTarball, TestRegistry } from '../enrich/registry-server.js';

const PROJECT = fixture('manifest-confusion-tarballs');
const TARBALLS = JSON.parse(readFileSync(join(PROJECT, 'tarballs.json'), 'utf8')) as Record<string, Record<string, string>>;
let server: TestRegistry;

const tarball = (id: string) => makeTarball(TARBALLS[id]!);

beforeAll(async () => {
  server = await new TestRegistry().start();
  // The registry's manifests: what `npm view` and every metadata tool show.
  server.add('hidden-script', { versions: { '1.0.0': { tarball: tarball('hidden-script@1.0.0') } } });
  server.add('hidden-dep', { versions: { '2.0.0': { tarball: tarball('hidden-dep@2.0.0') } } });
  server.add('faithful', {
    // The registry keeps bin paths as published (`./cli.js`), the tarball has a string bin: the same command.
    versions: { '1.0.0': { tarball: tarball('faithful@1.0.0'), bin: { faithful: './cli.js' }, dependencies: { ms: '^2.1.3', fsevents: '^2.3.3' }, optionalDependencies: { fsevents: '^2.3.3' }, scripts: { test: 'node test.js' } } },
  });
  server.add('native-addon', { versions: { '1.0.0': { tarball: tarball('native-addon@1.0.0'), gypfile: true, scripts: { install: 'node-gyp rebuild' } } } });
  server.add('renamed', { versions: { '1.0.0': { tarball: tarball('renamed@1.0.0'), engines: { node: '>=20' } } } });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
});

const FULL = { access: { fullMetadata: true } };

describe('manifest-confusion metadata', () => {
  it('hidden install scripts and dependencies are high, other differences moderate; off by default, on in strict', async () => {
    expect(Object.fromEntries(Object.entries(manifestConfusion.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ 'hidden-install-script': 'high', 'hidden-dependency': 'high', mismatch: 'moderate' });
    expect(manifestConfusion.meta.needs).toEqual(['registry', 'contents']);
    expect((await presetPolicy('recommended')).checks.get('manifest-confusion')!.enabled).toBe(false);
    expect((await presetPolicy('strict')).checks.get('manifest-confusion')!.enabled).toBe(true);
  });
});

describe('manifest-confusion: manifest-confusion-tarballs', () => {
  it('with full registry manifests: the hidden postinstall, the hidden dependency, the renamed package with both values', async () => {
    const { result } = await auditWith(server, PROJECT, ['manifest-confusion'], FULL);
    expect(summary(result.findings)).toEqual(['manifest-confusion/hidden-dependency hidden-dep@2.0.0', 'manifest-confusion/hidden-install-script hidden-script@1.0.0', 'manifest-confusion/mismatch renamed@1.0.0']);
    const [dependency, script, renamed] = result.findings;
    expect(script!.message).toBe('hidden-script@1.0.0 runs an install script its registry manifest does not show: scripts.postinstall: registry nothing, tarball "node collect.js"');
    expect(script!.evidence).toEqual({ differences: [{ field: 'scripts.postinstall', registry: null, tarball: 'node collect.js' }], from: 'registry', integrity: expect.stringMatching(/^sha512-/), registryManifest: 'full' });
    expect(dependency!.evidence.differences).toEqual([{ field: 'dependencies.evil-helper', registry: null, tarball: '^1.0.0' }]);
    expect([dependency!.rule, script!.rule, renamed!.rule]).toEqual(['manifest-confusion/hidden-dependency', 'manifest-confusion/hidden-install-script', 'manifest-confusion/mismatch']);
    expect(renamed!.evidence.differences).toEqual([
      { field: 'name', registry: 'renamed', tarball: 'other-name' },
      { field: 'engines', registry: { node: '>=20' }, tarball: { node: '>=18' } },
    ]);
    expect(result.checks?.['manifest-confusion']).toEqual({ summary: { compared: 5 } });
  });

  it('with abbreviated manifests (no script text): a tarball install script where the registry says there is none is still hidden', async () => {
    const { result } = await auditWith(server, PROJECT, ['manifest-confusion']);
    expect(summary(result.findings)).toEqual(['manifest-confusion/hidden-dependency hidden-dep@2.0.0', 'manifest-confusion/hidden-install-script hidden-script@1.0.0', 'manifest-confusion/mismatch renamed@1.0.0']);
    expect(result.findings[1]!.evidence).toMatchObject({ registryManifest: 'abbreviated' });
  });

  it('reads each tarball once with capabilities on: no download of its own', async () => {
    const alone: RequestEvent[] = [];
    await auditWith(server, PROJECT, ['capabilities'], { access: { onRequest: (event) => alone.push(event) } });
    const both: RequestEvent[] = [];
    const { result } = await auditWith(server, PROJECT, ['capabilities', 'manifest-confusion'], { access: { onRequest: (event) => both.push(event) } });
    expect(both.map((event) => event.url).sort()).toEqual(alone.map((event) => event.url).sort());
    expect(both.filter((event) => event.url.endsWith('.tgz'))).toHaveLength(5);
    expect(result.findings.filter((f) => f.check === 'manifest-confusion')).toHaveLength(3);
  });

  it('a warm cache compares from the capability cache; --offline too, with no request', async () => {
    const cache = emptyCache();
    await auditWith(server, PROJECT, ['manifest-confusion'], { access: { cache } });
    server.requests.length = 0;
    const { result } = await auditWith(server, PROJECT, ['manifest-confusion'], { access: { cache, mode: 'offline' } });
    expect(server.requests).toEqual([]);
    expect(result.findings).toHaveLength(3);
  });
});
