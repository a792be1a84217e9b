// The library entry point of `depguard report`: audit, then what the report
// adds (freshness from the registry, inventory, runway, trend). No argv, no
// output, no exit codes: the CLI decides what to do with the document.

import { audit, type AuditOptions } from '../check.js';
import type { LicenseEntry } from '../../checks/license/index.js';
import { findLicenses } from '../../checks/license/resolve.js';
import { checkCompleteness } from '../../enrich/access.js';
import type { RegistryPackuments } from '../../enrich/registry-packuments.js';
import type { RegistryClient } from '../../enrich/registry-client.js';
import type { DepGraph, Diagnostic } from '../../model.js';
import type { Policy } from '../../policy/load.js';
import { lookupFreshness } from './freshness.js';
import type { ReportDocument } from '../../render/report-model.js';
import { buildReport } from './snapshot.js';

export interface ReportOutcome {
  document: ReportDocument;
  graph: DepGraph;
  /** The policy audited with (its advisory waivers are the SBOM formats' VEX statements). */
  policy: Policy;
}

export async function report(options: AuditOptions, previous: ReportDocument | null = null): Promise<ReportOutcome> {
  const outcome = await audit(options);
  const lookup = await lookupFreshness(outcome.graph, outcome.registryClient(), outcome.today);
  // Before the completeness step, so that licence lookups that failed are diagnostics too (warnings: not required).
  const licenses = await reportLicenses(outcome.graph, outcome.result.checks?.license?.packages as LicenseEntry[] | undefined, lookup.packuments, outcome.registryClient());
  const diagnostics: Diagnostic[] = [...outcome.result.diagnostics];
  if (lookup.packuments) {
    // Fail closed like any registry data the audit needs: throws (exit 2) unless --allow-incomplete.
    const incomplete = checkCompleteness([lookup.packuments], options.registryAccess?.allowIncomplete === true);
    // A package the checks already missed is one diagnostic.
    const seen = new Set(diagnostics.map((diagnostic) => `${diagnostic.code}|${diagnostic.package?.location ?? ''}`));
    diagnostics.push(...lookup.packuments.diagnostics().filter((diagnostic) => !seen.has(`${diagnostic.code}|${diagnostic.package?.location ?? ''}`)), ...incomplete);
  }
  const result = { ...outcome.result, diagnostics };
  return { document: buildReport({ ...outcome, result }, lookup.freshness, previous, licenses), graph: outcome.graph, policy: outcome.policy };
}

/**
 * Licences the lockfile does not record (npm keeps `license` but not the
 * older `licenses` array): the license check's reading when it ran, else
 * the registry's and the tarball's, asked for those few packages only
 * (online, over the packuments the freshness lookup already holds). A
 * package whose licence cannot be had stays listed as missing one.
 */
async function reportLicenses(graph: DepGraph, checked: LicenseEntry[] | undefined, packuments: RegistryPackuments | null, registry: RegistryClient): Promise<Map<string, string | null>> {
  if (checked) return new Map(checked.map((entry) => [entry.location, entry.declared]));
  if (!packuments) return new Map();
  const unrecorded = [...graph.nodes.values()].filter((node) => node.location !== '' && !node.isWorkspace && node.license === null);
  const found = await findLicenses(unrecorded, 'lockfile', packuments, registry);
  return new Map([...found].map(([location, license]) => [location, license.declared]));
}
