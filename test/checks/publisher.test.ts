// publisher against a loopback registry serving full packuments in the public
// registry's shape (`_npmUser`, per-version `maintainers`, `time`): the
// event-stream hand-over (3.3.6 published by a new maintainer, the first
// release after the maintainer list changed), a package one account always
// publishes, a team of two, and the release after a hand-over.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import publisher from '../../src/checks/publisher/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { fixture, tempProject } from '../helpers/project.js';
import { auditWith, packumentForms, summary } from '../helpers/registry-checks.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { nodePackument, runEnriched, enrichRun } from '../helpers/enriched.js';
import { graph, node } from '../helpers/graph.js';

const RUN = enrichRun();

let server: TestRegistry;
const PROJECT = fixture('publisher-event-stream');

beforeAll(async () => {
  server = await new TestRegistry().start();
  // event-stream: dominictarr published every release until he handed the package to right9ctrl.
  server.add('event-stream', {
    maintainers: ['right9ctrl'],
    versions: {
      '3.3.4': { npmUser: 'dominictarr', maintainers: ['dominictarr'], time: '2016-01-29T17:54:46.380Z' },
      '3.3.5': { npmUser: 'dominictarr', maintainers: ['dominictarr'], time: '2018-09-05T13:14:39.919Z' },
      '3.3.6': { npmUser: 'right9ctrl', maintainers: ['dominictarr', 'right9ctrl'], time: '2018-09-09T12:22:02.418Z' },
      '4.0.0': { npmUser: 'right9ctrl', maintainers: ['dominictarr', 'right9ctrl'], time: '2018-09-20T16:12:08.101Z' },
    },
    distTags: { latest: '4.0.0' },
  });
  server.add('steady', { versions: { '1.0.0': { npmUser: 'alice', maintainers: ['alice'], time: '2024-01-01T00:00:00.000Z' }, '2.0.0': { npmUser: 'alice', maintainers: ['alice'], time: '2025-01-01T00:00:00.000Z' } } });
  // Two maintainers from the start, taking turns: bob's 1.2.0 is not news.
  server.add('team', {
    versions: {
      '1.0.0': { npmUser: 'alice', maintainers: ['alice', 'bob'], time: '2024-01-01T00:00:00.000Z' },
      '1.1.0': { npmUser: 'bob', maintainers: ['alice', 'bob'], time: '2024-06-01T00:00:00.000Z' },
      '1.2.0': { npmUser: 'bob', maintainers: ['alice', 'bob'], time: '2025-01-01T00:00:00.000Z' },
    },
  });
  // Handed over at 4.0.0; 4.0.1 is the new maintainer's second release: only the first release after a change is reported.
  server.add('handed-over', {
    versions: {
      '3.0.0': { npmUser: 'carol', maintainers: ['carol'], time: '2023-01-01T00:00:00.000Z' },
      '4.0.0': { npmUser: 'dave', maintainers: ['dave'], time: '2024-01-01T00:00:00.000Z' },
      '4.0.1': { npmUser: 'dave', maintainers: ['dave'], time: '2024-02-01T00:00:00.000Z' },
    },
  });
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
});

