// depguard sbom: CycloneDX (validated by the CycloneDX library against the
// official 1.6 and 1.7 JSON schemas it ships) and SPDX 2.3 (against the
// official SPDX 2.3 schema when a copy is at hand, see below) from the
// DepGraph; the component set equal to `npm sbom --package-lock-only` on the
// same npm projects, run here offline; deterministic output; purls, hashes,
// licences, scopes, relationships and workspaces.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { parseSyml } from '@yarnpkg/parsers';
import { sbom } from '../../src/commands/sbom.js';
import { depguard } from '../helpers/cli.js';
import { fixture, SHARED_DATA, tempProject } from '../helpers/project.js';

const DATE = '2026-12-01';
/** The npm projects compared with `npm sbom`: a real 255-package service, workspaces, and every kind of licence. */
const PROJECTS = ['real-service', 'lockfile-workspaces', 'license-policy'];

type Json = Record<string, any>;

async function document(project: string, format: 'cyclonedx' | 'spdx', extra: { date?: string; specVersion?: '1.6' | '1.7' } = {}): Promise<Json> {
  return JSON.parse((await sbom({ path: fixture(project), format, ...extra })).document);
}

/** npm's own SBOM of a project, offline from its lockfile; null when no npm can be run here. */
function npmSbom(project: string, format: 'cyclonedx' | 'spdx'): Json | null {
  // Under `npm test`, the npm running the tests; else the one on PATH.
  const execPath = process.env.npm_execpath;
  const [command, args] = execPath && /npm-cli\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : ['npm', []];
  const run = spawnSync(command, [...args, 'sbom', '--sbom-format', format, '--package-lock-only', '--offline'], { cwd: fixture(project), encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`npm sbom failed on ${project}: ${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

const cdxNames = (doc: Json) => (doc.components as Json[]).map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`);
const spdxNames = (doc: Json) => (doc.packages as Json[]).map((p) => `${p.name}@${p.versionInfo}`);

describe('CycloneDX', () => {
  it('validates against the official CycloneDX 1.7 and 1.6 JSON schemas (strict), for every project', async () => {
    for (const project of PROJECTS) {
      for (const specVersion of ['1.7', '1.6'] as const) {
        const text = (await sbom({ path: fixture(project), format: 'cyclonedx', specVersion, date: DATE })).document;
        expect(await new Validation.JsonStrictValidator(specVersion === '1.7' ? Spec.Version.v1dot7 : Spec.Version.v1dot6).validate(text), `${project} ${specVersion}`).toBeNull();
      }
    }
  });

  it('names the tool and the subject; no serial number, and a timestamp only when dated', async () => {
    const undated = await document('real-service', 'cyclonedx');
    expect(undated.serialNumber).toBeUndefined();
    expect(undated.metadata.timestamp).toBeUndefined();
    expect(undated.metadata.tools.components).toEqual([expect.objectContaining({ type: 'application', name: 'depguard' })]);
    expect(undated.metadata.component).toMatchObject({ type: 'application', name: 'real-service', version: '3.4.0', purl: 'pkg:npm/real-service@3.4.0', 'bom-ref': 'real-service@3.4.0' });
    expect((await document('real-service', 'cyclonedx', { date: DATE })).metadata.timestamp).toBe(`${DATE}T00:00:00.000Z`);
    // Deterministic: the same bytes twice.
    const twice = await Promise.all([1, 2].map(async () => (await sbom({ path: fixture('real-service'), format: 'cyclonedx' })).document));
    expect(twice[0]).toBe(twice[1]);
  });

  it('gives purls, hashes from the lockfile integrity, licences as SPDX, scopes and the dependency graph', async () => {
    const doc = await document('real-service', 'cyclonedx');
    const scoped = doc.components.find((c: Json) => c.group === '@aws-sdk' && c.name === 'client-s3');
    expect(scoped).toMatchObject({ purl: 'pkg:npm/%40aws-sdk/client-s3@3.1175.0', 'bom-ref': '@aws-sdk/client-s3@3.1175.0', scope: 'required', licenses: [{ license: { id: 'Apache-2.0', acknowledgement: 'declared' } }] });
    const lock = JSON.parse(readFileSync(join(fixture('real-service'), 'package-lock.json'), 'utf8'));
    const integrity: string = lock.packages['node_modules/@aws-sdk/client-s3'].integrity;
    expect(scoped.hashes).toEqual([{ alg: 'SHA-512', content: Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex') }]);
    const root = doc.dependencies.find((d: Json) => d.ref === 'real-service@3.4.0');
    expect(root.dependsOn).toContain('@aws-sdk/client-s3@3.1175.0');
    // Every ref a dependency names is a component of the document.
    const refs = new Set([doc.metadata.component['bom-ref'], ...doc.components.map((c: Json) => c['bom-ref'])]);
    for (const dependency of doc.dependencies) for (const ref of [dependency.ref, ...(dependency.dependsOn ?? [])]) expect(refs.has(ref), ref).toBe(true);
  });

  it('a dev-only package is excluded, an OR licence an expression, a licence spdx-correct reads is written corrected; workspaces are components', async () => {
    const doc = await document('license-policy', 'cyclonedx');
    const byName = (name: string) => doc.components.find((c: Json) => c.name === name);
    expect(byName('dev-gpl').scope).toBe('excluded');
    expect(byName('dual-lib').licenses).toEqual([{ expression: '(MIT OR GPL-3.0-only)', acknowledgement: 'declared' }]);
    expect(byName('misspelled').licenses).toEqual([{ license: { id: 'Apache-2.0', acknowledgement: 'declared' } }]);
    expect(byName('misspelled').properties).toContainEqual({ name: 'depguard:license:declared', value: 'Apache 2.0' });
    expect(byName('proprietary').licenses).toEqual([{ license: { name: 'UNLICENSED', acknowledgement: 'declared' } }]);
    expect(byName('no-license').licenses).toBeUndefined();
    const workspaces = await document('lockfile-workspaces', 'cyclonedx');
    const flagged = workspaces.components.filter((c: Json) => (c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace'));
    expect(flagged.length).toBeGreaterThan(0);
  });
});

/**
 * The official SPDX 2.3 JSON schema (spdx/spdx-spec, tag v2.3,
 * schemas/spdx-schema.json): no npm package ships it, so it is read from
 * DEPGUARD_SPDX_SCHEMA or the shared test data when a copy is there, and
 * checked to be that file by its SHA-256.
 */
const SPDX_SCHEMA_SHA256 = '239208b7ac287b3cf5d9a9af23f9d69863971102a5e1587a27a398b43490b89b';
const spdxSchemaPath = [process.env.DEPGUARD_SPDX_SCHEMA, join(SHARED_DATA, 'schemas/spdx-2.3.schema.json')].find((path): path is string => path !== undefined && existsSync(path));

describe('SPDX 2.3', () => {
  it.skipIf(spdxSchemaPath === undefined)('validates against the official SPDX 2.3 JSON schema, for every project', async () => {
    const text = readFileSync(spdxSchemaPath!, 'utf8');
    expect(createHash('sha256').update(text).digest('hex'), `${spdxSchemaPath} is not the official SPDX 2.3 schema`).toBe(SPDX_SCHEMA_SHA256);
    // The schema is draft-07: Ajv's default class, with the formats (uri, date-time) it uses.
    const { default: Ajv } = (await import('ajv')) as unknown as { default: new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } } };
    const { default: addFormats } = (await import('ajv-formats')) as unknown as { default: (ajv: object) => void };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(text) as object);
    for (const project of PROJECTS) {
      expect(validate(await document(project, 'spdx')), `${project}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
  if (spdxSchemaPath === undefined) {
    it.skip('validates against the official SPDX 2.3 JSON schema: no copy here (set DEPGUARD_SPDX_SCHEMA to spdx-spec v2.3 schemas/spdx-schema.json)', () => {});
  }

  it('is consistent: unique SPDX ids of the allowed characters, relationships between packages of the document, the subject described', async () => {
    for (const project of PROJECTS) {
      const doc = await document(project, 'spdx');
      expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT' });
      const ids = doc.packages.map((p: Json) => p.SPDXID);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
      const known = new Set(['SPDXRef-DOCUMENT', ...ids]);
      for (const relationship of doc.relationships) {
        expect(known.has(relationship.spdxElementId) && known.has(relationship.relatedSpdxElement), JSON.stringify(relationship)).toBe(true);
      }
      expect(doc.documentDescribes).toEqual([doc.packages[0].SPDXID]);
      expect(doc.creationInfo.creators).toEqual([expect.stringMatching(/^Tool: depguard-/)]);
    }
  });

  it('is deterministic: created is the audit day, the namespace a hash of the content', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => document('real-service', 'spdx', { date: DATE })));
    expect(a).toEqual(b);
    expect(a!.creationInfo.created).toBe(`${DATE}T00:00:00Z`);
    expect(a!.documentNamespace).toMatch(/^https:\/\/spdx\.org\/spdxdocs\/real-service-3\.4\.0-[0-9a-f-]{36}$/);
  });
});

describe('the same components as npm sbom', () => {
  for (const project of PROJECTS) {
    it(`${project}: CycloneDX and SPDX name the packages npm sbom --package-lock-only names`, async () => {
      const npmCdx = npmSbom(project, 'cyclonedx');
      if (npmCdx === null) return expect.soft(npmCdx, 'no npm on PATH: comparison skipped').toBeNull();
      const ours = new Set(cdxNames(await document(project, 'cyclonedx')));
      // npm's CycloneDX names a workspace by its folder (`a`) but refs it by its package name (`@fixture/a@1.0.0`), as its SPDX names it: the ref is the identity.
      expect([...ours].sort()).toEqual([...new Set((npmCdx.components as Json[]).map((c) => c['bom-ref'] as string))].sort());
      const npmSpdx = npmSbom(project, 'spdx')!;
      expect([...new Set(spdxNames(await document(project, 'spdx')))].sort()).toEqual([...new Set(spdxNames(npmSpdx))].sort());
    });
  }
});

describe('depguard sbom (CLI)', () => {
  it('writes CycloneDX by default, SPDX and OpenVEX on request, -o to a file; a bad flag is exit 2', async () => {
    const out = await depguard(['sbom', fixture('real-service'), '--date', DATE]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.7' });
    const dir = tempProject({});
    const file = join(dir, 'sbom.spdx.json');
    const written = await depguard(['sbom', fixture('real-service'), '--format', 'spdx', '-o', file]);
    expect(written.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).spdxVersion).toBe('SPDX-2.3');
    expect((await depguard(['sbom', fixture('real-service'), '--date', '2026-02-30'])).code).toBe(2);
    const noWaivers = await depguard(['sbom', fixture('real-service'), '--format', 'openvex']);
    expect(noWaivers.code).toBe(2);
    expect(noWaivers.stderr).toMatch(/no VEX statement to write/);
  });
});

describe('depguard report --format cyclonedx|spdx|openvex', () => {
  it('writes the documents depguard sbom writes (offline: the lockfile\'s licences)', async () => {
    for (const format of ['cyclonedx', 'spdx'] as const) {
      const fromReport = await depguard(['report', fixture('real-service'), '--format', format, '--date', DATE, '--fail-on', 'none']);
      expect(fromReport.code, fromReport.stderr).toBe(0);
      const fromSbom = await depguard(['sbom', fixture('real-service'), '--format', format, '--date', DATE]);
      expect(fromReport.stdout).toBe(fromSbom.stdout);
    }
  });
});


describe('other lockfile formats: the SBOM names what the lockfile records', () => {
  /** pnpm-lock.yaml v9: `packages` holds each package version once, keyed name@version. */
  function pnpmPackages(dir: string): string[] {
    const lock = parseYaml(readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8')) as { packages?: Record<string, unknown> };
    return Object.keys(lock.packages ?? {});
  }

  it('pnpm: one component per package pnpm-lock.yaml records (the fixture, and vuejs-core\'s real lockfile when the shared data is there)', async () => {
    const text = (await sbom({ path: fixture('pm-service-pnpm'), format: 'cyclonedx' })).document;
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(text)).toBeNull();
    const fixtureDoc = JSON.parse(text) as Json;
    const libraries = (fixtureDoc.components as Json[]).filter((c) => !(c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace'));
    expect(libraries.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`).sort()).toEqual(pnpmPackages(fixture('pm-service-pnpm')).sort());
    const vue = join(SHARED_DATA, 'lockfiles-pm/real/vuejs-core');
    if (!existsSync(vue)) return expect.soft(existsSync(vue), `${vue} is absent: the real pnpm lockfile is not compared`).toBe(false);
    const doc = JSON.parse((await sbom({ path: vue, format: 'cyclonedx' })).document) as Json;
    const count = (doc.components as Json[]).filter((c) => !(c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace')).length;
    expect(count).toBe(pnpmPackages(vue).length);
  });

  /** bun.lock: each `packages` entry's `name@version` (its tuple's first element), workspaces left out, each once. */
  function bunPackages(dir: string): string[] {
    const lock = parseJsonc(readFileSync(join(dir, 'bun.lock'), 'utf8')) as { packages?: Record<string, [string]> };
    return [...new Set(Object.values(lock.packages ?? {}).map((tuple) => tuple[0]).filter((ident) => !ident.includes('@workspace:')))];
  }

  it("bun: one component per package bun.lock records, aliases by their real name (the fixture, and hono's and onlook's real lockfiles when the shared data is there)", async () => {
    const text = (await sbom({ path: fixture('pm-service-bun'), format: 'cyclonedx' })).document;
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(text)).toBeNull();
    const libraries = ((JSON.parse(text) as Json).components as Json[]).filter((c) => !(c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace'));
    expect(libraries.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`).sort()).toEqual(bunPackages(fixture('pm-service-bun')).sort());
    for (const name of ['honojs-hono', 'onlook-dev-onlook']) {
      const real = join(SHARED_DATA, 'lockfiles-pm/real', name);
      if (!existsSync(real)) return expect.soft(existsSync(real), `${real} is absent: the real bun lockfiles are not compared`).toBe(false);
      const doc = JSON.parse((await sbom({ path: real, format: 'cyclonedx' })).document) as Json;
      const count = (doc.components as Json[]).filter((c) => !(c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace')).length;
      expect(count, name).toBe(bunPackages(real).length);
    }
  });

  /** yarn.lock: each package once, as yarn counts it: the real name (an npm: alias's target) and version, a berry patch: entry as the package it patches, workspaces not. */
  function yarnPackages(dir: string): string[] {
    const entries = parseSyml(readFileSync(join(dir, 'yarn.lock'), 'utf8')) as Record<string, { version?: string; resolution?: string }>;
    const packages = new Set<string>();
    for (const [key, entry] of Object.entries(entries)) {
      if (key === '__metadata' || !entry.version) continue;
      const locator = entry.resolution ? decodeURIComponent(entry.resolution.replace(/^.*?@patch:/, '').replace(/#.*$/, '')) : key.split(', ')[0]!.replace(/^"|"$/g, '').replace(/^[^@]+@npm:|^(@[^@]+)@npm:/, '');
      if (locator.includes('@workspace:')) continue;
      const name = locator.slice(0, locator.indexOf('@', 1));
      packages.add(`${name}@${entry.version}`);
    }
    return [...packages];
  }

  it.each(['pm-service-yarn', 'pm-service-yarn-berry'])('yarn (%s): one component per package yarn.lock records, webpack\'s real lockfile too', async (name) => {
    const text = (await sbom({ path: fixture(name), format: 'cyclonedx' })).document;
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(text)).toBeNull();
    const doc = JSON.parse(text) as Json;
    const libraries = (doc.components as Json[]).filter((c) => !(c.properties ?? []).some((p: Json) => p.name === 'depguard:workspace'));
    expect(libraries.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`).sort()).toEqual(yarnPackages(fixture(name)).sort());
    // Classic's integrity is the tarball's SRI, a component hash; berry's checksum hashes yarn's cache zip and is no tarball hash.
    const debug = libraries.find((c) => c.name === 'debug')!;
    if (name === 'pm-service-yarn') expect(debug.hashes).toEqual([expect.objectContaining({ alg: 'SHA-512' })]);
    else expect(debug.hashes ?? []).toEqual([]);
    const webpack = join(SHARED_DATA, 'lockfiles-pm/real/webpack-webpack');
    if (name !== 'pm-service-yarn' || !existsSync(webpack)) return;
    const real = JSON.parse((await sbom({ path: webpack, format: 'cyclonedx' })).document) as Json;
    expect((real.components as Json[]).length).toBe(1393);
  });
});
