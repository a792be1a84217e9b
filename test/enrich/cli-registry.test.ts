// The registry layer wired through audit() and the CLI, in-process: a probe
// check (added to the registry by vi.mock) needs manifests, so the run builds
// a RegistryManifests from the flags. Fail closed: data a check needs that
// cannot be had is exit 2 naming the packages, unless --allow-incomplete.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Check } from '../../src/checks/types.js';
import { registryOutput, requestLine } from '../../src/cli/registry-output.js';
import { parseDuration } from '../../src/enrich/access.js';
import { packageRef } from '../../src/model.js';
import { runInProcess, useLoopbackRegistry } from '../helpers/in-process.js';
import { tempProject } from '../helpers/project.js';
import { integrityOf, TestRegistry } from './registry-server.js';

vi.mock('../../src/checks/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/checks/index.js')>();
  const probe: Check<{ required: boolean }> = {
    meta: {
      id: 'registry-probe',
      description: 'asks for the manifest of every package (test only)',
      rules: { deprecated: { description: 'a deprecated version', severity: 'moderate', message: '{name} is deprecated: {reason}' } },
      optionsSchema: { type: 'object', additionalProperties: false, properties: { required: { type: 'boolean' } } },
      defaultOptions: { required: true },
      needs: ['manifests'],
      enrich: { manifests: { select: (n, _graph, options) => (n.location !== '' ? { required: options.required as boolean } : null) } },
    },
    run(ctx) {
      const nodes = [...ctx.graph.nodes.values()].filter((n) => n.location !== '');
      nodes.forEach((n) => {
        const reason = ctx.enriched.manifests.get(n)?.deprecated;
        if (reason) ctx.report({ rule: 'deprecated', node: n, data: { name: packageRef(n).name, reason }, evidence: { deprecated: reason } });
      });
    },
  };
  const CHECKS = [...original.CHECKS, probe];
  return { ...original, CHECKS, findCheck: (id: string) => CHECKS.find((check) => check.meta.id === id) };
});

let server: TestRegistry;
let restoreEnv: () => void;

beforeAll(async () => {
  server = await new TestRegistry().start();
  server.add('ms', { versions: { '2.1.3': {} } });
  server.add('old-lib', { versions: { '0.9.0': { deprecated: 'use new-lib' } } });
  restoreEnv = useLoopbackRegistry(server.url);
});
afterAll(async () => {
  restoreEnv();
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
  server.scripts.clear();
  vi.restoreAllMocks();
});

function project(): string {
  const lock = (name: string, version: string) => ({ version, resolved: `${server.url}${name}/-/${name}-${version}.tgz`, integrity: integrityOf(server.tarballOf(name, version)) });
  return tempProject({
    'package.json': { name: 'app', version: '1.0.0', dependencies: { ms: '2.1.3', 'old-lib': '0.9.0' } },
    'package-lock.json': {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'app', version: '1.0.0', dependencies: { ms: '2.1.3', 'old-lib': '0.9.0' } }, 'node_modules/ms': lock('ms', '2.1.3'), 'node_modules/old-lib': lock('old-lib', '0.9.0') },
    },
  });
}

const run = runInProcess;

