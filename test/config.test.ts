import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../src/checks/index.js';
import { listPolicies, loadPolicy, POLICIES_DIR, presetPolicy } from '../src/policy/load.js';
import { DepguardError } from '../src/errors.js';
import { tempProject } from './helpers/project.js';

const manifest = { name: 'app', version: '1.0.0' };

async function policyFor(files: Record<string, string | object>, extra: { configPath?: string; policyName?: string } = {}) {
  const dir = tempProject({ 'package.json': manifest, ...files });
  const pkg = typeof files['package.json'] === 'object' ? (files['package.json'] as Record<string, unknown>) : manifest;
  return loadPolicy({ projectPath: dir, manifest: pkg, ...extra });
}

async function configError(files: Record<string, string | object>): Promise<DepguardError> {
  try {
    await policyFor(files);
  } catch (error) {
    expect(error).toBeInstanceOf(DepguardError);
    return error as DepguardError;
  }
  throw new Error('expected a config error');
}

describe('policy presets', () => {
  it('ships recommended and strict, both valid against the schema and the checks\' option schemas', async () => {
    expect(listPolicies()).toEqual(['recommended', 'strict']);
    for (const name of listPolicies()) {
      const policy = await presetPolicy(name);
      expect([...policy.checks.keys()].sort()).toEqual(CHECKS.map((c) => c.meta.id).sort());
    }
  });

  it('recommended runs advisories and the checks that need no registry metadata; strict adds the other registry-backed ones', async () => {
    const recommended = await presetPolicy('recommended');
    const strict = await presetPolicy('strict');
    const enabled = (policy: typeof strict) => [...policy.checks].filter(([, settings]) => settings.enabled).map(([id]) => id).sort();
    expect(enabled(recommended)).toEqual(expect.arrayContaining(['advisories', 'denied', 'engines', 'install-scripts', 'lockfile', 'npm-config', 'pinning', 'typosquat']));
    expect(enabled(strict)).toEqual(CHECKS.map((check) => check.meta.id).sort());
  });

  it('the presets come from check metadata: a new check needs no preset edit', async () => {
    const recommended = await presetPolicy('recommended');
    const enabled = [...recommended.checks].filter(([, settings]) => settings.enabled).map(([id]) => id).sort();
    expect(enabled).toEqual(CHECKS.filter((check) => check.meta.enabledByDefault !== false).map((check) => check.meta.id).sort());
    // Off by default are exactly the registry-backed checks (and the capability scan, which reads tarballs), advisories aside: the default gate asks about known vulnerabilities.
    expect(CHECKS.filter((check) => check.meta.enabledByDefault === false).map((check) => check.meta.id).sort()).toEqual(['capabilities', 'deprecated', 'license', 'manifest-confusion', 'provenance', 'publisher', 'release-age', 'signatures']);
    // Neither preset names a check on/off by itself; strict says "every check".
    const presets = listPolicies().map((name) => JSON.parse(readFileSync(join(POLICIES_DIR, `${name}.json`), 'utf8')) as { checks?: Record<string, unknown>; everyCheck?: string });
    for (const preset of presets) for (const [key, value] of Object.entries(preset.checks ?? {})) expect(key.includes('/') || Array.isArray(value), key).toBe(true);
    expect(presets.find((preset) => preset.everyCheck === 'on')).toBeDefined();
  });

  it('strict tightens recommended', async () => {
    const strict = await presetPolicy('strict');
    expect(strict.rules.get('pinning/range')).toBe('high');
    expect(strict.checks.get('pinning')?.options.rangesAllowedIn).toEqual(['peerDependencies']);
  });

  it('rejects an unknown preset naming the known ones', async () => {
    await expect(presetPolicy('lenient')).rejects.toMatchObject({ code: 'EUNKNOWN_POLICY', message: expect.stringContaining('recommended, strict') });
    await expect(presetPolicy('../package')).rejects.toMatchObject({ code: 'EUNKNOWN_POLICY' });
  });
});

