// lockfile-lint's own npm lockfile fixtures (../shared/data/peers/lockfile-lint,
// SOURCES.md section 2.1), run through depguard's lockfile check: every
// problem lockfile-lint's tests expect must be found here too.
//
// Not run here: the yarn fixtures (yarn.lock, yarnberry.lock, bad-yarn.lock,
// yarn-*.lock: test/peers/lockfile-lint-yarn.test.ts); this file holds depguard's npm lockfile reading to
// lockfile-lint's npm fixtures. The
// .lockfile-lintrc.json config fixtures are lockfile-lint's CLI config, not
// data for us. The in-memory behaviours of lockfile-lint's validator tests
// (allowed hosts as hostname / host:port / URL, packages without `resolved`,
// git+ssh hosts, dot segments) are mirrored in test/checks/lockfile.test.ts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, Finding } from '../../src/model.js';
import { SHARED_DATA, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

const PEER = join(SHARED_DATA, 'peers/lockfile-lint/packages');
const API_FIXTURES = join(PEER, 'lockfile-lint-api/__tests__/__fixtures__');
const CLI_FIXTURES = join(PEER, 'lockfile-lint/__tests__/fixtures');
const present = existsSync(API_FIXTURES) && existsSync(CLI_FIXTURES);
if (!present) console.warn(`skipping lockfile-lint peer tests: ${PEER} is absent (CI lays ../shared beside the clone)`);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A package.json for a bare lockfile: the v2/v3 root entry's declarations, or
 * for v1 the top-level dependencies (their `from`, else their `version`).
 */
function synthesiseManifest(text: string): Json {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { name: 'peer-fixture', version: '1.0.0' };
  }
  if (!isObject(data)) return { name: 'peer-fixture', version: '1.0.0' };
  const rootEntry = isObject(data.packages) ? data.packages[''] : undefined;
  if (isObject(rootEntry)) {
    const manifest: Json = { name: rootEntry.name ?? data.name ?? 'peer-fixture', version: rootEntry.version ?? '1.0.0' };
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta']) {
      if (rootEntry[field] !== undefined) manifest[field] = rootEntry[field];
    }
    return manifest;
  }
  const manifest: Record<string, unknown> = { name: data.name ?? 'peer-fixture', version: data.version ?? '1.0.0' };
  for (const [name, entry] of Object.entries(isObject(data.dependencies) ? data.dependencies : {})) {
    if (!isObject(entry)) continue;
    const field = entry.dev ? 'devDependencies' : entry.optional ? 'optionalDependencies' : 'dependencies';
    const from = typeof entry.from === 'string' ? entry.from.replace(`${name}@`, '') : null;
    manifest[field] = { ...((manifest[field] as Json | undefined) ?? {}), [name]: from ?? entry.version };
  }
  return manifest;
}

async function loadFixture(file: string): Promise<DepGraph> {
  const text = readFileSync(file, 'utf8');
  const dir = tempProject({ 'package.json': synthesiseManifest(text), 'package-lock.json': text });
  return (await loadProject(dir)).graph;
}