describe('depguard check with registry data', () => {
  it('--offline with a cold cache is exit 2 naming the packages; --allow-incomplete audits with diagnostics instead', async () => {
    const dir = project();
    const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
    const cold = await run(['check', dir, '--only', 'registry-probe', '--offline', '--cache', cache]);
    expect(cold.code).toBe(2);
    expect(cold.stdout).toBe('');
    expect(cold.stderr).toMatch(/could not get the registry data the checks need for 2 packages: ms@2\.1\.3 \(REGISTRY_NOT_CACHED\), old-lib@0\.9\.0 \(REGISTRY_NOT_CACHED\)/);
    expect(cold.stderr).toContain('hint: run once online to fill the cache');
    expect(server.requests).toEqual([]);

    for (const flag of ['--allow-incomplete', '--degraded']) {
      const degraded = await run(['check', dir, '--only', 'registry-probe', '--offline', '--cache', cache, '--format', 'json', flag]);
      expect(degraded.code).toBe(0);
      const doc = JSON.parse(degraded.stdout);
      expect(doc.diagnostics.map((d: { code: string; package?: { name: string } }) => `${d.code} ${d.package?.name ?? '-'}`)).toEqual(['REGISTRY_NOT_CACHED ms', 'REGISTRY_NOT_CACHED old-lib', 'REGISTRY_INCOMPLETE -']);
    }
    expect(server.requests).toEqual([]);
  });

  it('fetches online, keeps --format json clean under --verbose, then runs --offline from the cache', async () => {
    const dir = project();
    const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
    const online = await run(['check', dir, '--only', 'registry-probe', '--cache', cache, '--format', 'json', '--verbose', '--fail-on', 'critical']);
    expect(online.code).toBe(0);
    const doc = JSON.parse(online.stdout);
    expect(doc.findings.map((f: { rule: string; package: { name: string } }) => `${f.rule} ${f.package.name}`)).toEqual(['registry-probe/deprecated old-lib']);
    expect(doc.diagnostics).toEqual([]);
    expect(online.stderr).toContain(`depguard: GET ${server.url}ms 200 `);
    expect(online.stderr).toContain('cache=miss');
    expect(server.requests.map((r) => r.url).sort()).toEqual(['/ms', '/old-lib']);

    const offline = await run(['check', dir, '--only', 'registry-probe', '--cache', cache, '--format', 'json', '--offline', '--fail-on', 'critical']);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).findings).toHaveLength(1);
    expect(offline.stderr).toBe('');
    expect(server.requests).toHaveLength(2);
  });

  it('an unreachable registry is exit 2 naming the package, with a hint', async () => {
    const dir = project();
    server.script('/ms', [{ status: 502, body: 'bad gateway' }], true);
    const result = await run(['check', dir, '--only', 'registry-probe', '--cache', mkdtempSync(join(tmpdir(), 'depguard-cache-'))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/for 1 package: ms@2\.1\.3 \(REGISTRY_UNREACHABLE\); first: .*answered 502 after every retry/);
    expect(result.stderr).toContain('--verbose prints each request');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('optional data that cannot be had is a warning, not exit 2', async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { 'registry-probe': ['on', { required: false }] } } }, project());
    const result = await run(['check', dir, '--only', 'registry-probe', '--offline', '--cache', mkdtempSync(join(tmpdir(), 'depguard-cache-')), '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).diagnostics.map((d: { level: string; code: string }) => `${d.level} ${d.code}`)).toEqual(['warning REGISTRY_NOT_CACHED', 'warning REGISTRY_NOT_CACHED']);
  });

  it('rejects bad registry flags with exit 2', async () => {
    const dir = project();
    expect((await run(['check', dir, '--max-age', 'soon'])).stderr).toContain('--max-age: "soon" is not a duration');
    expect((await run(['check', dir, '--concurrency', '0'])).code).toBe(2);
    expect((await run(['check', dir, '--offline', '--prefer-offline'])).stderr).toContain('--offline and --prefer-offline contradict each other');
  });

  it('checks that need no registry data make no request', async () => {
    const result = await run(['check', project(), '--only', 'pinning', '--cache', mkdtempSync(join(tmpdir(), 'depguard-cache-'))]);
    expect(result.code).toBe(0);
    expect(server.requests).toEqual([]);
  });
});

describe('flag parsing and output', () => {
  it('parses --max-age durations', () => {
    expect(parseDuration('3600')).toBe(3_600_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('-1')).toBeNull();
    expect(parseDuration('an hour')).toBeNull();
  });

  it('prints one --verbose line per request', () => {
    expect(requestLine({ method: 'GET', url: 'https://registry.example.org/ms', status: 200, ms: 12, cache: 'revalidated', attempts: 2 })).toBe(
      'depguard: GET https://registry.example.org/ms 200 12ms cache=revalidated attempts=2\n',
    );
    expect(requestLine({ method: 'GET', url: 'https://registry.example.org/x', status: null, ms: 3, cache: 'miss', error: 'ENOTCACHED' })).toBe(
      'depguard: GET https://registry.example.org/x - 3ms cache=miss error=ENOTCACHED\n',
    );
  });

  it('shows a request counter only on a terminal, and clears it', () => {
    const written: string[] = [];
    const stream = (isTTY: boolean) => ({ isTTY, write: (text: string) => written.push(text) }) as unknown as NodeJS.WriteStream;
    const quiet = registryOutput({ verbose: false, progress: true, stream: stream(false) });
    expect(quiet.onProgress).toBeUndefined();
    expect(registryOutput({ verbose: false, progress: false, stream: stream(true) }).onProgress).toBeUndefined();
    const shown = registryOutput({ verbose: false, progress: true, stream: stream(true) });
    shown.onProgress!({ done: 0, total: 2 });
    shown.onProgress!({ done: 2, total: 2 });
    shown.finish();
    expect(written).toEqual(['\r\u001b[Kdepguard: registry 0/2', '\r\u001b[Kdepguard: registry 2/2', '\r\u001b[K']);
  });
});
