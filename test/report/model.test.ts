// The report's model, section by section: inventory, freshness (judged as of
// the report date, fail closed like other registry data), Node.js runway,
// waivers and the riskiest packages. Real fixtures where the graph matters,
// graphs in memory for the corner cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Waiver } from '../../src/policy/load.js';
import type { CompactPackument, CompactVersion } from '../../src/enrich/packument.js';
import { isDepguardError } from '../../src/errors.js';
import type { AuditResult, Finding } from '../../src/model.js';
import { riskyPackages, waiverStatuses } from '../../src/commands/report/findings.js';
import { directDependencies, freshnessEntry, STALE_AFTER_DAYS } from '../../src/commands/report/freshness.js';
import { inventory, licenseProblem, packageEntries } from '../../src/commands/report/inventory.js';
import { runway } from '../../src/commands/report/runway.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { edge, graph, node } from '../helpers/graph.js';
import { fixture, tempProject } from '../helpers/project.js';
import { REPORT_DATE, reportWith, serveRealService } from './helpers.js';

function version(published: string | null, extra: Partial<CompactVersion> = {}): CompactVersion {
  return { scripts: null, hasInstallScript: false, engines: null, gypfile: null, deprecated: null, published, provenance: false, integrity: null, tarball: null, dependencies: {}, bundled: [], publisher: null, maintainers: null, signatures: [], declared: {}, ...extra };
}

function packument(versions: Record<string, CompactVersion>, latest?: string): CompactPackument {
  const names = Object.keys(versions);
  return { name: 'lib', registry: 'https://registry.example.org/', full: true, distTags: { latest: latest ?? names[names.length - 1]! }, modified: null, maintainerSets: [], versions };
}

const lib = (installed: string) => {
  const g = graph({ name: 'app' }, [node({ location: 'node_modules/lib', version: installed })], [edge('lib', `^${installed}`, 'node_modules/lib')]);
  return directDependencies(g)[0]!;
};

describe('inventory', () => {
  it('counts real-service by kind, depth, duplicates and licences', async () => {
    const document = await reportWith(null, fixture('real-service'));
    const { inventory: counted } = document.report;
    expect(counted).toMatchObject({ packages: 256, direct: 13, transitive: 243, unreachable: 0, workspaces: 0, byKind: { prod: 157, dev: 98, optional: 1, 'dev-optional': 0, peer: 0 }, bySource: { registry: 256 } });
    expect(counted.byDepth[0]).toEqual({ depth: 1, packages: 13 });
    expect(counted.byDepth.reduce((sum, entry) => sum + entry.packages, 0)).toBe(256);
    expect(counted.duplicates[0]).toEqual({ name: 'minimatch', versions: ['10.2.6', '11.0.9'], copies: 3 });
    expect(counted.licenses.slice(0, 2)).toEqual([
      { license: 'MIT', packages: 181, spdx: true },
      { license: 'Apache-2.0', packages: 40, spdx: true },
    ]);
    expect(counted.licenseProblems).toEqual([]);
    expect(document.report.packages).toHaveLength(256);
    expect(document.report.packages.find((entry) => entry.name === 'express')).toEqual({ name: 'express', version: '5.3.0', location: 'node_modules/express', kind: 'prod', source: 'registry', depth: 1, license: 'MIT' });
  });

  it('lists missing, unlicensed, custom and non-SPDX licences, and packages nothing reaches', () => {
    const g = graph(
      { name: 'app' },
      [
        node({ location: 'node_modules/a', license: null }),
        node({ location: 'node_modules/b', license: 'UNLICENSED' }),
        node({ location: 'node_modules/c', license: 'SEE LICENSE IN LICENSE.txt' }),
        node({ location: 'node_modules/d', license: 'MIT/X11' }),
        node({ location: 'node_modules/e', license: '(MIT OR Apache-2.0)', dev: true }),
        node({ location: 'node_modules/stray', license: 'ISC' }),
      ],
      ['a', 'b', 'c', 'd', 'e'].map((name) => edge(name, '1.0.0', `node_modules/${name}`)),
    );
    const counted = inventory(g, packageEntries(g));
    expect(counted.licenseProblems).toEqual([
      { name: 'a', version: '1.0.0', license: null, problem: 'missing' },
      { name: 'b', version: '1.0.0', license: 'UNLICENSED', problem: 'unlicensed' },
      { name: 'c', version: '1.0.0', license: 'SEE LICENSE IN LICENSE.txt', problem: 'custom' },
      { name: 'd', version: '1.0.0', license: 'MIT/X11', problem: 'not-spdx' },
    ]);
    expect(licenseProblem('(MIT OR Apache-2.0)')).toBeNull();
    expect(counted).toMatchObject({ packages: 6, direct: 5, transitive: 0, unreachable: 1, byKind: { prod: 5, dev: 1 } });
  });
});

