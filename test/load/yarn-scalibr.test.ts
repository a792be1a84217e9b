// osv-scalibr's yarn.lock extractor fixtures (../shared/data/lockfiles-pm,
// SOURCES.md section 1.2), classic v1 and berry: the yarn loader must yield
// exactly the distinct (name, version) pairs the peer's tests expect (our
// transcription in expected/yarnlock/). Differences, each asserted below and
// listed in docs/lockfiles.md:
// * exclude-root.v2.lock: the peer reports the non-root workspace
//   @ws/ansi-regex as a package at 0.0.0-use.local; depguard loads it as a
//   workspace (an importer, not an installed package), as it does for npm
//   and pnpm workspaces. Both leave the root workspace out.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distinct, loadYarnText } from '../helpers/lockfiles.js';
import { SHARED_DATA } from '../helpers/project.js';

const DATA = join(SHARED_DATA, 'lockfiles-pm/osv-scalibr');
const TESTDATA = join(DATA, 'yarnlock/testdata');
const EXPECTED = join(DATA, 'expected/yarnlock');
const present = existsSync(TESTDATA) && existsSync(EXPECTED);
if (!present) console.warn(`skipping osv-scalibr yarn fixtures: ${DATA} is absent (CI lays ../shared beside the clone)`);

interface Expected {
  error: boolean;
  packages: Array<{ name: string; version: string; commit?: string }>;
}

/** Packages the peer reports that depguard loads as workspaces. */
const WORKSPACES_NOT_PACKAGES: Record<string, string[]> = {
  'exclude-root.v2.lock': ['@ws/ansi-regex@0.0.0-use.local'],
};

describe.skipIf(!present)('osv-scalibr yarn.lock fixtures', () => {
  const fixtures = present ? readdirSync(EXPECTED).map((name) => name.replace(/\.json$/, '')) : [];

  it.each(fixtures)('%s', async (fixture) => {
    const expected = JSON.parse(readFileSync(join(EXPECTED, `${fixture}.json`), 'utf8')) as Expected;
    const loaded = await loadYarnText(readFileSync(join(TESTDATA, fixture), 'utf8'));
    const workspaces = WORKSPACES_NOT_PACKAGES[fixture] ?? [];
    const wanted = [...new Set(expected.packages.map((p) => `${p.name}@${p.version}`))].filter((pair) => !workspaces.includes(pair)).sort();
    expect(distinct(loaded)).toEqual(wanted);
    // The fixtures are excerpts: a dependency without its own entry is a YARN_MISSING_ENTRY warning, never a bad key.
    expect(loaded.diagnostics.filter((d) => d.code !== 'YARN_MISSING_ENTRY')).toEqual([]);
    expect(loaded.lockfile.manager).toBe('yarn');
    // Every package has the line of its key, as the peer reports it.
    for (const pkg of expected.packages) {
      const node = [...loaded.nodes.values()].find((n) => n.packageName === pkg.name && n.version === pkg.version && n.location.includes('node_modules/'));
      if (!node) continue;
      const lines = [...loaded.nodes.values()].filter((n) => n.packageName === pkg.name && n.version === pkg.version).map((n) => loaded.lockfile.lines!.get(n.location));
      if ('line' in pkg) expect(lines, `${pkg.name}@${pkg.version}`).toContain((pkg as { line: number }).line);
    }
    // Git packages keep their commit where the lockfile check reads a pin.
    for (const pkg of expected.packages.filter((p) => p.commit)) {
      const nodes = [...loaded.nodes.values()].filter((n) => n.packageName === pkg.name && n.version === pkg.version);
      expect(nodes.some((n) => (n.resolved ?? '').includes(pkg.commit!)), `${pkg.name}@${pkg.version} ${pkg.commit}`).toBe(true);
    }
  });

  it('metadata-only.v2.lock (used by no peer test): a berry lockfile with no packages', async () => {
    const loaded = await loadYarnText(readFileSync(join(TESTDATA, 'metadata-only.v2.lock'), 'utf8'));
    expect(distinct(loaded)).toEqual([]);
    expect(loaded.lockfile.lockfileVersion).toBeGreaterThanOrEqual(4);
  });
});
