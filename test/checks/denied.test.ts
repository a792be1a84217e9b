// denied: a policy's list of forbidden packages, by name (every version) or
// name@range, matched against registry identities (an npm: alias does not
// hide a denied package), with the policy's reason and replacement in the
// evidence; a malformed entry is a config error naming its index.
import { describe, expect, it } from 'vitest';
import denied, { deniedBy, deniedEntries } from '../../src/checks/denied/index.js';
import { presetPolicy } from '../../src/policy/load.js';
import { DepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import { depguard } from '../helpers/cli.js';
import { fixture } from '../helpers/project.js';
import { runCheck } from '../helpers/run.js';

const summary = (findings: Array<{ rule: string; package: { name: string; version: string } | null }>) => findings.map((f) => `${f.rule} ${f.package?.name}@${f.package?.version}`);

const POLICY = [
  { package: 'request', reason: 'unmaintained since 2020', use: 'undici' },
  { package: 'event-stream@3.3.6', reason: 'compromised release (flatmap-stream steals wallet keys)', use: 'event-stream@4.0.1' },
  'left-pad@<1.3.0',
];

describe('denied metadata', () => {
  it('has one high rule, needs nothing beyond the graph, and is on in recommended with an empty list', async () => {
    expect(Object.fromEntries(Object.entries(denied.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({ package: 'high' });
    expect(denied.meta.needs).toEqual([]);
    const recommended = (await presetPolicy('recommended')).checks.get('denied')!;
    expect(recommended).toMatchObject({ enabled: true, options: { packages: [] } });
  });
});

describe('denied: denied-packages', () => {
  it('reports every version of a denied name, the denied range of another, and not a version outside the range', async () => {
    const { graph } = await loadProject(fixture('denied-packages'));
    const findings = await runCheck('denied', graph, { options: { packages: POLICY } });
    // request is installed under the alias http-client: its registry identity is still request.
    expect(summary(findings)).toEqual(['denied/package event-stream@3.3.6', 'denied/package request@2.88.2']);
    const [stream, request] = findings;
    expect(stream).toMatchObject({ severity: 'high', package: { location: 'node_modules/event-stream' } });
    expect(stream!.evidence).toEqual({ denied: 'event-stream@3.3.6', reason: 'compromised release (flatmap-stream steals wallet keys)', use: 'event-stream@4.0.1' });
    expect(request!.evidence).toEqual({ denied: 'request', reason: 'unmaintained since 2020', use: 'undici' });
    expect(request!.package?.location).toBe('node_modules/http-client');
  });

  it('does not fire with an empty list, nor for packages the entries do not cover', async () => {
    const { graph } = await loadProject(fixture('denied-packages'));
    expect(await runCheck('denied', graph)).toEqual([]);
    expect(await runCheck('denied', graph, { options: { packages: ['left-pad@<1.3.0', 'event-stream@>=4', 'requests'] } })).toEqual([]);
  });

  it('an x-range denies every version it covers, prereleases included', async () => {
    const { graph } = await loadProject(fixture('denied-packages'));
    expect(summary(await runCheck('denied', graph, { options: { packages: ['event-stream@3.x'] } }))).toEqual(['denied/package event-stream@3.3.6']);
    const entries = deniedEntries(['event-stream@3.x']);
    expect(deniedBy(entries, 'event-stream', '3.3.7-beta.1')?.spec).toBe('event-stream@3.x');
    expect(deniedBy(entries, 'event-stream', '4.0.0-rc.1')).toBeNull();
    expect(deniedBy(entries, 'event-streams', '3.3.6')).toBeNull();
  });

  it('rejects an entry that is neither a name nor name@range, naming its index', async () => {
    const { graph } = await loadProject(fixture('denied-packages'));
    const error = await runCheck('denied', graph, { options: { packages: ['request', { package: 'left-pad@not a range' }] } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DepguardError);
    expect(error).toMatchObject({ code: 'EBAD_CONFIG', field: 'checks.denied.packages[1].package' });
  });
});

describe('denied through the CLI and the project config', () => {
  it('exits 1 with both findings and their reasons in the JSON output', () => {
    const result = depguard(['check', fixture('denied-packages'), '--only', 'denied', '--format', 'json']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.findings.map((f: { rule: string }) => f.rule)).toEqual(['denied/package', 'denied/package']);
    expect(doc.findings[0].message).toContain('compromised release');
  });

  it('exits 2 with one line naming the field for a malformed entry in the config file', () => {
    const result = depguard(['check', fixture('denied-packages'), '--only', 'denied', '--config', fixture('denied-packages/bad-denied.config.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('checks.denied.packages[0]');
    expect(result.stderr).not.toContain('    at ');
  });
});
