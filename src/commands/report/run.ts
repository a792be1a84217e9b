// The library entry point of `depguard report`: audit, then what the report
// adds (freshness from the registry, inventory, runway, trend). No argv, no
// output, no exit codes: the CLI decides what to do with the document.

import { audit, type AuditOptions } from '../check.js';
import { checkCompleteness } from '../../enrich/access.js';
import type { DepGraph, Diagnostic } from '../../model.js';
import { lookupFreshness } from './freshness.js';
import type { ReportDocument } from '../../render/report-model.js';
import { buildReport } from './snapshot.js';

export interface ReportOutcome {
  document: ReportDocument;
  graph: DepGraph;
}

export async function report(options: AuditOptions, previous: ReportDocument | null = null): Promise<ReportOutcome> {
  const outcome = await audit(options);
  const lookup = await lookupFreshness(outcome.graph, outcome.registryClient(), outcome.today);
  const diagnostics: Diagnostic[] = [...outcome.result.diagnostics];
  if (lookup.packuments) {
    // Fail closed like any registry data the audit needs: throws (exit 2) unless --allow-incomplete.
    const incomplete = checkCompleteness([lookup.packuments], options.registryAccess?.allowIncomplete === true);
    // A package the checks already missed is one diagnostic.
    const seen = new Set(diagnostics.map((diagnostic) => `${diagnostic.code}|${diagnostic.package?.location ?? ''}`));
    diagnostics.push(...lookup.packuments.diagnostics().filter((diagnostic) => !seen.has(`${diagnostic.code}|${diagnostic.package?.location ?? ''}`)), ...incomplete);
  }
  const result = { ...outcome.result, diagnostics };
  return { document: buildReport({ ...outcome, result }, lookup.freshness, previous), graph: outcome.graph };
}