describe('freshness of one dependency', () => {
  it('is up to date when the resolved version is the latest release', () => {
    const entry = freshnessEntry(lib('2.0.0'), packument({ '1.0.0': version('2025-01-01T00:00:00Z'), '2.0.0': version('2026-06-01T00:00:00Z') }), REPORT_DATE);
    expect(entry).toMatchObject({ status: 'ok', latest: '2.0.0', behind: 'none', versionsBehind: 0, daysBehind: 0, published: '2026-06-01', ageDays: 179, lastReleaseDays: 179, stale: false });
  });

  it('counts releases and days behind, by patch, minor and major', () => {
    const versions = { '1.0.0': version('2025-01-10T00:00:00Z'), '1.0.1': version('2025-02-01T00:00:00Z'), '1.1.0': version('2025-03-01T00:00:00Z'), '2.0.0': version('2025-06-09T00:00:00Z') };
    expect(freshnessEntry(lib('1.0.0'), packument(versions), REPORT_DATE)).toMatchObject({ latest: '2.0.0', behind: 'major', versionsBehind: 3, daysBehind: 150, latestPublished: '2025-06-09' });
    expect(freshnessEntry(lib('1.0.0'), packument({ '1.0.0': versions['1.0.0'], '1.1.0': versions['1.1.0'] }), REPORT_DATE)).toMatchObject({ behind: 'minor', versionsBehind: 1 });
    expect(freshnessEntry(lib('1.0.0'), packument({ '1.0.0': versions['1.0.0'], '1.0.1': versions['1.0.1'] }), REPORT_DATE)).toMatchObject({ behind: 'patch', versionsBehind: 1, daysBehind: 22 });
  });

  it('ignores releases published after the report date and prereleases', () => {
    const entry = freshnessEntry(
      lib('1.0.0'),
      packument({ '1.0.0': version('2026-01-01T00:00:00Z'), '1.1.0-beta.1': version('2026-10-01T00:00:00Z'), '2.0.0': version('2026-12-01T00:00:00Z') }, '2.0.0'),
      REPORT_DATE,
    );
    expect(entry).toMatchObject({ latest: '1.0.0', behind: 'none', versionsBehind: 0, lastReleaseDays: 57 });
  });

  it('says when the resolved version is ahead of the latest tag (a prerelease or backport channel)', () => {
    const entry = freshnessEntry(lib('3.0.0'), packument({ '2.9.0': version('2026-01-01T00:00:00Z'), '3.0.0': version('2026-02-01T00:00:00Z') }, '2.9.0'), REPORT_DATE);
    expect(entry).toMatchObject({ latest: '2.9.0', behind: 'ahead', daysBehind: 0 });
  });

  it('flags no release in over two years, and a deprecated resolved version', () => {
    const stale = freshnessEntry(lib('1.0.0'), packument({ '1.0.0': version('2024-11-01T00:00:00Z', { deprecated: 'use lib2' }) }), REPORT_DATE);
    expect(stale).toMatchObject({ stale: true, deprecated: 'use lib2', lastReleaseDays: 756 });
    expect(stale.lastReleaseDays!).toBeGreaterThan(STALE_AFTER_DAYS);
    const recent = freshnessEntry(lib('1.0.0'), packument({ '1.0.0': version('2025-01-01T00:00:00Z') }), REPORT_DATE);
    expect(recent).toMatchObject({ stale: false, deprecated: null });
  });

  it('takes direct dependencies from the root and each workspace, by dependency type', () => {
    const g = graph(
      { name: 'app' },
      [node({ location: 'packages/a', isWorkspace: true, source: 'workspace', packageName: 'a', edgesOut: [edge('ms', '2.1.3', 'node_modules/ms')] }), node({ location: 'node_modules/ms', version: '2.1.3' }), node({ location: 'node_modules/lint', dev: true })],
      [edge('a', 'file:packages/a', 'packages/a', 'workspace'), edge('lint', '^1.0.0', 'node_modules/lint', 'dev'), edge('ms', '2.1.3', 'node_modules/ms')],
    );
    expect(directDependencies(g).map((dep) => `${dep.workspace ?? '.'} ${dep.dependencyType} ${dep.node.packageName}`)).toEqual(['. devDependencies lint', '. dependencies ms', 'a dependencies ms']);
  });
});

