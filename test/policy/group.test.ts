import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingKey } from '../../src/checks/identity.js';
import { audit } from '../../src/commands/check.js';
import type { Finding } from '../../src/model.js';
import { groupFindings } from '../../src/policy/group.js';
import { presetPolicy } from '../../src/policy/load.js';
import { runChecks } from '../../src/policy/run.js';
import { fingerprint } from '../../src/render/sarif.js';
import { loadProject } from '../../src/load/load.js';
import { SHARED_DATA } from '../helpers/project.js';
import type { RegistryConfig } from '../../src/enrich/npm-config.js';

// Its lockfile points at registry.example.org (a placeholder host): with another registry configured, that host is foreign.
const MIRROR: RegistryConfig = { registry: 'https://mirror.example.com/', scopes: {} };

function finding(rule: string, name: string, version: string, location: string, extra: Partial<Finding> = {}): Finding {
  return {
    check: rule.split('/')[0]!,
    rule,
    severity: 'high',
    package: { name, version, location },
    paths: [[`${location.split('/')[1] ?? name}@1.0.0`, `${name}@${version}`]],
    message: `${name}@${version} m`,
    evidence: {},
    ...extra,
  };
}

describe('groupFindings: one finding per thing, not per copy', () => {
  it('merges copies of one name@version into one finding with every location and path', () => {
    const copies = [
      finding('engines/dependency-excludes', 'proc-log', '6.1.0', 'node_modules/a/node_modules/proc-log', { paths: [['a@1.0.0', 'proc-log@6.1.0']] }),
      finding('engines/dependency-excludes', 'proc-log', '6.1.0', 'node_modules/b/node_modules/proc-log', { paths: [['b@1.0.0', 'proc-log@6.1.0']] }),
      finding('engines/dependency-excludes', 'proc-log', '5.0.0', 'node_modules/proc-log', { paths: [['proc-log@5.0.0']] }),
    ];
    const grouped = groupFindings(copies);
    expect(grouped).toHaveLength(2);
    const merged = grouped.find((f) => f.package!.version === '6.1.0')!;
    expect(merged.locations).toEqual(['node_modules/a/node_modules/proc-log', 'node_modules/b/node_modules/proc-log']);
    expect(merged.package!.location).toBe('node_modules/a/node_modules/proc-log');
    expect(merged.paths).toEqual([['a@1.0.0', 'proc-log@6.1.0'], ['b@1.0.0', 'proc-log@6.1.0']]);
    // The identity and the SARIF fingerprint are the first copy's: neither ever included the location.
    expect(findingKey(merged)).toBe(findingKey(copies[0]!));
    expect(fingerprint(merged)).toBe(fingerprint(copies[1]!));
    expect(grouped.find((f) => f.package!.version === '5.0.0')!.locations).toBeUndefined();
  });

  it('keeps a waived copy apart from an unwaived one (waivers matched each copy before grouping)', () => {
    const waived = { id: 'engines/dependency-excludes', path: 'a>*', reason: 'r', expires: '2030-01-01' };
    const grouped = groupFindings([
      finding('engines/dependency-excludes', 'p', '1.0.0', 'node_modules/a/node_modules/p', { waived }),
      finding('engines/dependency-excludes', 'p', '1.0.0', 'node_modules/b/node_modules/p'),
    ]);
    expect(grouped.map((f) => Boolean(f.waived))).toEqual([true, false]);
  });

  it('makes one finding of a single cause, with a count and the packages in evidence', () => {
    const host = (name: string, location: string) => finding('lockfile/foreign-host', name, '1.0.0', location, { evidence: { host: 'mirror.example.com', resolved: `https://mirror.example.com/${name}.tgz` } });
    const grouped = groupFindings([host('a', 'node_modules/a'), host('b', 'node_modules/b'), host('b', 'node_modules/x/node_modules/b'), finding('lockfile/foreign-host', 'c', '1.0.0', 'node_modules/c', { evidence: { host: 'other.example.com' } })]);
    expect(grouped).toHaveLength(2);
    const [mirror, other] = [grouped.find((f) => f.evidence.host === 'mirror.example.com')!, grouped.find((f) => f.evidence.host === 'other.example.com')!];
    expect(mirror).toMatchObject({ package: null, severity: 'high', evidence: { host: 'mirror.example.com', count: 2, packages: ['a@1.0.0', 'b@1.0.0'], locations: ['node_modules/a', 'node_modules/b', 'node_modules/x/node_modules/b'] } });
    expect(mirror.message).toBe('2 packages fetched from mirror.example.com, which is neither a configured registry nor in allowedHosts: a@1.0.0, b@1.0.0');
    // A cause with one package stays that package's finding, with the same identity as the grouped one.
    expect(other.package).toMatchObject({ name: 'c' });
    expect(findingKey(other)).toBe(findingKey({ ...mirror, evidence: { ...mirror.evidence, host: 'other.example.com' } }));
  });
});

const lockfiles = join(SHARED_DATA, 'lockfiles');
describe.skipIf(!existsSync(lockfiles))('groupFindings on real lockfiles', () => {
  if (!existsSync(lockfiles)) it.skip(`skipped: ${lockfiles} is absent (CI lays ../shared beside the clone)`, () => {});

  it('npm-cli: one foreign-host finding per host (885 entries, 776 packages), every package named in evidence', async () => {
    const { result } = await audit({ path: join(lockfiles, 'npm-cli'), only: ['lockfile'], registries: MIRROR, today: '2026-11-27' });
    const hosts = result.findings.filter((f) => f.rule === 'lockfile/foreign-host');
    expect(hosts.map((f) => f.evidence.host)).toEqual(['registry.example.org']);
    const { graph } = await loadProject(join(lockfiles, 'npm-cli'));
    const policy = await presetPolicy('recommended');
    const perCopy = (await runChecks({ graph, policy, registries: MIRROR, only: ['lockfile'], today: '2026-11-27' })).findings.filter((f) => f.rule === 'lockfile/foreign-host');
    expect(hosts[0]!.evidence.count).toBe(new Set(perCopy.map((f) => `${f.package!.name}@${f.package!.version}`)).size);
    expect(hosts[0]!.evidence.locations).toHaveLength(perCopy.length);
    expect(hosts[0]!.evidence.packages).toEqual(expect.arrayContaining(['@npmcli/agent@2.2.2']));
    expect(result.summary.high).toBe(result.findings.filter((f) => f.severity === 'high' && !f.waived).length);
  });
});
