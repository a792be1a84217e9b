// The default gate answers "is anything known-vulnerable?" with no flag: the
// recommended policy runs the advisories check with the `auto` source (the
// registry's bulk endpoint; when the registry has none, the OSV API for
// public packages only; then a `depguard db update` copy; else exit 2), and
// the summary line names what did not run. Through the real CLI, against a
// loopback registry, online (no --offline), with an empty npm cache.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, REPO } from '../helpers/project.js';
import { runCli } from '../report/helpers.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from './advisory-server.js';
import { readdirSync, readFileSync } from 'node:fs';

const APP = fixture('advisories-app');
const ADVISORIES = join(REPO, 'fixtures/advisories');
const OSV = join(ADVISORIES, 'osv');

let server: AdvisoryServer;
let cache: string;
beforeEach(async () => {
  server = await new AdvisoryServer().start();
  for (const file of readdirSync(join(ADVISORIES, 'registry'))) server.packuments.set(file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(ADVISORIES, 'registry', file), 'utf8')));
  cache = mkdtempSync(join(tmpdir(), 'depguard-gate-cache-'));
});
afterEach(async () => {
  await server.stop();
});

/** The CLI in-process (the loopback server answers in this process), online: npm's registry setting points there, no retries. */
function online(args: string[], env: Record<string, string> = {}) {
  return runCli([...args, '--date', '2026-11-27'], { npm_config_registry: server.url, npm_config_cache: cache, ...env }, { advisories: true });
}

/** A copy of the advisories-app project with a depguard config. */
function withConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-gate-'));
  for (const file of ['package.json', 'package-lock.json']) writeFileSync(join(dir, file), readFileSync(join(APP, file)));
  writeFileSync(join(dir, 'depguard.config.json'), JSON.stringify(config));
  return dir;
}

describe('the default gate', async () => {
  it('reports known-vulnerable packages with no flag when the registry answers the bulk endpoint', async () => {
    server.bulk = bulkFrom(osvFolderAdvisories(OSV));
    const result = await online(['check', APP, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    const advisories = doc.findings.filter((f: { check: string }) => f.check === 'advisories').map((f: { rule: string; package: { name: string } }) => `${f.rule} ${f.package.name}`);
    expect(advisories).toEqual(expect.arrayContaining(['advisories/malicious flatmap-stream', 'advisories/vulnerable minimist']));
    expect(doc.checks.advisories).toMatchObject({ checked: true, source: `npm (${server.url})` });
    expect(server.bulkRequests()).toHaveLength(1);
    // Every default check ran: nothing to name as skipped.
    expect(doc.skipped).toBeUndefined();
    const table = await online(['check', APP]);
    expect(table.stdout.trim().split('\n').at(-1)).toMatch(/FAIL: \d+ at or above high$/);
  });

  it('exits 2 with the hint when the registry answers 405 and no other source can answer; private names never reach the OSV API', async () => {
    server.failures.set('/-/npm/v1/security/advisories/bulk', { status: 405, body: '{"error":"Method Not Allowed"}' });
    // The OSV API is this server too: it would answer, but the packages come from a registry that is not public.
    const project = withConfig({ checks: { advisories: ['on', { osvApi: server.url }] } });
    const result = await online(['check', project]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('answered 405');
    expect(result.stderr).toContain('no `depguard db update` copy');
    expect(result.stderr).toContain('hint: run `depguard db update`');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests.filter((request) => request.url.startsWith('/v1/'))).toEqual([]);
  });

  it('falls back to the OSV API for packages from a registry declared public, and says so', async () => {
    server.failures.set('/-/npm/v1/security/advisories/bulk', { status: 405, body: '{}' });
    for (const file of readdirSync(OSV)) server.osv.set(file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(OSV, file), 'utf8')));
    const project = withConfig({ checks: { advisories: ['on', { osvApi: server.url, publicRegistries: [server.url] }] } });
    const result = await online(['check', project, '--format', 'json']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.checks.advisories).toMatchObject({ checked: true, source: `osv (${server.url})` });
    expect(doc.findings.some((f: { rule: string; package: { name: string } }) => f.rule === 'advisories/malicious' && f.package.name === 'flatmap-stream')).toBe(true);
    expect(doc.diagnostics).toContainEqual(expect.objectContaining({ code: 'ADVISORY_SOURCE_FALLBACK', level: 'warning' }));
    const asked = server.requests.find((request) => request.url === '/v1/querybatch')!.body as { queries: Array<{ package: { name: string } }> };
    expect(new Set(asked.queries.map((query) => query.package.name))).toEqual(new Set(['duplexer', 'event-stream', 'flatmap-stream', 'left-pad', 'minimist', 'mkdirp']));
  });

  it('names skipped checks of the default gate in the summary line', async () => {
    const skipped = await online(['check', APP, '--skip', 'advisories']);
    expect(skipped.stdout.trim().split('\n').at(-1)).toMatch(/; not run: advisories \(--skip\)$/);
    const json = JSON.parse((await online(['check', APP, '--skip', 'advisories', '--format', 'json'])).stdout);
    expect(json.skipped).toEqual([{ check: 'advisories', reason: '--skip' }]);
    const off = withConfig({ checks: { advisories: 'off' } });
    expect((await online(['check', off])).stdout.trim().split('\n').at(-1)).toMatch(/; not run: advisories \(off in depguard\.config\.json\)$/);
    expect(server.requests).toEqual([]);
  });
});