describe('user config', () => {
  it('uses recommended when there is no config', async () => {
    const policy = await policyFor({});
    expect(policy).toMatchObject({ preset: 'recommended', configFile: null, waivers: [] });
  });

  it('reads depguard.config.json, then .depguardrc.json, then package.json#depguard', async () => {
    const fromFile = await policyFor({ 'depguard.config.json': { checks: { pinning: 'off' } }, '.depguardrc.json': { checks: { lockfile: 'off' } } });
    expect(fromFile.configFile).toBe('depguard.config.json');
    expect(fromFile.checks.get('pinning')?.enabled).toBe(false);
    expect(fromFile.checks.get('lockfile')?.enabled).toBe(true);
    const fromRc = await policyFor({ '.depguardrc.json': { checks: { lockfile: 'low' } } });
    expect(fromRc.checks.get('lockfile')).toMatchObject({ enabled: true, severity: 'low' });
    const fromPackage = await policyFor({ 'package.json': { ...manifest, depguard: { extends: 'strict' } } });
    expect(fromPackage).toMatchObject({ preset: 'strict', configFile: 'package.json' });
  });

  it('--policy replaces the config\'s extends', async () => {
    const policy = await policyFor({ 'depguard.config.json': { extends: 'strict' } }, { policyName: 'recommended' });
    expect(policy.preset).toBe('recommended');
  });

  it('sets rule severities and check options, merged over the preset', async () => {
    const policy = await policyFor({
      'depguard.config.json': { checks: { 'lockfile/unreachable': 'off', pinning: ['moderate', { ignore: ['left-pad'] }] } },
    });
    expect(policy.rules.get('lockfile/unreachable')).toBe('off');
    expect(policy.checks.get('pinning')).toMatchObject({ severity: 'moderate', options: { ignore: ['left-pad'], rangesAllowedIn: ['devDependencies', 'peerDependencies'] } });
  });

  it('names the file and JSON path of an unknown key', async () => {
    const error = await configError({ 'depguard.config.json': { chekcs: {} } });
    expect(error.code).toBe('EBAD_CONFIG');
    expect(error.message).toBe('depguard.config.json: /: unknown key "chekcs"');
  });

  it('names the path inside package.json#depguard', async () => {
    const error = await configError({ 'package.json': { ...manifest, depguard: { waivers: [{ id: 'lockfile/foreign-host', reason: 'x', expires: '2027-01-01', pacakge: 'a' }] } } });
    expect(error.message).toBe('package.json: /depguard/waivers/0: unknown key "pacakge"');
  });

  it('rejects a bad severity, an unknown check and an unknown rule', async () => {
    expect((await configError({ 'depguard.config.json': { checks: { pinning: 'severe' } } })).message).toContain('/checks/pinning');
    expect((await configError({ 'depguard.config.json': { checks: { pining: 'high' } } })).message).toMatch(/\/checks\/pining: unknown check "pining" \(expected one of .*pinning/);
    expect((await configError({ 'depguard.config.json': { checks: { 'pinning/nope': 'high' } } })).message).toContain('unknown rule "pinning/nope"');
  });

  it('validates check options against the check\'s own schema', async () => {
    const error = await configError({ 'depguard.config.json': { checks: { pinning: ['high', { ignore: 'left-pad' }] } } });
    expect(error.message).toContain('/checks/pinning/1/ignore');
  });

  it('requires a reason and a real expiry date on every waiver', async () => {
    expect((await configError({ 'depguard.config.json': { waivers: [{ id: 'pinning/range', expires: '2027-01-01' }] } })).message).toContain("must have required property 'reason'");
    expect((await configError({ 'depguard.config.json': { waivers: [{ id: 'pinning/range', reason: 'x' }] } })).message).toContain("must have required property 'expires'");
    expect((await configError({ 'depguard.config.json': { waivers: [{ id: 'pinning/range', reason: 'x', expires: '2027-02-30' }] } })).message).toContain('/waivers/0/expires: "2027-02-30" is not a real date');
  });

  it('reports a config that is not JSON with its line', async () => {
    const error = await configError({ 'depguard.config.json': '{\n  "checks": {\n    "pinning": "off",\n  }\n}\n' });
    expect(error.code).toBe('EJSON_PARSE');
    expect(error.message).toMatch(/^depguard\.config\.json is not valid JSON at line 4/);
  });

  it('treats __proto__ and constructor as ordinary unknown keys', async () => {
    const proto = await configError({ 'depguard.config.json': '{ "__proto__": { "checks": { "pinning": "off" } } }' });
    expect(proto.message).toContain('unknown key "__proto__"');
    const ctor = await configError({ 'depguard.config.json': { checks: { constructor: 'off' } } });
    expect(ctor.message).toContain('unknown check "constructor"');
    expect(({} as Record<string, unknown>).checks).toBeUndefined();
  });

  it('fails clearly when --config names a missing file', async () => {
    await expect(policyFor({}, { configPath: '/nonexistent/depguard.json' })).rejects.toMatchObject({ code: 'EBAD_CONFIG', message: 'config file /nonexistent/depguard.json does not exist' });
  });
});
