// CycloneDX JSON from the SBOM model, built and serialised by the OWASP
// CycloneDX library (its model, its spec-version rules, its sorted
// normalisation), so the document is what the spec says rather than what we
// remember of it. Deterministic: no serial number, and a timestamp only when
// the document is dated (--date). VEX statements (advisory waivers) become
// `vulnerabilities[]` with an `analysis`.

import { Enums, Models, Serialize, Spec, SPDX } from '@cyclonedx/cyclonedx-library';
import type { SbomComponent, SbomModel } from './sbom-model.js';
import { CYCLONEDX_JUSTIFICATION, EXPIRES_PROPERTY, type VexStatement } from '../policy/vex-model.js';

/** The newest CycloneDX version the library writes. */
export const CYCLONEDX_VERSION = '1.7';

const HASH: Record<SbomComponent['hashes'][number]['algorithm'], Enums.HashAlgorithm> = {
  'SHA-1': Enums.HashAlgorithm['SHA-1'],
  'SHA-256': Enums.HashAlgorithm['SHA-256'],
  'SHA-384': Enums.HashAlgorithm['SHA-384'],
  'SHA-512': Enums.HashAlgorithm['SHA-512'],
};

const SCOPE: Record<SbomComponent['scope'], Enums.ComponentScope> = {
  required: Enums.ComponentScope.Required,
  optional: Enums.ComponentScope.Optional,
  excluded: Enums.ComponentScope.Excluded,
};

function licenses(component: SbomComponent): Models.License[] {
  const { license } = component;
  const acknowledgement = Enums.LicenseAcknowledgement.Declared;
  if (license.expression !== null) {
    if (SPDX.isSupportedSpdxId(license.expression)) return [new Models.SpdxLicense(license.expression, { acknowledgement })];
    const expression = new Models.LicenseExpression(license.expression);
    expression.acknowledgement = acknowledgement;
    return [expression];
  }
  // UNLICENSED, SEE LICENSE IN …, free text: named as declared.
  return license.declared !== null ? [new Models.NamedLicense(license.declared, { acknowledgement })] : [];
}

function toComponent(component: SbomComponent, type: Enums.ComponentType): Models.Component {
  const slash = component.name.startsWith('@') ? component.name.indexOf('/') : -1;
  const result = new Models.Component(type, slash > 0 ? component.name.slice(slash + 1) : component.name, {
    bomRef: component.ref,
    ...(slash > 0 ? { group: component.name.slice(0, slash) } : {}),
    ...(component.version ? { version: component.version } : {}),
    purl: component.purl,
    scope: SCOPE[component.scope],
  });
  for (const hash of component.hashes) result.hashes.set(HASH[hash.algorithm], hash.hex);
  for (const license of licenses(component)) result.licenses.add(license);
  if (component.resolved && component.source !== 'directory' && component.source !== 'workspace') {
    result.externalReferences.add(new Models.ExternalReference(component.resolved, component.source === 'git' ? Enums.ExternalReferenceType.VCS : Enums.ExternalReferenceType.Distribution));
  }
  // npm sbom's property names, so tools that read those keep working.
  for (const location of component.locations) if (location !== '') result.properties.add(new Models.Property('cdx:npm:package:path', location));
  if (component.scope === 'excluded') result.properties.add(new Models.Property('cdx:npm:package:development', 'true'));
  if (component.workspace) result.properties.add(new Models.Property('depguard:workspace', 'true'));
  if (component.license.status === 'corrected') result.properties.add(new Models.Property('depguard:license:declared', component.license.declared!));
  return result;
}

function vulnerability(statement: VexStatement, index: number, refs: Map<string, Models.Component>, subject: Models.Component, components: SbomComponent[]): Models.Vulnerability.Vulnerability {
  const analysis = new Models.Vulnerability.Analysis({
    state: statement.status === 'fixed' ? Enums.Vulnerability.AnalysisState.Resolved : Enums.Vulnerability.AnalysisState.NotAffected,
    ...(statement.justification ? { justification: CYCLONEDX_JUSTIFICATION[statement.justification] as Enums.Vulnerability.AnalysisJustification } : {}),
    detail: statement.reason,
  });
  // An explicit bom-ref: the serialiser would otherwise make up a random one.
  const result = new Models.Vulnerability.Vulnerability({ bomRef: `vex:${statement.vulnerability}:${index}`, id: statement.vulnerability, analysis });
  for (const alias of statement.aliases) result.references.add(new Models.Vulnerability.Reference(alias, new Models.Vulnerability.Source({ name: sourceName(alias) })));
  if (statement.expires) result.properties.add(new Models.Property(EXPIRES_PROPERTY, statement.expires));
  const affected = statement.products.length === 0
    ? [subject]
    : components.filter((component) => statement.products.some((product) => product.name === component.name && (product.version === null || product.version === component.version))).map((component) => refs.get(component.ref)!);
  for (const target of affected.length > 0 ? affected : [subject]) result.affects.add(new Models.Vulnerability.Affect(target.bomRef));
  return result;
}

function sourceName(id: string): string {
  if (id.startsWith('GHSA-')) return 'GitHub';
  if (id.startsWith('CVE-')) return 'NVD';
  if (id.startsWith('MAL-')) return 'OSV';
  return 'npm';
}

export interface CycloneDxOptions {
  /** '1.7' (default) or '1.6'. */
  specVersion?: '1.6' | '1.7';
  vex?: VexStatement[];
}

export function renderCycloneDx(model: SbomModel, options: CycloneDxOptions = {}): string {
  const subject = toComponent(model.subject, Enums.ComponentType.Application);
  const tool = new Models.Component(Enums.ComponentType.Application, model.tool.name, { version: model.tool.version, bomRef: `tool:${model.tool.name}@${model.tool.version}` });
  const metadata = new Models.Metadata({
    component: subject,
    tools: new Models.Tools({ components: new Models.ComponentRepository([tool]) }),
    lifecycles: new Models.LifecycleRepository([Enums.LifecyclePhase.PreBuild]),
    ...(model.date ? { timestamp: new Date(`${model.date}T00:00:00Z`) } : {}),
  });
  const bom = new Models.Bom({ metadata });
  const refs = new Map<string, Models.Component>([[model.subject.ref, subject]]);
  for (const component of model.components) {
    const converted = toComponent(component, Enums.ComponentType.Library);
    refs.set(component.ref, converted);
    bom.components.add(converted);
  }
  for (const component of [model.subject, ...model.components]) {
    const from = refs.get(component.ref)!;
    for (const ref of component.dependsOn) from.dependencies.add(refs.get(ref)!.bomRef);
  }
  for (const [index, statement] of (options.vex ?? []).entries()) bom.vulnerabilities.add(vulnerability(statement, index, refs, subject, model.components));
  const spec = options.specVersion === '1.6' ? Spec.Spec1dot6 : Spec.Spec1dot7;
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(spec));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}
