// The JSON snapshot: validated against schemas/report-snapshot.schema.json,
// read back by --previous (clear errors for anything else), and the trend
// across two snapshots: last quarter's (a committed file) and this one.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDepguardError } from '../../src/errors.js';
import type { ReportDocument } from '../../src/render/report-model.js';
import { readSnapshot } from '../../src/commands/report/snapshot.js';
import { trend } from '../../src/commands/report/trend.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { errorsOf, reportWith, runCli, serveRealService, snapshotValidator } from './helpers.js';

const PREVIOUS = 'fixtures/report/real-service-2026-08-27.json';
/** The config real-service had last quarter (see fixtures/report/README.md). */
const CONFIG = {
  extends: 'recommended',
  checks: { pinning: ['on', { rangesAllowedIn: ['peerDependencies'] }], 'pinning/range': 'high' },
  waivers: [{ id: 'engines/eol-soon', reason: 'moving to Node.js 24 in Q1 (ENG-311)', expires: '2026-12-15' }],
};

let server: TestRegistry;
beforeAll(async () => {
  server = await new TestRegistry().start();
  serveRealService(server);
});
afterAll(() => server.stop());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('the JSON snapshot', () => {
  it('validates against the snapshot schema, for real projects with and without registry data', async () => {
    const validate = await snapshotValidator();
    const run = await runCli(['report', 'fixtures/projects/real-service', '--format', 'json', '--date', '2026-11-27'], { npm_config_registry: server.url });
    expect(run.code).toBe(0);
    const documents: unknown[] = [
      JSON.parse(run.stdout),
      JSON.parse(readFileSync(join(REPO, PREVIOUS), 'utf8')),
      await reportWith(null, fixture('risky-app')),
      await reportWith(null, fixture('lockfile-workspaces')),
      await reportWith(null, fixture('lockfile-git-unpinned')),
    ];
    for (const document of documents) expect(validate(document), errorsOf(validate)).toBe(true);
    const first = documents[0] as ReportDocument;
    // The check document, unchanged, plus `report`.
    expect(Object.keys(first)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'checks', 'skipped', 'report']);
    expect(first.report).toMatchObject({ version: 1, date: '2026-11-27', policy: { preset: 'recommended', configFile: null }, trend: null });
  });

  it('is strict about the report section: an unknown or malformed key is a schema error', async () => {
    const validate = await snapshotValidator();
    const document = structuredClone(await reportWith(null, fixture('risky-app'))) as unknown as { report: Record<string, unknown> & { freshness: Record<string, unknown> } };
    document.report.freshness.status = 'fresh';
    expect(validate(document)).toBe(false);
    expect(errorsOf(validate)).toContain('/report/freshness/status');
    document.report.freshness.status = 'skipped';
    document.report.extra = true;
    expect(validate(document)).toBe(false);
    expect(errorsOf(validate)).toContain('additionalProperty');
  });
});

