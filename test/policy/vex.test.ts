// VEX both ways on advisories-app's real advisory findings (the OSV folder
// fixture, Arborist's packuments replayed): the config's advisory waivers
// exported as OpenVEX and as CycloneDX analysis, read back as --vex, waive
// exactly the same findings until the same day; a hand-written OpenVEX
// document suppresses exactly its statements; expired statements stop
// applying and are reported; a statement never waives a rule or a check.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../src/enrich/access.js';
import { isDepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import { loadPolicy, presetPolicy, type Waiver } from '../../src/policy/load.js';
import { runChecks } from '../../src/policy/run.js';
import { parseVex, vexWaivers, waiverStatements } from '../../src/policy/vex.js';
import { sbomDocument } from '../../src/commands/sbom.js';
import { depguard } from '../helpers/cli.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

const ADVISORIES = join(REPO, 'fixtures/advisories');
const REGISTRY = EXAMPLE_REGISTRY.registry.replace(/\/$/, '');
const CORGI = { 'content-type': 'application/vnd.npm.install-v1+json' };
const TODAY = '2026-11-27';
const PROJECT = { name: 'advisories-app' };

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

function replayRegistry(): void {
  const scope = nock(REGISTRY).persist();
  for (const file of readdirSync(join(ADVISORIES, 'registry'))) scope.get(`/${file.slice(0, -'.json'.length)}`).reply(200, readFileSync(join(ADVISORIES, 'registry', file), 'utf8'), CORGI);
}

/** The advisories check on advisories-app (OSV folder), with these waivers. */
async function audit(waivers: Waiver[]): Promise<Finding[]> {
  replayRegistry();
  const { graph } = await loadProject(fixture('advisories-app'));
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('advisories')!;
  settings.enabled = true;
  settings.options = { ...settings.options, source: join(ADVISORIES, 'osv') };
  policy.waivers = waivers;
  const registry = createRegistryClient(EXAMPLE_REGISTRY, null, { cache: mkdtempSync(join(tmpdir(), 'depguard-vex-')), fetchOptions: { retry: { retries: 0 } } });
  return (await runChecks({ graph, policy, registries: EXAMPLE_REGISTRY, registry, only: ['advisories'], today: TODAY })).findings;
}

const waived = (findings: Finding[]) => findings.filter((f) => f.waived).map((f) => `${f.rule} ${f.package!.location} ${f.advisory!.id} until ${f.waived!.expires}`).sort();
const about = (findings: Finding[]) => findings.filter((f) => f.check === 'waivers').map((f) => `${f.rule} ${(f.evidence.waiver as { id: string }).id}`).sort();

const CONFIG: Waiver[] = [
  { id: 'GHSA-xvch-5gv4-984h', package: 'minimist@^1.2.0', reason: 'argv comes from our own CLI, never from a user', expires: '2027-03-31', justification: 'vulnerable_code_cannot_be_controlled_by_adversary', origin: 'test: /waivers/0' },
  { id: 'CVE-2021-44906', package: 'minimist@<1', reason: 'the same advisory by its CVE: the copy mkdirp brings', expires: '2027-01-31', origin: 'test: /waivers/1' },
  { id: 'GHSA-mh6f-8j2x-4483', reason: 'event-stream is a dev tool, never shipped', expires: '2027-06-30', origin: 'test: /waivers/2' },
];

async function exported(format: 'openvex' | 'cyclonedx', waivers: Waiver[]): Promise<string> {
  const { graph } = await loadProject(fixture('advisories-app'));
  const policy = await presetPolicy('recommended');
  policy.waivers = waivers;
  const dir = tempProject({});
  const file = join(dir, `vex.${format}.json`);
  writeFileSync(file, sbomDocument(graph, policy, { format, date: TODAY, today: TODAY }));
  return file;
}

describe('waivers -> VEX -> VEX as input', () => {
  for (const format of ['openvex', 'cyclonedx'] as const) {
    it(`${format}: the same findings are waived, until the same days`, async () => {
      const byConfig = await audit(CONFIG);
      expect(waived(byConfig).length).toBeGreaterThan(0);
      const file = await exported(format, CONFIG);
      const byVex = await audit(await vexWaivers([{ file }], PROJECT));
      expect(waived(byVex)).toEqual(waived(byConfig));
      // The justification travels and is shown with the waived finding.
      const minimist = byVex.find((f) => f.waived && f.package!.location === 'node_modules/minimist')!;
      expect(minimist.waived!.vex).toEqual({ file, status: 'not_affected', justification: 'vulnerable_code_cannot_be_controlled_by_adversary' });
      expect(minimist.waived!.reason).toContain('argv comes from our own CLI');
    });
  }

  it('past its expiry a statement stops applying and is reported, as a waiver is', async () => {
    const file = await exported('openvex', [{ ...CONFIG[2]!, expires: '2026-11-26' }, CONFIG[0]!]);
    // The exporter leaves expired waivers out; a document written before they expired still carries them.
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(document.statements.map((s: { vulnerability: { name: string } }) => s.vulnerability.name)).toEqual(['GHSA-xvch-5gv4-984h']);
    const older = await exported('openvex', [{ ...CONFIG[2]!, expires: '2026-11-26' }]).catch(() => null);
    expect(older).toBeNull();
    const handWritten = join(tempProject({}), 'old.json');
    writeFileSync(handWritten, JSON.stringify({ ...document, statements: [{ ...document.statements[0], status_notes: 'depguard-expires: 2026-11-26' }] }));
    const findings = await audit(await vexWaivers([{ file: handWritten }], PROJECT));
    expect(waived(findings)).toEqual([]);
    expect(about(findings)).toEqual(['waivers/expired GHSA-xvch-5gv4-984h']);
  });
});

describe('a hand-written OpenVEX document', () => {
  const statement = (vulnerability: string, products: object[], extra: object = {}) => ({ vulnerability: { name: vulnerability }, products, status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...extra });

  it('suppresses exactly its statements: the package and version it names, not other copies, not other advisories', async () => {
    const dir = tempProject({
      'vex.json': {
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://security.example.org/vex/advisories-app-1',
        author: 'security@example.org',
        timestamp: '2026-11-01T00:00:00Z',
        version: 1,
        statements: [
          // The nested copy only (mkdirp's minimist@0.0.8), by purl as a subcomponent of the application.
          statement('GHSA-vh95-rmgr-6w4m', [{ '@id': 'pkg:npm/advisories-app@1.0.0', subcomponents: [{ '@id': 'pkg:npm/minimist@0.0.8' }] }]),
          // affected and under_investigation change nothing.
          statement('GHSA-xvch-5gv4-984h', [{ '@id': 'pkg:npm/minimist@1.2.5' }], { status: 'affected', justification: undefined, action_statement: 'upgrade' }),
          // A container image is no npm package: nothing.
          statement('GHSA-mh6f-8j2x-4483', [{ '@id': 'pkg:oci/app@sha256%3Aabc' }]),
        ],
      },
    });
    const findings = await audit(await vexWaivers([{ file: join(dir, 'vex.json'), expires: '2027-12-31' }], PROJECT));
    expect(waived(findings)).toEqual(['advisories/vulnerable node_modules/mkdirp/node_modules/minimist GHSA-vh95-rmgr-6w4m until 2027-12-31']);
  });

  it('never waives a rule or a check by name', async () => {
    const dir = tempProject({ 'vex.json': { '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x', author: 'a', timestamp: '2026-11-01T00:00:00Z', version: 1, statements: [statement('advisories', []), statement('advisories/vulnerable', [])] } });
    const findings = await audit(await vexWaivers([{ file: join(dir, 'vex.json'), expires: '2027-12-31' }], PROJECT));
    expect(waived(findings)).toEqual([]);
  });

  it('a statement without any expiry is refused, naming it; a wrong shape names the JSON path', async () => {
    const dir = tempProject({ 'vex.json': { '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'urn:x', author: 'a', timestamp: '2026-11-01T00:00:00Z', version: 1, statements: [statement('GHSA-vh95-rmgr-6w4m', [])] } });
    const error = await vexWaivers([{ file: join(dir, 'vex.json') }]).catch((e: unknown) => e);
    expect(isDepguardError(error) && error.message).toMatch(/statement 1 \(GHSA-vh95-rmgr-6w4m\): no expiry is recorded/);
    expect(() => parseVex(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ status: 'not_affected' }] }), 'bad.json')).toThrow(/bad\.json: \/statements\/0\/vulnerability\/name/);
    expect(() => parseVex('{"hello": 1}', 'other.json')).toThrow(/not an OpenVEX document/);
  });
});

