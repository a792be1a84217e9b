// osv-scalibr's bun.lock extractor fixtures (../shared/data/lockfiles-pm,
// SOURCES.md section 1.3): the bun loader must yield exactly the distinct
// (name, version) pairs the peer's tests expect (our transcription in
// expected/bunlock/), at the lines the peer reports. Differences, each
// asserted below and listed in docs/lockfiles.md:
// * none in the package lists. git and github packages have no version in
//   bun.lock, as in the peer; their commit is in `resolved`.
// * bad-tuple.json5's keys are BUN_BAD_KEY diagnostics naming each key, the
//   good package still loaded (the peer: an error naming each key, the good
//   package still returned). not-json.txt is EBAD_LOCKFILE (exit 2).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { distinct, loadBunText } from '../helpers/lockfiles.js';
import { SHARED_DATA } from '../helpers/project.js';

const DATA = join(SHARED_DATA, 'lockfiles-pm/osv-scalibr');
const TESTDATA = join(DATA, 'bunlock/testdata');
const EXPECTED = join(DATA, 'expected/bunlock');
const present = existsSync(TESTDATA) && existsSync(EXPECTED);
if (!present) console.warn(`skipping osv-scalibr bun fixtures: ${DATA} is absent (CI lays ../shared beside the clone)`);

interface Expected {
  error: boolean;
  errorContains?: string[];
  packages: Array<{ name: string; version: string; groups: string[]; commit?: string; line: number }>;
}

describe.skipIf(!present)('osv-scalibr bun.lock fixtures', () => {
  const fixtures = present ? readdirSync(EXPECTED).filter((name) => name !== 'README.json').map((name) => name.replace(/\.json$/, '')) : [];

  it.each(fixtures)('%s', async (fixture) => {
    const expected = JSON.parse(readFileSync(join(EXPECTED, `${fixture}.json`), 'utf8')) as Expected;
    const text = readFileSync(join(TESTDATA, fixture), 'utf8');
    if (fixture === 'not-json.txt') {
      const error = await loadBunText(text).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DepguardError);
      expect((error as DepguardError).code).toBe('EBAD_LOCKFILE');
      expect((error as DepguardError).message).toMatch(/^bun\.lock is not (valid JSONC|a bun lockfile)/);
      return;
    }
    const loaded = await loadBunText(text);
    expect(loaded.lockfile.manager).toBe('bun');
    expect(distinct(loaded)).toEqual([...new Set(expected.packages.map((p) => `${p.name}@${p.version}`))].sort());
    const nodes = [...loaded.nodes.values()].filter((node) => node.location.includes('node_modules/'));
    for (const pkg of expected.packages) {
      const matching = nodes.filter((node) => node.packageName === pkg.name && node.version === pkg.version && (pkg.commit === undefined || node.resolved?.endsWith(`#${pkg.commit}`)));
      expect(matching.length, `${pkg.name}@${pkg.version} ${pkg.commit ?? ''}`).toBeGreaterThan(0);
      // The line a finding points at (SARIF): the peer's.
      expect(matching.map((node) => loaded.lockfile.lines!.get(node.location)), `${pkg.name}@${pkg.version}`).toContain(pkg.line);
      if (pkg.commit !== undefined) expect(matching.every((node) => node.source === 'git')).toBe(true);
    }
    const badKeys = loaded.diagnostics.filter((d) => d.code === 'BUN_BAD_KEY').map((d) => /key "([^"]+)"/.exec(d.message)![1]);
    if (expected.error) {
      // The peer's "could not extract '<key>'": each bad key is named.
      expect(badKeys).toEqual((expected.errorContains ?? []).map((text) => /'([^']+)'/.exec(text)![1]));
    } else {
      expect(loaded.diagnostics).toEqual([]);
    }
  });

  it('dev, optional and peer flags come from the workspaces block and the graph (the peer reports none)', async () => {
    const flags = async (fixture: string) => {
      const loaded = await loadBunText(readFileSync(join(TESTDATA, fixture), 'utf8'));
      return Object.fromEntries([...loaded.nodes.values()].filter((n) => n.location !== '').map((n) => [n.location, { dev: n.dev, optional: n.optional, peer: n.peer }]));
    };
    // has-flag@3 is a root devDependency and a dependency of supports-color, a prod one: prod.
    expect(await flags('same-package-different-groups.json5')).toEqual({
      'node_modules/has-flag': { dev: false, optional: false, peer: false },
      'node_modules/supports-color': { dev: false, optional: false, peer: false },
    });
    // chalk is a devDependency: it and what only it needs are dev; the nested has-flag@4 is supports-color's (prod).
    expect(await flags('nested-dependencies-dup.json5')).toMatchObject({
      'node_modules/chalk': { dev: true },
      'node_modules/ansi-styles': { dev: true },
      'node_modules/color-name': { dev: true },
      'node_modules/has-flag': { dev: false },
      'node_modules/supports-color/node_modules/has-flag': { dev: false },
    });
    // fsevents is optional, and so is nan, which only fsevents needs.
    expect(await flags('optional-package.json5')).toEqual({
      'node_modules/acorn': { dev: false, optional: false, peer: false },
      'node_modules/fsevents': { dev: false, optional: true, peer: false },
      'node_modules/nan': { dev: false, optional: true, peer: false },
    });
  });
});
