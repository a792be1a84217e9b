// VEX both ways. In: an OpenVEX 0.2.0 or CycloneDX document's `not_affected`
// and `fixed` statements become waivers of the advisories they name, for the
// packages they name (--vex, the config's `vex`), matched only on advisory
// ids and aliases, never on rule or check ids, and with an expiry like every
// waiver. Out: the config's advisory waivers become statements, which the
// OpenVEX and CycloneDX writers format (render/openvex.ts, sbom-cyclonedx.ts).
// Every document is read as untrusted data: wrong shapes are errors naming
// the file and the JSON path.

import { readFile } from 'node:fs/promises';
import { PackageURL } from 'packageurl-js';
import { findCheck } from '../checks/index.js';
import { DepguardError } from '../errors.js';
import type { DepGraph } from '../model.js';
import { isJsonObject, own, parseJson, type JsonObject } from '../util/json.js';
import type { Waiver } from './waiver-model.js';
import { parsePackageSelector } from './waivers.js';
import semver from 'semver';
import { EXPIRES_PATTERN, EXPIRES_PROPERTY, OPENVEX_JUSTIFICATION, VEX_JUSTIFICATIONS, type VexJustification, type VexProduct, type VexStatement } from './vex-model.js';

/** A VEX document to read: its path and the expiry recorded for statements that carry none. */
export interface VexSource {
  file: string;
  expires?: string;
}

