// engines/vulnerable-runtime: the project's Node.js sources judged against the
// Node.js security working group's core vulnerability index, as
// is-my-node-vulnerable judges a version (satisfies `vulnerable`, not
// `patched`). A small index of our own making (fixtures/nodejs-core) pins the
// arithmetic; the working group's real index in ../shared/data checks the
// real shape and real lines when it is there.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presetPolicy } from '../../src/policy/load.js';
import { runChecks } from '../../src/policy/run.js';
import { defaultNodejsCoreDir, parseCoreIndex } from '../../src/enrich/advisories/nodejs-core.js';
import type { DepGraph, Finding } from '../../src/model.js';
import { graph } from '../helpers/graph.js';
import { REPO, SHARED_DATA } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

const TODAY = '2026-11-27';
const OWN_INDEX = join(REPO, 'fixtures/nodejs-core/index.json');
const REAL_INDEX = join(SHARED_DATA, 'advisories/nodejs-core/index.json');

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** An npm cache folder holding the given index where `depguard db update` puts it (null: none). */
function cacheWith(index: string | null): string {
  const cache = temp('depguard-cache-');
  if (index) {
    const dir = defaultNodejsCoreDir(cache);
    mkdirSync(dir, { recursive: true });
    cpSync(index, join(dir, 'index.json'));
  }
  return cache;
}

function project(manifest: Record<string, unknown>, files: Record<string, string> = {}): DepGraph {
  const g = graph({ name: 'app', version: '1.0.0', ...manifest }, []);
  g.projectPath = temp('depguard-runtime-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(g.projectPath, name)), { recursive: true });
    writeFileSync(join(g.projectPath, name), content);
  }
  return g;
}

async function run(g: DepGraph, cacheDir: string | null, options: Record<string, unknown> = {}): Promise<{ findings: Finding[]; diagnostics: Array<{ code: string }> }> {
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('engines')!;
  settings.options = { ...settings.options, ...options };
  return runChecks({ graph: g, policy, registries: EXAMPLE_REGISTRY, only: ['engines'], today: TODAY, cacheDir });
}

function vulnerable(findings: Finding[]): Finding[] {
  return findings.filter((finding) => finding.rule === 'engines/vulnerable-runtime');
}

describe('engines/vulnerable-runtime: a declared range', () => {
  it('fires once per maintained line with affected versions, naming the CVEs and the lowest release without them', async () => {
    const { findings, diagnostics } = await run(project({ engines: { node: '>=20' } }), cacheWith(OWN_INDEX));
    const found = vulnerable(findings);
    // 20 is end-of-life on the audit date (engines/end-of-life says so); 26 has no known vulnerability.
    expect(found.map((f) => [f.evidence.line, f.severity, f.evidence.fixedIn, f.evidence.cves])).toEqual([
      ['22', 'high', '22.18.0', ['CVE-2099-10001', 'CVE-2099-10002', 'CVE-2099-10003']],
      ['24', 'low', '24.9.0', ['CVE-2099-10004']],
    ]);
    expect(found[0]!.message).toBe(
      'engines.node in package.json: ">=20" admits Node.js 22.x versions with 3 known core vulnerabilities (22.0.0–22.17.x: CVE-2099-10001, CVE-2099-10002, CVE-2099-10003); the lowest 22.x release without them is 22.18.0',
    );
    expect(found[0]!.package).toBeNull();
    expect(found[0]!.evidence).toMatchObject({ source: 'engines.node', file: 'package.json', value: '>=20', affected: ['>=22.0.0 <22.18.0'] });
    expect((found[1]!.evidence.vulnerabilities as Array<Record<string, unknown>>)[0]).toEqual({
      id: 'NSWG-COR-3',
      cves: ['CVE-2099-10004'],
      severity: 'low',
      vulnerable: '24.x',
      patched: '^24.9.0',
      affectedEnvironments: ['win32'],
      ref: 'https://nodejs.example.org/vulnerability/three',
    });
    expect(diagnostics).toEqual([]);
  });

  it('does not fire when the range starts at the fixed releases', async () => {
    const { findings } = await run(project({ engines: { node: '^22.18.0 || ^24.9.0 || >=26' } }), cacheWith(OWN_INDEX));
    expect(vulnerable(findings)).toEqual([]);
  });

  it('names only the part of a line the range admits', async () => {
    const { findings } = await run(project({ engines: { node: '^22.16.0' } }), cacheWith(OWN_INDEX));
    expect(vulnerable(findings).map((f) => [f.evidence.affected, f.evidence.cves])).toEqual([[['>=22.16.0 <22.18.0'], ['CVE-2099-10002', 'CVE-2099-10003']]]);
  });
});

