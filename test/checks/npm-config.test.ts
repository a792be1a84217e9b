// npm-config: the package-manager settings a project commits, read as data
// from .npmrc (through ini), pnpm-workspace.yaml, .yarnrc.yml and bunfig.toml, each
// finding pointing at file:line and never carrying a secret's value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/commands/check.js';
import npmConfig from '../../src/checks/npm-config/index.js';
import { parseNpmrc, parseYamlSettings } from '../../src/checks/npm-config/read.js';
import type { Finding } from '../../src/model.js';
import type { RegistryConfig } from '../../src/enrich/npm-config.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

/** The fixtures' company registry for @acme, as the user's (trusted) npm config would name it. */
const ACME_TRUSTED: RegistryConfig = { ...EXAMPLE_REGISTRY, scopes: { '@acme': 'https://npm.acme.example.org/' } };

async function check(path: string, registries = ACME_TRUSTED) {
  const { result } = await audit({ path, registries, only: ['npm-config'], today: '2026-11-27' });
  return result;
}

/** `rule file:line key` strings, in the result's order. */
function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.evidence.file ?? '-'}:${f.evidence.line ?? '-'} ${f.evidence.key ?? '-'}`);
}

describe('npm-config metadata', () => {
  it('declares its rules with their default severities, runs by default and needs no registry', () => {
    expect(Object.fromEntries(Object.entries(npmConfig.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({
      'committed-credential': 'critical',
      'untrusted-registry': 'high',
      'insecure-registry': 'high',
      'strict-ssl-off': 'high',
      'no-cooldown': 'low',
      'all-scripts-allowed': 'moderate',
    });
    expect(npmConfig.meta.needs).toEqual([]);
    expect(npmConfig.meta.enabledByDefault).toBeUndefined();
  });
});

describe('npm-config: .npmrc (npm-config-committed-secrets)', async () => {
  const dir = fixture('npm-config-committed-secrets');
  const result = await check(dir);

  it('reports each risky setting at its file and line', () => {
    expect(summary(result.findings)).toEqual([
      'npm-config/committed-credential .npmrc:4 //registry.example.org/:_authToken',
      'npm-config/committed-credential .npmrc:5 //npm.acme.example.org/:_password',
      'npm-config/insecure-registry .npmrc:2 registry',
      'npm-config/strict-ssl-off .npmrc:7 strict-ssl',
      'npm-config/all-scripts-allowed .npmrc:8 dangerously-allow-all-scripts',
      'npm-config/no-cooldown -:- -',
    ]);
    expect(result.findings.map((f) => f.severity)).toEqual(['critical', 'critical', 'high', 'high', 'moderate', 'low']);
    expect(result.findings.every((f) => f.package === null && f.paths.length === 0)).toBe(true);
    expect(result.findings[2]!.evidence).toEqual({ file: '.npmrc', line: 2, key: 'registry', url: 'http://registry.example.org/' });
    expect(result.findings[5]!.evidence).toEqual({ files: ['.npmrc'], disabled: [] });
  });

  it('never puts a secret value in the result', () => {
    const npmrc = readFileSync(join(dir, '.npmrc'), 'utf8');
    const secrets = [/_authToken=(.+)/.exec(npmrc)![1]!, /_password=(.+)/.exec(npmrc)![1]!];
    const text = JSON.stringify(result);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // The user name next to the password is not a secret, and not a finding.
    expect(text).not.toContain(':username');
  });
});

describe('npm-config: a hardened .npmrc (npm-config-hardened)', () => {
  it('a ${ENV} token reference, https, strict-ssl and a cooldown: nothing to report', async () => {
    expect((await check(fixture('npm-config-hardened'))).findings).toEqual([]);
  });
});

describe('npm-config: pnpm-workspace.yaml (npm-config-pnpm-workspace)', () => {
  it("reads pnpm's settings; its minimumReleaseAge is a cooldown", async () => {
    const result = await check(fixture('npm-config-pnpm-workspace'));
    expect(summary(result.findings)).toEqual(['npm-config/strict-ssl-off pnpm-workspace.yaml:3 strictSsl', 'npm-config/all-scripts-allowed pnpm-workspace.yaml:4 dangerouslyAllowAllBuilds']);
  });
});

describe('npm-config: .yarnrc.yml (npm-config-yarnrc)', () => {
  it("reads Yarn's settings, per scope too; npmMinimalAgeGate: 0 is no cooldown", async () => {
    const result = await check(fixture('npm-config-yarnrc'));
    expect(summary(result.findings)).toEqual([
      'npm-config/committed-credential .yarnrc.yml:7 npmScopes.acme.npmAuthToken',
      'npm-config/insecure-registry .yarnrc.yml:2 npmRegistryServer',
      'npm-config/strict-ssl-off .yarnrc.yml:10 enableStrictSsl',
      'npm-config/no-cooldown -:- -',
    ]);
    expect(result.findings[3]!.evidence).toEqual({ files: ['.yarnrc.yml'], disabled: [{ file: '.yarnrc.yml', line: 3, key: 'npmMinimalAgeGate' }] });
    expect(JSON.stringify(result)).not.toContain('npm_FAKEYARN');
  });
});

describe('npm-config: bunfig.toml (npm-config-bunfig, npm-config-bunfig-hardened)', () => {
  it("reads bun's [install] settings, per scope too; minimumReleaseAge = 0 is no cooldown", async () => {
    const result = await check(fixture('npm-config-bunfig'));
    expect(summary(result.findings)).toEqual([
      'npm-config/committed-credential bunfig.toml:7 install.scopes.@acme.token',
      'npm-config/committed-credential bunfig.toml:9 install.scopes.@leaky',
      'npm-config/insecure-registry bunfig.toml:3 install.registry',
      'npm-config/no-cooldown -:- -',
    ]);
    expect(result.findings[3]!.evidence).toEqual({ files: ['bunfig.toml'], disabled: [{ file: 'bunfig.toml', line: 4, key: 'install.minimumReleaseAge' }] });
    expect(result.findings[3]!.message).toContain('set install.minimumReleaseAge in bunfig.toml');
    const text = JSON.stringify(result);
    expect(text).not.toContain('npm_FAKEBUN');
    expect(text).not.toContain('hunter2secret');
  });

  it('a $ENV token, an https registry table and a cooldown in seconds: nothing to report', async () => {
    expect((await check(fixture('npm-config-bunfig-hardened'))).findings).toEqual([]);
  });

  it('a registry only bunfig.toml names is untrusted; bunfig.toml that is not TOML is a warning naming the file', async () => {
    const untrusted = tempProject({ 'bunfig.toml': '[install]\nregistry = { url = "https://mirror.evil.example/", token = "$NPM_TOKEN" }\nminimumReleaseAge = 86400\n' }, fixture('npm-config-bunfig-hardened'));
    expect(summary((await check(untrusted)).findings)).toEqual(['npm-config/untrusted-registry bunfig.toml:2 install.registry.url']);
    const broken = tempProject({ 'bunfig.toml': '[install\nregistry = "x"\n' }, fixture('npm-config-bunfig-hardened'));
    const result = await check(broken);
    expect(result.diagnostics).toMatchObject([{ code: 'UNREADABLE_PACKAGE_MANAGER_CONFIG', file: 'bunfig.toml', message: expect.stringMatching(/^bunfig\.toml is not valid TOML/) }]);
  });
});

describe('npm-config: yarn berry default release gate', () => {
  const berry = (version: number, yarnrc: string) =>
    tempProject({
      'package.json': { name: 'app', version: '1.0.0', packageManager: 'yarn@4.18.1' },
      'yarn.lock': `__metadata:\n  version: ${version}\n  cacheKey: 10c0\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  languageName: unknown\n  linkType: soft\n`,
      '.yarnrc.yml': yarnrc,
    });

  it('a lockfile of __metadata.version 10 or later has yarn 4\'s default npmMinimalAgeGate (1d): no finding unless set to 0', async () => {
    expect((await check(berry(10, 'nodeLinker: node-modules\n'))).findings).toEqual([]);
    expect(summary((await check(berry(10, 'npmMinimalAgeGate: 0\n'))).findings)).toEqual(['npm-config/no-cooldown -:- -']);
  });

  it('an older lockfile keeps the gate off (yarn\'s migration default): no-cooldown', async () => {
    expect(summary((await check(berry(8, 'nodeLinker: node-modules\n'))).findings)).toEqual(['npm-config/no-cooldown -:- -']);
  });
});

describe('npm-config: edge cases', () => {
  it('a project without any package-manager config file gets no finding, unless reportWithoutConfigFile', async () => {
    const bare = tempProject({ 'package.json': { name: 'app', version: '1.0.0' } });
    expect((await check(bare)).findings).toEqual([]);
    const strict = tempProject({ 'package.json': { name: 'app', version: '1.0.0' }, 'depguard.config.json': { checks: { 'npm-config': ['on', { reportWithoutConfigFile: true }] } } });
    const result = await check(strict);
    expect(summary(result.findings)).toEqual(['npm-config/no-cooldown -:- -']);
    expect(result.findings[0]!.evidence).toEqual({ files: [], disabled: [] });
  });

  it("pnpm's .npmrc keys count: minimum-release-age, dangerously-allow-all-builds; a scoped registry over http", async () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' }, '.npmrc': '@acme:registry = "http://npm.acme.example.org/"\nminimum-release-age=1440\ndangerously-allow-all-builds=true\n' });
    const result = await check(dir);
    expect(summary(result.findings)).toEqual(['npm-config/insecure-registry .npmrc:1 @acme:registry', 'npm-config/all-scripts-allowed .npmrc:3 dangerously-allow-all-builds']);
  });

  it('a URL with credentials in it is shown without them', async () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' }, '.npmrc': 'registry=http://ci:hunter2@registry.example.org/\nmin-release-age=3\n' });
    const result = await check(dir);
    expect(result.findings[0]!.evidence.url).toBe('http://registry.example.org/');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('pnpm-workspace.yaml that is not YAML is a warning naming the file; the .npmrc is still checked', async () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' }, 'pnpm-workspace.yaml': 'packages: [unclosed\n', '.npmrc': 'strict-ssl=false\n' });
    const result = await check(dir);
    expect(summary(result.findings)).toEqual(['npm-config/strict-ssl-off .npmrc:1 strict-ssl', 'npm-config/no-cooldown -:- -']);
    expect(result.diagnostics.filter((d) => d.check === 'npm-config').map((d) => `${d.level} ${d.code} ${d.file}`)).toEqual(['warning UNREADABLE_PACKAGE_MANAGER_CONFIG pnpm-workspace.yaml']);
  });

  it('parses .npmrc as npm does: comments, quotes, arrays, the last duplicate wins', () => {
    expect(parseNpmrc('# c\n; c\nstrict-ssl = true\n"key with spaces" = "x"\nlist[]=a\nlist[]=b\nstrict-ssl=false\n')).toEqual([
      { file: '.npmrc', line: 7, path: ['strict-ssl'], value: false },
      { file: '.npmrc', line: 4, path: ['key with spaces'], value: 'x' },
      { file: '.npmrc', line: 6, path: ['list'], value: ['a', 'b'] },
    ]);
    expect(parseYamlSettings('a:\n  b: 1\nc: [x, y]\n', 'pnpm-workspace.yaml')).toEqual([
      { file: 'pnpm-workspace.yaml', line: 2, path: ['a', 'b'], value: 1 },
      { file: 'pnpm-workspace.yaml', line: 3, path: ['c'], value: ['x', 'y'] },
    ]);
  });
});

describe("npm-config: a registry only the project's config names (security-npmrc-redirect)", () => {
  const attack = {
    'package.json': { name: 'app', version: '1.0.0' },
    '.npmrc': 'registry=https://evil.example/\n//evil.example/:_authToken=${NPM_TOKEN}\n//evil.example/:username=ci\nmin-release-age=3\n',
  };

  it('is a high finding per entry, with file, line, key and host, never the token', async () => {
    const result = await check(tempProject(attack), EXAMPLE_REGISTRY);
    expect(summary(result.findings)).toEqual(['npm-config/untrusted-registry .npmrc:1 registry', 'npm-config/untrusted-registry .npmrc:2 //evil.example/:_authToken']);
    expect(result.findings.map((f) => f.severity)).toEqual(['high', 'high']);
    expect(result.findings[1]!.evidence).toEqual({ file: '.npmrc', line: 2, key: '//evil.example/:_authToken', host: 'evil.example' });
    expect(result.findings[1]!.message).toBe(
      '.npmrc:2 points //evil.example/:_authToken at evil.example, which is not a trusted registry (npm config outside the project, --registry, or lockfile.allowedHosts): depguard neither trusts it nor sends it credentials',
    );
  });

  it('scoped registries, pnpm and Yarn registries count; trusted hosts and lockfile.allowedHosts do not fire', async () => {
    const dir = tempProject({
      'package.json': { name: 'app', version: '1.0.0' },
      '.npmrc': '@evil:registry=https://evil.example:8443/npm/\n@acme:registry=https://npm.acme.example.org/\n//npm.acme.example.org/:_authToken=${NPM_TOKEN}\nregistry=${REGISTRY}\nmin-release-age=3\n',
      'pnpm-workspace.yaml': 'registries:\n  default: https://pnpm.evil.example/\n  "@acme": https://npm.acme.example.org/\n',
      '.yarnrc.yml': 'npmRegistryServer: "https://mirror.example.com"\nnpmRegistries:\n  "//yarn.evil.example":\n    npmAuthToken: "${NPM_TOKEN}"\n',
      'depguard.config.json': { checks: { lockfile: ['on', { allowedHosts: ['mirror.example.com'] }] } },
    });
    const result = await check(dir);
    expect(summary(result.findings).filter((line) => line.includes('untrusted'))).toEqual([
      'npm-config/untrusted-registry .npmrc:1 @evil:registry',
      'npm-config/untrusted-registry .yarnrc.yml:4 npmRegistries.//yarn.evil.example.npmAuthToken',
      'npm-config/untrusted-registry pnpm-workspace.yaml:2 registries.default',
    ]);
    expect(result.findings.find((f) => f.evidence.key === '@evil:registry')!.evidence.host).toBe('evil.example:8443');
  });

  it('a project config that names only the trusted registries is not a finding', async () => {
    const dir = tempProject({ 'package.json': { name: 'app', version: '1.0.0' }, '.npmrc': 'registry=https://registry.example.org/\n//registry.example.org/:_authToken=${NPM_TOKEN}\nmin-release-age=3\n' });
    expect((await check(dir, EXAMPLE_REGISTRY)).findings).toEqual([]);
  });
});
