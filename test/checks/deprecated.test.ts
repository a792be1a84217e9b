// deprecated against a loopback registry: the abbreviated packument's
// per-version `deprecated` message, a deprecated version next to a healthy
// latest, a package deprecated as a whole, and fail-closed misses.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import deprecated from '../../src/checks/deprecated/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { isDepguardError } from '../../src/errors.js';
import { fixture, tempProject } from '../helpers/project.js';
import { auditWith, packumentForms, summary } from '../helpers/registry-checks.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { nodePackument, runEnriched, enrichRun } from '../helpers/enriched.js';
import { graph, node } from '../helpers/graph.js';

const RUN = enrichRun();

let server: TestRegistry;

const REQUEST_GONE = 'request has been deprecated, see https://github.com/request/request/issues/3142';
const UUID_OLD = 'Please upgrade  to version 7 or higher.  Older versions may use Math.random() in certain circumstances, which is known to be problematic.';

beforeAll(async () => {
  server = await new TestRegistry().start();
  server.add('request', { versions: { '2.88.0': { deprecated: REQUEST_GONE }, '2.88.2': { deprecated: REQUEST_GONE } } });
  server.add('uuid', { versions: { '3.4.0': { deprecated: UUID_OLD }, '11.1.0': {} }, distTags: { latest: '11.1.0' } });
  server.add('ms', { versions: { '2.1.3': {} } });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
  server.scripts.clear();
});

describe('deprecated metadata', () => {
  it('has two moderate rules, needs the registry, and is off by default', async () => {
    expect(Object.fromEntries(Object.entries(deprecated.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ 'version': 'moderate', 'package': 'moderate' });
    expect(deprecated.meta.needs).toEqual(['registry']);
    expect((await presetPolicy('recommended')).checks.get('deprecated')!.enabled).toBe(false);
  });
});

describe('deprecated: deprecated-versions', () => {
  it('reports a deprecated version whose latest is not, and a package deprecated as a whole, with the messages', async () => {
    const { result } = await auditWith(server, fixture('deprecated-versions'), ['deprecated']);
    expect(summary(result.findings)).toEqual(['deprecated/package request@2.88.2', 'deprecated/version uuid@3.4.0']);
    expect(result.findings[0]!.evidence).toEqual({ deprecated: REQUEST_GONE, latest: '2.88.2', latestDeprecated: REQUEST_GONE });
    expect(result.findings[1]!.evidence).toEqual({ deprecated: UUID_OLD, latest: '11.1.0' });
    expect(result.findings[1]).toMatchObject({ severity: 'moderate', package: { name: 'uuid', version: '3.4.0', location: 'node_modules/uuid' } });
    expect(result.diagnostics).toEqual([]);
  });

  it('reads only the abbreviated packument', async () => {
    await auditWith(server, fixture('deprecated-versions'), ['deprecated']);
    for (const name of ['request', 'uuid', 'ms']) expect(packumentForms(server, name)).toEqual(['corgi']);
  });

  it('ignore: names or globs not to report', async () => {
    const dir = tempProject({ 'depguard.config.json': { checks: { deprecated: ['on', { ignore: ['requ*'] }] } } }, fixture('deprecated-versions'));
    const { result } = await auditWith(server, dir, ['deprecated']);
    expect(summary(result.findings)).toEqual(['deprecated/version uuid@3.4.0']);
    expect(server.packumentRequests('request')).toEqual([]);
  });

  it('a version missing from the packument is exit 2 naming it (REGISTRY_NOT_FOUND); --allow-incomplete reports the rest', async () => {
    server.add('ms', { versions: { '2.1.2': {} } });
    try {
      const error = await auditWith(server, fixture('deprecated-versions'), ['deprecated']).catch((e: unknown) => e);
      expect(isDepguardError(error) && (error as Error).message).toMatch(/for 1 package: ms@2\.1\.3 \(REGISTRY_NOT_FOUND\)/);
      const { result } = await auditWith(server, fixture('deprecated-versions'), ['deprecated'], { access: { allowIncomplete: true } });
      expect(summary(result.findings)).toEqual(['deprecated/package request@2.88.2', 'deprecated/version uuid@3.4.0']);
      expect(result.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual(['error REGISTRY_NOT_FOUND', 'warning REGISTRY_INCOMPLETE']);
    } finally {
      server.add('ms', { versions: { '2.1.3': {} } });
    }
  });
});

describe('deprecated: a function of the graph and the enriched packuments (no network, no client)', () => {
  const packument = (versions: Record<string, { deprecated?: string }>, latest: string) => ({ 'dist-tags': { latest }, versions: Object.fromEntries(Object.entries(versions).map(([version, fields]) => [version, { version, ...fields }])) });

  it('reports the deprecated versions it is handed, and nothing for a healthy one or a package it is not handed', async () => {
    const [old, abandoned, healthy, unasked] = [
      node({ location: 'node_modules/uuid', version: '3.4.0' }),
      node({ location: 'node_modules/request', version: '2.88.2' }),
      node({ location: 'node_modules/ms', version: '2.1.3' }),
      node({ location: 'node_modules/left-pad', version: '1.3.0' }),
    ];
    const packuments = new Map([
      [old, nodePackument(old, packument({ '3.4.0': { deprecated: UUID_OLD }, '11.1.0': {} }, '11.1.0'))],
      [abandoned, nodePackument(abandoned, packument({ '2.88.2': { deprecated: REQUEST_GONE } }, '2.88.2'))],
      [healthy, nodePackument(healthy, packument({ '2.1.3': {} }, '2.1.3'))],
    ]);
    const { reports } = await runEnriched(deprecated, graph({ name: 'app' }, [old, abandoned, healthy, unasked]), packuments);
    expect(reports.map((r) => `${r.rule} ${r.node!.packageName}`)).toEqual(['version uuid', 'package request']);
    expect(reports[0]!.evidence).toEqual({ deprecated: UUID_OLD, latest: '11.1.0' });
  });

  it('declares what the engine fetches: the abbreviated packument of every package its ignore option does not exempt', () => {
    const select = deprecated.meta.enrich!.packuments!.select!;
    expect(deprecated.meta.enrich!.packuments!.full).toBeUndefined();
    expect(select(node({ location: 'node_modules/request' }), { ignore: ['requ*'] }, RUN)).toBe(false);
    expect(select(node({ location: 'node_modules/uuid' }), { ignore: ['requ*'] }, RUN)).toBe(true);
  });
});