function bad(file: string, path: string, expected: string): never {
  throw new DepguardError('EBAD_CONFIG', `${file}: ${path}: ${expected}`, { file, field: path, hint: 'VEX input is an OpenVEX 0.2.0 document or a CycloneDX document with vulnerabilities[].analysis (see README: VEX)' });
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** An npm package from a purl; null for anything else (a container image, a maven artifact). */
function npmProduct(purl: string): VexProduct | null {
  try {
    const parsed = PackageURL.fromString(purl);
    if (parsed.type !== 'npm') return null;
    const name = parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name;
    return { name, version: parsed.version ?? null, purl };
  } catch {
    return null;
  }
}

function expiryIn(...notes: Array<string | null>): string | null {
  for (const note of notes) {
    const match = note ? EXPIRES_PATTERN.exec(note) : null;
    if (match) return match[1]!;
  }
  return null;
}

/** Free text without depguard's expiry line. */
function withoutExpiry(note: string | null): string | null {
  return note === null ? null : text(note.replace(new RegExp(`\\s*${EXPIRES_PATTERN.source}\\s*`, 'g'), ' '));
}

function componentPurl(component: JsonObject): string | null {
  return text(own(component, '@id')) ?? (isJsonObject(own(component, 'identifiers')) ? text(own(own<JsonObject>(component, 'identifiers'), 'purl')) : null);
}

function openVexStatements(data: JsonObject, file: string): VexStatement[] {
  const statements = own<unknown>(data, 'statements');
  if (!Array.isArray(statements)) bad(file, '/statements', 'expected an array of statements');
  const result: VexStatement[] = [];
  statements.forEach((raw, index) => {
    const at = `/statements/${index}`;
    if (!isJsonObject(raw)) bad(file, at, 'expected an object');
    const status = own<unknown>(raw, 'status');
    if (typeof status !== 'string') bad(file, `${at}/status`, 'expected not_affected, affected, fixed or under_investigation');
    // affected and under_investigation say the finding stands.
    if (status !== 'not_affected' && status !== 'fixed') return;
    const vulnerability = own<unknown>(raw, 'vulnerability');
    if (!isJsonObject(vulnerability) || !text(own(vulnerability, 'name'))) bad(file, `${at}/vulnerability/name`, 'expected the vulnerability id (GHSA-…, CVE-…)');
    const aliases = own<unknown>(vulnerability, 'aliases');
    const justification = own<unknown>(raw, 'justification');
    if (justification !== undefined && !VEX_JUSTIFICATIONS.includes(justification as VexJustification)) bad(file, `${at}/justification`, `expected one of ${VEX_JUSTIFICATIONS.join(', ')}`);
    const impact = text(own(raw, 'impact_statement'));
    const notes = text(own(raw, 'status_notes'));
    const products: VexProduct[] = [];
    let project = false;
    const rawProducts = own<unknown>(raw, 'products');
    for (const product of Array.isArray(rawProducts) ? rawProducts : []) {
      if (!isJsonObject(product)) continue;
      const subcomponents = own<unknown>(product, 'subcomponents');
      const subs = Array.isArray(subcomponents) ? subcomponents.filter(isJsonObject).map(componentPurl).filter((purl): purl is string => purl !== null) : [];
      // The product is the application; its subcomponents are the packages the statement is about.
      const purls = subs.length > 0 ? subs : [componentPurl(product)].filter((purl): purl is string => purl !== null);
      for (const purl of purls) {
        const npm = npmProduct(purl);
        if (npm) products.push(npm);
      }
      if (subs.length === 0 && purls.length === 0) project = true;
    }
    if (products.length === 0 && !project && Array.isArray(rawProducts) && rawProducts.length > 0) return; // about no npm package
    result.push({
      vulnerability: text(own(vulnerability, 'name'))!,
      aliases: Array.isArray(aliases) ? aliases.filter((alias): alias is string => typeof alias === 'string') : [],
      status,
      justification: (justification as VexJustification | undefined) ?? null,
      reason: [justification as string | undefined, withoutExpiry(impact), withoutExpiry(notes)].filter((part): part is string => typeof part === 'string' && part !== '').join(': '),
      expires: expiryIn(notes, impact),
      products,
    });
  });
  return result;
}

function cycloneDxStatements(data: JsonObject, file: string): VexStatement[] {
  const vulnerabilities = own<unknown>(data, 'vulnerabilities');
  if (vulnerabilities === undefined) return [];
  if (!Array.isArray(vulnerabilities)) bad(file, '/vulnerabilities', 'expected an array');
  // bom-ref -> purl, over every component (nested too) and the subject.
  const purls = new Map<string, string | null>();
  let subjectRef: string | null = null;
  const walk = (component: unknown): void => {
    if (!isJsonObject(component)) return;
    const ref = text(own(component, 'bom-ref'));
    if (ref) purls.set(ref, text(own(component, 'purl')));
    const nested = own<unknown>(component, 'components');
    if (Array.isArray(nested)) nested.forEach(walk);
  };
  const metadata = own<unknown>(data, 'metadata');
  if (isJsonObject(metadata) && isJsonObject(own(metadata, 'component'))) subjectRef = text(own(own<JsonObject>(metadata, 'component'), 'bom-ref'));
  const components = own<unknown>(data, 'components');
  if (Array.isArray(components)) components.forEach(walk);
  const result: VexStatement[] = [];
  vulnerabilities.forEach((raw, index) => {
    const at = `/vulnerabilities/${index}`;
    if (!isJsonObject(raw)) bad(file, at, 'expected an object');
    const analysis = own<unknown>(raw, 'analysis');
    const state = isJsonObject(analysis) ? own<unknown>(analysis, 'state') : undefined;
    const status = state === 'not_affected' || state === 'false_positive' ? 'not_affected' : state === 'resolved' || state === 'resolved_with_pedigree' ? 'fixed' : null;
    if (status === null) return; // exploitable, in_triage or no analysis: the finding stands
    const id = text(own(raw, 'id'));
    if (!id) bad(file, `${at}/id`, 'expected the vulnerability id');
    const references = own<unknown>(raw, 'references');
    const aliases = Array.isArray(references) ? references.filter(isJsonObject).map((reference) => text(own(reference, 'id'))).filter((alias): alias is string => alias !== null) : [];
    const justification = isJsonObject(analysis) ? text(own(analysis, 'justification')) : null;
    const detail = isJsonObject(analysis) ? text(own(analysis, 'detail')) : null;
    const properties = own<unknown>(raw, 'properties');
    const expires = Array.isArray(properties) ? (properties.filter(isJsonObject).find((property) => own(property, 'name') === EXPIRES_PROPERTY)?.value as string | undefined) ?? null : null;
    const affects = own<unknown>(raw, 'affects');
    const products: VexProduct[] = [];
    let project = false;
    for (const affect of Array.isArray(affects) ? affects.filter(isJsonObject) : []) {
      const ref = text(own(affect, 'ref'));
      if (!ref) continue;
      if (ref === subjectRef) project = true;
      const purl = purls.get(ref) ?? (ref.startsWith('pkg:') ? ref : null);
      const npm = purl ? npmProduct(purl) : null;
      if (npm && ref !== subjectRef) products.push(npm);
    }
    if (products.length === 0 && !project) return; // about nothing this document names as an npm package
    const openVex = justification ? (OPENVEX_JUSTIFICATION[justification] ?? null) : null;
    result.push({
      vulnerability: id,
      aliases,
      status,
      justification: openVex,
      reason: [justification, detail].filter((part): part is string => part !== null).join(': ') || String(state),
      expires: typeof expires === 'string' ? expires : null,
      products: project ? [] : products,
    });
  });
  return result;
}

/** The statements of a VEX document (OpenVEX or CycloneDX), parsed from its text. */
export function parseVex(content: string, file: string): VexStatement[] {
  const data = parseJson(content, file);
  if (!isJsonObject(data)) bad(file, '/', 'expected a JSON object');
  const context = own<unknown>(data, '@context');
  if (typeof context === 'string' && context.startsWith('https://openvex.dev/ns')) return openVexStatements(data, file);
  if (own(data, 'bomFormat') === 'CycloneDX') return cycloneDxStatements(data, file);
  return bad(file, '/', 'not an OpenVEX document ("@context": "https://openvex.dev/ns/v0.2.0") nor a CycloneDX one ("bomFormat": "CycloneDX")');
}

function isRealDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Waivers from VEX documents: one per statement and package. A statement
 * needs an expiry like any waiver: its own (depguard records it), else the
 * one the source records; without either it is an error naming it.
 */
export async function vexWaivers(sources: readonly VexSource[], project: { name: string | null } = { name: null }): Promise<Waiver[]> {
  const waivers: Waiver[] = [];
  for (const source of sources) {
    let content: string;
    try {
      content = await readFile(source.file, 'utf8');
    } catch (error) {
      throw new DepguardError('EBAD_CONFIG', `${source.file}: the VEX document cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: source.file, hint: 'check the path given to --vex or in the config\'s "vex"' });
    }
    parseVex(content, source.file).forEach((statement, index) => {
      // Both recorded: the earlier one holds.
      const expires = [statement.expires, source.expires ?? null].filter((day): day is string => day !== null).sort()[0] ?? null;
      const origin = `${source.file}: statement ${index + 1} (${statement.vulnerability})`;
      if (expires === null || !isRealDay(expires)) {
        throw new DepguardError('EBAD_CONFIG', `${origin}: ${expires === null ? 'no expiry is recorded' : `"${expires}" is not a real date`}: a VEX statement suppresses findings like a waiver and needs an expiry`, {
          file: source.file,
          hint: 'record one for the document in the config ("vex": [{ "file": "…", "expires": "YYYY-MM-DD" }]) or with --vex-expires',
        });
      }
      const base = { id: statement.vulnerability, reason: statement.reason || statement.status, expires, origin, aliases: statement.aliases, vex: { file: source.file, status: statement.status, justification: statement.justification } };
      // A product that is the project itself (OpenVEX's usual form) means every package of it.
      const packages = statement.products.filter((product) => product.name !== project.name);
      if (packages.length === 0) waivers.push(base);
      for (const product of packages) waivers.push({ ...base, package: product.version ? `${product.name}@${product.version}` : product.name });
    });
  }
  return waivers;
}

/** Whether a waiver is about an advisory (its id is no rule or check id): only those become VEX statements. */
export function isAdvisoryWaiver(waiver: Waiver): boolean {
  return !waiver.id.includes('/') && !findCheck(waiver.id) && waiver.id !== 'waivers';
}

/**
 * The config's advisory waivers as VEX statements, about the packages of
 * the graph they cover: a `package: "minimist@<1.2.6"` waiver names each
 * installed version it admits, so reading the document back waives the same
 * findings. A waiver with no package is about the project as a whole.
 */
export function waiverStatements(waivers: readonly Waiver[], graph: DepGraph, today: string): VexStatement[] {
  const statements: VexStatement[] = [];
  for (const waiver of waivers) {
    // A path-scoped waiver has no VEX form (statements name packages, not dependency paths).
    if (!isAdvisoryWaiver(waiver) || waiver.vex || waiver.path || waiver.expires < today) continue;
    const products: VexProduct[] = [];
    if (waiver.package) {
      const { name, range } = parsePackageSelector(waiver.package);
      const versions = new Set<string>();
      for (const node of graph.nodes.values()) {
        if (node.location === '' || node.packageName !== name) continue;
        if (range && !semver.satisfies(node.version, range, { includePrerelease: true, loose: true })) continue;
        versions.add(node.version);
      }
      for (const version of [...versions].sort(semver.compareLoose)) products.push({ name, version, purl: new PackageURL('npm', name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined, name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name, version, undefined, undefined).toString() });
      if (products.length === 0) continue; // covers nothing installed: nothing to state
    }
    statements.push({ vulnerability: waiver.id, aliases: [], status: 'not_affected', justification: waiver.justification ?? null, reason: waiver.reason, expires: waiver.expires, products });
  }
  return statements;
}
