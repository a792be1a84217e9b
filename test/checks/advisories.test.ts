// The advisories check on fixtures/projects/advisories-app (minimist, mkdirp
// pinning an old minimist, event-stream pulling in the malicious
// flatmap-stream, and a clean left-pad), with each source's recorded answer
// replayed by nock (fixtures/advisories/): the registry's bulk endpoint, the
// OSV API, an OSV folder and an OSV export zip. Packuments come from
// fixtures/advisories/registry/ through depguard's registry client.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import advisoriesCheck, { firstFixed, fixText } from '../../src/checks/advisories/index.js';
import type { Fix } from '../../src/checks/advisories/fix.js';
import type { Vuln } from '../../src/checks/advisories/match.js';
import { applyAdvisoryFlags } from '../../src/policy/advisory-flags.js';
import { presetPolicy, type Waiver } from '../../src/policy/load.js';
import { createRegistryClient } from '../../src/enrich/access.js';
import { runChecks, type CheckRun, type OmitType } from '../../src/policy/run.js';
import { isDepguardError } from '../../src/errors.js';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import { fixture, REPO } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

const REGISTRY = 'https://registry.example.org';
const OSV_API = 'https://api.osv.dev';
const ADVISORIES = join(REPO, 'fixtures/advisories');
const read = (path: string): any => JSON.parse(readFileSync(join(ADVISORIES, path), 'utf8'));
const CORGI = { 'content-type': 'application/vnd.npm.install-v1+json' };

const savedEnv = { ...process.env };
beforeAll(() => {
  nock.disableNetConnect();
  // The npm source reads npm's config: no retries (failure tests stay fast), no user registry.
  process.env.npm_config_fetch_retries = '0';
  process.env.npm_config_registry = `${REGISTRY}/`;
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
  process.env = savedEnv;
});

/** The recorded packuments, answered as often as asked. */
function replayRegistry(): nock.Scope {
  const scope = nock(REGISTRY).persist();
  for (const file of readdirSync(join(ADVISORIES, 'registry'))) scope.get(`/${file.slice(0, -'.json'.length)}`).reply(200, read(`registry/${file}`), CORGI);
  return scope;
}

function replayBulk(reply: (body: unknown) => [number, string | object] = () => [200, read('npm-bulk/advisories-app.json')]) {
  const requests: unknown[] = [];
  nock(REGISTRY)
    .post('/-/npm/v1/security/advisories/bulk')
    // nock 15 hands the reply function the (decompressed) fetch Request.
    .reply(async (request: Request) => {
      const body = await request.json();
      requests.push(body);
      return reply(body);
    });
  return requests;
}

interface RunOpts {
  options?: Record<string, unknown>;
  waivers?: Array<Omit<Waiver, 'origin'>>;
  omit?: OmitType[];
  offline?: boolean;
  project?: string;
}

async function run(opts: RunOpts = {}): Promise<CheckRun> {
  const { graph } = await loadProject(fixture(opts.project ?? 'advisories-app'));
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('advisories')!;
  settings.enabled = true;
  settings.options = { ...settings.options, ...opts.options };
  policy.waivers = (opts.waivers ?? []).map((waiver, index) => ({ ...waiver, origin: `test: /waivers/${index}` }));
  const registry = createRegistryClient(EXAMPLE_REGISTRY, null, {
    cache: mkdtempSync(join(tmpdir(), 'depguard-adv-')),
    fetchOptions: { retry: { retries: 0 } },
    ...(opts.offline ? { mode: 'offline' as const } : {}),
  });
  return runChecks({ graph, policy, registries: EXAMPLE_REGISTRY, registry, only: ['advisories'], omit: opts.omit ?? [], today: '2026-11-27' });
}

/** `rule location advisory` per finding, sorted. */
function ids(findings: Finding[]): string[] {
  return findings.filter((f) => f.check === 'advisories').map((f) => `${f.rule.slice('advisories/'.length)} ${f.package!.location} ${f.advisory!.id}`).sort();
}

