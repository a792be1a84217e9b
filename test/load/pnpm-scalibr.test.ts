// osv-scalibr's pnpm-lock.yaml extractor fixtures (../shared/data/lockfiles-pm,
// SOURCES.md section 1.1): the pnpm loader must yield exactly the distinct
// (name, version) pairs the peer's tests expect (our transcription in
// expected/pnpmlock/). Differences, each asserted below and listed in
// docs/lockfiles.md:
// * none in the package lists. Keys the peer skips silently (exotic.yaml's
//   `github.com/kevva/is-positive` and `/foo/bar`, files.yaml's nameless
//   `file:../nameless-package`) are PNPM_BAD_KEY diagnostics here, so the
//   user hears of them; the peer's error cases (invalid-path*.yaml) are the
//   same diagnostics, with the good packages still loaded.
// * not-yaml.txt is EBAD_LOCKFILE (exit 2), as the peer's error.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { loadPnpmLockfile } from '../../src/load/pnpm/index.js';
import type { LoadedLockfile } from '../../src/load/types.js';
import { distinct } from '../helpers/lockfiles.js';
import { SHARED_DATA } from '../helpers/project.js';

const DATA = join(SHARED_DATA, 'lockfiles-pm/osv-scalibr');
const TESTDATA = join(DATA, 'pnpmlock/testdata');
const EXPECTED = join(DATA, 'expected/pnpmlock');
const present = existsSync(TESTDATA) && existsSync(EXPECTED);
if (!present) console.warn(`skipping osv-scalibr pnpm fixtures: ${DATA} is absent (CI lays ../shared beside the clone)`);

interface Expected {
  error: boolean;
  errorContains?: string[];
  packages: Array<{ name: string; version: string; groups: string[] }>;
}

export async function loadText(text: string, file = 'pnpm-lock.yaml', projectPath = '/nonexistent-project'): Promise<LoadedLockfile> {
  return loadPnpmLockfile({ projectPath, file, text, manifest: { name: 'fixture', version: '1.0.0' } });
}

/** Diagnostics the peer does not raise: keys it skips without a word. */
const SILENTLY_SKIPPED: Record<string, string[]> = {
  'exotic.yaml': ['github.com/kevva/is-positive', '/foo/bar'],
  'files.yaml': ['file:../nameless-package'],
};

describe.skipIf(!present)('osv-scalibr pnpm-lock.yaml fixtures', () => {
  const fixtures = present ? readdirSync(EXPECTED).map((name) => name.replace(/\.json$/, '')) : [];

  it.each(fixtures)('%s', async (fixture) => {
    const expected = JSON.parse(readFileSync(join(EXPECTED, `${fixture}.json`), 'utf8')) as Expected;
    const text = readFileSync(join(TESTDATA, fixture), 'utf8');
    if (fixture === 'not-yaml.txt') {
      const error = await loadText(text).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DepguardError);
      expect((error as DepguardError).code).toBe('EBAD_LOCKFILE');
      expect((error as DepguardError).message).toMatch(/^pnpm-lock\.yaml (is not valid YAML|is not a pnpm lockfile)/);
      return;
    }
    const loaded = await loadText(text);
    expect(distinct(loaded)).toEqual([...new Set(expected.packages.map((p) => `${p.name}@${p.version}`))].sort());
    const badKeys = loaded.diagnostics.filter((d) => d.code === 'PNPM_BAD_KEY').map((d) => /key "([^"]+)"/.exec(d.message)![1]);
    if (expected.error) {
      // The peer's "invalid dependency path: <key>": each bad key is named.
      for (const wanted of expected.errorContains ?? []) {
        const key = wanted.replace(/^invalid dependency path:? ?/, '');
        if (key !== '') expect(badKeys).toContain(key);
      }
      expect(badKeys.length).toBeGreaterThan(0);
    } else {
      expect(badKeys).toEqual(SILENTLY_SKIPPED[fixture] ?? []);
    }
    // The peer's one group it reports: v5's dev flag (tarball.yaml).
    for (const pkg of expected.packages.filter((p) => p.groups.includes('dev'))) {
      const node = [...loaded.nodes.values()].find((n) => n.packageName === pkg.name && n.version === pkg.version);
      expect(node?.dev).toBe(true);
    }
  });

  it('the unreferenced mixed-groups fixtures: prod, optional and dev flags in every version', async () => {
    for (const name of ['mixed-groups.v53.yaml', 'mixed-groups.v54.yaml', 'mixed-groups.v6.yaml', 'mixed-groups.v9.yaml']) {
      const loaded = await loadText(readFileSync(join(TESTDATA, name), 'utf8'));
      const flags = Object.fromEntries(
        [...loaded.nodes.values()].filter((n) => n.location !== '').map((n) => [n.packageName, { dev: n.dev, optional: n.optional, devOptional: n.devOptional }]),
      );
      expect(flags, name).toEqual({
        'ansi-regex': { dev: false, optional: false, devOptional: false },
        // Arborist's devOptional is the overlap of the dev and optional trees, false for either alone.
        uuid: { dev: false, optional: true, devOptional: false },
        'is-number': { dev: true, optional: false, devOptional: false },
      });
      const declared = loaded.lockfile.declared?.get('');
      expect(declared, name).toEqual({ dependencies: { 'ansi-regex': '^5.0.0' }, optionalDependencies: { uuid: '^8.0.0' }, devDependencies: { 'is-number': '^7.0.0' } });
    }
  });
});