describe('freshness from the registry', () => {
  let server: TestRegistry;
  beforeAll(async () => {
    server = await new TestRegistry().start();
    serveRealService(server);
  });
  afterAll(() => server.stop());

  it('judges every direct dependency of real-service from full packuments', async () => {
    server.requests.length = 0;
    const { freshness } = (await reportWith(server, fixture('real-service'))).report;
    expect(freshness.status).toBe('complete');
    expect(freshness.summary).toEqual({ direct: 13, current: 6, patch: 2, minor: 3, major: 2, stale: 1, deprecated: 1, unknown: 0 });
    const byName = Object.fromEntries(freshness.packages.map((entry) => [entry.name, entry]));
    expect(byName.pino).toMatchObject({ version: '10.4.0', latest: '11.0.0', behind: 'major', versionsBehind: 1, daysBehind: 123 });
    expect(byName.helmet).toMatchObject({ latest: '8.3.0', behind: 'none' });
    expect(byName.cors).toMatchObject({ behind: 'none', stale: true });
    expect(byName.jsonwebtoken!.deprecated).toContain('upgrade to 9.0.4');
    expect(byName.eslint).toMatchObject({ dependencyType: 'devDependencies', behind: 'minor', versionsBehind: 3 });
    expect(freshness.ages).toEqual([
      { label: 'under 3 months', packages: 2 },
      { label: '3–12 months', packages: 9 },
      { label: '1–2 years', packages: 1 },
      { label: 'over 2 years', packages: 1 },
    ]);
    // Only the direct dependencies' packuments, each once, in full (publish times).
    const asked = server.requests.filter((request) => !request.url.includes('/-/'));
    expect(asked).toHaveLength(13);
    expect(asked.every((request) => request.headers.accept === 'application/json')).toBe(true);
  });

  it('fails closed (EREGISTRY) when a packument cannot be had, naming the package', async () => {
    server.script('/zod', [{ status: 500, body: '{}' }], true);
    try {
      const error = await reportWith(server, fixture('real-service')).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(isDepguardError(error) && error.code).toBe('EREGISTRY');
      expect((error as Error).message).toContain('zod@4.6.7 (REGISTRY_UNREACHABLE)');
      // With --allow-incomplete the report is written, and says what it lacks.
      const document = await reportWith(server, fixture('real-service'), { registryAccess: { allowIncomplete: true } });
      expect(document.report.freshness.status).toBe('incomplete');
      expect(document.report.freshness.packages.find((entry) => entry.name === 'zod')).toMatchObject({ status: 'unavailable', reason: 'REGISTRY_UNREACHABLE', behind: null });
      expect(document.report.freshness.summary.unknown).toBe(1);
      expect(document.diagnostics.map((diagnostic) => `${diagnostic.level} ${diagnostic.code} ${diagnostic.package?.name ?? ''}`)).toEqual(['error REGISTRY_UNREACHABLE zod', 'warning REGISTRY_INCOMPLETE ']);
    } finally {
      server.scripts.clear();
    }
  });

  it('is skipped offline, without a request, and says so', async () => {
    server.requests.length = 0;
    const { freshness } = (await reportWith(server, fixture('real-service'), { registryAccess: { mode: 'offline' } })).report;
    expect(freshness).toMatchObject({ status: 'skipped', packages: [], ages: [] });
    expect(freshness.reason).toContain('offline');
    expect(server.requests).toEqual([]);
  });

  it('does not ask the registry about git dependencies', async () => {
    server.requests.length = 0;
    const { freshness } = (await reportWith(server, fixture('lockfile-git-unpinned'))).report;
    expect(freshness.packages.map((entry) => `${entry.name} ${entry.status} ${entry.reason}`)).toEqual(['git-branch not-registry git', 'git-pinned not-registry git']);
    expect(server.requests).toEqual([]);
  });
});

