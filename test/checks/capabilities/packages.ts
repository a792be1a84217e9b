// The hand-written packages of fixtures/capabilities/packages/, packed into
// .tgz as npm packs them (package/<path>, gzip), and served through nock as
// the public registry serves them: an abbreviated packument per name and the
// tarball at <registry><name>/-/<name>-<version>.tgz.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { integrityOf, makeTarball } from '../../enrich/registry-server.js';
import { REPO } from '../../helpers/project.js';

export const PACKAGES = join(REPO, 'fixtures/capabilities/packages');
export const REGISTRY = 'https://registry.example.org/';

/** The files of a fixture package by path, plus `extra` ones (binaries made by the test). */
export function packageFiles(name: string, extra: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(PACKAGES, name, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files[path] = readFileSync(join(PACKAGES, name, path));
    }
  };
  walk('');
  return { ...files, ...extra };
}

export interface Served {
  name: string;
  version: string;
  tarball: Buffer;
  integrity: string;
}

export function packFixture(name: string, extra: Record<string, string | Buffer> = {}): Served {
  const files = packageFiles(name, extra);
  const manifest = JSON.parse(String(files['package.json'])) as { version: string };
  const tarball = makeTarball(files);
  return { name, version: manifest.version, tarball, integrity: integrityOf(tarball) };
}

/** nock interceptors for the packuments and tarballs, each answering once. */
export function serve(packages: Served[]): nock.Scope {
  const scope = nock(REGISTRY);
  for (const pkg of packages) {
    const tarballUrl = `${REGISTRY}${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`;
    scope
      .get(`/${pkg.name}`)
      .reply(
        200,
        {
          name: pkg.name,
          modified: '2026-01-01T00:00:00.000Z',
          'dist-tags': { latest: pkg.version },
          versions: { [pkg.version]: { name: pkg.name, version: pkg.version, dist: { integrity: pkg.integrity, shasum: '0'.repeat(40), tarball: tarballUrl } } },
        },
        { 'content-type': 'application/vnd.npm.install-v1+json' },
      )
      .get(`/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`)
      .reply(200, pkg.tarball, { 'content-type': 'application/octet-stream' });
  }
  return scope;
}

/** A tiny ELF header: enough for the native detector, not a working binary. */
export const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
