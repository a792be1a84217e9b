// depguard fix plans for packages to be replaced, not only vulnerable ones:
// deprecated versions (the deprecated check's deprecated/version findings),
// when the policy enables the check or with --deprecated; ranges the denied
// check denies; and malicious releases (OSV MAL- records, which list exact
// versions). The registry is a
// loopback server serving packuments in the public registry's shape with
// `deprecated` messages (the mirror these machines reach strips them).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { VerifyContext } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { deniedEntries, type DeniedEntry } from '../../src/checks/denied/index.js';
import type { DeprecationOptions } from '../../src/remediate/replacements.js';
import { fixture, SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from '../advisories/advisory-server.js';
import { depguardAsync, type CliResult } from '../helpers/cli.js';

const OSV = join(SHARED_DATA, 'advisories/osv');
const osvPresent = existsSync(join(OSV, 'MAL-2025-46974.json'));
if (!osvPresent) console.warn(`skipping depguard fix on a malicious release: ${OSV}/MAL-2025-46974.json is absent (shared data not laid beside the clone)`);

type Versions = Record<string, { dependencies?: Record<string, string>; deprecated?: string }>;
function packument(name: string, latest: string, versions: Versions): Record<string, unknown> {
  return {
    name,
    'dist-tags': { latest },
    modified: '2026-10-01T00:00:00.000Z',
    versions: Object.fromEntries(Object.entries(versions).map(([version, fields]) => [version, { name, version, ...fields, dist: { tarball: `https://registry.example.org/${name}/-/${name}-${version}.tgz` } }])),
  };
}

const GONE = 'gone is no longer maintained: use the platform API';
let server: AdvisoryServer;
beforeAll(async () => {
  server = await new AdvisoryServer().start();
  for (const doc of [
    packument('left', '1.0.1', { '1.0.0': { deprecated: '1.0.0 corrupts output on Windows: use 1.0.1' }, '1.0.1': {} }),
    packument('wrapper', '2.0.0', { '1.0.0': { dependencies: { pinned: '1.2.0' } }, '2.0.0': { dependencies: { pinned: '^2.0.0' } } }),
    packument('pinned', '2.0.0', { '1.2.0': { deprecated: 'security fix in 1.2.1' }, '1.2.1': {}, '2.0.0': {} }),
    packument('gone', '1.1.0', { '1.0.0': { deprecated: GONE }, '1.1.0': { deprecated: GONE } }),
    packument('fine', '3.0.0', { '3.0.0': {} }),
    // The September 2025 compromise: debug 4.4.2 was malware (MAL-2025-46974), 4.4.3 the clean republish.
    packument('debug', '4.4.3', { '4.4.1': { dependencies: { ms: '^2.1.3' } }, '4.4.2': { dependencies: { ms: '^2.1.3' } }, '4.4.3': { dependencies: { ms: '^2.1.3' } } }),
    packument('ms', '2.1.3', { '2.1.3': {} }),
    packument('logger', '1.0.0', { '1.0.0': { dependencies: { debug: '4.4.2' } } }),
    // The 2018 compromise: event-stream 3.3.6 pulled flatmap-stream; 4.0.0 and 4.0.1 were republished clean.
    packument('event-stream', '4.0.1', { '3.3.4': {}, '3.3.5': {}, '3.3.6': { dependencies: { 'flatmap-stream': '^0.1.0' } }, '4.0.0': {}, '4.0.1': {} }),
    packument('flatmap-stream', '0.1.1', { '0.1.1': {} }),
    packument('stream-logger', '1.0.0', { '1.0.0': { dependencies: { 'event-stream': '3.3.6' } } }),
    packument('request', '2.88.2', { '2.88.2': {} }),
  ]) {
    server.packuments.set(String(doc.name), doc);
  }
  if (osvPresent) server.bulk = bulkFrom(osvFolderAdvisories(OSV));
});
afterAll(() => server.stop());

function context(deprecated: DeprecationOptions | null, denied: DeniedEntry[] = []): VerifyContext {
  return planContext(server.url, { replacements: { deprecated, denied } });
}

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-deprecated-'));
  cpSync(fixture('fix-deprecated'), dir, { recursive: true });
  return dir;
}

