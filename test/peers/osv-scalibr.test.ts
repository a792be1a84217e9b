// osv-scalibr's package-lock.json extractor fixtures (../shared/data/peers/osv-scalibr,
// SOURCES.md section 2.5): loadProject must yield the same distinct
// (name, version) pairs as the peer's test tables, transcribed in
// expected/packagelockjson-v{1,2}.expected.json.
//
// Deliberate differences, asserted below:
// * commits.v1.json says `"lockfileVersion": 2` but has only v1-style
//   `dependencies`, no `packages`. The peer (and Arborist) read it as v1;
//   depguard's loader refuses it with EBAD_LOCKFILE, naming the field, since
//   npm never writes such a file.
// * files.v2.json records `deps/etag/node_modules/abbrev` as version 2.3.4
//   but resolves it to abbrev-1.0.9.tgz. depguard takes a registry package's
//   identity from its resolved URL (what npm would fetch), so it reports
//   abbrev 1.0.9 where the peer reports 2.3.4, and the lockfile check flags
//   the entry as lockfile/name-mismatch (reason: version).
// Dependency groups (dev/optional/bundled) and git commits are not compared
// here: groups are Arborist's flags, covered by the graph tests.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph } from '../../src/model.js';
import { SHARED_DATA, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

const PEER = join(SHARED_DATA, 'peers/osv-scalibr');
const TESTDATA = join(PEER, 'extractor/filesystem/language/javascript/packagelockjson');
const present = existsSync(join(PEER, 'expected')) && existsSync(TESTDATA);
if (!present) console.warn(`skipping osv-scalibr peer tests: ${PEER} is absent (CI lays ../shared beside the clone)`);

interface ExpectedCase {
  name: string;
  fixture: string;
  expectError?: string;
  packages: Array<{ name: string; version: string; commit: string; groups: string[] }>;
}

function cases(version: 'v1' | 'v2'): ExpectedCase[] {
  if (!present) return [];
  const data = JSON.parse(readFileSync(join(PEER, 'expected', `packagelockjson-${version}.expected.json`), 'utf8')) as { cases: ExpectedCase[] };
  return data.cases;
}

const MANIFEST = { name: 'scalibr-fixture', version: '1.0.0' };
const DIFFERENT: Record<string, { code: string } | { override: [from: string, to: string] }> = {
  'testdata/commits.v1.json': { code: 'EBAD_LOCKFILE' },
  'testdata/files.v2.json': { override: ['abbrev@2.3.4', 'abbrev@1.0.9'] },
};

async function loadLockfile(fixture: string, file = 'package-lock.json'): Promise<DepGraph> {
  const dir = tempProject({ 'package.json': MANIFEST, [file]: readFileSync(join(TESTDATA, fixture), 'utf8') });
  return (await loadProject(dir)).graph;
}

function distinct(graph: DepGraph): string[] {
  const pairs = new Set<string>();
  for (const node of graph.nodes.values()) if (node.location !== '') pairs.add(`${node.packageName}@${node.version}`);
  return [...pairs].sort();
}

describe.skipIf(!present)('osv-scalibr package-lock.json fixtures', () => {
  for (const version of ['v1', 'v2'] as const) {
    describe(`${version} test table`, () => {
      it.each(cases(version).map((c) => [c.name, c] as const))('%s', async (_name, expected) => {
        const difference = DIFFERENT[expected.fixture];
        if (expected.expectError || (difference && 'code' in difference)) {
          const error = await loadLockfile(expected.fixture).catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(DepguardError);
          expect((error as DepguardError).code).toBe(difference && 'code' in difference ? difference.code : 'EJSON_PARSE');
          expect((error as DepguardError).file).toBe('package-lock.json');
          return;
        }
        const want = [...new Set(expected.packages.map((p) => `${p.name}@${p.version}`))];
        const wanted = difference && 'override' in difference ? [...new Set(want.map((p) => (p === difference.override[0] ? difference.override[1] : p)))] : want;
        expect(distinct(await loadLockfile(expected.fixture))).toEqual(wanted.sort());
      });
    });
  }

  it('files.v2.json: the entry whose version disagrees with its tarball URL is a name-mismatch', async () => {
    const findings = await runCheck('lockfile', await loadLockfile('testdata/files.v2.json'), { registries: EXAMPLE_REGISTRY });
    const mismatch = findings.filter((f) => f.rule === 'lockfile/name-mismatch');
    expect(mismatch.map((f) => [f.package?.location, f.evidence.reason, f.evidence.entryVersion, f.evidence.urlVersion])).toEqual([
      ['deps/etag/node_modules/abbrev', 'version', '2.3.4', '1.0.9'],
    ]);
  });

  it('null.v2.jsontest (the JSON literal null) is a DepguardError, not a crash', async () => {
    const error = await loadLockfile('testdata/null.v2.jsontest').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect(error).toMatchObject({ code: 'EBAD_LOCKFILE', file: 'package-lock.json' });
  });

  it('not-json.txt is a DepguardError with the position of the syntax error', async () => {
    const error = await loadLockfile('testdata/not-json.txt').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect(error).toMatchObject({ code: 'EJSON_PARSE', file: 'package-lock.json' });
  });

  it('package-lock-only/ loads; with both/ present, npm-shrinkwrap.json is the lockfile depguard inspects', async () => {
    const { graph: alone } = await loadProject(tempProject({ 'package.json': MANIFEST }, join(TESTDATA, 'testdata/package-lock-only')));
    expect(alone.lockfile?.file).toBe('package-lock.json');
    expect(distinct(alone)).toEqual(['supports-color@5.5.0', 'wrappy@1.0.2']);
    const { graph } = await loadProject(tempProject({ 'package.json': MANIFEST }, join(TESTDATA, 'testdata/both')));
    expect(graph.lockfile?.file).toBe('npm-shrinkwrap.json');
    // The two files of both/ hold the same packages, so this passes whichever file Arborist read (see below).
    expect(distinct(graph)).toEqual(['supports-color@5.5.0', 'wrappy@1.0.2']);
  });

  // @npmcli/arborist 10 reads only package-lock.json; src/load/shrinkwrap.ts
  // feeds it npm-shrinkwrap.json, which npm documents as the lockfile that wins.
  it('npm-shrinkwrap-only/ loads', async () => {
    const { graph } = await loadProject(tempProject({ 'package.json': MANIFEST }, join(TESTDATA, 'testdata/npm-shrinkwrap-only')));
    expect(graph.lockfile?.file).toBe('npm-shrinkwrap.json');
    expect(distinct(graph)).toEqual(['supports-color@5.5.0', 'wrappy@1.0.2']);
  });
});
