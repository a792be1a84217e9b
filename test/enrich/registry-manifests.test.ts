// RegistryManifests: node_modules first, then the registry by NAME. A
// lockfile's `resolved` URL is never a request target, whatever the mode.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InstalledManifests } from '../../src/enrich/installed.js';
import { RegistryClient, type RegistryMode } from '../../src/enrich/registry-client.js';
import { RegistryManifests } from '../../src/enrich/registry-manifests.js';
import { loadProject } from '../../src/load/load.js';
import { graph, node } from '../helpers/graph.js';
import { tempProject } from '../helpers/project.js';
import { integrityOf, TestRegistry } from './registry-server.js';

let registry: TestRegistry;
/** Stands for an internal host a hostile lockfile points at: it must never be asked anything. */
let trap: TestRegistry;

beforeAll(async () => {
  registry = await new TestRegistry().start();
  trap = await new TestRegistry().start();
});
afterAll(async () => {
  await registry.stop();
  await trap.stop();
});
afterEach(() => {
  registry.requests.length = 0;
  registry.scripts.clear();
  registry.packages.clear();
});

function client(cache: string, mode: RegistryMode = 'online', scopes: Record<string, string> = {}): RegistryClient {
  return new RegistryClient({ registries: { registry: registry.url, scopes }, cache, mode, fetchOptions: { retry: { retries: 0 }, timeout: 3000 } });
}

