// One small service resolved by npm, by pnpm 7, 8, 10 and 11 and by bun 1.4.5
// (fixtures/projects/pm-service-*): every version agrees, so every check must
// give the same findings on each, except where the manager's own files say
// something npm's do not. Each such difference is listed here with its reason:
// * npm-config/no-cooldown: the pnpm projects commit pnpm-workspace.yaml
//   (pnpm needs it for workspaces), a config file with no minimumReleaseAge;
//   the npm project commits no config file, and the rule needs one
//   (reportWithoutConfigFile is off by default).
// * install-scripts/unapproved node-gyp-build (pnpm 8 only): pnpm 8's
//   lockfile records `requiresBuild: true` for node-gyp-build, whose
//   manifest declares no install script; depguard trusts the lockfile's flag
//   as it trusts npm's hasInstallScript.
// * pnpm 11's two-document lockfile: its env document pins pnpm itself
//   (pnpm, @pnpm/exe and its platform packages), which depguard loads as dev
//   packages; their findings (here: none from the registry below, which has
//   no install scripts or engines for them) come on top.
// * bun: bufferutil is on bun's built-in default trusted list and
//   package.json has no trustedDependencies, so bun runs its install script
//   unasked: install-scripts/bun-default-trusted (low) instead of npm's
//   install-scripts/unapproved (npm 11 blocks it until allowScripts approves).
// The registry is a loopback TestRegistry serving the 14 packages with the
// install script bufferutil really has; advisories come from the OSV records
// in fixtures/advisories/osv (minimist 1.2.5 is affected). Its tarballs are
// not the real ones, so capabilities reports integrity-mismatch for every
// package, on both sides alike (it fails closed).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture } from '../helpers/project.js';
import { findingsByCheck, servePackages } from '../helpers/registry-checks.js';

const PNPM = ['pm-service-pnpm-v53', 'pm-service-pnpm7', 'pm-service-pnpm8', 'pm-service-pnpm', 'pm-service-pnpm11'] as const;

let server: TestRegistry;
beforeAll(async () => {
  server = await new TestRegistry().start();
  servePackages(server, (await loadProject(fixture('pm-service-pnpm11'))).graph);
});
afterAll(async () => {
  await server.stop();
});

describe('the same service through npm and pnpm: the same findings per check', () => {
  it.each(PNPM)('%s', async (name) => {
    const npm = await findingsByCheck(server, fixture('pm-service-npm'));
    const pnpm = await findingsByCheck(server, fixture(name));
    // The npm side, so a check that silently finds nothing on both cannot pass unnoticed.
    expect(npm.advisories).toContain('advisories/vulnerable minimist@1.2.5');
    expect(npm['install-scripts']).toContain('install-scripts/unapproved bufferutil@4.0.8');
    expect(npm.lockfile).toEqual(['lockfile/alias ms@0.7.0']);
    expect(npm.pinning).toEqual(['pinning/range debug@4.4.3', 'pinning/range semver@7.8.6']);

    const expected = structuredClone(npm);
    expected['npm-config'] = [...expected['npm-config']!, 'npm-config/no-cooldown -'].sort();
    if (name === 'pm-service-pnpm8') expected['install-scripts'] = [...expected['install-scripts']!, 'install-scripts/unapproved node-gyp-build@4.8.4'].sort();
    if (name === 'pm-service-pnpm11') {
      // pnpm 11 itself requires Node.js 22.13+, which the project's engines (>=20) do not.
      expected.engines = [...expected.engines!, 'engines/dependency-excludes pnpm@11.28.6'].sort();
      // The env document's packages are fetched and analysed like the others (see capabilities below).
      const { graph } = await loadProject(fixture(name));
      const env = [...graph.nodes.values()].filter((node) => node.location.startsWith('node_modules/.pnpm-env/'));
      expect(env.length).toBeGreaterThan(2);
      expected.capabilities = [...expected.capabilities!, ...env.map((node) => `capabilities/integrity-mismatch ${node.packageName}@${node.version}`)].sort();
    }
    expect(pnpm).toEqual(expected);
  });
});

describe('the same service through npm and bun: the same findings per check', () => {
  it('pm-service-bun', async () => {
    const npm = await findingsByCheck(server, fixture('pm-service-npm'));
    const bun = await findingsByCheck(server, fixture('pm-service-bun'));
    expect(npm['install-scripts']).toContain('install-scripts/unapproved bufferutil@4.0.8');
    const expected = structuredClone(npm);
    expected['install-scripts'] = expected['install-scripts']!.map((label) => label.replace('install-scripts/unapproved bufferutil@4.0.8', 'install-scripts/bun-default-trusted bufferutil@4.0.8')).sort();
    expect(bun).toEqual(expected);
  });
});
