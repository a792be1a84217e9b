// SARIF 2.1.0 for GitHub code scanning, from `check` and `report`: valid
// against the official schema (as @microsoft/jest-sarif ships it), one rule per rule id, results
// at the lockfile line of the package or the dependency's package.json line,
// fingerprints that survive reformatting, reordering and rewording, waived
// findings as accepted suppressions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import type { Finding } from '../../src/model.js';
import { fingerprint, locate, sarifLevel, sarifLog } from '../../src/render/sarif.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { errorsOf, runCli, sarifValidator, serveRealService } from './helpers.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number } } }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: string; status: string; justification: string }>;
  properties: Record<string, unknown>;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity'?: string };
}
interface Sarif {
  version: string;
  runs: Array<{ tool: { driver: { name: string; rules: SarifRule[] } }; results: SarifResult[] }>;
}

async function sarifOf(args: string[], env: Record<string, string> = {}): Promise<{ code: number; log: Sarif; text: string }> {
  const dir = tempProject({});
  const output = join(dir, 'depguard.sarif');
  const run = await runCli([...args, '--format', 'sarif', '--date', '2026-11-27', '-o', output], env);
  expect(run.stderr).toContain(`wrote ${output}`);
  const text = readFileSync(output, 'utf8');
  return { code: run.code, log: JSON.parse(text) as Sarif, text };
}

function lineOf(file: string, needle: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;
}

const summary = (log: Sarif) =>
  log.runs[0]!.results.map((result) => {
    const { artifactLocation, region } = result.locations[0]!.physicalLocation;
    return `${result.ruleId} ${result.level} ${artifactLocation.uri}:${region?.startLine ?? '-'}`;
  });

