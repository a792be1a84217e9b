// provenance against a loopback registry serving `dist.attestations` in the
// public registry's shape ({ url, provenance: { predicateType } }): a version
// that dropped provenance its package had, a hand-published backport to an
// older line, packages that never had it, and requireAll.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import provenance from '../../src/checks/provenance/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { isDepguardError } from '../../src/errors.js';
import { fixture, tempProject } from '../helpers/project.js';
import { auditWith, packumentForms, summary } from '../helpers/registry-checks.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { nodePackument, runEnriched, enrichRun } from '../helpers/enriched.js';
import { graph, node } from '../helpers/graph.js';

const RUN = enrichRun();

let server: TestRegistry;

beforeAll(async () => {
  server = await new TestRegistry().start();
  // Published from CI with provenance until 1.2.0, which someone published by hand.
  server.add('ci-published', { versions: { '1.0.0': { provenance: true }, '1.1.0': { provenance: true }, '1.2.0': {} } });
  // 2.x publishes from CI; the 1.9.1 backport was published by hand after 2.0.0.
  server.add('backported', { versions: { '1.9.0': {}, '2.0.0': { provenance: true, time: '2026-01-01T00:00:00.000Z' }, '1.9.1': { time: '2026-03-01T00:00:00.000Z' } }, distTags: { latest: '2.0.0' } });
  server.add('never-attested', { versions: { '0.9.0': {}, '1.0.0': {} } });
  server.add('attested', { versions: { '3.0.0': { provenance: true }, '3.1.0': { provenance: true } } });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
  server.scripts.clear();
});

describe('provenance metadata', () => {
  it('reports dropped provenance as high and, only with requireAll, missing provenance as moderate; off by default', async () => {
    expect(Object.fromEntries(Object.entries(provenance.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ 'dropped': 'high', 'missing': 'moderate' });
    expect(provenance.meta.defaultOptions).toEqual({ requireAll: false, ignore: [] });
    expect((await presetPolicy('recommended')).checks.get('provenance')!.enabled).toBe(false);
  });
});

describe('provenance: provenance-dropped', () => {
  it('reports a version without provenance when an earlier version had it; not a backport to an older line, not a package that never had it', async () => {
    const { result } = await auditWith(server, fixture('provenance-dropped'), ['provenance']);
    expect(summary(result.findings)).toEqual(['provenance/dropped ci-published@1.2.0']);
    expect(result.findings[0]).toMatchObject({ severity: 'high', package: { location: 'node_modules/ci-published' } });
    expect(result.findings[0]!.evidence).toEqual({ provenance: false, lastWithProvenance: '1.1.0', firstWithProvenance: '1.0.0', versionsWithProvenance: 2 });
    expect(result.diagnostics).toEqual([]);
  });

  it('reads only the abbreviated packument, whose dist carries the attestations', async () => {
    await auditWith(server, fixture('provenance-dropped'), ['provenance']);
    for (const name of ['ci-published', 'backported', 'never-attested', 'attested']) expect(packumentForms(server, name)).toEqual(['corgi']);
  });

  it('requireAll: every version without provenance is reported; ignore exempts names', async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { provenance: ['on', { requireAll: true, ignore: ['backported'] }] } } }, fixture('provenance-dropped'));
    const { result } = await auditWith(server, dir, ['provenance']);
    expect(summary(result.findings)).toEqual(['provenance/dropped ci-published@1.2.0', 'provenance/missing never-attested@1.0.0']);
    expect(result.findings[1]).toMatchObject({ severity: 'moderate', evidence: { provenance: false } });
  });

  it('an unreachable registry is exit 2 naming the package', async () => {
    server.script('/attested', [{ status: 503, body: 'down' }], true);
    const error = await auditWith(server, fixture('provenance-dropped'), ['provenance']).catch((e: unknown) => e);
    expect(isDepguardError(error) && (error as Error).message).toMatch(/for 1 package: attested@3\.1\.0 \(REGISTRY_UNREACHABLE\)/);
  });
});

describe('provenance: a function of the graph and the enriched packuments (no network, no client)', () => {
  const attested = { dist: { attestations: { url: 'https://registry.example.org/-/npm/v1/attestations/x', provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } } };
  const packument = (versions: Record<string, object>) => ({ 'dist-tags': { latest: Object.keys(versions).at(-1) }, versions: Object.fromEntries(Object.entries(versions).map(([version, fields]) => [version, { version, ...fields }])) });

  it('reports a version that dropped provenance, not one that kept it, and missing ones only with requireAll', async () => {
    const [dropped, kept, never] = [node({ location: 'node_modules/ci-published', version: '1.2.0' }), node({ location: 'node_modules/attested', version: '3.1.0' }), node({ location: 'node_modules/never-attested', version: '1.0.0' })];
    const packuments = new Map([
      [dropped, nodePackument(dropped, packument({ '1.1.0': attested, '1.2.0': {} }))],
      [kept, nodePackument(kept, packument({ '3.0.0': attested, '3.1.0': attested }))],
      [never, nodePackument(never, packument({ '1.0.0': {} }))],
    ]);
    const tree = graph({ name: 'app' }, [dropped, kept, never]);
    expect((await runEnriched(provenance, tree, packuments)).reports.map((r) => `${r.rule} ${r.node!.packageName}`)).toEqual(['dropped ci-published']);
    expect((await runEnriched(provenance, tree, packuments, { requireAll: true })).reports.map((r) => `${r.rule} ${r.node!.packageName}`)).toEqual(['dropped ci-published', 'missing never-attested']);
  });

  it('declares the abbreviated packuments of the packages its ignore option does not exempt', () => {
    const { full, select } = provenance.meta.enrich!.packuments!;
    expect(full).toBeUndefined();
    expect(select!(node({ location: 'node_modules/backported' }), { ignore: ['backported'] }, RUN)).toBe(false);
    expect(select!(node({ location: 'node_modules/attested' }), { ignore: ['backported'] }, RUN)).toBe(true);
  });
});
