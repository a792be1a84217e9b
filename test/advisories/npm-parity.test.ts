// "Same answer as npm audit": Arborist's own audit (its AuditReport, what
// `npm audit` prints) and depguard's advisories check run on the same real
// lockfile (google/santa-tracker-web, 652 packages), fed the same advisory
// data (the 186 real OSV records in shared/data, served as the registry's
// bulk endpoint answer) and the same packuments (osv-scanner's frozen
// universe for that project), both from one server on 127.0.0.1. They must
// report the same set of (node, version, advisory) — metavulnerabilities
// included — and depguard must give the same findings when it reads the
// OSV folder directly instead of asking the bulk endpoint.
import Arborist from '@npmcli/arborist';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetPolicy } from '../../src/policy/load.js';
import { createRegistryClient } from '../../src/enrich/access.js';
import { runChecks } from '../../src/policy/run.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, Finding } from '../../src/model.js';
import { SHARED_DATA, tempProject } from '../helpers/project.js';
import { AdvisoryServer, bulkFrom, osvFolderAdvisories } from './advisory-server.js';
import { universePackuments } from './universe.js';

const LOCKFILE = join(SHARED_DATA, 'lockfiles/santa-tracker-web');
const OSV = join(SHARED_DATA, 'advisories/osv');
const UNIVERSE = join(SHARED_DATA, 'peers/osv-scanner/internal/remediation/testdata/santatracker/universe.yaml');
const present = [LOCKFILE, OSV, UNIVERSE].every((path) => existsSync(path));
if (!present) console.warn(`skipping the npm audit parity test: shared data (${LOCKFILE}, ${OSV}, ${UNIVERSE}) is absent`);

let server: AdvisoryServer;
let project: string;
let graph: DepGraph;

beforeAll(async () => {
  server = await new AdvisoryServer().start();
  if (!present) return;
  for (const [name, packument] of universePackuments(UNIVERSE, server.url)) server.packuments.set(name, packument);
  server.bulk = bulkFrom(osvFolderAdvisories(OSV));
  project = tempProject({}, LOCKFILE);
  graph = (await loadProject(project)).graph;
});
afterAll(() => server.stop());

/** `location@version advisory` for every (node, advisory) Arborist's AuditReport holds; metavulns as `via:<dependency>`. */
async function arboristAnswer(): Promise<Set<string>> {
  const arborist = new Arborist({ path: project, registry: server.url, cache: mkdtempSync(join(tmpdir(), 'depguard-arb-')), retry: { retries: 0 } }) as any;
  const report = await arborist.audit();
  expect(report.error).toBeNull();
  const answer = new Set<string>();
  for (const vuln of report.values()) {
    for (const node of vuln.nodes) {
      for (const advisory of vuln.advisories) {
        if (!advisory.testVersion(node.version)) continue;
        answer.add(`${node.location}@${node.version} ${advisory.type === 'metavuln' ? `via:${advisory.dependency}` : String(advisory.source)}`);
      }
    }
  }
  return answer;
}

async function depguardFindings(options: Record<string, unknown>): Promise<Finding[]> {
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('advisories')!;
  settings.enabled = true;
  settings.options = { ...settings.options, ...options };
  const registries = { registry: server.url, scopes: {} };
  const registry = createRegistryClient(registries, null, { cache: mkdtempSync(join(tmpdir(), 'depguard-adv-')), fetchOptions: { retry: { retries: 0 } } });
  const { findings } = await runChecks({ graph, policy, registries, registry, only: ['advisories'], today: '2026-11-27' });
  return findings;
}

function depguardAnswer(findings: Finding[]): Set<string> {
  const answer = new Set<string>();
  for (const finding of findings) {
    const at = `${finding.package!.location}@${finding.package!.version}`;
    if (finding.rule === 'advisories/metavulnerability') for (const dependency of finding.evidence.dependencies as string[]) answer.add(`${at} via:${dependency}`);
    else answer.add(`${at} ${finding.advisory!.id}`);
  }
  return answer;
}

describe.skipIf(!present)('the same answer as npm audit on santa-tracker-web (652 packages)', () => {
  it('reports the same (node, version, advisory) set as Arborist\'s AuditReport', async () => {
    const before = server.bulkRequests().length;
    const findings = await depguardFindings({ source: 'npm', auditRegistry: server.url });
    const ours = depguardAnswer(findings);
    // One bulk request, with every audited package, as npm sends it.
    const requests = server.bulkRequests().slice(before);
    expect(requests).toHaveLength(1);
    expect(Object.keys(requests[0]!.body as object)).toHaveLength(new Set([...graph.nodes.values()].filter((n) => n.location !== '' && !n.isWorkspace).map((n) => n.packageName)).size);
    const theirs = await arboristAnswer();
    expect([...ours].sort()).toEqual([...theirs].sort());
    // The scale the issue asks for: a real tree, many vulnerable packages.
    expect(graph.nodes.size - 1).toBeGreaterThanOrEqual(200);
    const vulnerable = new Set(findings.filter((f) => f.rule !== 'advisories/metavulnerability').map((f) => f.package!.name));
    expect(vulnerable.size).toBeGreaterThanOrEqual(20);
    expect(findings.some((f) => f.rule === 'advisories/metavulnerability')).toBe(true);
  });

  it('gives the same findings from the OSV folder as from the bulk endpoint', async () => {
    const key = (f: Finding) => `${f.rule} ${f.package!.location} ${f.advisory!.id} ${f.severity} ${JSON.stringify(f.fix)}`;
    const fromNpm = (await depguardFindings({ source: 'npm', auditRegistry: server.url })).map(key).sort();
    const fromFolder = (await depguardFindings({ source: OSV })).map(key).sort();
    expect(fromFolder.length).toBeGreaterThan(50);
    expect(fromFolder).toEqual(fromNpm);
  });
});
