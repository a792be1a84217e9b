// depguard fix plans for packages to be replaced, not only vulnerable ones:
// deprecated versions (the deprecated check's deprecated/version findings),
// when the policy enables the check or with --deprecated, and malicious
// releases (OSV MAL- records, which list exact versions). The registry is a
// loopback server serving packuments in the public registry's shape with
// `deprecated` messages (the mirror these machines reach strips them).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remediate } from '../../src/remediate/remediate.js';
import type { VerifyContext } from '../../src/remediate/verify.js';
import { planContext } from './context.js';
import { fixture, REPO, SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from '../advisories/advisory-server.js';

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
  ]) {
    server.packuments.set(String(doc.name), doc);
  }
  if (osvPresent) server.bulk = bulkFrom(osvFolderAdvisories(OSV));
});
afterAll(() => server.stop());

function context(deprecated: VerifyContext['deprecated']): VerifyContext {
  return planContext(server.url, { deprecated });
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
    expect(plan.abandoned).toEqual([{ package: 'gone', version: '1.0.0', reason: GONE, latest: '1.1.0' }]);
    expect(plan.combined).toMatchObject({ overrides: { wrapper: { pinned: '1.2.1' } }, dependencies: [], update: ['left'] });
    expect(plan.combined.verification).toMatchObject({ fixed: ['left deprecated', 'pinned deprecated'], stillVulnerable: [], introduced: [] });
  }, 60_000);

  it('plans nothing for deprecations when not asked, and skips ignored names', async () => {
    expect((await remediate(copy(), context(null), { auditOverrides: false })).packages).toEqual([]);
    const ignoring = await remediate(copy(), context({ ignore: ['left', 'go*'] }), { auditOverrides: false });
    expect(ignoring.packages.map((entry) => entry.package)).toEqual(['pinned']);
    expect(ignoring.abandoned).toEqual([]);
  }, 60_000);
});

function depguard(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...(process.env as Record<string, string>), npm_config_registry: server.url, npm_config_cache: mkdtempSync(join(tmpdir(), 'depguard-fix-cache-')), npm_config_offline: 'false', NO_COLOR: '1' };
    const child = spawn(process.execPath, [join(REPO, 'bin/depguard.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
    expect(JSON.parse(strict.stdout).abandoned).toEqual([{ package: 'gone', version: '1.0.0', reason: GONE, latest: '1.1.0' }]);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--no-audit-overrides'], dir))).toEqual([]);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--deprecated', '--no-audit-overrides'], dir))).toEqual(['left', 'pinned']);
    expect(planned(await depguard(['fix', dir, '--format', 'json', '--policy', 'strict', '--no-deprecated', '--no-audit-overrides'], dir))).toEqual([]);
    const text = await depguard(['fix', dir, '--deprecated', '--no-audit-overrides'], dir);
    expect(text.stdout).toContain('gone@1.0.0 (latest 1.1.0)');
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