describe('depguard fix for deprecated versions', () => {
  it('plans a refresh for a deprecated version within range and an override for one a parent pins; an abandoned package is listed apart', async () => {
    const plan = await remediate(copy(), context({ ignore: [] }), { auditOverrides: false });
    expect(plan.packages.map((entry) => [entry.package, entry.versions, entry.advisories])).toEqual([
      ['left', ['1.0.0'], ['deprecated']],
      ['pinned', ['1.2.0'], ['deprecated']],
    ]);
    const [left, pinned] = plan.packages;
    expect(left!.suggestions[0]).toMatchObject({ kind: 'refresh', to: '1.0.1', edits: { update: ['left'] }, offered: true });
    expect(left!.suggestions[0]!.verification).toMatchObject({ fixed: ['left deprecated'], introduced: [], changed: ['left'] });
    // The lowest version that is not deprecated, on the same line; the parent's major upgrade is the alternative.
    expect(pinned!.suggestions.map((s) => [s.kind, s.to, s.offered])).toEqual([
      ['scoped-override', '1.2.1', true],
      ['parent-upgrade', '2.0.0', true],
    ]);
    expect(pinned!.suggestions[1]).toMatchObject({ parent: { name: 'wrapper', from: '1.0.0', to: '2.0.0' }, major: true, leavesRange: true });
    expect(plan.replace).toEqual([{ package: 'gone', version: '1.0.0', why: 'abandoned', reason: GONE, latest: '1.1.0' }]);
    expect(plan.combined).toMatchObject({ overrides: { wrapper: { pinned: '1.2.1' } }, dependencies: [], update: ['left'] });
    expect(plan.combined.verification).toMatchObject({ fixed: ['left deprecated', 'pinned deprecated'], stillVulnerable: [], introduced: [] });
  }, 60_000);

  it('plans nothing for deprecations when not asked, and skips ignored names', async () => {
    expect((await remediate(copy(), context(null), { auditOverrides: false })).packages).toEqual([]);
    const ignoring = await remediate(copy(), context({ ignore: ['left', 'go*'] }), { auditOverrides: false });
    expect(ignoring.packages.map((entry) => entry.package)).toEqual(['pinned']);
    expect(ignoring.replace).toEqual([]);
  }, 60_000);
});

function depguard(args: string[], cwd: string): Promise<CliResult> {
  return depguardAsync(args, { cwd, env: { ...process.env, npm_config_registry: server.url, npm_config_cache: mkdtempSync(join(tmpdir(), 'depguard-fix-cache-')), npm_config_offline: 'false', NO_COLOR: '1' } });
}

describe('depguard fix --deprecated (CLI)', () => {
  it('follows the policy: strict enables the deprecated check and so the planning, recommended does not, the flag decides over both', async () => {
    const dir = copy();
    const manifest = readFileSync(join(dir, 'package.json'), 'utf8');
    const planned = (out: { stdout: string }) => (JSON.parse(out.stdout) as { packages: Array<{ package: string }> }).packages.map((entry) => entry.package);
    const strict = await depguard(['fix', dir, '--format', 'json', '--policy', 'strict', '--no-audit-overrides'], dir);
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(0);
    expect(planned(strict)).toEqual(['left', 'pinned']);
    expect(JSON.parse(strict.stdout).replace).toEqual([{ package: 'gone', version: '1.0.0', why: 'abandoned', reason: GONE, latest: '1.1.0' }]);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--no-audit-overrides'], dir))).toEqual([]);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--deprecated', '--no-audit-overrides'], dir))).toEqual(['left', 'pinned']);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--policy', 'strict', '--no-deprecated', '--no-audit-overrides'], dir))).toEqual([]);
    const text = await depguard(['fix', dir, '--deprecated', '--no-audit-overrides'], dir);
    expect(text.stdout).toContain('gone@1.0.0: deprecated, and so is the latest 1.1.0');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(manifest);
  }, 120_000);
});

describe.skipIf(!osvPresent)('depguard fix for a malicious release', () => {
  it('moves a locked debug@4.4.2 to the clean 4.4.3 and overrides it under a parent that pins it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-malicious-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { debug: '^4.4.0', logger: '1.0.0' } }, null, 2));
    const packages = {
      '': { name: 'app', version: '1.0.0', dependencies: { debug: '^4.4.0', logger: '1.0.0' } },
      'node_modules/debug': { version: '4.4.2', dependencies: { ms: '^2.1.3' } },
      'node_modules/logger': { version: '1.0.0', dependencies: { debug: '4.4.2' } },
      'node_modules/ms': { version: '2.1.3' },
    };
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
    const plan = await remediate(dir, context(null), { auditOverrides: false });
    const [debug] = plan.packages;
    // GitHub's malware advisory for the release (the MAL- record's aliases name it), matched by its exact version.
    expect(debug).toMatchObject({ package: 'debug', versions: ['4.4.2'] });
    expect(debug!.advisories).toContain('GHSA-4x49-vf9v-38px');
    // The root's copy could refresh within ^4.4.0, but logger pins 4.4.2 exactly: alone, the refresh fixes nothing.
    const refresh = debug!.suggestions.find((s) => JSON.stringify(s.edits) === '{"update":["debug"]}')!;
    expect(refresh).toMatchObject({ offered: false });
    expect(refresh.verification.fixed).toEqual([]);
    // The override scoped to logger, with the root's copy moved in its range, is a scoped override npm accepts beside the direct dependency.
    expect(debug!.suggestions[0]).toMatchObject({ kind: 'scoped-override', to: '4.4.3', parents: ['logger'], edits: { overrides: { logger: { debug: '4.4.3' } }, update: ['debug'] }, offered: true });
    expect(debug!.suggestions.some((s) => s.kind === 'global-override')).toBe(false);
    expect(plan.combined).toMatchObject({ overrides: { logger: { debug: '4.4.3' } }, dependencies: [], update: ['debug'] });
    expect(plan.combined.verification).toMatchObject({ stillVulnerable: [], introduced: [] });
    expect(plan.combined.verification!.fixed).toEqual(debug!.advisories.map((id) => `debug ${id}`));
  }, 60_000);
});

