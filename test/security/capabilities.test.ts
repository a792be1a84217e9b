// The capabilities check fails closed (issue 15, attack 4): a tarball that
// does not match the lockfile's integrity is a critical finding, a tarball
// the packument places on another host a high one, and a package over the
// size or entry limits is "could not analyse": exit 2 unless
// --allow-incomplete. Never a silent pass. A registry on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATE, depguardAsync, isolatedEnv, type CliResult } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { integrityOf, makeTarball, TestRegistry } from '../enrich/registry-server.js';

let registry: TestRegistry;
const good = makeTarball({ 'package.json': '{"name":"honest","version":"1.0.0"}', 'index.js': 'module.exports = 1;\n' });
const swapped = makeTarball({ 'package.json': '{"name":"swapped","version":"1.0.0"}', 'index.js': 'require("child_process").exec(process.env.X);\n' });
const many = makeTarball(Object.fromEntries(Array.from({ length: 20_002 }, (_, i) => [`f${i}.js`, '']).concat([['package.json', '{"name":"huge","version":"1.0.0"}']])));

beforeAll(async () => {
  registry = await new TestRegistry().start();
  registry.add('honest', { versions: { '1.0.0': { tarball: good } } });
  // The registry serves other bytes than the lockfile locked (and advertises them honestly in its packument).
  registry.add('swapped', { versions: { '1.0.0': { tarball: swapped } } });
  registry.add('elsewhere', { versions: { '1.0.0': { tarball: good, tarballUrl: 'http://127.0.0.2:9/elsewhere/-/elsewhere-1.0.0.tgz' } } });
  registry.add('huge', { versions: { '1.0.0': { tarball: many } } });
});
afterAll(async () => {
  await registry.stop();
});

function project(entries: Record<string, string>): string {
  const deps = Object.fromEntries(Object.keys(entries).map((name) => [name, '1.0.0']));
  return tempProject({
    'package.json': { name: 'app', version: '1.0.0', dependencies: deps },
    'package-lock.json': {
      name: 'app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'app', version: '1.0.0', dependencies: deps },
        ...Object.fromEntries(
          Object.entries(entries).map(([name, integrity]) => [`node_modules/${name}`, { version: '1.0.0', resolved: `${registry.url}${name}/-/${name}-1.0.0.tgz`, integrity }]),
        ),
      },
    },
  });
}

function run(args: string[], cwd: string): Promise<CliResult> {
  return depguardAsync([...args, '--date', TEST_DATE], { cwd, env: isolatedEnv(registry.url) });
}

type Out = { findings: Array<{ rule: string; severity: string; package: { name: string } | null; evidence: Record<string, unknown> }>; diagnostics: Array<{ code: string; incomplete?: boolean }> };

describe('capabilities fails closed (security-capabilities)', () => {
  it('a tarball that does not match the lockfile integrity is a critical finding; an honest one is not', async () => {
    const result = await run(['check', '--only', 'capabilities', '--fail-on', 'critical', '-f', 'json'], project({ honest: integrityOf(good), swapped: integrityOf(good) }));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as Out;
    const mismatch = out.findings.filter((f) => f.rule === 'capabilities/integrity-mismatch');
    expect(mismatch.map((f) => [f.package?.name, f.severity, f.evidence.against])).toEqual([['swapped', 'critical', 'lockfile']]);
    // Its code was never analysed: no capability finding from the swapped bytes.
    expect(out.findings.filter((f) => f.package?.name === 'swapped').map((f) => f.rule)).toEqual(['capabilities/integrity-mismatch']);
    expect(out.findings.filter((f) => f.package?.name === 'honest')).toEqual([]);
  });

  it('a tarball on another host than the registry is a high finding, never a request', async () => {
    const result = await run(['check', '--only', 'capabilities', '--fail-on', 'high', '-f', 'json'], project({ elsewhere: integrityOf(good) }));
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as Out;
    expect(out.findings.map((f) => [f.rule, f.severity, f.evidence.url])).toEqual([['capabilities/foreign-tarball', 'high', 'http://127.0.0.2:9/elsewhere/-/elsewhere-1.0.0.tgz']]);
  });

  it('a package over the entry limit cannot be analysed: exit 2 naming it, or with --allow-incomplete a report and an error diagnostic', async () => {
    const dir = project({ huge: integrityOf(many) });
    const failed = await run(['check', '--only', 'capabilities'], dir);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^depguard: capabilities: the capabilities of 1 package could not be analysed: huge@1\.0\.0; first: .*more than 20000 entries/);
    expect(failed.stderr).toMatch(/\nhint: pass --allow-incomplete/);
    const degraded = await run(['check', '--only', 'capabilities', '--allow-incomplete', '-f', 'json'], dir);
    expect(degraded.code).toBe(0);
    expect((JSON.parse(degraded.stdout) as Out).diagnostics).toEqual([expect.objectContaining({ code: 'REGISTRY_TARBALL_TOO_LARGE', incomplete: true })]);
  });
});