describe('check --format sarif', () => {
  it('is valid SARIF 2.1.0 with one rule per rule id and results at the lockfile and package.json lines', async () => {
    const validate = await sarifValidator();
    const { code, log } = await sarifOf(['check', 'fixtures/projects/risky-app', '--offline']);
    expect(code).toBe(1);
    expect(validate(log), errorsOf(validate)).toBe(true);
    const { rules } = log.runs[0]!.tool.driver;
    const ruleIds = CHECKS.flatMap((check) => Object.keys(check.meta.rules).map((rule) => `${check.meta.id}/${rule}`));
    expect(rules.map((rule) => rule.id).sort()).toEqual([...ruleIds, 'waivers/expired', 'waivers/unused'].sort());
    const foreignHost = rules.find((rule) => rule.id === 'lockfile/foreign-host')!;
    expect(foreignHost).toMatchObject({ name: 'LockfileForeignHost', fullDescription: { text: CHECKS.find((check) => check.meta.id === 'lockfile')!.meta.rules['foreign-host']!.description } });
    expect(foreignHost.properties).toMatchObject({ tags: ['security', 'supply-chain', 'lockfile'], 'security-severity': '8.0' });

    const lockfile = join(REPO, 'fixtures/projects/risky-app/package-lock.json');
    const manifest = join(REPO, 'fixtures/projects/risky-app/package.json');
    const isNumber = lineOf(lockfile, '"node_modules/is-number": {');
    expect(isNumber).toBeGreaterThan(1);
    expect(summary(log)).toEqual([
      `lockfile/foreign-host error fixtures/projects/risky-app/package-lock.json:${isNumber}`,
      `lockfile/insecure-protocol error fixtures/projects/risky-app/package-lock.json:${isNumber}`,
      `pinning/wildcard error fixtures/projects/risky-app/package.json:${lineOf(manifest, '"ms":')}`,
      'engines/missing warning fixtures/projects/risky-app/package.json:-',
      `pinning/range warning fixtures/projects/risky-app/package.json:${lineOf(manifest, '"is-number":')}`,
    ]);
    for (const result of log.runs[0]!.results) {
      expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:1$/);
    }
    expect(log.runs[0]!.results[0]!.properties).toMatchObject({ severity: 'high', package: 'is-number@7.0.0', location: 'node_modules/is-number' });
  });

  it('keeps fingerprints when the files are reformatted or reordered, and output byte-identical across runs', async () => {
    const original = await sarifOf(['check', 'fixtures/projects/risky-app', '--offline']);
    expect((await sarifOf(['check', 'fixtures/projects/risky-app', '--offline'])).text).toBe(original.text);
    const lock = JSON.parse(readFileSync(join(REPO, 'fixtures/projects/risky-app/package-lock.json'), 'utf8')) as Record<string, unknown>;
    const manifest = JSON.parse(readFileSync(join(REPO, 'fixtures/projects/risky-app/package.json'), 'utf8')) as Record<string, unknown>;
    const dir = tempProject({
      // Four-space indent, an added key, dependencies first: every line moves.
      'package.json': `${JSON.stringify({ dependencies: manifest.dependencies, description: 'moved\nlines', ...manifest }, null, 4)}\n`,
      'package-lock.json': `${JSON.stringify(lock, null, 4)}\n`,
    });
    const moved = await sarifOf(['check', dir, '--offline']);
    const fingerprints = (log: Sarif) => log.runs[0]!.results.map((result) => `${result.ruleId} ${result.partialFingerprints.primaryLocationLineHash}`);
    expect(fingerprints(moved.log)).toEqual(fingerprints(original.log));
    const lines = (log: Sarif) => log.runs[0]!.results.map((result) => result.locations[0]!.physicalLocation.region?.startLine ?? null);
    expect(lines(moved.log)).not.toEqual(lines(original.log));
  });

  it('marks waived findings as accepted external suppressions with the reason', async () => {
    const validate = await sarifValidator();
    const dir = tempProject({ 'depguard.config.json': { waivers: [{ id: 'pinning/wildcard', package: 'ms', reason: 'replaced in PR 12', expires: '2027-01-31' }] } }, fixture('risky-app'));
    const { log } = await sarifOf(['check', dir, '--offline']);
    expect(validate(log), errorsOf(validate)).toBe(true);
    const waived = log.runs[0]!.results.filter((result) => result.suppressions);
    expect(waived.map((result) => [result.ruleId, result.suppressions])).toEqual([
      ['pinning/wildcard', [{ kind: 'external', status: 'accepted', justification: 'replaced in PR 12 (waiver pinning/wildcard, expires 2027-01-31)' }]],
    ]);
    // The schema is the real one: SARIF names it `status`, not `state`, and a region starts at line 1.
    const broken = structuredClone(log);
    broken.runs[0]!.results.find((result) => result.suppressions)!.suppressions = [{ kind: 'external', state: 'accepted' } as never];
    expect(validate(broken)).toBe(false);
    const lineZero = structuredClone(log);
    lineZero.runs[0]!.results[0]!.locations[0]!.physicalLocation.region = { startLine: 0 };
    expect(validate(lineZero)).toBe(false);
  });
});

describe('report --format sarif', () => {
  let server: TestRegistry;
  beforeAll(async () => {
    server = await new TestRegistry().start();
    serveRealService(server);
  });
  afterAll(() => server.stop());

  it('is valid SARIF of the report audit, located in the project folder', async () => {
    const validate = await sarifOf(['report', 'fixtures/projects/real-service'], { npm_config_registry: server.url });
    const check = await sarifValidator();
    expect(check(validate.log), errorsOf(check)).toBe(true);
    expect(validate.code).toBe(0);
    expect(summary(validate.log)).toEqual(['engines/eol-soon note fixtures/projects/real-service/package.json:-']);
  });
});

