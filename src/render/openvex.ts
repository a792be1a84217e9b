// OpenVEX 0.2.0 from VEX statements (the config's advisory waivers): one
// statement per waiver, the project as the product and the packages the
// waiver covers as its subcomponents. OpenVEX has no field for an expiry, so
// depguard writes it as a `depguard-expires: YYYY-MM-DD` line of
// `status_notes`, which it reads back (policy/vex.ts). Deterministic: the
// document's id is a hash of its content and its timestamp the audit day.

import { contentUuid } from '../util/content-uuid.js';
import { EXPIRES_NOTE, type VexStatement } from '../policy/vex-model.js';
import type { SbomModel } from './sbom-model.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

export interface OpenVexOptions {
  /** Who vouches for the statements (OpenVEX requires an author): default the tool. */
  author?: string;
  /** The audit day, when the model is not dated. */
  today: string;
}

export function renderOpenVex(model: SbomModel, statements: readonly VexStatement[], options: OpenVexOptions): string {
  const timestamp = `${model.date ?? options.today}T00:00:00Z`;
  const rendered = statements.map((statement) => {
    const notes = [statement.justification ? statement.reason : null, statement.expires ? `${EXPIRES_NOTE} ${statement.expires}` : null].filter((line): line is string => line !== null && line !== '');
    return {
      vulnerability: { name: statement.vulnerability, ...(statement.aliases.length > 0 ? { aliases: statement.aliases } : {}) },
      timestamp,
      products: [{ '@id': model.subject.purl, ...(statement.products.length > 0 ? { subcomponents: statement.products.map((product) => ({ '@id': product.purl })) } : {}) }],
      status: statement.status,
      // OpenVEX 0.2.0 takes a justification label or an impact statement, not both: the reason goes to the notes then.
      ...(statement.status === 'not_affected' ? (statement.justification ? { justification: statement.justification } : { impact_statement: statement.reason }) : {}),
      ...(notes.length > 0 ? { status_notes: notes.join('\n') } : {}),
    };
  });
  const body = { author: options.author ?? `${model.tool.name}`, timestamp, statements: rendered };
  const document = {
    '@context': OPENVEX_CONTEXT,
    '@id': `urn:uuid:${contentUuid(JSON.stringify({ subject: model.subject.purl, ...body }))}`,
    author: body.author,
    role: 'Document Creator',
    timestamp,
    version: 1,
    tooling: `${model.tool.name} ${model.tool.version}`,
    statements: rendered,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
