// depguard's matcher against Arborist's own audit fixtures: the same lockfiles,
// the same advisory answers and the same packuments (arborist's mock
// registry, served from 127.0.0.1) must give the report Arborist's tests
// expect (their snapshots, kept in shared/data): the same vulnerable
// packages, advisories, node locations, ranges, effects and fixAvailable.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAdvisories } from '../../src/checks/advisories/audit.js';
import { GraphView, npmReportEntry } from '../../src/checks/advisories/match.js';
import { NpmBulkSource } from '../../src/enrich/advisories/npm-bulk.js';
import { createRegistryClient } from '../../src/enrich/access.js';
import { isOmitted, type OmitType } from '../../src/policy/run.js';
import { loadProject } from '../../src/load/load.js';
import { SHARED_DATA } from '../helpers/project.js';
import { AdvisoryServer, bulkFromQuick, serveArboristPackuments } from './advisory-server.js';
import { auditQuery } from '../../src/checks/advisories/gather.js';

const ARBORIST = join(SHARED_DATA, 'peers/npm-cli/workspaces/arborist/test/fixtures');
const EXPECTED = join(SHARED_DATA, 'peers/npm-cli/expected/arborist-audit-report');
const present = existsSync(ARBORIST) && existsSync(EXPECTED);
if (!present) console.warn(`skipping Arborist fixture parity: ${ARBORIST} is absent (shared data not laid beside the clone)`);

const json = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