describe('locating a finding', () => {
  const base: Finding = { check: 'lockfile', rule: 'lockfile/foreign-host', severity: 'high', package: { name: 'a', version: '1.0.0', location: 'node_modules/b/node_modules/a' }, paths: [], message: 'm', evidence: {} };
  const sources = {
    lockfile: 'package-lock.json',
    files: {
      'package-lock.json': '{\n  "packages": {\n    "node_modules/a": {\n    },\n    "node_modules/b/node_modules/a": {\n    }\n  }\n}\n',
      'package.json': '{\n  "name": "app",\n  "devDependencies": {\n    "a": "^1.0.0"\n  },\n  "dependencies": {\n    "a": "1.0.0"\n  }\n}\n',
    },
  };

  it('finds the lockfile key of the package, not another copy of it', () => {
    expect(locate(base, sources)).toEqual({ file: 'package-lock.json', line: 5 });
  });

  it('uses the file and line a finding names (npm-config, engines), and a declared dependency in its field', () => {
    expect(locate({ ...base, check: 'npm-config', rule: 'npm-config/strict-ssl', package: null, evidence: { file: '.npmrc', line: 3, key: 'strict-ssl' } }, sources)).toEqual({ file: '.npmrc', line: 3 });
    expect(locate({ ...base, rule: 'pinning/range', check: 'pinning', package: { name: 'a', version: '', location: '' }, evidence: { file: 'package.json', name: 'a', dependencyType: 'dependencies' } }, sources)).toEqual({ file: 'package.json', line: 7 });
    expect(locate({ ...base, rule: 'pinning/range', check: 'pinning', package: { name: 'a', version: '', location: '' }, evidence: { file: 'package.json', name: 'a', dependencyType: 'devDependencies' } }, sources)).toEqual({ file: 'package.json', line: 4 });
    // A line that is not a number (the engines check's Node.js line "22") is not a line number.
    expect(locate({ ...base, check: 'engines', rule: 'engines/eol-soon', package: null, evidence: { file: 'package.json', line: '22' } }, sources)).toEqual({ file: 'package.json', line: null });
    // Paths outside the project are never pointed at.
    expect(locate({ ...base, package: null, evidence: { file: '../outside/.npmrc', line: 1 } }, sources)).toEqual({ file: 'package-lock.json', line: null });
  });

  it('falls back to the project files when the texts are not given', () => {
    expect(locate(base, undefined)).toEqual({ file: 'package.json', line: null });
  });

  it('makes URIs repository-relative, or relative to the project when it was given as an absolute path', () => {
    const result = { schemaVersion: 1 as const, tool: { name: 'depguard', version: '0.0.0-test' }, summary: { info: 0, low: 0, moderate: 0, high: 1, critical: 0, waived: 0 }, findings: [base], diagnostics: [] };
    const uri = (path: string) => {
      const log = sarifLog({ ...result, project: { name: 'app', version: '1.0.0', path, packageCount: 2 } }, { sources }) as unknown as Sarif;
      const { artifactLocation } = log.runs[0]!.results[0]!.locations[0]!.physicalLocation;
      return `${artifactLocation.uriBaseId} ${artifactLocation.uri}`;
    };
    expect(uri('.')).toBe('%SRCROOT% package-lock.json');
    expect(uri('services/my api/')).toBe('%SRCROOT% services/my%20api/package-lock.json');
    expect(uri('/home/ci/work/app')).toBe('PROJECTROOT package-lock.json');
    expect(JSON.stringify(sarifLog({ ...result, project: { name: 'app', version: '1.0.0', path: '/home/ci/work/app', packageCount: 2 } }))).not.toContain('/home/ci');
  });

  it('folds severities onto GitHub levels and fingerprints by identity', () => {
    expect((['critical', 'high', 'moderate', 'low', 'info'] as const).map(sarifLevel)).toEqual(['error', 'error', 'warning', 'note', 'note']);
    expect(fingerprint({ ...base, message: 'reworded', paths: [['b@1.0.0', 'a@1.0.0']] })).toBe(fingerprint(base));
    expect(fingerprint({ ...base, evidence: { host: 'evil.example.com' } })).not.toBe(fingerprint({ ...base, evidence: { host: 'other.example.com' } }));
  });
});
