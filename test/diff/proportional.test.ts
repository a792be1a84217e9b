// diff's registry work grows with the change (issue 16): against a loopback
// registry that logs every request, a change that adds packages makes the
// registry-backed checks ask only about what it added (and, for advisories,
// what the new packages depend on), never about an unchanged package, while
// the new findings are the same as when every package is judged
// (--scope all): a fresh, deprecated, vulnerable package and a new
// metavulnerability through an unchanged vulnerable dependency.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKey } from '../../src/checks/identity.js';
import type { Finding } from '../../src/model.js';
import { diffMarkdown } from '../../src/render/diff-markdown.js';
import type { DiffResult } from '../../src/render/diff-model.js';
import { runInProcess, useLoopbackRegistry } from '../helpers/in-process.js';
import { integrityOf, TestRegistry } from '../enrich/registry-server.js';
import { gitRepo, tempDir } from './helpers.js';

const CHECKS = 'advisories,capabilities,deprecated,install-scripts,license,provenance,release-age';
const OLD = '2020-01-01T00:00:00.000Z';

let server: TestRegistry;
let restoreEnv: () => void;
let osv: string;

function record(id: string, name: string, fixed: string): Record<string, unknown> {
  return {
    schema_version: '1.4.0',
    id,
    modified: '2026-01-01T00:00:00Z',
    published: '2026-01-01T00:00:00Z',
    aliases: [],
    summary: `A vulnerability in ${name}`,
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
    database_specific: { severity: 'HIGH' },
  };
}

beforeAll(async () => {
  server = await new TestRegistry().start();
  // Unchanged by the change: plain, deprecated, vulnerable (every published version), with an install script.
  server.add('steady', { versions: { '1.0.0': { time: OLD } }, modified: OLD });
  server.add('old-deprecated', { versions: { '1.0.0': { time: OLD, deprecated: 'use steady' } }, modified: OLD });
  server.add('old-vuln', { versions: { '1.0.0': { time: OLD } }, modified: OLD });
  server.add('native', { versions: { '1.0.0': { time: OLD, scripts: { install: 'node-gyp rebuild' } } }, modified: OLD });
  // Added by the change: published the day before the audit, deprecated and vulnerable; and a wrapper that can only use old-vuln.
  server.add('fresh-bad', { versions: { '1.0.0': { time: '2026-11-26T12:00:00.000Z', deprecated: 'do not use' } }, modified: '2026-11-26T12:00:00.000Z' });
  server.add('wrapper', { versions: { '1.0.0': { time: OLD, dependencies: { 'old-vuln': '^1.0.0' } } }, modified: OLD });
  restoreEnv = useLoopbackRegistry(server.url);
  osv = mkdtempSync(join(tmpdir(), 'depguard-osv-'));
  writeFileSync(join(osv, 'GHSA-aaaa-bbbb-cccc.json'), JSON.stringify(record('GHSA-aaaa-bbbb-cccc', 'old-vuln', '2.0.0')));
  writeFileSync(join(osv, 'GHSA-dddd-eeee-ffff.json'), JSON.stringify(record('GHSA-dddd-eeee-ffff', 'fresh-bad', '2.0.0')));
});
afterAll(async () => {
  restoreEnv();
  await server.stop();
});

function files(dependencies: Record<string, string>): Record<string, object> {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies } };
  for (const [name, version] of Object.entries(dependencies)) {
    packages[`node_modules/${name}`] = {
      version,
      resolved: `${server.url}${name}/-/${name}-${version}.tgz`,
      integrity: integrityOf(server.tarballOf(name, version)),
      ...(name === 'native' ? { hasInstallScript: true } : {}),
      ...(name === 'wrapper' ? { dependencies: { 'old-vuln': '^1.0.0' } } : {}),
    };
  }
  return { 'package.json': { name: 'app', version: '1.0.0', dependencies }, 'package-lock.json': { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages } };
}

const BASE = { steady: '1.0.0', 'old-deprecated': '1.0.0', 'old-vuln': '1.0.0', native: '1.0.0' };

async function diffRun(project: string, scope: 'changed' | 'all'): Promise<{ result: DiffResult; names: Set<string> }> {
  const before = server.requests.length;
  const { code, stdout, stderr } = await runInProcess(['diff', project, '--base', 'HEAD~1', '--only', CHECKS, '--advisory-source', osv, '--scope', scope, '--cache', tempDir('depguard-diff-cache-'), '--date', '2026-11-27', '--format', 'json', '--fail-on', 'none', '--verbose', '--no-progress']);
  expect(code, stderr).toBe(0);
  // What reached the registry (--verbose also lists cache-only lookups, `error=ENOTCACHED`, which are not requests).
  const served = server.requests.slice(before).map((request) => request.url.slice(1));
  const verbose = stderr.split('\n').filter((line) => line.startsWith('depguard: GET ') && !line.includes('error=ENOTCACHED'));
  expect(verbose.length).toBeGreaterThanOrEqual(served.length);
  // The package is the path's first segment (packuments and tarballs alike).
  return { result: JSON.parse(stdout) as DiffResult, names: new Set(served.map((url) => decodeURIComponent(url.split('/')[0]!))) };
}