function only(findings: Finding[], rule: string, location: string): Finding {
  const matching = findings.filter((f) => f.rule === `advisories/${rule}` && f.package?.location === location);
  expect(matching, `${rule} ${location}`).toHaveLength(1);
  return matching[0]!;
}

async function failure(opts: RunOpts): Promise<{ message: string; hint: string | undefined }> {
  try {
    await run(opts);
  } catch (error) {
    expect(isDepguardError(error), String(error)).toBe(true);
    if (!isDepguardError(error)) throw error;
    expect(error.code).toBe('EADVISORIES');
    return { message: error.message, hint: error.hint };
  }
  throw new Error('expected the audit to fail closed');
}

const EXPECTED = [
  'malicious node_modules/event-stream GHSA-mh6f-8j2x-4483',
  'malicious node_modules/flatmap-stream GHSA-mh6f-8j2x-4483',
  'metavulnerability node_modules/event-stream GHSA-mh6f-8j2x-4483',
  'metavulnerability node_modules/mkdirp GHSA-vh95-rmgr-6w4m',
  'vulnerable node_modules/minimist GHSA-xvch-5gv4-984h',
  'vulnerable node_modules/mkdirp/node_modules/minimist GHSA-vh95-rmgr-6w4m',
  'vulnerable node_modules/mkdirp/node_modules/minimist GHSA-xvch-5gv4-984h',
];

describe('advisories check metadata', () => {
  it('declares its rules, default severities and options, and is on in the default gate', async () => {
    const severities = Object.fromEntries(Object.entries(advisoriesCheck.meta.rules).map(([rule, meta]) => [rule, meta.severity]));
    expect(severities).toEqual({ vulnerable: 'high', malicious: 'critical', metavulnerability: 'high' });
    expect(advisoriesCheck.meta.defaultOptions).toEqual({ source: 'auto', auditRegistry: null, required: true, osvApi: 'https://api.osv.dev/', publicRegistries: [] });
    expect(advisoriesCheck.meta.needs).toEqual(['registry']);
    // On in the default gate: it answers "is anything known-vulnerable?".
    expect(advisoriesCheck.meta.enabledByDefault).toBe(true);
    expect((await presetPolicy('recommended')).checks.get('advisories')!.enabled).toBe(true);
  });

  it('is turned on, and its options set, by the advisory flags', async () => {
    const policy = await presetPolicy('recommended');
    // As `"advisories": "off"` in a config leaves it.
    policy.checks.get('advisories')!.enabled = false;
    applyAdvisoryFlags(policy, { source: '/data/osv', mode: 'optional', auditRegistry: 'https://audit.example.org/' });
    expect(policy.checks.get('advisories')).toMatchObject({ enabled: true, options: { source: '/data/osv', required: false, auditRegistry: 'https://audit.example.org/' } });
  });
});

