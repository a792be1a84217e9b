// Assembles the report document from an audit and reads a previous one back
// (--previous). The JSON form of the document is the snapshot: the `check`
// document plus `report`, validated against schemas/report-snapshot.schema.json.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditOutcome } from '../check.js';
import { DepguardError } from '../../errors.js';
import { parseJson } from '../../util/json.js';
import { findingsByCheck, riskyPackages, waiverStatuses } from './findings.js';
import { inventory, packageEntries } from './inventory.js';
import { REPORT_VERSION, type Freshness, type ReportDocument } from '../../render/report-model.js';
import { runway } from './runway.js';
import { trend } from './trend.js';

export const SNAPSHOT_SCHEMA = fileURLToPath(new URL('../../../schemas/report-snapshot.schema.json', import.meta.url));

export function buildReport(outcome: Pick<AuditOutcome, 'result' | 'graph' | 'policy' | 'today'> & Partial<Pick<AuditOutcome, 'copies'>>, freshness: Freshness, previous: ReportDocument | null, licenses: ReadonlyMap<string, string | null> = new Map()): ReportDocument {
  const { result, graph, policy, today } = outcome;
  const packages = packageEntries(graph, licenses);
  return {
    ...result,
    report: {
      version: REPORT_VERSION,
      date: today,
      policy: { preset: policy.preset, configFile: policy.configFile },
      inventory: inventory(graph, packages),
      findingsByCheck: findingsByCheck(result.findings),
      risky: riskyPackages(result, graph, packages),
      waivers: waiverStatuses(policy.waivers, result.findings, today),
      freshness,
      runway: runway(graph, today),
      packages,
      trend: previous ? trend({ result, packages, ...(outcome.copies ? { copies: outcome.copies } : {}) }, previous) : null,
    },
  };
}

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };
let validator: Validate | undefined;

/** The snapshot schema, compiled once. Keys the schema does not know (a newer depguard's) are dropped, not refused. */
async function validate(): Promise<Validate> {
  if (!validator) {
    const module = (await import('ajv/dist/2020.js')) as unknown as { default: new (options: object) => { compile(schema: object): Validate } };
    const ajv = new module.default({ allErrors: false, strict: false, removeAdditional: true });
    validator = ajv.compile(JSON.parse(readFileSync(SNAPSHOT_SCHEMA, 'utf8')) as object);
  }
  return validator;
}

/** Reads a snapshot written by `depguard report --format json`; a clear error (exit 2) for anything else. */
export async function readSnapshot(file: string): Promise<ReportDocument> {
  const hint = 'make one with `depguard report --format json --output <file>` and pass that file';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DepguardError('EBAD_ARGS', `--previous: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file, field: '--previous', hint });
  }
  const data = parseJson(text, file) as unknown;
  const report = data !== null && typeof data === 'object' ? (data as { report?: { version?: unknown } }).report : undefined;
  if (report === undefined || report === null || typeof report !== 'object') {
    throw new DepguardError('EBAD_ARGS', `--previous: ${file} is not a depguard report snapshot (no "report" key; a \`check --format json\` document has none)`, { file, field: '/report', hint });
  }
  if (typeof report.version === 'number' && report.version > REPORT_VERSION) {
    throw new DepguardError('EBAD_ARGS', `--previous: ${file} is a version ${report.version} snapshot, from a newer depguard; this one reads version ${REPORT_VERSION}`, { file, field: '/report/version', hint: 'upgrade depguard' });
  }
  const check = await validate();
  if (!check(data)) {
    const error = check.errors?.[0];
    const where = error?.instancePath || '/';
    throw new DepguardError('EBAD_ARGS', `--previous: ${file} is not a valid depguard report snapshot: ${where}: ${error?.message ?? 'invalid'}`, { file, field: where, hint });
  }
  return data as ReportDocument;
}