const keys = (findings: Finding[]) => findings.map(findingKey).sort();
const listed = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.package?.name ?? '-'}`).sort();

describe('diff: registry requests proportional to the change', () => {
  it('never asks about an unchanged package, and finds the same new findings as judging every package', async () => {
    const repo = gitRepo([{ files: files(BASE) }, { files: files({ ...BASE, 'fresh-bad': '1.0.0', wrapper: '1.0.0' }) }]);
    const scoped = await diffRun(repo.project, 'changed');
    // The added packages, and old-vuln's packument: the wrapper's metavulnerability is judged against it.
    expect([...scoped.names].sort()).toEqual(['fresh-bad', 'old-vuln', 'wrapper']);
    expect(listed(scoped.result.diff.newFindings)).toEqual([
      'advisories/metavulnerability wrapper',
      'advisories/vulnerable fresh-bad',
      'deprecated/package fresh-bad',
      'release-age/too-new fresh-bad',
    ]);
    expect(scoped.result.diff.head.scope).toEqual({ judged: 'changed', checks: ['advisories', 'capabilities', 'deprecated', 'license', 'provenance', 'release-age'], packages: 2 });
    expect(scoped.result.diff.base.scope).toEqual({ judged: 'changed', checks: ['advisories', 'capabilities', 'deprecated', 'license', 'provenance', 'release-age'], packages: 0 });
    // Unchanged: not judged, so not in head's findings either; the comment says what was judged.
    expect(listed(scoped.result.findings)).not.toContain('deprecated/package old-deprecated');
    expect(diffMarkdown(scoped.result, { failOn: 'high', color: false })).toContain('judged the 2 packages the change brings in (`--scope all`: every package)');

    const whole = await diffRun(repo.project, 'all');
    expect([...whole.names].sort()).toEqual(['fresh-bad', 'native', 'old-deprecated', 'old-vuln', 'steady', 'wrapper']);
    expect(whole.result.diff.head.scope).toBeUndefined();
    expect(diffMarkdown(whole.result, { failOn: 'high', color: false })).not.toContain('the change brings in');
    expect(listed(whole.result.findings)).toContain('deprecated/package old-deprecated');
    expect(keys(scoped.result.diff.newFindings)).toEqual(keys(whole.result.diff.newFindings));
    expect(keys(scoped.result.diff.resolvedFindings)).toEqual(keys(whole.result.diff.resolvedFindings));
  });

  it('judges a removed package on the base side: what the change takes away is resolved', async () => {
    const repo = gitRepo([{ files: files({ ...BASE, 'fresh-bad': '1.0.0' }) }, { files: files(BASE) }]);
    const scoped = await diffRun(repo.project, 'changed');
    expect([...scoped.names].sort()).toEqual(['fresh-bad']);
    expect(scoped.result.diff.newFindings).toEqual([]);
    expect(listed(scoped.result.diff.resolvedFindings)).toEqual(['advisories/vulnerable fresh-bad', 'deprecated/package fresh-bad', 'release-age/too-new fresh-bad']);
    expect(scoped.result.diff.base.scope?.packages).toBe(1);
  });

  it('reports a waiver as unused only when every package it names was judged', async () => {
    const waiver = (id: string, pkg: string) => ({ id, package: pkg, reason: 'reviewed', expires: '2027-12-31' });
    // The base's config is the trusted one: a waiver for the unchanged old-deprecated, one for fresh-bad, which the change removes.
    const config = { 'depguard.config.json': { extends: 'recommended', waivers: [waiver('deprecated/package', 'old-deprecated'), waiver('release-age/too-new', 'fresh-bad')] } };
    const repo = gitRepo([{ files: { ...files({ ...BASE, 'fresh-bad': '1.0.0' }), ...config } }, { files: files(BASE) }]);
    for (const scope of ['changed', 'all'] as const) {
      const { result } = await diffRun(repo.project, scope);
      const unused = (findings: Finding[]) => findings.filter((f) => f.rule === 'waivers/unused').map((f) => (f.evidence.waiver as { package: string }).package);
      // old-deprecated's waiver still applies (judged or not); fresh-bad's matches nothing once fresh-bad is gone.
      expect(unused(result.findings), scope).toEqual(['fresh-bad']);
      expect(unused(result.diff.newFindings), scope).toEqual(['fresh-bad']);
    }
  });
});