describe('--previous', () => {
  it('reads a snapshot written by an earlier run', async () => {
    const previous = await readSnapshot(join(REPO, PREVIOUS));
    expect(previous.report).toMatchObject({ version: 1, date: '2026-08-27' });
    expect(previous.report.packages).toHaveLength(283);
  });

  it('refuses anything else with the file, the field and a hint (exit 2)', async () => {
    const dir = tempProject({
      'broken.json': '{ "report": ',
      'check.json': { schemaVersion: 1, tool: { name: 'depguard', version: '0.1.0' }, project: { name: 'x', version: null, path: '.', packageCount: 0 }, summary: {}, findings: [], diagnostics: [] },
      'newer.json': { report: { version: 2 } },
      'invalid.json': { ...JSON.parse(readFileSync(join(REPO, PREVIOUS), 'utf8')), findings: [{ rule: 'pinning/range' }] },
    });
    const cases: Array<[string, string, string]> = [
      ['broken.json', 'EJSON_PARSE', 'is not valid JSON'],
      ['check.json', 'EBAD_ARGS', 'no "report" key'],
      ['newer.json', 'EBAD_ARGS', 'version 2 snapshot, from a newer depguard'],
      ['invalid.json', 'EBAD_ARGS', '/findings/0'],
    ];
    for (const [file, code, message] of cases) {
      const error = await rejection(readSnapshot(join(dir, file)));
      expect(isDepguardError(error) && error.code, file).toBe(code);
      expect((error as Error).message).toContain(message);
    }
    const missing = await rejection(readSnapshot(join(dir, 'absent.json')));
    expect((missing as Error).message).toContain('cannot read');
    // Through the CLI: exit 2 before any audit, nothing written.
    const run = await runCli(['report', 'fixtures/projects/risky-app', '--previous', join(dir, 'check.json'), '--offline', '-o', join(dir, 'out.html')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--previous');
    expect(run.stderr).toContain('hint: make one with `depguard report --format json');
    expect(() => readFileSync(join(dir, 'out.html'))).toThrow();
  });
});

describe('the trend across two snapshots', () => {
  it('lists findings opened and closed and packages added and removed since last quarter', async () => {
    const dir = tempProject({ 'depguard.config.json': CONFIG }, fixture('real-service'));
    const output = join(dir, 'this-quarter.json');
    const run = await runCli(['report', dir, '--format', 'json', '--date', '2026-11-27', '--previous', PREVIOUS, '-o', output], { npm_config_registry: server.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 findings (2 high), 1 waived in 256 packages; FAIL: 2 at or above high');
    const { report } = JSON.parse(readFileSync(output, 'utf8')) as ReportDocument;
    const trendOf = report.trend!;
    expect(trendOf.previousDate).toBe('2026-08-27');
    expect(trendOf.summary).toEqual({ previous: { info: 1, low: 0, moderate: 0, high: 4, critical: 0, waived: 0 }, current: { info: 0, low: 0, moderate: 0, high: 2, critical: 0, waived: 1 } });
    // zod pinned again, tsx (and esbuild's install script) gone, the Node.js 22 end-of-life now near and waived.
    expect(trendOf.closed.map((finding) => `${finding.rule} ${finding.package ?? '-'}`)).toEqual(['install-scripts/unapproved esbuild@0.28.2', 'pinning/range zod@4.6.7', 'waivers/unused -']);
    expect(trendOf.opened.map((finding) => `${finding.rule} ${finding.package ?? '-'} ${finding.waived}`)).toEqual(['engines/eol-soon - true']);
    expect(trendOf.packages).toMatchObject({ previous: 283, current: 256, added: ['cors@2.8.6', 'object-assign@4.1.1'], changed: [] });
    expect(trendOf.packages.removed).toHaveLength(29);
    expect(trendOf.packages.removed.filter((label) => !label.startsWith('@esbuild/'))).toEqual(['esbuild@0.28.2', 'fsevents@2.3.3', 'tsx@4.23.15']);
    // This snapshot is itself a valid --previous for next quarter.
    expect((await readSnapshot(output)).report.trend).toEqual(trendOf);
  });

  it('matches findings by identity, not message or location, and reports version changes', async () => {
    const current = await reportWith(null, fixture('risky-app'));
    expect(trend({ result: current, packages: current.report.packages }, current)).toMatchObject({ opened: [], closed: [], packages: { added: [], removed: [], changed: [] } });
    const previous: ReportDocument = structuredClone(current);
    previous.report.date = '2026-08-27';
    // Reworded messages and moved packages are the same findings.
    previous.findings = previous.findings.map((finding) => ({ ...finding, message: `old wording: ${finding.message}`, package: finding.package ? { ...finding.package, location: `node_modules/x/${finding.package.location}` } : null }));
    previous.report.packages = previous.report.packages.map((entry) => (entry.name === 'ms' ? { ...entry, version: '2.1.2' } : entry));
    const result = trend({ result: current, packages: current.report.packages }, previous);
    expect(result.opened).toEqual([]);
    expect(result.closed).toEqual([]);
    expect(result.packages.changed).toEqual([{ name: 'ms', from: ['2.1.2'], to: ['2.1.3'] }]);
  });

  it('opens a foreign host the previous report had again for the package this quarter added to it, that package only', async () => {
    const base = fixture('diff-foreign-host');
    const previous = await reportWith(null, base, { only: ['lockfile'] });
    const manifest = JSON.parse(readFileSync(join(base, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(base, 'package-lock.json'), 'utf8'));
    manifest.dependencies['left-pad'] = '1.3.0';
    lock.packages[''].dependencies['left-pad'] = '1.3.0';
    lock.packages['node_modules/left-pad'] = {
      version: '1.3.0',
      resolved: 'https://npm-mirror.example.net/left-pad/-/left-pad-1.3.0.tgz',
      integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEQDx+6EVSthiinfKCs5WGGPqmxyfJKEWLvWm2hmF2GAkMw==',
      license: 'WTFPL',
    };
    const current = await reportWith(null, tempProject({ 'package.json': manifest, 'package-lock.json': lock }, base), { only: ['lockfile'], previous });
    expect(current.findings.filter((finding) => finding.rule === 'lockfile/foreign-host').map((finding) => finding.evidence.count)).toEqual([2]);
    expect(current.report.trend!.opened.map((finding) => `${finding.rule} ${finding.package ?? '-'}`)).toEqual(['lockfile/foreign-host left-pad@1.3.0']);
    expect(current.report.trend!.closed).toEqual([]);
  });

  it('writes the snapshot with every finding whatever --min-severity hides', async () => {
    const dir = tempProject({});
    const output = join(dir, 'risky.json');
    const run = await runCli(['report', 'fixtures/projects/risky-app', '--format', 'json', '--offline', '--min-severity', 'critical', '--date', '2026-11-27', '-o', output]);
    expect(run.code).toBe(1);
    const document = JSON.parse(readFileSync(output, 'utf8')) as ReportDocument;
    expect(document.findings.length).toBe(5);
    writeFileSync(join(dir, 'copy.json'), JSON.stringify(document));
    expect((await readSnapshot(join(dir, 'copy.json'))).findings).toHaveLength(5);
  });
});
