// Runs registry-backed checks (release-age, deprecated, provenance) through
// audit() against the loopback TestRegistry: a fresh npm cache per call
// unless one is given, no retries, short timeouts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../../src/checks/index.js';
import { audit, type AuditOptions } from '../../src/commands/check.js';
import type { RegistryAccessOptions } from '../../src/enrich/access.js';
import type { DepGraph, Finding } from '../../src/model.js';
import type { TestRegistry } from '../enrich/registry-server.js';
import { fixture } from './project.js';
import { EXAMPLE_REGISTRY } from './run.js';

export const AUDIT_DATE = '2026-11-27';

export function emptyCache(): string {
  return mkdtempSync(join(tmpdir(), 'depguard-cache-'));
}

export async function auditWith(
  server: TestRegistry,
  path: string,
  only: string[],
  options: { access?: RegistryAccessOptions; config?: Partial<AuditOptions> } = {},
): ReturnType<typeof audit> {
  return audit({
    path,
    registries: { registry: server.url, scopes: {} },
    only,
    today: AUDIT_DATE,
    registryAccess: { cache: emptyCache(), fetchOptions: { retry: { retries: 0 }, timeout: 3000 }, ...options.access },
    ...options.config,
  });
}

/** `rule name@version` strings, for compact assertions. */
export function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}`);
}

/** Accept header of each packument request for a name: 'corgi' (abbreviated) or 'full'. */
export function packumentForms(server: TestRegistry, name: string): string[] {
  return server.packumentRequests(name).map((request) => (String(request.headers.accept ?? '').startsWith('application/vnd.npm.install-v1+json') ? 'corgi' : 'full'));
}

/**
 * Every check on a real project, offline with an empty npm cache, advisories
 * from the OSV records in fixtures/advisories: what the lockfile alone shows,
 * and the registry-backed checks saying what they could not read.
 */
export async function auditEveryCheckOffline(path: string): Promise<Awaited<ReturnType<typeof audit>>> {
  return audit({
    path,
    registries: EXAMPLE_REGISTRY,
    policyName: 'strict',
    only: CHECKS.map((check) => check.meta.id),
    today: '2026-12-01',
    advisories: { source: fixture('../advisories/osv') },
    registryAccess: { cache: emptyCache(), mode: 'offline', allowIncomplete: true },
  });
}

/** Serves every installed package of `graph` from `server` (published 2024-01-01), bufferutil with the install script it really has. */
export function servePackages(server: TestRegistry, graph: DepGraph): void {
  const time = '2024-01-01T00:00:00.000Z';
  for (const node of graph.nodes.values()) {
    if (!node.location.includes('node_modules/')) continue;
    const spec = server.packages.get(node.packageName) ?? { versions: {} };
    spec.versions[node.version] = { time, ...(node.packageName === 'bufferutil' ? { scripts: { install: 'node-gyp-build' } } : {}) };
    server.add(node.packageName, spec);
  }
}

/** Per check, the sorted `rule name@version` of its findings on a project: every check, strict, the OSV records in fixtures/advisories, incomplete allowed. */
export async function findingsByCheck(server: TestRegistry, path: string): Promise<Record<string, string[]>> {
  const all = CHECKS.map((check) => check.meta.id).sort();
  const { result } = await auditWith(server, path, all, {
    config: { policyName: 'strict', advisories: { source: fixture('../advisories/osv') } },
    access: { allowIncomplete: true },
  });
  const byCheck: Record<string, string[]> = Object.fromEntries(all.map((id) => [id, []]));
  for (const finding of result.findings) byCheck[finding.check]!.push(`${finding.rule} ${finding.package ? `${finding.package.name}@${finding.package.version}` : '-'}`);
  for (const list of Object.values(byCheck)) list.sort();
  return byCheck;
}
