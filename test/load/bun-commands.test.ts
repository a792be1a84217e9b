// diff, report and SARIF on bun projects: a change of package manager between
// base and head (npm → bun) compares package by package, the report reads the
// bun graph, and SARIF points a package finding at its bun.lock line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depguard, diffFromNpm, pmServiceReport } from '../helpers/cli.js';
import { fixture, tempProject } from '../helpers/project.js';

type SarifLog = { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };

describe('depguard on bun projects', () => {
  it('SARIF puts each package finding at its bun.lock packages line', () => {
    const output = join(tempProject({}), 'out.sarif');
    const run = depguard(['check', fixture('bun-lockfile-tampered'), '--only', 'lockfile', '--format', 'sarif', '--date', '2026-11-27', '--fail-on', 'none', '-o', output]);
    expect(run.code, run.stderr).toBe(0);
    const log = JSON.parse(readFileSync(output, 'utf8')) as SarifLog;
    const lines = readFileSync(fixture('bun-lockfile-tampered/bun.lock'), 'utf8').split('\n');
    const lineOf = (key: string) => lines.findIndex((line) => line.startsWith(`    "${key}": [`)) + 1;
    const located = Object.fromEntries(log.runs[0]!.results.map((result) => [result.ruleId, [result.locations[0]!.physicalLocation.artifactLocation.uri, result.locations[0]!.physicalLocation.region?.startLine]]));
    expect(located).toEqual({
      'lockfile/alias': ['bun.lock', lineOf('ms-old')],
      'lockfile/foreign-host': ['bun.lock', lineOf('lodash')],
      'lockfile/insecure-protocol': ['bun.lock', lineOf('minimist')],
      'lockfile/missing-integrity': ['bun.lock', lineOf('kleur')],
      'lockfile/name-mismatch': ['bun.lock', lineOf('scheduler')],
      'lockfile/unreachable': ['bun.lock', lineOf('left-pad')],
      'lockfile/weak-integrity': ['bun.lock', lineOf('js-tokens')],
    });
    expect(lineOf('lodash')).toBeGreaterThan(30);
  });

  it('diff from an npm base to a bun head of the same service: no package added, removed or changed', () => {
    const run = diffFromNpm(fixture('pm-service-bun'), fixture('pm-service-npm'));
    expect(run.code, run.stderr).toBe(0);
    const diff = run.diff!;
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed }).toEqual({ added: [], removed: [], changed: [] });
    // `"@svc/lib": "0.1.0"` became `workspace:*`; semver's `^7.5.0` became `catalog:` holding ^7.5.0 (package.json's workspaces.catalog): neither is looser.
    expect(diff.manifest).toEqual([{ kind: 'spec-changed', file: 'package.json', field: 'dependencies', key: '@svc/lib', from: '0.1.0', to: 'workspace:*', looseness: { from: 'exact', to: 'exact' } }]);
    expect(diff.newFindings.map((f) => f.rule)).toEqual(['pinning/range']);
    expect(diff.resolvedFindings.map((f) => f.rule)).toEqual(['pinning/range']);
  });

  it('report reads the bun graph: packages, direct and transitive, findings', () => {
    const run = pmServiceReport(fixture('pm-service-bun'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('# Dependency audit: pm-service@1.0.0');
    expect(run.stdout).toContain('14 packages: 9 direct, 5 transitive');
    expect(run.stdout).toContain('`lockfile/alias`');
  });
});