describe('Node.js runway', () => {
  const withEngines = (engines?: string) => graph({ name: 'app', ...(engines ? { engines: { node: engines } } : {}) }, []);

  it('lists the supported lines with their end-of-life dates and what engines.node admits', () => {
    const result = runway(withEngines('^22.22.2 || ^24.15.0 || ^26.0.0'), REPORT_DATE);
    expect(result.lines.map((line) => `${line.line} ${line.status} ${line.end} ${line.daysLeft} ${line.admitted}`)).toEqual([
      '22 maintenance-lts 2027-04-30 154 true',
      '24 maintenance-lts 2028-04-30 520 true',
      '26 active-lts 2029-04-30 885 true',
      '27 upcoming 2030-04-30 1250 false',
    ]);
    expect(result).toMatchObject({ engines: '^22.22.2 || ^24.15.0 || ^26.0.0', runwayEnd: '2029-04-30', runwayDays: 885, nextEnd: { line: '22', end: '2027-04-30', daysLeft: 154 }, endOfLifeAdmitted: [] });
  });

  it('is short when engines.node admits only an old line, and lists the end-of-life lines it still admits', () => {
    const result = runway(withEngines('>=20 <23'), REPORT_DATE);
    expect(result).toMatchObject({ runwayEnd: '2027-04-30', runwayDays: 154, endOfLifeAdmitted: ['20', '21'] });
    expect(result.lines.filter((line) => line.admitted).map((line) => line.line)).toEqual(['22']);
  });

  it('judges a project without engines.node against the LTS lines, and a past date against its own schedule', () => {
    expect(runway(withEngines(), REPORT_DATE)).toMatchObject({ engines: null, runwayEnd: '2029-04-30', nextEnd: { line: '22' } });
    const past = runway(withEngines(), '2024-06-01');
    expect(past.lines.map((line) => `${line.line} ${line.status}`)).toEqual(['18 maintenance-lts', '20 active-lts', '22 current', '23 upcoming', '24 upcoming']);
    expect(past.runwayEnd).toBe('2026-04-30');
  });
});

