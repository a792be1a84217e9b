// SPDX 2.3 JSON from the SBOM model, written directly: the SPDX project's own
// JavaScript library (spdx/tools-ts) says it "can not yet be used in
// production" and is not published to npm, and no other maintained npm
// library models SPDX 2.3 documents. The shape follows the SPDX 2.3
// specification and its JSON schema, against which the tests validate every
// document. Deterministic: `created` is the audit day at midnight UTC (SPDX
// requires a creation time) and the namespace's unique part is a hash of the
// content, not a random UUID.

import { contentUuid } from '../util/content-uuid.js';
import type { SbomComponent, SbomModel } from './sbom-model.js';

const NOASSERTION = 'NOASSERTION';

const CHECKSUM: Record<SbomComponent['hashes'][number]['algorithm'], string> = { 'SHA-1': 'SHA1', 'SHA-256': 'SHA256', 'SHA-384': 'SHA384', 'SHA-512': 'SHA512' };

const RELATIONSHIP: Record<SbomComponent['edges'][number]['type'], string> = {
  prod: 'DEPENDENCY_OF',
  dev: 'DEV_DEPENDENCY_OF',
  optional: 'OPTIONAL_DEPENDENCY_OF',
  peer: 'PREREQUISITE_FOR',
};

/** SPDX ids are `SPDXRef-` and letters, digits, `.` and `-` (npm's form: scope without `@`, `/` as `.`). */
function idOf(component: SbomComponent): string {
  const name = component.name.replace(/^@/, '').replace(/\//g, '.');
  return `SPDXRef-Package-${`${name}-${component.version || 'unversioned'}`.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

function spdxPackage(component: SbomComponent, id: string, purpose: 'APPLICATION' | 'LIBRARY'): Record<string, unknown> {
  const { license } = component;
  const pkg: Record<string, unknown> = {
    name: component.name,
    SPDXID: id,
    ...(component.version ? { versionInfo: component.version } : {}),
    primaryPackagePurpose: purpose,
    downloadLocation: component.resolved && (component.source === 'registry' || component.source === 'git' || component.source === 'remote') ? component.resolved : NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: license.expression ?? NOASSERTION,
    copyrightText: NOASSERTION,
  };
  if (license.status === 'corrected') pkg.licenseComments = `declared as "${license.declared}", read as ${license.expression} by spdx-correct`;
  else if (license.expression === null && license.declared !== null) pkg.licenseComments = `declared as "${license.declared}", which is not an SPDX expression`;
  if (component.hashes.length > 0) pkg.checksums = component.hashes.map((hash) => ({ algorithm: CHECKSUM[hash.algorithm], checksumValue: hash.hex }));
  pkg.externalRefs = [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: component.purl }];
  if (component.scope === 'excluded') pkg.comment = 'development dependency only';
  else if (component.scope === 'optional') pkg.comment = 'optional dependency only';
  return pkg;
}

/** @param today the audit day: `created` when the model is not dated (SPDX requires a creation time). */
export function renderSpdx(model: SbomModel, today: string): string {
  const all = [model.subject, ...model.components];
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const component of all) {
    let id = idOf(component);
    for (let n = 2; taken.has(id); n++) id = `${idOf(component)}-${n}`;
    taken.add(id);
    ids.set(component.ref, id);
  }
  const subjectId = ids.get(model.subject.ref)!;
  const relationships: Array<Record<string, string>> = [{ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: subjectId, relationshipType: 'DESCRIBES' }];
  // As npm sbom writes them: the dependency is the element, its dependent the related one.
  for (const component of all) {
    for (const edge of component.edges) {
      relationships.push({ spdxElementId: ids.get(edge.ref)!, relatedSpdxElement: ids.get(component.ref)!, relationshipType: RELATIONSHIP[edge.type] });
    }
  }
  const name = `${model.subject.name}@${model.subject.version}`;
  const body = {
    packages: [spdxPackage(model.subject, subjectId, 'APPLICATION'), ...model.components.map((component) => spdxPackage(component, ids.get(component.ref)!, 'LIBRARY'))],
    relationships,
  };
  const created = `${model.date ?? today}T00:00:00Z`;
  const uuid = contentUuid(JSON.stringify({ name, created, ...body }));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://spdx.org/spdxdocs/${encodeURIComponent(model.subject.name.replace(/^@/, '').replace(/\//g, '.'))}-${encodeURIComponent(model.subject.version || 'unversioned')}-${uuid}`,
    creationInfo: { created, creators: [`Tool: ${model.tool.name}-${model.tool.version}`] },
    documentDescribes: [subjectId],
    ...body,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