describe('the npm bulk endpoint (recorded answer)', () => {
  it('sends every audited package once, gzipped, and reports vulnerable, malicious and metavulnerability findings', async () => {
    replayRegistry();
    const requests = replayBulk();
    const { findings, data } = await run();
    expect(requests).toEqual([{ 'event-stream': ['3.3.6'], duplexer: ['0.1.2'], 'flatmap-stream': ['0.1.1'], 'left-pad': ['1.3.0'], minimist: ['1.2.5', '0.0.8'], mkdirp: ['0.5.1'] }]);
    expect(ids(findings)).toEqual(EXPECTED);
    // left-pad has no advisory; minimist 1.2.5 is outside GHSA-vh95's range.
    expect(findings.some((f) => f.package?.name === 'left-pad' || f.package?.name === 'duplexer')).toBe(false);
    expect(data.advisories).toMatchObject({ source: `npm (${REGISTRY}/)`, checked: true, vulnerablePackages: ['event-stream', 'flatmap-stream', 'minimist', 'mkdirp'] });
  });

  it('carries the advisory, its severity, the paths, whether the package is direct and how to fix it', async () => {
    replayRegistry();
    replayBulk();
    const { findings } = await run();
    const direct = only(findings, 'vulnerable', 'node_modules/minimist');
    expect(direct).toMatchObject({
      severity: 'critical',
      package: { name: 'minimist', version: '1.2.5' },
      paths: [['minimist@1.2.5']],
      advisory: { id: 'GHSA-xvch-5gv4-984h', aliases: ['1097677'], url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h', title: 'Prototype Pollution in minimist', range: '>=1.0.0 <1.2.6', source: 'npm' },
      evidence: { direct: true, severity: 'critical', cwe: ['CWE-1321'], cvss: { score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } },
      fix: { available: true, inRange: true, version: '1.2.8', isSemVerMajor: false, npm: true, dependents: [{ location: '', spec: '^1.2.0', version: '1.2.8', inRange: true }] },
    });
    // Pinned by mkdirp 0.5.1 ("minimist": "0.0.8"): no in-range fix; the override target is the smallest safe upgrade.
    const pinned = only(findings.filter((f) => f.advisory!.id === 'GHSA-xvch-5gv4-984h'), 'vulnerable', 'node_modules/mkdirp/node_modules/minimist');
    expect(pinned).toMatchObject({ paths: [['mkdirp@0.5.1', 'minimist@0.0.8']], evidence: { direct: false }, fix: { available: true, inRange: false, version: '0.2.4', dependents: [{ location: 'node_modules/mkdirp', spec: '0.0.8', inRange: false }] } });
    // mkdirp must change: every mkdirp 0.5.0-0.5.1 pins a vulnerable minimist; 0.5.6 (in ^0.5.1) does not.
    const meta = only(findings, 'metavulnerability', 'node_modules/mkdirp');
    expect(meta).toMatchObject({ severity: 'moderate', evidence: { dependencies: ['minimist'], vulnerableVersions: '<=0.5.1', direct: true }, fix: { inRange: true, version: '0.5.6' } });
    // Malware: critical whatever the source says, and nothing to upgrade to.
    const malware = only(findings, 'malicious', 'node_modules/flatmap-stream');
    expect(malware).toMatchObject({ severity: 'critical', evidence: { direct: false }, fix: { available: false, version: null } });
    expect(only(findings, 'metavulnerability', 'node_modules/event-stream').fix).toMatchObject({ available: true, inRange: false, version: '4.0.0', isSemVerMajor: true, npm: { name: 'event-stream', version: '4.0.1', isSemVerMajor: true } });
  });

  it('drops dev-only findings with --omit dev, as npm audit --omit dev', async () => {
    replayRegistry();
    replayBulk();
    const { findings } = await run({ omit: ['dev'] });
    expect(ids(findings)).toEqual(EXPECTED.filter((entry) => !/event-stream|flatmap-stream/.test(entry)));
  });

  it('asks --audit-registry instead of the default registry', async () => {
    replayRegistry();
    const audit = nock('https://audit.example.org').post('/-/npm/v1/security/advisories/bulk').reply(200, read('npm-bulk/advisories-app.json'));
    const { findings } = await run({ options: { auditRegistry: 'https://audit.example.org/' } });
    expect(audit.isDone()).toBe(true);
    expect(ids(findings)).toEqual(EXPECTED);
  });

  it('takes the policy\'s severity for a rule over the advisory\'s', async () => {
    replayRegistry();
    replayBulk();
    const { graph } = await loadProject(fixture('advisories-app'));
    const policy = await presetPolicy('recommended');
    policy.checks.get('advisories')!.enabled = true;
    policy.rules.set('advisories/vulnerable', 'low');
    const registry = createRegistryClient(EXAMPLE_REGISTRY, null, { cache: mkdtempSync(join(tmpdir(), 'depguard-adv-')), fetchOptions: { retry: { retries: 0 } } });
    const { findings } = await runChecks({ graph, policy, registries: EXAMPLE_REGISTRY, registry, only: ['advisories'], today: '2026-11-27' });
    expect(new Set(findings.filter((f) => f.rule === 'advisories/vulnerable').map((f) => f.severity))).toEqual(new Set(['low']));
    expect(only(findings, 'malicious', 'node_modules/flatmap-stream').severity).toBe('critical');
  });
});

describe('OSV sources give the same findings', () => {
  const key = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.package!.location} ${f.advisory!.id} ${f.severity}`).sort();

  it('a folder of OSV records (the withdrawn one ignored)', async () => {
    replayRegistry();
    const { findings, data } = await run({ options: { source: join(ADVISORIES, 'osv') } });
    expect(ids(findings)).toEqual(EXPECTED);
    expect(data.advisories!.checked).toBe(true);
    // The OSV record names the CVE and joins both minimist ranges.
    expect(only(findings, 'vulnerable', 'node_modules/minimist').advisory).toEqual({
      id: 'GHSA-xvch-5gv4-984h',
      aliases: ['CVE-2021-44906'],
      url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
      title: 'Prototype Pollution in minimist',
      range: '<0.2.4 || >=1.0.0 <1.2.6',
      source: 'osv-db',
    });
    replayBulk();
    expect(key(findings)).toEqual(key((await run()).findings));
  });

  it('an OSV export zip', async () => {
    replayRegistry();
    const { findings } = await run({ options: { source: join(ADVISORIES, 'osv-export/npm-all.zip') } });
    expect(ids(findings)).toEqual(EXPECTED);
  });

  it('the OSV API: one querybatch, then each record once (recorded answers)', async () => {
    replayRegistry();
    const batches: unknown[] = [];
    const api = nock(OSV_API)
      .post('/v1/querybatch')
      .reply(async (request: Request) => {
        batches.push(await request.json());
        return [200, read('osv-api/querybatch-response.json')];
      });
    for (const id of ['GHSA-mh6f-8j2x-4483', 'GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h']) api.get(`/v1/vulns/${id}`).reply(200, read(`osv/${id}.json`));
    const { findings } = await run({ options: { source: 'osv' } });
    expect(batches).toEqual([read('osv-api/querybatch-request.json')]);
    expect(api.isDone()).toBe(true);
    expect(ids(findings)).toEqual(EXPECTED);
    expect(only(findings, 'vulnerable', 'node_modules/minimist').advisory!.source).toBe('osv');
  });
});

describe('waivers match an advisory by any of its ids', () => {
  const source = { source: join(ADVISORIES, 'osv') };
  const waived = (findings: Finding[]) => findings.filter((f) => f.waived).map((f) => `${f.rule.slice(11)} ${f.package!.location} ${f.advisory!.id}`).sort();

  it('by GHSA id, by CVE alias, narrowed to a package range; an expired one stops applying', async () => {
    replayRegistry();
    const { findings } = await run({
      options: source,
      waivers: [
        { id: 'CVE-2021-44906', package: 'minimist@<1.0.0', reason: 'only mkdirp parses our own argv', expires: '2027-01-31' },
        { id: 'ghsa-mh6f-8j2x-4483', package: 'flatmap-stream', reason: 'dev-only, never installed in CI', expires: '2026-01-31' },
      ],
    });
    expect(waived(findings)).toEqual(['vulnerable node_modules/mkdirp/node_modules/minimist GHSA-xvch-5gv4-984h']);
    expect(findings.find((f) => f.rule === 'waivers/expired')).toBeDefined();
    // Not waived: minimist 1.2.5 is outside the waiver's package range.
    expect(only(findings.filter((f) => f.advisory?.id === 'GHSA-xvch-5gv4-984h'), 'vulnerable', 'node_modules/minimist').waived).toBeUndefined();
  });

  it('a waiver of an advisory also covers the metavulnerabilities it causes; the npm numeric id works too', async () => {
    replayRegistry();
    replayBulk();
    const { findings } = await run({ waivers: [{ id: 'GHSA-vh95-rmgr-6w4m', reason: 'accepted', expires: '2027-01-31' }, { id: '1097677', reason: 'accepted', expires: '2027-01-31' }] });
    expect(waived(findings)).toEqual([
      'metavulnerability node_modules/mkdirp GHSA-vh95-rmgr-6w4m',
      'vulnerable node_modules/minimist GHSA-xvch-5gv4-984h',
      'vulnerable node_modules/mkdirp/node_modules/minimist GHSA-vh95-rmgr-6w4m',
    ]);
  });
});

describe('fails closed', () => {
  it('names the source when the bulk endpoint answers an error', async () => {
    replayRegistry();
    replayBulk(() => [503, 'Service Unavailable']);
    const { message } = await failure({ options: { source: 'npm' } });
    expect(message).toContain(`advisory source npm (${REGISTRY}/)`);
    expect(message).toContain('answered 503');
    // auto: a registry that fails (rather than having no endpoint) is not a reason to send names to the OSV API; no db copy either.
    replayBulk(() => [503, 'Service Unavailable']);
    const auto = await failure({});
    expect(auto.message).toContain(`advisory source auto: no advisory source answered: npm (${REGISTRY}/): ${REGISTRY}/-/npm/v1/security/advisories/bulk answered 503`);
    expect(auto.message).toContain('db: no `depguard db update` copy in');
    expect(auto.message).not.toContain('osv (');
    expect(auto.hint).toContain('depguard db update');
  });

  it('names the source when it answers something that is not JSON, or JSON of another shape', async () => {
    replayBulk(() => [200, '<html>maintenance</html>']);
    expect((await failure({})).message).toMatch(/answered something that is not JSON \(starting "<html>maintenance/);
    replayBulk(() => [200, JSON.stringify(['minimist'])]);
    expect((await failure({})).message).toContain('is not a bulk advisory report (expected an object of package name to advisories, got an array)');
    replayBulk(() => [200, { minimist: 'vulnerable' }]);
    expect((await failure({})).message).toContain('"minimist" holds a string');
  });

  it('names the folder or zip that does not exist, holds no OSV records, or is not a zip', async () => {
    expect((await failure({ options: { source: join(ADVISORIES, 'no-such-folder') } })).message).toContain('does not exist');
    const empty = mkdtempSync(join(tmpdir(), 'depguard-osv-'));
    writeFileSync(join(empty, 'notes.json'), '{"title": "not an advisory"}');
    expect((await failure({ options: { source: empty } })).message).toContain('holds no OSV records (1 JSON entry, none an OSV record)');
    const broken = join(empty, 'broken.zip');
    writeFileSync(broken, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 7)]));
    expect((await failure({ options: { source: broken } })).message).toContain('is not a readable zip file');
  });

  it('refuses a network source offline, with a way out', async () => {
    const { message, hint } = await failure({ offline: true, options: { source: 'npm' } });
    expect(message).toContain('needs the network and this run is offline');
    expect(hint).toContain('--advisory-source db');
    const auto = await failure({ offline: true });
    expect(auto.message).toContain('the registry and the OSV API were not asked: this run is offline');
    expect(auto.hint).toContain('depguard db update');
  });

  it('with required: false, audits without advisories and says so', async () => {
    replayBulk(() => [500, 'oops']);
    const { findings, diagnostics, data } = await run({ options: { required: false, source: 'npm' } });
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ level: 'error', code: 'ADVISORIES_NOT_CHECKED', check: 'advisories' })]);
    expect(diagnostics[0]!.message).toContain('advisories were not checked');
    expect(data.advisories).toMatchObject({ checked: false, source: `npm (${REGISTRY}/)` });
  });

  it('keeps going when a packument cannot be had, taking it as npm does and saying so', async () => {
    nock(REGISTRY).persist().get(/.*/).reply(500, 'down');
    const { findings, diagnostics } = await run({ options: { source: join(ADVISORIES, 'osv') } });
    expect(ids(findings)).toEqual(expect.arrayContaining(EXPECTED));
    expect(diagnostics.filter((d) => d.code === 'ADVISORY_PACKUMENT_MISSING').map((d) => d.message.split(' ')[3])).toEqual(['event-stream', 'flatmap-stream', 'minimist', 'mkdirp']);
  });

  it('skips unreadable records with a warning and uses the rest', async () => {
    replayRegistry();
    const dir = mkdtempSync(join(tmpdir(), 'depguard-osv-'));
    for (const file of readdirSync(join(ADVISORIES, 'osv'))) writeFileSync(join(dir, file), readFileSync(join(ADVISORIES, 'osv', file)));
    writeFileSync(join(dir, 'GHSA-bad.json'), '{"id": "GHSA-bad", "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}');
    const { findings, diagnostics } = await run({ options: { source: dir } });
    expect(ids(findings)).toEqual(EXPECTED);
    expect(diagnostics).toEqual([expect.objectContaining({ level: 'warning', code: 'ADVISORY_RECORD_SKIPPED' })]);
    expect(diagnostics[0]!.message).toContain('GHSA-bad.json: not valid JSON');
  });
});

describe('remedies in words that are true', () => {
  const fix = (over: Partial<Fix>): Fix => ({ available: true, inRange: false, version: null, isSemVerMajor: false, dependents: [], npm: false, ...over }) as Fix;
  // marked's OSV record: introduced 0, fixed 4.0.10; a refresh within ^4 would pick the newest safe 4.x.
  const marked = { packument: { versions: Object.fromEntries(['0.3.6', '0.3.9', '4.0.9', '4.0.10', '4.0.12', '4.3.0', '5.0.0-beta.1'].map((v) => [v, {}])) } } as unknown as Vuln;

  it('"fixed in" is the advisory\'s first fixed version above the installed one, not the version a refresh picks', () => {
    expect(firstFixed(marked, '<4.0.10', '4.0.9')).toBe('4.0.10');
    expect(firstFixed(marked, '<4.0.10', '0.3.6')).toBe('4.0.10');
    expect(firstFixed(marked, '<0.3.9 || >=4.0.0 <4.0.12', '4.0.9')).toBe('4.0.12');
    expect(firstFixed(marked, '*', '4.0.9')).toBeNull();
    expect(firstFixed({ packument: null } as unknown as Vuln, '<4.0.10', '4.0.9')).toBeNull();
  });

  it('names a refresh target as a refresh', () => {
    expect(fixText(fix({ inRange: true, version: '4.3.0' }), '4.0.9', '4.0.10', 'marked')).toBe('fixed in 4.0.10; a lockfile refresh moves it to 4.3.0 within the declared ranges (`npm update marked`)');
  });

  it('says upgrade or downgrade as it is (a metavulnerability whose only safe versions are older)', () => {
    expect(fixText(fix({ version: '1.9.55', isSemVerMajor: true }), '5.16.1', null, 'gatsby')).toBe('the nearest safe version, 1.9.55, is outside a declared range (a major downgrade from 5.16.1)');
    expect(fixText(fix({ version: '0.2.4', isSemVerMajor: true }), '0.0.8', '0.2.4', 'minimist')).toBe('fixed in 0.2.4; the nearest safe version, 0.2.4, is outside a declared range (a major upgrade from 0.0.8)');
    expect(fixText(fix({ version: '2.5.4' }), '2.3.3', '2.5.4', 'form-data')).toBe('fixed in 2.5.4; the nearest safe version, 2.5.4, is outside a declared range (an upgrade from 2.3.3)');
  });

  it('says when nothing is published or reachable', () => {
    expect(fixText(fix({ available: false }), '1.0.0', null, 'x')).toBe('no fixed version is published');
    expect(fixText(fix({}), '1.0.0', null, 'x')).toBe('no fixed version is reachable');
  });
});