describe('waivers and riskiest packages', () => {
  const waiver = (id: string, expires: string, extra: Partial<Waiver> = {}): Waiver => ({ id, reason: `reviewed ${id}`, expires, origin: 'depguard.config.json: /waivers/0', ...extra });
  const finding = (rule: string, severity: Finding['severity'], name: string | null, extra: Partial<Finding> = {}): Finding => ({
    check: rule.split('/')[0]!,
    rule,
    severity,
    package: name ? { name, version: '1.0.0', location: `node_modules/${name}` } : null,
    paths: [],
    message: `${rule} on ${name}`,
    evidence: {},
    ...extra,
  });

  it('gives each waiver its state on the report date and what it waives', () => {
    const active = waiver('pinning/range', '2027-06-30', { package: 'left-pad' });
    const expiring = waiver('lockfile/foreign-host', '2026-12-10');
    const expired = waiver('GHSA-aaaa-bbbb-cccc', '2026-11-01');
    const unused = waiver('install-scripts/unapproved', '2027-01-31');
    const waived = (w: Waiver) => ({ id: w.id, reason: w.reason, expires: w.expires, ...(w.package ? { package: w.package } : {}) });
    const findings = [
      finding('pinning/range', 'moderate', 'left-pad', { waived: waived(active) }),
      finding('lockfile/foreign-host', 'high', 'a', { waived: waived(expiring) }),
      finding('lockfile/foreign-host', 'high', 'b', { waived: waived(expiring) }),
      finding('waivers/unused', 'info', null, { evidence: { waiver: waived(unused) } }),
    ];
    expect(waiverStatuses([active, expiring, expired, unused], findings, REPORT_DATE).map((w) => `${w.id} ${w.status} ${w.daysLeft} ${w.waives}`)).toEqual([
      'GHSA-aaaa-bbbb-cccc expired -26 0',
      'lockfile/foreign-host expiring 13 2',
      'install-scripts/unapproved unused 65 0',
      'pinning/range active 215 1',
    ]);
  });

  it('ranks packages by unwaived findings, capabilities and install scripts', () => {
    const g = graph(
      { name: 'app' },
      [node({ location: 'node_modules/a' }), node({ location: 'node_modules/b', hasInstallScript: true }), node({ location: 'node_modules/c' }), node({ location: 'node_modules/d' })],
      [edge('a', '1.0.0', 'node_modules/a')],
    );
    const result: AuditResult = {
      schemaVersion: 1,
      tool: { name: 'depguard', version: '0.0.0-test' },
      project: { name: 'app', version: '1.0.0', path: '.', packageCount: 4 },
      summary: { info: 0, low: 0, moderate: 1, high: 1, critical: 0, waived: 1 },
      findings: [
        finding('lockfile/foreign-host', 'high', 'a'),
        finding('pinning/range', 'moderate', 'a'),
        finding('lockfile/insecure-protocol', 'critical', 'd', { waived: { id: 'lockfile', reason: 'vendor mirror', expires: '2027-01-01' } }),
      ],
      diagnostics: [],
      checks: { capabilities: { packages: [{ location: 'node_modules/c', capabilities: { shell: { strong: 2 }, network: { strong: 1, allowedBy: 'network: c' }, filesystem: { strong: 0 } } }] } },
    };
    expect(riskyPackages(result, g, packageEntries(g)).map((risky) => `${risky.name} ${risky.score} ${risky.rules.join(',')} ${risky.capabilities.join(',')} ${risky.direct}`)).toEqual([
      'a 28 lockfile/foreign-host,pinning/range  true',
      'c 6  shell false',
      'b 4   false',
    ]);
  });
});

describe('a report of a workspace project', () => {
  it('counts workspaces apart from packages', async () => {
    const document = await reportWith(null, fixture('lockfile-workspaces'));
    expect(document.report.inventory.workspaces).toBe(2);
    expect(document.report.packages.map((entry) => `${entry.location} ${entry.depth}`)).toEqual(['node_modules/ms 1', 'packages/b/node_modules/semver 1', 'node_modules/semver 1', 'node_modules/wrappy 1']);
  });

  it('reports a project with no dependencies', async () => {
    const document = await reportWith(null, tempProject({ 'package.json': { name: 'empty', version: '1.0.0' }, 'package-lock.json': { name: 'empty', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'empty', version: '1.0.0' } } } }));
    expect(document.report.inventory).toMatchObject({ packages: 0, direct: 0, duplicates: [], licenses: [] });
    expect(document.report.risky).toEqual([]);
  });
});