describe('VEX from the config', () => {
  it('reads the config\'s vex entries; the earlier of the statement\'s expiry and the recorded one holds', async () => {
    const file = await exported('openvex', CONFIG);
    const dir = tempProject({ 'depguard.config.json': { vex: [{ file, expires: '2027-02-28' }] } }, fixture('advisories-app'));
    const { graph } = await loadProject(dir);
    const policy = await loadPolicy({ projectPath: dir, manifest: graph.manifest });
    expect(policy.waivers.map((w) => `${w.id} ${w.package ?? '-'} ${w.expires}`)).toEqual(['GHSA-xvch-5gv4-984h minimist@1.2.5 2027-02-28', 'CVE-2021-44906 minimist@0.0.8 2027-01-31', 'GHSA-mh6f-8j2x-4483 - 2027-02-28']);
  });
});

describe('exported statements', () => {
  it('name each installed version a ranged waiver covers, and skip waivers of rules, of nothing installed, expired ones', async () => {
    const { graph } = await loadProject(fixture('advisories-app'));
    const others: Waiver[] = [
      { id: 'pinning/range', reason: 'x', expires: '2027-01-01', origin: 'o' },
      { id: 'GHSA-0000-0000-0000', package: 'left-pad@2', reason: 'x', expires: '2027-01-01', origin: 'o' },
      { id: 'GHSA-1111-1111-1111', reason: 'x', expires: '2026-01-01', origin: 'o' },
    ];
    const statements = waiverStatements([...CONFIG, ...others], graph, TODAY);
    expect(statements.map((s) => `${s.vulnerability} ${s.products.map((p) => p.purl).join(',') || 'project'} ${s.expires}`)).toEqual([
      'GHSA-xvch-5gv4-984h pkg:npm/minimist@1.2.5 2027-03-31',
      'CVE-2021-44906 pkg:npm/minimist@0.0.8 2027-01-31',
      'GHSA-mh6f-8j2x-4483 project 2027-06-30',
    ]);
  });
});

describe('--vex and --vex-expires (CLI)', () => {
  it('reads the document (no advisories ran: nothing to waive, nothing reported), and refuses a missing file or a lone --vex-expires (exit 2)', async () => {
    const file = await exported('openvex', CONFIG);
    const ok = depguard(['check', fixture('advisories-app'), '--vex', file, '--format', 'json', '--fail-on', 'none']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).findings.filter((f: Finding) => f.check === 'waivers')).toEqual([]);
    const missing = depguard(['check', fixture('advisories-app'), '--vex', join(tempProject({}), 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: the VEX document cannot be read \(ENOENT\)/);
    const lone = depguard(['check', fixture('advisories-app'), '--vex-expires', '2027-01-01']);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--vex-expires needs --vex/);
  });
});

