// Offline means offline: with advisories off, the recommended policy asks
// the registry nothing. install-scripts takes script text from node_modules
// or from the package's tarball in npm's cache (by the lockfile's integrity),
// else says the text was not fetched. In-process (runCli), against a server
// on 127.0.0.1 that accepts connections and never answers: the test would
// stall (and hit its timeout) if any request were made.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedContentPath } from '../../src/enrich/local-manifests.js';
import { fixture, tempProject, npmProject } from '../helpers/project.js';
import { runCli } from '../report/helpers.js';
import { integrityOf, makeTarball } from './registry-server.js';

let silent: Server;
let url = '';
const sockets: Socket[] = [];
let connections = 0;

beforeAll(async () => {
  silent = createServer((socket) => {
    connections++;
    sockets.push(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('--skip advisories makes no request', () => {
  it('audits install-scripts-real-registry with a registry that never answers: no connection, text said not fetched', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'depguard-offline-cache-'));
    const run = await runCli(['check', fixture('install-scripts-real-registry'), '--skip', 'advisories', '--format', 'json', '--date', '2026-11-27'], { npm_config_registry: url, npm_config_cache: cache });
    expect(run.stderr).toBe('');
    expect(connections).toBe(0);
    const doc = JSON.parse(run.stdout);
    const bcrypt = doc.findings.find((f: { rule: string; package: { name: string } }) => f.rule === 'install-scripts/unapproved' && f.package.name === 'bcrypt');
    expect(bcrypt.message).toContain('install scripts (text not fetched: no installed or cached copy, and this run makes no registry request)');
    expect(bcrypt.evidence).toMatchObject({ scripts: null, scriptsFrom: 'lockfile', text: 'not-fetched' });
    expect(doc.diagnostics.filter((d: { code: string }) => d.code === 'MANIFEST_NOT_FETCHED').length).toBeGreaterThan(0);
    expect(doc.diagnostics.every((d: { level: string }) => d.level === 'warning')).toBe(true);
    expect(doc.skipped).toEqual([{ check: 'advisories', reason: '--skip' }]);
  }, 30_000);

  it("reads the script text from the package's tarball in npm's cache, found by the lockfile's integrity", async () => {
    const tarball = makeTarball({ 'package.json': JSON.stringify({ name: 'native-thing', version: '1.0.0', scripts: { install: 'node-gyp rebuild', test: 'jest' } }), 'binding.gyp': '{}' });
    const integrity = integrityOf(tarball);
    const cache = mkdtempSync(join(tmpdir(), 'depguard-offline-cache-'));
    const content = cachedContentPath(cache, integrity)!;
    mkdirSync(dirname(content), { recursive: true });
    writeFileSync(content, tarball);
    const dir = tempProject(npmProject({ 'native-thing': '1.0.0' }, { 'native-thing': { version: '1.0.0', resolved: 'https://registry.example.org/native-thing/-/native-thing-1.0.0.tgz', integrity, hasInstallScript: true } }));
    const run = await runCli(['check', dir, '--skip', 'advisories', '--format', 'json', '--date', '2026-11-27'], { npm_config_registry: url, npm_config_cache: cache });
    expect(connections).toBe(0);
    const doc = JSON.parse(run.stdout);
    const finding = doc.findings.find((f: { rule: string }) => f.rule === 'install-scripts/unapproved');
    expect(finding.evidence).toMatchObject({ scripts: { install: 'node-gyp rebuild' }, scriptsFrom: 'cache' });
    expect(finding.message).toContain('install "node-gyp rebuild"');
    // A cached file whose bytes do not match the integrity is not evidence.
    writeFileSync(content, Buffer.concat([tarball, Buffer.from('x')]));
    const tampered = JSON.parse((await runCli(['check', dir, '--skip', 'advisories', '--format', 'json', '--date', '2026-11-27'], { npm_config_registry: url, npm_config_cache: cache })).stdout);
    expect(tampered.findings.find((f: { rule: string }) => f.rule === 'install-scripts/unapproved').evidence).toMatchObject({ scripts: null, text: 'not-fetched' });
    expect(connections).toBe(0);
  }, 30_000);

  it('an unreachable registry (connection refused) degrades within seconds, not after npm\'s 70 s of retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const cache = mkdtempSync(join(tmpdir(), 'depguard-offline-cache-'));
    // Advisories from the OSV fixture records; the packuments their metavulnerabilities want are asked of the dead registry,
    // with npm's default retries (2): npm's backoff (10 s, then 60 s) would outlast this test's timeout; depguard's is 1 s, then 2 s.
    const osv = join(fixture('advisories-app'), '../../advisories/osv');
    const run = await runCli(['check', fixture('advisories-app'), '--only', 'advisories', '--advisory-source', osv, '--format', 'json', '--date', '2026-11-27'], { npm_config_registry: `http://127.0.0.1:${port}/`, npm_config_cache: cache, npm_config_fetch_retries: '2' }, { advisories: true });
    expect(run.code).toBe(1);
    const missing = JSON.parse(run.stdout).diagnostics.filter((d: { code: string }) => d.code === 'ADVISORY_PACKUMENT_MISSING');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing[0].message).toContain('ECONNREFUSED');
  }, 20_000);
});