describe('publisher metadata', () => {
  it('two rules at moderate, off by default, on in strict; reads full packuments', async () => {
    expect(Object.fromEntries(Object.entries(publisher.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ 'new-publisher': 'moderate', 'maintainers-changed': 'moderate' });
    expect(publisher.meta.needs).toEqual(['registry', 'full-packuments']);
    expect((await presetPolicy('recommended')).checks.get('publisher')!.enabled).toBe(false);
    expect((await presetPolicy('strict')).checks.get('publisher')!.enabled).toBe(true);
  });
});

describe('publisher: a registry without publishers', () => {
  it('a mirror that serves no _npmUser and only authored maintainer strings gives nothing to judge: one diagnostic, no finding', async () => {
    const mirror = await new TestRegistry().start();
    try {
      for (const name of ['event-stream', 'steady', 'team', 'handed-over']) {
        // Authored lists as package.json files write them: strings, or objects with display names and web pages.
        const authored = (who: string, index: number) => (index % 2 === 0 ? `${who} <${who}@example.org> (example.org)` : { name: `${who[0]!.toUpperCase()}${who.slice(1)} Person`, email: `${who}@example.org`, web: 'https://example.org' });
        const versions = Object.fromEntries(Object.entries(server.packages.get(name)!.versions).map(([version, spec]) => [version, { ...spec, npmUser: null, authoredMaintainers: (spec.maintainers ?? ['tester']).map(authored) }]));
        mirror.add(name, { versions });
      }
      const { result } = await auditWith(mirror, PROJECT, ['publisher']);
      expect(result.findings).toEqual([]);
      expect(result.diagnostics).toEqual([expect.objectContaining({ level: 'warning', code: 'PUBLISHER_NO_DATA', message: `the packuments from ${mirror.url} name no publisher (_npmUser) and no maintainer accounts for any version: publisher judged none of 4 packages` })]);
    } finally {
      await mirror.stop();
    }
  });
});

describe('publisher: publisher-event-stream', () => {
  it('reports event-stream@3.3.6 twice (a new publisher, the first release after the maintainers changed), with both names and dates', async () => {
    const { result } = await auditWith(server, PROJECT, ['publisher']);
    expect(summary(result.findings)).toEqual(['publisher/maintainers-changed event-stream@3.3.6', 'publisher/new-publisher event-stream@3.3.6']);
    const [changed, fresh] = result.findings;
    expect(fresh!.message).toBe('event-stream@3.3.6 was published on 2018-09-09 by right9ctrl, who had published no earlier release of it (before: dominictarr, last 3.3.5 on 2018-09-05)');
    expect(fresh!.evidence).toEqual({
      publisher: 'right9ctrl',
      published: '2018-09-09T12:22:02.418Z',
      earlierPublishers: [{ name: 'dominictarr', lastVersion: '3.3.5', lastPublished: '2018-09-05T13:14:39.919Z' }],
    });
    expect(changed!.message).toBe('event-stream@3.3.6 (published on 2018-09-09 by right9ctrl) is the first release after its maintainers changed (added right9ctrl) since 3.3.5 of 2018-09-05');
    expect(changed!.evidence).toMatchObject({
      maintainers: ['dominictarr', 'right9ctrl'],
      added: ['right9ctrl'],
      removed: [],
      previous: { version: '3.3.5', published: '2018-09-05T13:14:39.919Z', publisher: 'dominictarr', maintainers: ['dominictarr'] },
    });
    expect(result.diagnostics).toEqual([]);
  });

  it('asks for each packument once, in full', async () => {
    await auditWith(server, PROJECT, ['publisher']);
    for (const name of ['event-stream', 'steady', 'team', 'handed-over']) expect(packumentForms(server, name)).toEqual(['full']);
  });

  it('with provenance (which reads abbreviated packuments) still one request per package: the full one answers both', async () => {
    await auditWith(server, PROJECT, ['publisher', 'provenance']);
    for (const name of ['event-stream', 'steady', 'team', 'handed-over']) expect(packumentForms(server, name)).toEqual(['full']);
  });

  it('allowPublishers and ignore silence an account or a package', async () => {
    const allowed = tempProject({ 'depguard.config.json': { checks: { publisher: ['on', { allowPublishers: ['right9ctrl'] }] } } }, PROJECT);
    expect((await auditWith(server, allowed, ['publisher'])).result.findings).toEqual([]);
    const ignored = tempProject({ 'depguard.config.json': { checks: { publisher: ['on', { ignore: ['event-*'] }] } } }, PROJECT);
    expect((await auditWith(server, ignored, ['publisher'])).result.findings).toEqual([]);
    expect(server.packumentRequests('event-stream').length).toBe(1);
  });

  it('works --offline from the cache a first run left, with no request', async () => {
    const cache = (await import('../helpers/registry-checks.js')).emptyCache();
    await auditWith(server, PROJECT, ['publisher'], { access: { cache } });
    server.requests.length = 0;
    const { result } = await auditWith(server, PROJECT, ['publisher'], { access: { cache, mode: 'offline' } });
    expect(summary(result.findings)).toEqual(['publisher/maintainers-changed event-stream@3.3.6', 'publisher/new-publisher event-stream@3.3.6']);
    expect(server.requests).toEqual([]);
  });
});

describe('publisher: a function of the graph and the enriched packuments (no network, no client)', () => {
  it('judges the full packument it is handed: the new publisher of 3.3.6, nothing for 3.3.5', async () => {
    const requests = server.requests.length;
    const judge = async (version: string) => {
      const release = node({ location: 'node_modules/event-stream', version });
      // The registry's full document, made in this process: no request.
      return (await runEnriched(publisher, graph({ name: 'app' }, [release]), new Map([[release, nodePackument(release, server.full('event-stream'), true)]]))).reports.map((r) => r.rule).sort();
    };
    expect(await judge('3.3.6')).toEqual(['maintainers-changed', 'new-publisher']);
    expect(await judge('3.3.5')).toEqual([]);
    expect(server.requests.length).toBe(requests);
  });

  it('declares the full packuments of the packages its ignore option does not exempt', () => {
    const { full, select } = publisher.meta.enrich!.packuments!;
    expect(full).toBe(true);
    expect(select!(node({ location: 'node_modules/event-stream' }), { ignore: ['event-*'] }, RUN)).toBe(false);
    expect(select!(node({ location: 'node_modules/event-stream' }), {}, RUN)).toBe(true);
  });
});
