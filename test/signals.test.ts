// The supply-chain signals of issue 21 together, through the CLI as a user
// runs them, against one loopback registry that signs (keys generated here):
// what they add to the registry checks' requests (`--verbose` lines: only the
// signing keys, once), a warm run (no request at all), and --offline from that
// cache (the same findings).
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, useLoopbackRegistry } from './helpers/in-process.js';
import { fixture, REPO, tempProject } from './helpers/project.js';
import { integrityOf, makeTarball, TestRegistry } from './enrich/registry-server.js';

const REGISTRY_CHECKS = ['capabilities', 'deprecated', 'provenance', 'release-age'];
const SIGNALS = ['publisher', 'signatures', 'manifest-confusion', 'typosquat', 'engines'];
const SIGNAL_RULES = ['publisher/', 'signatures/', 'manifest-confusion/', 'typosquat/', 'engines/vulnerable-runtime'];
const TARBALLS = JSON.parse(readFileSync(join(fixture('manifest-confusion-tarballs'), 'tarballs.json'), 'utf8')) as Record<string, Record<string, string>>;

let server: TestRegistry;
let restoreEnv: () => void;

beforeAll(async () => {
  server = await new TestRegistry().start();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  server.signer = { keyid: 'SHA256:test-key', privateKey };
  server.keys = { keys: [{ keyid: 'SHA256:test-key', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), expires: null }] };
  server.add('event-stream', {
    versions: {
      '3.3.5': { npmUser: 'dominictarr', maintainers: ['dominictarr'], time: '2018-09-05T13:14:39.919Z' },
      '3.3.6': { npmUser: 'right9ctrl', maintainers: ['dominictarr', 'right9ctrl'], time: '2018-09-09T12:22:02.418Z' },
    },
  });
  server.add('hidden-script', { versions: { '1.0.0': { tarball: makeTarball(TARBALLS['hidden-script@1.0.0']!) } } });
  server.add('crossenv', { versions: { '6.1.1': {} } });
  server.add('unsigned', { versions: { '1.0.0': { signatures: null } } });
  restoreEnv = useLoopbackRegistry(server.url);
});
afterAll(async () => {
  restoreEnv();
  await server.stop();
});

const DEPENDENCIES = { 'event-stream': '3.3.6', 'hidden-script': '1.0.0', crossenv: '6.1.1', unsigned: '1.0.0' };

function project(): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0', dependencies: DEPENDENCIES, engines: { node: '>=22' } } };
  for (const [name, version] of Object.entries(DEPENDENCIES)) packages[`node_modules/${name}`] = { version, resolved: `${server.url}${name}/-/${name}-${version}.tgz`, integrity: integrityOf(server.tarballOf(name, version)) };
  return tempProject({
    'package.json': { name: 'app', version: '1.0.0', dependencies: DEPENDENCIES, engines: { node: '>=22' } },
    'package-lock.json': { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
  });
}

/** A cache that `depguard db update nodejs` has filled with the committed index. */
function cacheWithIndex(): string {
  const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
  mkdirSync(join(cache, '_depguard', 'nodejs-core'), { recursive: true });
  copyFileSync(join(REPO, 'fixtures/nodejs-core/index.json'), join(cache, '_depguard', 'nodejs-core', 'index.json'));
  return cache;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; requests: string[] }> {
  const { code, stdout, stderr } = await runInProcess([...args, '--date', '2026-11-27', '--format', 'json', '--fail-on', 'none', '--verbose', '--no-progress']);
  // --verbose: one line per request, `depguard: GET <url> <status> <ms>ms cache=<how>`.
  const requests = stderr.split('\n').filter((line) => line.startsWith('depguard: GET ')).map((line) => line.replace(/ \d+ms /, ' '));
  return { code, stdout, requests };
}

const urls = (lines: string[]) => lines.map((line) => line.split(' ')[2]!.replace(server.url, '/')).sort();

describe('the five signals together', () => {
  it('add no request beyond the registry checks\' own but the signing keys, once; a warm run asks nothing; --offline gives the same findings', async () => {
    const dir = project();
    const baseline = await run(['check', dir, '--only', REGISTRY_CHECKS.join(','), '--cache', cacheWithIndex()]);
    expect(baseline.code).toBe(0);

    const cache = cacheWithIndex();
    const before = server.requests.length;
    const cold = await run(['check', dir, '--only', [...REGISTRY_CHECKS, ...SIGNALS].join(','), '--cache', cache]);
    expect(cold.code).toBe(0);
    expect(urls(cold.requests)).toEqual([...urls(baseline.requests), '/-/npm/v1/keys'].sort());
    expect(server.requests.length - before).toBe(cold.requests.length);

    const rules = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ rule: string; package: { name: string } | null }> }).findings.map((f) => `${f.rule} ${f.package?.name ?? '-'}`).filter((line) => SIGNAL_RULES.some((prefix) => line.startsWith(prefix))).sort();
    expect(rules(cold.stdout)).toEqual([
      'engines/vulnerable-runtime -',
      'engines/vulnerable-runtime -',
      'manifest-confusion/hidden-install-script hidden-script',
      'publisher/maintainers-changed event-stream',
      'publisher/new-publisher event-stream',
      'signatures/missing unsigned',
      'typosquat/lookalike crossenv',
    ]);

    const served = server.requests.length;
    const warm = await run(['check', dir, '--only', [...REGISTRY_CHECKS, ...SIGNALS].join(','), '--cache', cache]);
    expect(server.requests.length).toBe(served);
    expect(warm.requests.every((line) => line.includes('cache=compact'))).toBe(true);
    expect(rules(warm.stdout)).toEqual(rules(cold.stdout));

    const offline = await run(['check', dir, '--only', [...REGISTRY_CHECKS, ...SIGNALS].join(','), '--cache', cache, '--offline']);
    expect(offline.code).toBe(0);
    expect(server.requests.length).toBe(served);
    expect(rules(offline.stdout)).toEqual(rules(cold.stdout));
  });
});