/** tap's object notation (`Object {`, `Array [`, trailing commas, undefined) as JSON. */
function tapObject(text: string): any {
  const body = text
    .replace(/\b(Object|Array|Set|Map) ([{[])/g, '$2')
    .replace(/:\s*undefined/g, ': null')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(body);
}

/** Drops what a JSON round trip drops (undefined), for comparing with npm's JSON. */
function plain(value: unknown): any {
  return JSON.parse(JSON.stringify(value, (_key, item) => (item === null ? undefined : item)));
}

let server: AdvisoryServer;

beforeAll(async () => {
  server = await new AdvisoryServer().start();
  if (!present) return;
  serveArboristPackuments(server, ARBORIST);
  // Arborist's full mock registry has this git-depending package; the kept subset does not. Its one
  // version, as the fixture's lockfile records it, depends on minimist from git.
  server.packuments.set('@isaacs/minimist-git-dep', {
    name: '@isaacs/minimist-git-dep',
    'dist-tags': { latest: '1.0.0' },
    versions: { '1.0.0': { name: '@isaacs/minimist-git-dep', version: '1.0.0', dependencies: { minimist: 'github:substack/minimist#3754568bfd43a841d2d72d7fb54598635aea8fa4' } } },
  });
});
afterAll(() => server.stop());

async function depguardReport(fixture: string, bulk: unknown, omit: OmitType[] = []): Promise<Record<string, any>> {
  server.bulk = () => bulk;
  const { graph } = await loadProject(join(ARBORIST, fixture));
  const view = new GraphView(graph);
  const source = new NpmBulkSource({ registry: server.url, fetchOptions: { retry: { retries: 0 } } });
  const lookup = await source.advisories(auditQuery(view));
  const client = createRegistryClient({ registry: server.url, scopes: {} }, null, { cache: mkdtempSync(join(tmpdir(), 'depguard-adv-')), fetchOptions: { retry: { retries: 0 } } });
  const { vulns } = await auditAdvisories(view, lookup.advisories, client);
  const report: Record<string, any> = {};
  for (const [name, vuln] of vulns) {
    const entry = npmReportEntry(vuln, view);
    // --omit: npm never audits omitted nodes; depguard's engine drops their findings.
    const nodes = [...vuln.nodes].filter((node) => !isOmitted(node, new Set(omit))).map((node) => node.location).sort((a, b) => a.localeCompare(b, 'en'));
    if (nodes.length === 0) continue;
    report[name] = plain({ ...entry, nodes });
  }
  return report;
}

function expectedVulnerabilities(file: string): Record<string, any> {
  const data = file.endsWith('.txt') ? tapObject(readFileSync(join(EXPECTED, file), 'utf8')) : json(join(EXPECTED, file));
  const result: Record<string, any> = {};
  for (const [name, vuln] of Object.entries<any>(data.vulnerabilities)) {
    // depguard keeps advisory ids as strings (GHSA ids, and npm's numeric ones alike).
    result[name] = plain({ ...vuln, via: vuln.via.map((via: any) => (typeof via === 'string' ? via : { ...via, source: String(via.source), cwe: undefined, cvss: undefined, id: undefined, versions: undefined, vulnerableVersions: undefined })) });
  }
  return result;
}

const CASES: Array<{ name: string; fixture: string; answer: string; expected: string }> = [
  { name: 'one vulnerability', fixture: 'audit-one-vuln', answer: 'audit-one-vuln/audit.json', expected: 'audit-report-js-TAP-one-vulnerability-json-version-1.json' },
  { name: 'a dependency with its own advisory', fixture: 'audit-dep-vuln-with-own-advisory', answer: 'audit-dep-vuln-with-own-advisory/audit.json', expected: 'audit-report-js-TAP-a-dep-vuln-that-also-has-its-own-advisory-against-it-json-version-1.json' },
  { name: 'all severity levels (v1 lockfile, 180 packages)', fixture: 'audit-all-severities', answer: 'audit-all-severities/audit.json', expected: 'audit-report-js-TAP-all-severity-levels-json-version-1.json' },
  { name: 'nyc and mkdirp (quick answer)', fixture: 'audit-nyc-mkdirp', answer: 'audit-nyc-mkdirp/audit.json', expected: 'audit-report-js-TAP-audit-outdated-nyc-and-mkdirp-json-version-1.json' },
  { name: 'nyc and mkdirp (bulk answer)', fixture: 'audit-nyc-mkdirp', answer: 'audit-nyc-mkdirp/advisory-bulk.json', expected: 'audit-report-js-TAP-audit-outdated-nyc-and-mkdirp-with-newer-endpoint-json-version-1.json' },
  { name: 'unfixable but not a semver-major forced fix', fixture: 'mkdirp-pinned', answer: 'audit-nyc-mkdirp/audit.json', expected: 'audit-report-js-TAP-unfixable-but-not-a-semver-major-forced-fix-json-version-1.json' },
  { name: 'a vulnerable git dependency', fixture: 'minimist-git-dep', answer: 'minimist-git-dep/audit.json', expected: 'audit-report-js-TAP-vulnerable-dep-not-from-registry-json-version-1.json' },
  { name: 'a metavuln through a git dependency', fixture: 'minimist-git-metadep', answer: 'minimist-git-metadep/audit.json', expected: 'audit-report-js-TAP-metavuln-where-dep-is-not-a-registry-dep-json-version-1.json' },
  { name: 'a dependent missing from the registry', fixture: 'audit-missing-packument', answer: 'audit-missing-packument/audit.json', expected: 'audit-report-js-TAP-metavuln-where-a-dep-is-not-on-the-registry-at-all-json-version-1.json' },
];

describe.skipIf(!present)('the same report as Arborist on its audit fixtures', () => {
  for (const { name, fixture, answer, expected } of CASES) {
    it(name, async () => {
      const data = json(join(ARBORIST, answer));
      const bulk = data.advisories && data.actions ? bulkFromQuick(data) : data;
      expect(await depguardReport(fixture, bulk)).toEqual(expectedVulnerabilities(expected));
    });
  }

  const OMIT: Array<[OmitType[], string, string]> = [
    [[], 'bulk.json', 'omit-bulk'],
    [['dev'], 'bulk-omitdev.json', 'omit-dev-bulk'],
    [['optional'], 'bulk-omitoptional.json', 'omit-optional-bulk'],
    [['dev', 'optional'], 'bulk-omitdev-omitoptional.json', 'omit-dev-optional-bulk'],
    [['peer'], 'bulk-omitpeer.json', 'omit-peer-bulk'],
    [['peer', 'dev'], 'bulk-omitpeer-omitdev.json', 'omit-peer-dev-bulk'],
  ];
  for (const [omit, answer, expected] of OMIT) {
    it(`--omit ${omit.join(',') || '(none)'} on nyc + tap (752 entries)`, async () => {
      const report = await depguardReport('audit-omit', json(join(ARBORIST, 'audit-omit', answer)), omit);
      expect(Object.keys(report).sort()).toEqual(Object.keys(expectedVulnerabilities(`audit-report-js-TAP-omit-options-${expected}-1.txt`)).sort());
      const wanted = expectedVulnerabilities(`audit-report-js-TAP-omit-options-${expected}-1.txt`);
      for (const [vulnName, vuln] of Object.entries<any>(report)) {
        expect({ name: vulnName, nodes: vuln.nodes, range: vuln.range, severity: vuln.severity }).toEqual({ name: vulnName, nodes: wanted[vulnName].nodes, range: wanted[vulnName].range, severity: wanted[vulnName].severity });
      }
    });
  }
});