async function lint(file: string, options?: Record<string, unknown>): Promise<Finding[]> {
  return runCheck('lockfile', await loadFixture(file), { registries: EXAMPLE_REGISTRY, ...(options ? { options } : {}) });
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}`).sort();
}

function nameVersions(graph: DepGraph): string[] {
  return [...graph.nodes.values()].filter((n) => n.location !== '').map((n) => `${n.packageName}@${n.version}`).sort();
}

describe.skipIf(!present)('lockfile-lint fixtures', () => {
  describe('lockfile-lint-api fixtures', () => {
    it('package-lock.json (v1) parses, with debug 4.1.1 and ms 2.1.2, and only the v1 format is reported', async () => {
      const graph = await loadFixture(join(API_FIXTURES, 'package-lock.json'));
      expect(nameVersions(graph)).toEqual(expect.arrayContaining(['debug@4.1.1', 'ms@2.1.2']));
      expect(summary(await lint(join(API_FIXTURES, 'package-lock.json')))).toEqual(['lockfile/version-1 -']);
    });

    it('nested-package-lock.json keeps nested copies of one name apart', async () => {
      const graph = await loadFixture(join(API_FIXTURES, 'nested-package-lock.json'));
      expect(nameVersions(graph)).toEqual(['debug@4.1.1', 'escape-html@1.0.3', 'ms@2.0.0', 'ms@2.1.2']);
      expect(graph.nodes.get('node_modules/debug/node_modules/ms')?.version).toBe('2.0.0');
      // The fixture is hand-made: escape-html sits under ms@2.0.0, which does
      // not require it (a real stray entry), and two entries carry sha1 only.
      expect(summary(await lint(join(API_FIXTURES, 'nested-package-lock.json')))).toEqual([
        'lockfile/unreachable escape-html@1.0.3',
        'lockfile/version-1 -',
        'lockfile/weak-integrity escape-html@1.0.3',
        'lockfile/weak-integrity ms@2.0.0',
      ]);
    });

    it('package-lock-v3.json parses, and its excerpt problems are real ones', async () => {
      const graph = await loadFixture(join(API_FIXTURES, 'package-lock-v3.json'));
      expect(nameVersions(graph)).toEqual(expect.arrayContaining(['@ampproject/remapping@2.2.1', 'argparse@2.0.1', 'cliui@7.0.4', 'debug@4.3.4', 'ms@2.1.2']));
      // An excerpt of a real lockfile: remapping is resolved over http, cliui
      // lost its resolved and integrity, and four entries lost their dependents.
      expect(summary(await lint(join(API_FIXTURES, 'package-lock-v3.json')))).toEqual([
        'lockfile/insecure-protocol @ampproject/remapping@2.2.1',
        'lockfile/missing-integrity cliui@7.0.4',
        'lockfile/unreachable @ampproject/remapping@2.2.1',
        'lockfile/unreachable argparse@2.0.1',
        'lockfile/unreachable cliui@7.0.4',
        'lockfile/unreachable debug@4.3.4',
      ]);
    });

    it('package-lock-v3-empty.json parses to no packages, without an error', async () => {
      const graph = await loadFixture(join(API_FIXTURES, 'package-lock-v3-empty.json'));
      expect(graph.nodes.size).toBe(1);
      // Its root entry still declares debug, which has no entry: that is what `npm ci` would refuse.
      const findings = await lint(join(API_FIXTURES, 'package-lock-v3-empty.json'));
      expect(summary(findings)).toEqual(['lockfile/out-of-sync -']);
      expect(findings[0]!.evidence).toMatchObject({ reason: 'missing', dependency: 'debug' });
    });

    it.each(['bad-package-lock.json', 'bad-package-lock-v3.json'])('%s is refused with a DepguardError naming the file', async (file) => {
      const error = await loadFixture(join(API_FIXTURES, file)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DepguardError);
      expect(['EJSON_PARSE', 'EBAD_LOCKFILE']).toContain((error as DepguardError).code);
      expect((error as DepguardError).file).toBe('package-lock.json');
    });
  });

  describe('lockfile-lint CLI fixtures', () => {
    it('empty.json is refused with a DepguardError naming the file', async () => {
      const error = await loadFixture(join(CLI_FIXTURES, 'empty.json')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DepguardError);
      expect(error).toMatchObject({ code: 'EJSON_PARSE', file: 'package-lock.json' });
    });

    it('package-lock-sha1.json: typescript is reported for its sha1 integrity, and nothing else', async () => {
      const findings = await lint(join(CLI_FIXTURES, 'package-lock-sha1.json'));
      expect(summary(findings)).toEqual(['lockfile/weak-integrity typescript@4.8.3']);
      expect(findings[0]!.evidence).toMatchObject({ algorithm: 'sha1' });
    });

    it('package-lock-v3-package-name-aliases.json: the three -cjs aliases are reported as aliases, none as injection', async () => {
      const findings = await lint(join(CLI_FIXTURES, 'package-lock-v3-package-name-aliases.json'));
      expect(findings.filter((f) => f.rule === 'lockfile/name-mismatch')).toEqual([]);
      const aliases = findings.filter((f) => f.rule === 'lockfile/alias').map((f) => [f.evidence.alias, f.evidence.realName]);
      expect(aliases.sort()).toEqual([
        ['string-width-cjs', 'string-width'],
        ['strip-ansi-cjs', 'strip-ansi'],
        ['wrap-ansi-cjs', 'wrap-ansi'],
      ]);
      expect(findings.every((f) => f.rule === 'lockfile/alias')).toBe(true);
    });

    it('package-lock-empty-hostname.json: the github shorthand and the github tarball are foreign hosts', async () => {
      const findings = await lint(join(CLI_FIXTURES, 'package-lock-empty-hostname.json'));
      // Arborist turns the v1 `github:` shorthand into git+ssh://git@github.com/…, so the host is known.
      const foreign = findings.filter((f) => f.rule === 'lockfile/foreign-host');
      expect(foreign.map((f) => [f.package?.location, f.evidence.host]).sort()).toEqual([
        ['node_modules/metalsmith-permalinks', 'github.com'],
        ['node_modules/metalsmith-permalinks/node_modules/substitute', 'github.com'],
      ]);
      expect(summary(await lint(join(CLI_FIXTURES, 'package-lock-empty-hostname.json'), { allowedHosts: ['github.com'] }))).toEqual(['lockfile/version-1 -']);
    });

    it('package-lock-git-scheme.json: the git+https dependency is foreign unless github.com is allowed', async () => {
      const findings = await lint(join(CLI_FIXTURES, 'package-lock-git-scheme.json'));
      expect(summary(findings)).toEqual(['lockfile/foreign-host ms@', 'lockfile/version-1 -']);
      expect(only(findings, 'lockfile/foreign-host').evidence).toMatchObject({ host: 'github.com', resolved: expect.stringMatching(/^git\+https:\/\/github\.com\//) });
      // Pinned to a full commit and fetched over https: nothing else to say once the host is allowed.
      expect(summary(await lint(join(CLI_FIXTURES, 'package-lock-git-scheme.json'), { allowedHosts: ['github.com'] }))).toEqual(['lockfile/version-1 -']);
    });
  });
});

function only(findings: Finding[], rule: string): Finding {
  const matching = findings.filter((f) => f.rule === rule);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}