describe('RegistryManifests', () => {
  it('reads the abbreviated packument, and the full one only for versions with install scripts', async () => {
    registry.add('plain', { versions: { '1.0.0': { engines: { node: '>=18' }, deprecated: 'no longer maintained', scripts: { test: 'tap' } } } });
    registry.add('native', { versions: { '2.0.0': { scripts: { install: 'node-gyp rebuild' }, gypfile: true } } });
    const manifests = new RegistryManifests(client(mkdtempSync(join(tmpdir(), 'depguard-cache-'))), null);
    const g = graph({ name: 'app' }, [node({ location: 'node_modules/plain' }), node({ location: 'node_modules/native', version: '2.0.0' })]);
    const plain = await manifests.manifest(g.nodes.get('node_modules/plain')!);
    expect(plain).toEqual({ name: 'plain', version: '1.0.0', scripts: {}, engines: { node: '>=18' }, gypfile: false, deprecated: 'no longer maintained', source: 'registry', hasInstallScript: false, partial: true });
    const native = await manifests.manifest(g.nodes.get('node_modules/native')!);
    expect(native).toMatchObject({ scripts: { install: 'node-gyp rebuild' }, gypfile: true, hasInstallScript: true, source: 'registry' });
    expect(native!.partial).toBeUndefined();
    expect(registry.requests.map((r) => `${r.url} ${r.headers.accept === 'application/json' ? 'full' : 'corgi'}`)).toEqual(['/plain corgi', '/native corgi', '/native full']);
    expect(manifests.diagnostics()).toEqual([]);
  });

  it('prefers the installed copy in node_modules and makes no request for it', async () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' } });
    mkdirSync(join(dir, 'node_modules/installed'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/installed/package.json'), JSON.stringify({ name: 'installed', version: '1.0.0', scripts: { postinstall: 'echo hi' } }));
    const g = { ...graph({ name: 'app' }, [node({ location: 'node_modules/installed' })]), projectPath: dir };
    const manifests = new RegistryManifests(client(mkdtempSync(join(tmpdir(), 'depguard-cache-'))), new InstalledManifests(g));
    expect(await manifests.manifest(g.nodes.get('node_modules/installed')!)).toMatchObject({ source: 'node_modules', scripts: { postinstall: 'echo hi' } });
    expect(registry.requests).toEqual([]);
  });

  it('turns failures into diagnostics on the package: required ones are errors, optional ones warnings', async () => {
    registry.script('/down', [{ status: 503, body: '' }], true);
    const manifests = new RegistryManifests(client(mkdtempSync(join(tmpdir(), 'depguard-cache-'))), null);
    const g = graph({ name: 'app' }, [
      node({ location: 'node_modules/missing' }),
      node({ location: 'node_modules/down', version: '3.0.0' }),
      node({ location: 'node_modules/gitdep', source: 'git', resolved: 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567' }),
    ]);
    expect(await manifests.manifest(g.nodes.get('node_modules/missing')!)).toBeNull();
    expect(await manifests.manifest(g.nodes.get('node_modules/down')!, { required: false })).toBeNull();
    expect(await manifests.manifest(g.nodes.get('node_modules/gitdep')!)).toBeNull();
    expect(manifests.diagnostics()).toEqual([
      { level: 'warning', code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('answered 503'), package: { name: 'down', version: '3.0.0', location: 'node_modules/down' } },
      { level: 'warning', code: 'MANIFEST_NOT_FROM_REGISTRY', message: expect.stringContaining('git dependency'), package: { name: 'gitdep', version: '1.0.0', location: 'node_modules/gitdep' } },
      { level: 'error', code: 'REGISTRY_NOT_FOUND', message: expect.stringContaining('404'), package: { name: 'missing', version: '1.0.0', location: 'node_modules/missing' } },
    ]);
    expect(manifests.missing().filter((m) => m.required).map((m) => m.package.name)).toEqual(['missing']);
    // Asked again as required: now it counts.
    await manifests.manifest(g.nodes.get('node_modules/down')!);
    expect(manifests.missing().filter((m) => m.required).map((m) => m.package.name)).toEqual(['down', 'missing']);
    expect(registry.requests.filter((r) => r.url === '/down')).toHaveLength(1);
  });
});

describe('a lockfile `resolved` URL is never fetched', () => {
  function hostileProject(): string {
    const pad = registry.tarballOf('left-pad', '1.3.0');
    const widget = registry.tarballOf('@acme/widget', '1.0.0');
    return tempProject({
      'package.json': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '1.3.0', '@acme/widget': '1.0.0', remote: `${trap.url}remote.tgz`, gitdep: 'github:acme/gitdep' } },
      'package-lock.json': {
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '1.3.0', '@acme/widget': '1.0.0', remote: `${trap.url}remote.tgz`, gitdep: 'github:acme/gitdep' } },
          'node_modules/left-pad': { version: '1.3.0', resolved: `${trap.url}left-pad/-/left-pad-1.3.0.tgz`, integrity: integrityOf(pad), hasInstallScript: true },
          'node_modules/@acme/widget': { version: '1.0.0', resolved: `${trap.url}@acme/widget/-/widget-1.0.0.tgz`, integrity: integrityOf(widget) },
          'node_modules/remote': { version: '1.0.0', resolved: `${trap.url}remote.tgz`, integrity: integrityOf(pad) },
          'node_modules/gitdep': { version: '1.0.0', resolved: 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567' },
        },
      },
    });
  }

  it('in every mode: online, prefer-offline and offline', async () => {
    registry.add('left-pad', { versions: { '1.3.0': { scripts: { postinstall: 'node hello.js' } } } });
    registry.add('@acme/widget', { versions: { '1.0.0': {} } });
    const { graph: g } = await loadProject(hostileProject());
    const cache = mkdtempSync(join(tmpdir(), 'depguard-cache-'));
    const nodes = [...g.nodes.values()];
    expect(nodes.filter((n) => n.source === 'registry').map((n) => n.packageName).sort()).toEqual(['@acme/widget', 'left-pad']);
    for (const mode of ['online', 'prefer-offline', 'offline'] as const) {
      const registryClient = client(cache, mode, { '@acme': registry.url });
      const manifests = new RegistryManifests(registryClient, new InstalledManifests(g));
      await Promise.all(nodes.map((n) => manifests.manifest(n)));
      await registryClient.tarball('left-pad', '1.3.0');
      expect(manifests.missing().filter((m) => m.required), mode).toEqual([]);
    }
    expect(trap.requests).toEqual([]);
    // Only names were asked for, from the configured registry; the git and remote packages never.
    expect([...new Set(registry.requests.map((r) => r.url))].sort()).toEqual(['/@acme%2fwidget', '/left-pad', '/left-pad/-/left-pad-1.3.0.tgz']);
  });
});
