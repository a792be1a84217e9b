// lockfile-lint's own yarn.lock fixtures (../shared/data/peers/lockfile-lint,
// the yarn-*.lock files of its CLI tests and yarn.lock / yarnberry.lock /
// bad-yarn.lock of lockfile-lint-api's), run through depguard's yarn loader
// and lockfile check: every problem lockfile-lint's validators exist to find
// (a host not allowed, http, a tarball URL naming another package) is found
// here too, and a clean file gives nothing. The fixtures' registry host is
// registry.yarn.example.org (rewritten in the shared copy); it is the
// trusted registry unless a case says otherwise.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import type { RegistryConfig } from '../../src/enrich/npm-config.js';
import { SHARED_DATA, tempProject } from '../helpers/project.js';
import { runCheck } from '../helpers/run.js';

const ROOT = join(SHARED_DATA, 'peers/lockfile-lint/packages');
const CLI = join(ROOT, 'lockfile-lint/__tests__/fixtures');
const API = join(ROOT, 'lockfile-lint-api/__tests__/__fixtures__');
const present = existsSync(CLI) && existsSync(API);
if (!present) console.warn(`skipping lockfile-lint's yarn fixtures: ${ROOT} is absent (CI lays ../shared beside the clone)`);

const YARN_REGISTRY: RegistryConfig = { registry: 'https://registry.yarn.example.org/', scopes: {} };

async function findings(file: string, registries: RegistryConfig = YARN_REGISTRY, manifest: Record<string, unknown> = { name: 'fixture', version: '1.0.0' }): Promise<string[]> {
  const dir = tempProject({ 'package.json': manifest, 'yarn.lock': readFileSync(file, 'utf8') });
  const { graph } = await loadProject(dir);
  // The fixtures have no package.json of their own: every entry is unreachable from this one, which is not what they test.
  return (await runCheck('lockfile', graph, { registries })).filter((f) => f.rule !== 'lockfile/unreachable').map((f) => `${f.rule} ${f.package?.name ?? '-'}`).sort();
}

describe.skipIf(!present)("lockfile-lint's yarn.lock fixtures", () => {
  it('yarn-only-https.lock and lockfile-lint-api yarn.lock: nothing to report', async () => {
    expect(await findings(join(CLI, 'yarn-only-https.lock'))).toEqual([]);
    expect(await findings(join(API, 'yarn.lock'))).toEqual([]);
  });

  it('yarn-only-http.lock: both packages over http (validate-https)', async () => {
    expect(await findings(join(CLI, 'yarn-only-http.lock'))).toEqual(['lockfile/insecure-protocol debug', 'lockfile/insecure-protocol ms']);
  });

  it('yarn-only-yarnpkg-host.lock: a host the project does not use is foreign (validate-host)', async () => {
    expect(await findings(join(CLI, 'yarn-only-yarnpkg-host.lock'), { registry: 'https://registry.example.org/', scopes: {} })).toEqual(['lockfile/foreign-host debug', 'lockfile/foreign-host ms']);
  });

  it('yarn-incorrect-package-name.lock: ms resolved from the tarball of another package (validate-package-names)', async () => {
    expect(await findings(join(CLI, 'yarn-incorrect-package-name.lock'))).toEqual(['lockfile/name-mismatch ms']);
  });

  it('yarn-and-github-url.lock and yarn-lock-schemes.lock: git URLs on github.com (validate-schemes, allowed-urls)', async () => {
    expect(await findings(join(CLI, 'yarn-and-github-url.lock'))).toEqual(['lockfile/foreign-host bolt11']);
    expect(await findings(join(CLI, 'yarn-lock-schemes.lock'))).toEqual(['lockfile/foreign-host ms']);
  });

  it('yarnberry.lock: berry names no host, and its checksums are the hashes yarn checks', async () => {
    // Its root workspace entry records what its package.json declared.
    const manifest = { name: 'test', version: '1.0.0', dependencies: { debug: '4.1.1', ms: '2.1.2' } };
    expect(await findings(join(API, 'yarnberry.lock'), YARN_REGISTRY, manifest)).toEqual([]);
    // A package.json without them: the workspace entry records dependencies no longer declared, each named by the package still locked.
    expect(await findings(join(API, 'yarnberry.lock'))).toEqual(['lockfile/out-of-sync debug', 'lockfile/out-of-sync ms']);
  });

  it('bad-yarn.lock: not a yarn lockfile, exit 2 with its line', async () => {
    const dir = tempProject({ 'package.json': { name: 'fixture', version: '1.0.0' }, 'yarn.lock': readFileSync(join(API, 'bad-yarn.lock'), 'utf8') });
    const error = await loadProject(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect((error as DepguardError).message).toMatch(/^yarn\.lock is not a yarn lockfile \(line 1, column 1\)/);
  });
});
