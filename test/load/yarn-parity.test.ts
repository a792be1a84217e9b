// The service of pm-service-npm resolved by yarn classic and yarn berry
// (fixtures/projects/pm-service-yarn, pm-service-yarn-berry): every version
// both agree on is npm's, so every check must give the same findings as on
// npm's lockfile, except where yarn's own files say something npm's do not.
// Each such difference is listed here with its reason:
// * yarn classic records each tarball's URL, with the host it was resolved
//   from (registry.example.org in the fixture); this audit's registry is the
//   loopback one below, so lockfile/foreign-host names that host. npm's and
//   pnpm's fixtures record no URL for registry packages.
// * berry adds node-gyp (`npm:latest`) as a dependency of bufferutil, which
//   builds with it, and so node-gyp's dependencies: 19 packages npm's
//   lockfile does not hold, all optional (as bufferutil is). The registry
//   below serves them too; they add no finding.
// * berry's lockfile is __metadata.version 10: yarn 4 runs no build script
//   that dependenciesMeta does not approve (enableScripts is off by default),
//   so bufferutil is install-scripts/denied (by that default), not unapproved.
// * berry records no tarball integrity (its checksum hashes yarn's cache
//   zip), so the tarballs below, which are not the real ones, are read
//   instead of refused: capabilities has no integrity-mismatch to report, and
//   manifest-confusion compares bufferutil's served manifest (with its
//   install script) with its served tarball (without one).
// The registry is a loopback TestRegistry serving every package of the three
// lockfiles with the install script bufferutil really has; advisories come
// from the OSV records in fixtures/advisories/osv (minimist 1.2.5 is affected).
// Its tarballs are not the real ones, so capabilities reports
// integrity-mismatch for every package that has an integrity to check.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture } from '../helpers/project.js';
import { findingsByCheck, servePackages } from '../helpers/registry-checks.js';

let server: TestRegistry;
beforeAll(async () => {
  server = await new TestRegistry().start();
  for (const name of ['pm-service-npm', 'pm-service-yarn-berry']) servePackages(server, (await loadProject(fixture(name))).graph);
});
afterAll(async () => {
  await server.stop();
});

describe('the same service through npm and yarn: the same findings per check', () => {
  it.each(['pm-service-yarn', 'pm-service-yarn-berry'])('%s', async (name) => {
    const npm = await findingsByCheck(server, fixture('pm-service-npm'));
    const yarn = await findingsByCheck(server, fixture(name));
    expect(npm.advisories).toContain('advisories/vulnerable minimist@1.2.5');
    expect(npm['install-scripts']).toContain('install-scripts/unapproved bufferutil@4.0.8');
    expect(npm.lockfile).toEqual(['lockfile/alias ms@0.7.0']);
    expect(npm.pinning).toEqual(['pinning/range debug@4.4.3', 'pinning/range semver@7.8.6']);
    const expected = structuredClone(npm);
    if (name === 'pm-service-yarn') expected.lockfile = [...expected.lockfile!, 'lockfile/foreign-host -'].sort();
    if (name === 'pm-service-yarn-berry') {
      expected['install-scripts'] = ['install-scripts/denied bufferutil@4.0.8'];
      expected.capabilities = [];
      expected['manifest-confusion'] = ['manifest-confusion/mismatch bufferutil@4.0.8'];
    }
    expect(yarn).toEqual(expected);
  });
});