describe('engines/vulnerable-runtime: what runs', () => {
  it('an exact pin is judged as that version', async () => {
    const { findings } = await run(project({ engines: { node: '^22.18.0' } }, { '.nvmrc': '22.10.0\n' }), cacheWith(OWN_INDEX));
    expect(vulnerable(findings).map((f) => [f.evidence.source, f.evidence.line, f.evidence.affected])).toEqual([['.nvmrc', '22', ['>=22.10.0 <22.10.1']]]);
  });

  it('a floating pick runs the newest release: fine when that is fixed, a finding when the fix is out of its reach', async () => {
    const line = await run(project({ engines: { node: '^22.18.0' } }, { '.nvmrc': '22\n' }), cacheWith(OWN_INDEX));
    expect(vulnerable(line.findings)).toEqual([]);
    const minor = await run(project({ engines: { node: '^22.18.0' } }, { '.nvmrc': '22.10\n' }), cacheWith(OWN_INDEX));
    expect(vulnerable(minor.findings).map((f) => [f.evidence.source, f.evidence.fixedIn])).toEqual([['.nvmrc', '22.18.0']]);
  });
});

describe('engines/vulnerable-runtime: the data', () => {
  it('without an index the rule is silent (run `depguard db update`); an unreadable one is one diagnostic; the option turns it off', async () => {
    const g = project({ engines: { node: '>=22' } });
    const missing = await run(g, cacheWith(null));
    expect(vulnerable(missing.findings)).toEqual([]);
    expect(missing.diagnostics).toEqual([]);
    const broken = cacheWith(null);
    mkdirSync(defaultNodejsCoreDir(broken), { recursive: true });
    writeFileSync(join(defaultNodejsCoreDir(broken), 'index.json'), '{"1": ');
    const unreadable = await run(g, broken);
    expect(unreadable.diagnostics.map((d) => d.code)).toEqual(['NODE_VULNERABILITIES_UNREADABLE']);
    expect(JSON.stringify(unreadable.diagnostics)).toMatch(/is not valid JSON.*depguard db update nodejs/);
    expect((await run(g, broken, { coreVulnerabilities: false })).diagnostics).toEqual([]);
    expect(vulnerable((await run(g, cacheWith(OWN_INDEX), { coreVulnerabilities: false })).findings)).toEqual([]);
  });

  it('skips entries whose ranges are not ranges, and refuses what is no index', () => {
    const index = parseCoreIndex({ 1: { cve: ['CVE-1'], vulnerable: '22.x', patched: '^22.1.0' }, 2: { vulnerable: 'soon' }, 3: 'text' }, 'index.json');
    expect(index.vulnerabilities.map((v) => v.id)).toEqual(['NSWG-COR-1']);
    expect(index.skipped).toEqual(['2', '3']);
    expect(() => parseCoreIndex([], 'index.json')).toThrow(/not a JSON object/);
    expect(() => parseCoreIndex({ 1: { vulnerable: '??' } }, 'index.json')).toThrow(/no Node.js core vulnerability with readable ranges/);
  });

  it.skipIf(!existsSync(REAL_INDEX))('the working group\'s index (../shared/data): >=22 needs 22.22.2, 24.14.1 and the 26 line\'s fix', async () => {
    const { findings } = await run(project({ engines: { node: '>=22' } }), cacheWith(REAL_INDEX));
    const found = vulnerable(findings);
    const byLine = Object.fromEntries(found.map((f) => [f.evidence.line, f.evidence.fixedIn]));
    expect(byLine['22']).toBe('22.22.2');
    expect(byLine['24']).toBe('24.14.1');
    expect(found.find((f) => f.evidence.line === '22')!.evidence.cves).toContain('CVE-2026-21715');
    // Each judged as is-my-node-vulnerable does: the fixed release itself satisfies no entry's vulnerable-and-not-patched.
    const again = await run(project({ engines: { node: '^22.22.2 || ^24.14.1' } }), cacheWith(REAL_INDEX));
    expect(vulnerable(again.findings)).toEqual([]);
  });
});
