// Versions are picked for the project's Node.js, never for the one running
// depguard: npm-pick-manifest prefers versions whose engines admit its
// `nodeVersion`, so picking for depguard's own Node.js (26 here) turns a
// project on Node.js 22 towards an older release when the newest one
// excludes 26. A loopback universe: widget 5.3.0 is vulnerable, 2.6.0 is safe
// with no engines, 8.6.2 is safe and admits Node.js 18–22 only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import semver from 'semver';
import { audit } from '../../src/commands/check.js';
import { projectNode } from '../../src/checks/engines/project-node.js';
import { loadProject } from '../../src/load/load.js';
import { remediate } from '../../src/remediate/remediate.js';
import { planContext } from '../remediate/context.js';
import { AdvisoryServer } from './advisory-server.js';

const TODAY = '2026-11-27';
let server: AdvisoryServer;

function packument(name: string, versions: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const list = Object.keys(versions);
  return {
    name,
    'dist-tags': { latest: list.at(-1) },
    modified: '2026-01-01T00:00:00.000Z',
    versions: Object.fromEntries(list.map((version) => [version, { name, version, ...versions[version], dist: { tarball: `${server.url}${name}/-/${name}-${version}.tgz` } }])),
  };
}

beforeAll(async () => {
  server = await new AdvisoryServer().start();
  server.packuments.set('widget', packument('widget', { '2.6.0': {}, '5.3.0': {}, '8.6.2': { engines: { node: '>=18 <23' } } }));
  // For `depguard fix`: parent 1.2.0 (newest, Node.js 18–22) is the only parent release that leaves the vulnerable child.
  server.packuments.set('parent', packument('parent', { '1.0.0': { dependencies: { child: '1.0.0' } }, '1.1.0': { dependencies: { child: '1.0.0' } }, '1.2.0': { dependencies: { child: '1.1.0' }, engines: { node: '>=18 <23' } } }));
  server.packuments.set('child', packument('child', { '1.0.0': {}, '1.1.0': {} }));
  server.bulk = (payload) => ({
    ...(payload.widget?.includes('5.3.0') ? { widget: [{ id: 1001, url: 'https://github.com/advisories/GHSA-2222-3333-4445', title: 'widget bug', severity: 'high', vulnerable_versions: '>=3.0.0 <8.0.0' }] } : {}),
    ...(payload.child?.includes('1.0.0') ? { child: [{ id: 1002, url: 'https://github.com/advisories/GHSA-2222-3333-4446', title: 'child bug', severity: 'high', vulnerable_versions: '<1.1.0' }] } : {}),
  });
});
afterAll(() => server.stop());

function project(engines: string | null, dependencies: Record<string, string>, packages: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-node-'));
  const manifest = { name: 'app', version: '1.0.0', ...(engines ? { engines: { node: engines } } : {}), dependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies, ...(engines ? { engines: { node: engines } } : {}) }, ...packages } }, null, 2));
  return dir;
}

const widgetProject = (engines: string | null) =>
  project(engines, { widget: '5.3.0' }, { 'node_modules/widget': { version: '5.3.0', resolved: `${server.url}widget/-/widget-5.3.0.tgz`, integrity: 'sha512-AAAA' } });

async function widgetFix(engines: string | null): Promise<Record<string, unknown>> {
  const { result } = await audit({
    path: widgetProject(engines),
    registries: { registry: server.url, scopes: {} },
    only: ['advisories'],
    today: TODAY,
    registryAccess: { cache: mkdtempSync(join(tmpdir(), 'depguard-node-cache-')), fetchOptions: { retry: { retries: 0 } } },
  });
  const finding = result.findings.find((f) => f.rule === 'advisories/vulnerable' && f.package?.name === 'widget');
  expect(finding, JSON.stringify(result.diagnostics)).toBeDefined();
  return finding!.fix!;
}

describe('the project Node.js version', () => {
  it('is the newest release the declared range admits, else what the runtime files run, else the maintained LTS lines', async () => {
    const declared = await projectNode((await loadProject(widgetProject('18 || 19 || 20 || 22'))).graph, TODAY);
    expect(declared).toMatchObject({ from: 'engines.node', range: '18 || 19 || 20 || 22' });
    expect(semver.major(declared.version)).toBe(22);
    const tight = await projectNode((await loadProject(widgetProject('^22.22.2'))).graph, TODAY);
    expect(semver.satisfies(tight.version, '^22.22.2')).toBe(true);
    const nvmrc = widgetProject(null);
    writeFileSync(join(nvmrc, '.nvmrc'), '20\n');
    const runtime = await projectNode((await loadProject(nvmrc)).graph, TODAY);
    expect(runtime.from).toBe('.nvmrc');
    expect(semver.major(runtime.version)).toBe(20);
    const none = await projectNode((await loadProject(widgetProject(null))).graph, TODAY);
    expect(none.from).toBe('maintained-lts');
    expect(semver.major(none.version)).toBe(26);
  });
});

describe('versions picked for the project Node.js', () => {
  it('fixAvailable and the fix name the newest safe release when it admits the project Node.js but not depguard\'s', async () => {
    // The running Node.js is outside 8.6.2's engines: picking for it would propose 2.6.0, a downgrade.
    expect(semver.satisfies(process.version, '>=18 <23')).toBe(false);
    const fix = await widgetFix('18 || 19 || 20 || 22');
    expect(fix.npm).toEqual({ name: 'widget', version: '8.6.2', isSemVerMajor: true });
    expect(fix.dependents).toEqual([expect.objectContaining({ dependent: 'app@1.0.0', spec: '5.3.0', version: '8.6.2' })]);
    expect(fix.version).toBe('8.6.2');
    // A project on Node.js 26 gets what npm on 26 would pick.
    const on26 = await widgetFix('^26.0.0');
    expect(on26.npm).toEqual({ name: 'widget', version: '2.6.0', isSemVerMajor: true });
  });

  it('depguard fix re-resolves for the project Node.js: refreshing parent reaches 1.2.0 and fixes child', async () => {
    const dir = project('^22.22.2', { parent: '^1.0.0' }, {
      'node_modules/parent': { version: '1.0.0', resolved: `${server.url}parent/-/parent-1.0.0.tgz`, integrity: 'sha512-AAAA', dependencies: { child: '1.0.0' } },
      'node_modules/child': { version: '1.0.0', resolved: `${server.url}child/-/child-1.0.0.tgz`, integrity: 'sha512-AAAA' },
    });
    const plan = await remediate(dir, planContext(server.url));
    const child = plan.packages.find((entry) => entry.package === 'child')!;
    // `npm update parent` within ^1.0.0: for Node.js 22 Arborist takes 1.2.0 (for 26 it would prefer 1.1.0, still on child 1.0.0).
    const upgrade = child.suggestions.find((suggestion) => suggestion.kind === 'parent-upgrade')!;
    expect(upgrade).toMatchObject({ parent: { name: 'parent', from: '1.0.0', to: '1.2.0' }, edits: { update: ['parent'] } });
    expect(upgrade.verification).toMatchObject({ fixed: ['child GHSA-2222-3333-4446'], stillVulnerable: [], introduced: [] });
  }, 60_000);
});