describe('depguard fix for packages the policy denies', () => {
  // No advisories here (request 2.88.2 has a real, unfixed one in the shared records): only the policy speaks.
  let bulk: AdvisoryServer['bulk'];
  beforeAll(() => {
    bulk = server.bulk;
    server.bulk = () => ({});
  });
  afterAll(() => {
    server.bulk = bulk;
  });
  it('plans for a denied range like an advisory and lists a package denied as a whole to replace, with the policy\'s replacement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-denied-'));
    cpSync(fixture('denied-packages'), dir, { recursive: true });
    const denied = deniedEntries([
      { package: 'request', reason: 'unmaintained since 2020', use: 'undici' },
      { package: 'event-stream@3.3.6', reason: 'compromised release' },
      'left-pad@<1.3.0',
    ]);
    const plan = await remediate(dir, context(null, denied), { auditOverrides: false });
    expect(plan.packages.map((entry) => [entry.package, entry.versions, entry.advisories])).toEqual([['event-stream', ['3.3.6'], ['denied']]]);
    // No 3.x after 3.3.6: the next line's first release, under the parent that pins it.
    expect(plan.packages[0]!.suggestions[0]).toMatchObject({ kind: 'scoped-override', to: '4.0.0', parents: ['stream-logger'], major: true, offered: true });
    expect(plan.packages[0]!.suggestions[0]!.verification).toMatchObject({ fixed: ['event-stream denied'], introduced: [] });
    // request (installed under the alias http-client) is denied as a whole: nothing to move to.
    expect(plan.replace).toEqual([{ package: 'request', version: '2.88.2', why: 'denied', reason: 'unmaintained since 2020', use: 'undici' }]);
    expect(plan.combined).toMatchObject({ overrides: { 'stream-logger': { 'event-stream': '4.0.0' } }, dependencies: [], update: [] });
    // Without the denied list there is nothing to plan.
    expect((await remediate(dir, context(null), { auditOverrides: false })).packages).toEqual([]);
  }, 60_000);

  it('through the CLI, the project\'s depguard.config.json supplies the list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-denied-'));
    cpSync(fixture('denied-packages'), dir, { recursive: true });
    const result = await depguard(['fix', dir, '--format', 'json', '--no-audit-overrides'], dir);
    expect(result.stderr).toBe('');
    const doc = JSON.parse(result.stdout);
    expect(doc.packages.map((entry: { package: string }) => entry.package)).toEqual(['event-stream']);
    expect(doc.replace).toEqual([{ package: 'request', version: '2.88.2', why: 'denied', reason: 'unmaintained since 2020', use: 'undici' }]);
    expect(doc.plan.overrides).toEqual({ field: 'overrides', value: { 'stream-logger': { 'event-stream': '4.0.0' } } });
  }, 60_000);
});

describe('depguard fix --advisory-source <folder>', () => {
  it('takes a relative folder from the working directory, as depguard check does', async () => {
    const work = mkdtempSync(join(tmpdir(), 'depguard-fix-osv-'));
    mkdirSync(join(work, 'osv'));
    // A hand-written OSV record (schema 1.6 shape) for left 1.0.0, fixed in 1.0.1.
    const record = {
      schema_version: '1.6.0',
      id: 'GHSA-test-left-0001',
      modified: '2026-10-01T00:00:00Z',
      summary: 'left pads with the wrong character',
      affected: [{ package: { ecosystem: 'npm', name: 'left' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
      database_specific: { severity: 'MODERATE' },
    };
    writeFileSync(join(work, 'osv', 'GHSA-test-left-0001.json'), JSON.stringify(record));
    const dir = copy();
    // Relative to `work`, not to the project folder (the fix used to resolve it against the project).
    const folder = await depguard(['fix', dir, '--format', 'json', '--advisory-source', './osv', '--no-audit-overrides'], work);
    expect(folder.stderr).toBe('');
    const doc = JSON.parse(folder.stdout);
    expect(doc.packages.map((entry: { package: string; advisories: string[] }) => [entry.package, entry.advisories])).toEqual([['left', ['GHSA-test-left-0001']]]);
    expect(doc.plan.update).toEqual(['left']);
  }, 60_000);
});
