// release-age against a loopback registry serving packuments in the public
// registry's documented shapes: publish times from the full document's
// `time`, the abbreviated document's `modified` to skip packages untouched
// for longer than the cooldown, npm's min-release-age settings, fail-closed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/commands/check.js';
import releaseAge, { formatAge } from '../../src/checks/release-age/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { RegistryClient } from '../../src/enrich/registry-client.js';
import { runChecks } from '../../src/policy/run.js';
import { isDepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import { fixture, tempProject, npmProject } from '../helpers/project.js';
import { AUDIT_DATE, auditWith, emptyCache, packumentForms, summary } from '../helpers/registry-checks.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { nodePackument, runEnriched, enrichRun } from '../helpers/enriched.js';
import { graph, node } from '../helpers/graph.js';

let server: TestRegistry;
let trap: TestRegistry;

beforeAll(async () => {
  server = await new TestRegistry().start();
  trap = await new TestRegistry().start();
  server.add('fresh-lib', { versions: { '2.0.0': { time: '2026-10-01T00:00:00.000Z' }, '2.0.1': { time: '2026-11-25T12:00:00.000Z' } }, modified: '2026-11-25T12:00:00.000Z' });
  // 1.4.0 is a week old, but 1.5.0 came out yesterday: `modified` is recent, so the full document is needed.
  server.add('steady-lib', { versions: { '1.4.0': { time: '2026-11-20T00:00:00.000Z' }, '1.5.0': { time: '2026-11-26T08:00:00.000Z' } }, modified: '2026-11-26T08:00:00.000Z' });
  server.add('old-lib', { versions: { '3.0.0': { time: '2023-03-01T00:00:00.000Z' } }, modified: '2024-05-01T00:00:00.000Z' });
  server.add('@acme/internal', { versions: { '1.0.0': { time: '2026-11-26T18:00:00.000Z' } }, modified: '2026-11-26T18:00:00.000Z' });
});
afterAll(async () => {
  await server.stop();
  await trap.stop();
});
afterEach(() => {
  server.requests.length = 0;
  server.scripts.clear();
});

describe('release-age metadata', () => {
  it('has one high rule, needs the registry and is off unless a policy, config or --only turns it on', async () => {
    expect(Object.fromEntries(Object.entries(releaseAge.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ 'too-new': 'high' });
    expect(releaseAge.meta.needs).toEqual(['registry']);
    expect(releaseAge.meta.defaultOptions).toEqual({ days: null, exclude: [] });
    expect((await presetPolicy('recommended')).checks.get('release-age')!.enabled).toBe(false);
  });

  it('formats ages as a reviewer reads them', () => {
    expect(formatAge(5 * 3_600_000 + 59 * 60_000)).toBe('5 hours');
    expect(formatAge(3_600_000)).toBe('1 hour');
    expect(formatAge(36 * 3_600_000)).toBe('1.5 days');
    expect(formatAge(-1)).toBe('0 hours');
  });
});

describe('release-age: release-age-fresh-versions', () => {
  it('reports versions published within the default 3-day cooldown, with publish time and age', async () => {
    const { result } = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age']);
    expect(summary(result.findings)).toEqual(['release-age/too-new @acme/internal@1.0.0', 'release-age/too-new fresh-lib@2.0.1']);
    const fresh = result.findings.find((f) => f.package?.name === 'fresh-lib')!;
    expect(fresh).toMatchObject({ severity: 'high', paths: [['fresh-lib@2.0.1']] });
    expect(fresh.evidence).toEqual({ published: '2026-11-25T12:00:00.000Z', ageDays: 1.5, cooldownDays: 3, cooldown: { from: 'default' } });
    expect(result.findings[0]!.evidence).toMatchObject({ published: '2026-11-26T18:00:00.000Z', ageDays: 0.25 });
    expect(result.diagnostics).toEqual([]);
  });

  it('reads the full packument only for packages modified within the cooldown, and never looks up git dependencies', async () => {
    await auditWith(server, fixture('release-age-fresh-versions'), ['release-age']);
    expect(packumentForms(server, 'old-lib')).toEqual(['corgi']);
    expect(packumentForms(server, 'steady-lib')).toEqual(['corgi', 'full']);
    expect(packumentForms(server, 'fresh-lib')).toEqual(['corgi', 'full']);
    expect(server.requests.map((r) => r.url).sort()).toEqual(['/@acme%2finternal', '/@acme%2finternal', '/fresh-lib', '/fresh-lib', '/old-lib', '/steady-lib', '/steady-lib']);
  });

  it('days and exclude options from the config: a longer cooldown, a scope exempt', async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { 'release-age': ['on', { days: 10, exclude: ['@acme/*'] }] } } }, fixture('release-age-fresh-versions'));
    const { result } = await auditWith(server, dir, ['release-age']);
    expect(summary(result.findings)).toEqual(['release-age/too-new fresh-lib@2.0.1', 'release-age/too-new steady-lib@1.4.0']);
    expect(result.findings[1]!.evidence).toMatchObject({ ageDays: 7, cooldownDays: 10, cooldown: { from: 'depguard config', option: 'release-age.days' } });
  });

  it('a cooldown of 0 days reports nothing and asks the registry nothing', async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { 'release-age': ['on', { days: 0 }] } } }, fixture('release-age-fresh-versions'));
    const { result } = await auditWith(server, dir, ['release-age']);
    expect(result.findings).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('measures sub-day ages from the audit instant it is given', async () => {
    const { graph } = await loadProject(fixture('release-age-fresh-versions'));
    const policy = await presetPolicy('recommended');
    const registry = new RegistryClient({ registries: { registry: server.url, scopes: {} }, cache: emptyCache(), fetchOptions: { retry: { retries: 0 }, timeout: 3000 } });
    const now = Date.parse('2026-11-27T05:00:00.000Z');
    const { findings } = await runChecks({ graph, policy, registries: registry.registries, only: ['release-age'], today: AUDIT_DATE, registry, now });
    expect(findings.find((f) => f.package?.name === '@acme/internal')!.evidence).toMatchObject({ ageDays: 0.45 });
    // As of 00:00 UTC (no instant given), the same version is 6 hours old.
    const dayStart = await runChecks({ graph, policy, registries: registry.registries, only: ['release-age'], today: AUDIT_DATE, registry });
    expect(dayStart.findings.find((f) => f.package?.name === '@acme/internal')!.evidence).toMatchObject({ ageDays: 0.25 });
  });

  it('is not run by the recommended policy: no registry request (advisories, which ask a source, skipped)', async () => {
    const { result } = await auditWith(server, fixture('release-age-fresh-versions'), [], { config: { only: undefined, skip: ['advisories'] } });
    expect(result.findings.some((f) => f.check === 'release-age')).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('a version without a publish time is a warning, not a guess', async () => {
    const dir = tempProject({
      'package.json': { name: 'app', version: '1.0.0', dependencies: { timeless: '1.0.0' } },
      'package-lock.json': { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies: { timeless: '1.0.0' } }, 'node_modules/timeless': { version: '1.0.0' } } },
    });
    const dist = { tarball: `${server.url}timeless/-/timeless-1.0.0.tgz`, integrity: `sha512-${'A'.repeat(86)}==` };
    server.script('/timeless', [
      { status: 200, body: JSON.stringify({ name: 'timeless', modified: '2026-11-26T00:00:00.000Z', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'timeless', version: '1.0.0', dist } } }) },
      { status: 200, body: JSON.stringify({ _id: 'timeless', name: 'timeless', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'timeless', version: '1.0.0', dist } } }) },
    ]);
    const { result } = await auditWith(server, dir, ['release-age']);
    expect(result.findings).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.level} ${d.code} ${d.package?.name}`)).toEqual(['warning RELEASE_AGE_UNKNOWN timeless']);
  });
});

describe("release-age: npm's min-release-age settings (release-age-npm-config)", () => {
  const saved = { ...process.env };
  beforeAll(() => {
    // npm's config as a user's npm would read it: this registry, an empty home, the project's .npmrc.
    const home = mkdtempSync(join(tmpdir(), 'depguard-home-'));
    process.env.HOME = home;
    process.env.npm_config_userconfig = join(home, '.npmrc');
    process.env.npm_config_globalconfig = join(home, 'npmrc-global');
    process.env.npm_config_registry = server.url;
    process.env.npm_config_fetch_retries = '0';
    process.env.npm_config_offline = 'false';
  });
  afterAll(() => {
    process.env = saved;
  });

  it('takes the cooldown and its exclusions from the project .npmrc', async () => {
    const { result } = await audit({ path: fixture('release-age-npm-config'), only: ['release-age'], today: AUDIT_DATE, registryAccess: { cache: emptyCache() } });
    expect(summary(result.findings)).toEqual(['release-age/too-new fresh-lib@2.0.1', 'release-age/too-new steady-lib@1.4.0']);
    expect(result.findings[1]!.evidence).toEqual({
      published: '2026-11-20T00:00:00.000Z',
      ageDays: 7,
      cooldownDays: 10,
      cooldown: { from: 'npm config', key: 'min-release-age', where: 'project', file: '.npmrc' },
    });
    expect(server.packumentRequests('@acme/internal')).toEqual([]);
  });

  it("the check's own days option wins over npm's setting", async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { 'release-age': ['on', { days: 2 }] } } }, fixture('release-age-npm-config'));
    const { result } = await audit({ path: dir, only: ['release-age'], today: AUDIT_DATE, registryAccess: { cache: emptyCache() } });
    expect(summary(result.findings)).toEqual(['release-age/too-new fresh-lib@2.0.1']);
  });
});

describe('release-age: fails closed', () => {
  it('--offline with a cold cache is exit 2 naming the packages; --allow-incomplete audits with diagnostics', async () => {
    const cache = emptyCache();
    const error = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age'], { access: { mode: 'offline', cache } }).catch((e: unknown) => e);
    expect(isDepguardError(error)).toBe(true);
    expect((error as Error).message).toMatch(/for 4 packages: @acme\/internal@1\.0\.0 \(REGISTRY_NOT_CACHED\), fresh-lib@2\.0\.1 \(REGISTRY_NOT_CACHED\), old-lib@3\.0\.0 \(REGISTRY_NOT_CACHED\), steady-lib@1\.4\.0 \(REGISTRY_NOT_CACHED\)/);
    const { result } = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age'], { access: { mode: 'offline', cache, allowIncomplete: true } });
    expect(result.findings).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.level} ${d.code} ${d.package?.name ?? '-'}`)).toEqual([
      'error REGISTRY_NOT_CACHED @acme/internal',
      'error REGISTRY_NOT_CACHED fresh-lib',
      'error REGISTRY_NOT_CACHED old-lib',
      'error REGISTRY_NOT_CACHED steady-lib',
      'warning REGISTRY_INCOMPLETE -',
    ]);
    expect(server.requests).toEqual([]);
  });

  it('an online run fills the cache; the same audit then runs --offline with no request', async () => {
    const cache = emptyCache();
    const online = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age'], { access: { cache } });
    const asked = server.requests.length;
    const offline = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age'], { access: { cache, mode: 'offline' } });
    expect(summary(offline.result.findings)).toEqual(summary(online.result.findings));
    expect(server.requests).toHaveLength(asked);
  });

  it('a registry answering 500 is exit 2 naming the package', async () => {
    server.script('/fresh-lib', [{ status: 500, body: 'oops' }], true);
    const error = await auditWith(server, fixture('release-age-fresh-versions'), ['release-age']).catch((e: unknown) => e);
    expect(isDepguardError(error) && (error as Error).message).toMatch(/for 1 package: fresh-lib@2\.0\.1 \(REGISTRY_UNREACHABLE\)/);
  });

  it('never requests a lockfile `resolved` URL, in any mode', async () => {
    const resolved = `${trap.url}fresh-lib/-/fresh-lib-2.0.1.tgz`;
    const dir = tempProject(npmProject({ 'fresh-lib': '2.0.1' }, { 'fresh-lib': { version: '2.0.1', resolved, integrity: `sha512-${'A'.repeat(86)}==` } }));
    const cache = emptyCache();
    for (const mode of ['online', 'prefer-offline', 'offline'] as const) {
      const { result } = await auditWith(server, dir, ['release-age'], { access: { cache, mode } });
      expect(summary(result.findings)).toEqual(['release-age/too-new fresh-lib@2.0.1']);
    }
    expect(trap.requests).toEqual([]);
  });
});

