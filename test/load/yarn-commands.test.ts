// SARIF, diff and report on yarn projects (fixtures/projects/pm-service-yarn,
// -yarn-berry): findings at their yarn.lock entry line, a change of package
// manager between base and head compared package by package, the report
// written from the yarn graph.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depguard, diffFromNpm, pmServiceReport } from '../helpers/cli.js';
import { fixture, tempProject } from '../helpers/project.js';

describe('SARIF on a yarn project', () => {
  it.each([
    ['pm-service-yarn', '"ms-old@npm:ms@0.7.0":'],
    ['pm-service-yarn-berry', '"ms-old@npm:ms@0.7.0":'],
  ])('%s: a package finding at its yarn.lock entry line', (name, key) => {
    const output = join(tempProject({}), 'out.sarif');
    const run = depguard(['check', fixture(name), '--only', 'lockfile', '--format', 'sarif', '--date', '2026-11-27', '--fail-on', 'none', '-o', output]);
    expect(run.code, run.stderr).toBe(0);
    const log = JSON.parse(readFileSync(output, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
    const entry = readFileSync(join(fixture(name), 'yarn.lock'), 'utf8').split('\n').indexOf(key) + 1;
    expect(entry).toBeGreaterThan(0);
    expect(log.runs[0]!.results.map((result) => [result.ruleId, result.locations[0]!.physicalLocation.artifactLocation.uri, result.locations[0]!.physicalLocation.region?.startLine])).toEqual([['lockfile/alias', 'yarn.lock', entry]]);
  });
});

describe('diff across a change of package manager', () => {
  it('npm base, yarn classic head of the same service: no package added, removed or changed', () => {
    const run = diffFromNpm(fixture('pm-service-yarn'), fixture('pm-service-npm'));
    expect(run.code, run.stderr).toBe(0);
    const diff = run.diff!;
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed }).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.resolvedFindings).toEqual([]);
  });

  it('yarn classic base, yarn berry head: the packages berry adds for node-gyp are added, nothing else changes', () => {
    const run = depguard(['diff', fixture('pm-service-yarn-berry'), '--base', fixture('pm-service-yarn'), '--only', 'lockfile', '--format', 'json', '--fail-on', 'none', '--date', '2026-11-27']);
    expect(run.code, run.stderr).toBe(0);
    const { diff } = JSON.parse(run.stdout) as { diff: { added: Array<{ name: string }>; removed: unknown[]; changed: unknown[] } };
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.added.map((entry) => entry.name)).toContain('node-gyp');
    expect(diff.added).toHaveLength(19);
  });
});

describe('report on a yarn project', () => {
  it.each(['pm-service-yarn', 'pm-service-yarn-berry'])('%s: the report is written from the yarn graph', (name) => {
    const run = pmServiceReport(fixture(name));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('# Dependency audit: pm-service@1.0.0');
    expect(run.stdout).toContain(name === 'pm-service-yarn' ? '14 packages: 9 direct, 5 transitive' : '33 packages: 9 direct, 24 transitive');
    expect(run.stdout).toContain('`lockfile/alias`');
  });
});