describe('release-age: a function of the graph and the enriched packuments (no network, no client)', () => {
  const NOW = Date.parse('2026-11-27T00:00:00Z');
  const full = (version: string, published: string) => ({ 'dist-tags': { latest: version }, time: { modified: published, [version]: published }, versions: { [version]: { version } } });

  it('reports a version published within the cooldown, not an older one', async () => {
    const [fresh, old] = [node({ location: 'node_modules/fresh', version: '1.0.1' }), node({ location: 'node_modules/old', version: '2.0.0' })];
    const packuments = new Map([
      [fresh, nodePackument(fresh, full('1.0.1', '2026-11-26T06:00:00.000Z'), true)],
      [old, nodePackument(old, full('2.0.0', '2025-01-01T00:00:00.000Z'), true)],
    ]);
    const { reports } = await runEnriched(releaseAge, graph({ name: 'app' }, [fresh, old]), packuments);
    expect(reports.map((r) => `${r.rule} ${r.node!.packageName}`)).toEqual(['too-new fresh']);
    expect(reports[0]!.evidence).toMatchObject({ published: '2026-11-26T06:00:00.000Z', cooldownDays: 3 });
  });

  it('declares the abbreviated packuments of names not exempt, and the full one only of a package modified within the cooldown', () => {
    const { select, full: needsFull } = releaseAge.meta.enrich!.packuments!;
    const run = enrichRun(NOW);
    expect(select!(node({ location: 'node_modules/@internal/x', packageName: '@internal/x' }), { days: null, exclude: ['@internal/*'] }, run)).toBe(false);
    expect(select!(node({ location: 'node_modules/x' }), { days: null, exclude: ['@internal/*'] }, run)).toBe(true);
    expect(select!(node({ location: 'node_modules/x' }), { days: 0, exclude: [] }, run)).toBe(false);
    const abbreviated = (modified: string) => { const n = node({ location: 'node_modules/x', version: '1.0.0' }); return nodePackument(n, { modified, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { version: '1.0.0' } } }); };
    expect(typeof needsFull).toBe('function');
    const wantsFull = needsFull as Exclude<typeof needsFull, boolean | undefined>;
    expect(wantsFull(abbreviated('2026-11-26T00:00:00.000Z'), node({ location: 'node_modules/x' }), { days: null, exclude: [] }, run)).toBe(true);
    expect(wantsFull(abbreviated('2026-01-01T00:00:00.000Z'), node({ location: 'node_modules/x' }), { days: null, exclude: [] }, run)).toBe(false);
  });
});
