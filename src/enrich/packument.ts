// The compact form of a packument: only the fields depguard's checks read,
// derived leniently from what a registry returned (the abbreviated "corgi"
// document, `application/vnd.npm.install-v1+json`, or the full one). A full
// packument of a popular package runs to megabytes; this form is a few
// kilobytes and is what the compact cache stores.

import { declaredLicense, hasLicenseField } from '../util/declared-license.js';
import { isJsonObject, own, stringEntries, type JsonObject } from '../util/json.js';

export interface CompactVersion {
  /**
   * The version's install-time `scripts` (preinstall, install, postinstall,
   * prepare: what npm may run on install; test, build and the rest are
   * dropped, they are most of a full packument's script text); null when
   * unknown (abbreviated metadata carries none).
   */
  scripts: Record<string, string> | null;
  /** The registry's flag (abbreviated metadata) or, from full metadata, a preinstall/install/postinstall script. */
  hasInstallScript: boolean;
  engines: Record<string, string> | null;
  /** `gypfile` of the version; null when unknown (abbreviated metadata). */
  gypfile: boolean | null;
  deprecated: string | null;
  /** Publish time (ISO 8601) from the full packument's `time`; null when unknown. */
  published: string | null;
  /** The version has a provenance attestation (`dist.attestations.provenance`). */
  provenance: boolean;
  integrity: string | null;
  tarball: string | null;
  /**
   * Dependency name -> spec, from `dependencies`, else `optionalDependencies`,
   * else `peerDependencies` (the order npm's metavulnerability calculation
   * reads them in): which versions of a dependent can avoid a vulnerable one.
   */
  dependencies: Record<string, string>;
  /** `bundleDependencies` names: a bundled dependency ships inside the tarball. */
  bundled: string[];
  /** The npm account that published the version (`_npmUser.name`, full metadata only); null when unknown. */
  publisher: string | null;
  /** The version's maintainer list (names, sorted) as an index into the packument's `maintainerSets`; null when unknown. */
  maintainers: number | null;
  /** The registry's signatures of `<name>@<version>:<integrity>` (`dist.signatures`); empty when it gives none. */
  signatures: RegistrySignature[];
  /**
   * The version's manifest fields as the registry serves them, for comparing
   * with the package.json inside its tarball (manifest-confusion); a field is
   * present only when the manifest has it, and `dependencies` only when it
   * differs from `dependencies` above (optional or peer dependencies exist).
   */
  declared: DeclaredFields;
  /**
   * The declared licence (`license`, or the older `licenses` array, see
   * declaredLicense); null when the document has no licence field, absent
   * when that cannot be told (records cached before licences were kept).
   */
  license?: string | null;
}

export interface RegistrySignature {
  keyid: string;
  sig: string;
}

export interface DeclaredFields {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /** Normalised as npm does: a string `bin` is `{ <unscoped name>: <path> }`. */
  bin?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}

export interface CompactPackument {
  name: string;
  /** The registry it was fetched from (normalised, ends with a slash). */
  registry: string;
  /** Derived from the full document (scripts, gypfile, publish times known) rather than the abbreviated one. */
  full: boolean;
  distTags: Record<string, string>;
  /** `time.modified` (full) or `modified` (abbreviated): when the package last changed. */
  modified: string | null;
  /** The distinct maintainer lists of the versions (names, sorted), which CompactVersion.maintainers indexes. */
  maintainerSets: string[][];
  versions: Record<string, CompactVersion>;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];
const KEPT_SCRIPTS = new Set([...INSTALL_SCRIPTS, 'prepare']);

export class PackumentShapeError extends Error {
  readonly code = 'EBADPACKUMENT';
}

function stringMap(value: unknown): Record<string, string> {
  // Object.create(null): a version or tag named __proto__ stays data.
  const map: Record<string, string> = Object.create(null);
  for (const [key, entry] of stringEntries(value)) map[key] = entry;
  return map;
}

/** Old packages record only a hex sha1 `shasum`: as an SRI string it still verifies the tarball. */
function shasumIntegrity(shasum: unknown): string | null {
  return typeof shasum === 'string' && /^[0-9a-f]{40}$/i.test(shasum) ? `sha1-${Buffer.from(shasum, 'hex').toString('base64')}` : null;
}

function dependencySpecs(data: JsonObject): Record<string, string> {
  const specs: Record<string, string> = Object.create(null);
  // Lowest precedence first, so `dependencies` wins.
  for (const field of ['peerDependencies', 'optionalDependencies', 'dependencies']) {
    for (const [name, spec] of stringEntries(own(data, field))) specs[name] = spec;
  }
  return specs;
}

function bundledNames(data: JsonObject): string[] {
  const bundled = own<unknown>(data, 'bundleDependencies') ?? own<unknown>(data, 'bundledDependencies');
  return Array.isArray(bundled) ? bundled.filter((name): name is string => typeof name === 'string') : [];
}

function installTimeScripts(all: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = Object.create(null);
  for (const [name, text] of Object.entries(all)) if (KEPT_SCRIPTS.has(name)) kept[name] = text;
  return kept;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((item): item is string => typeof item === 'string');
  return list.length > 0 ? list : undefined;
}

/** npm's normalisation of `bin`: a string is one command named after the package (without its scope). */
export function normaliseBin(bin: unknown, name: string): Record<string, string> | undefined {
  if (typeof bin === 'string') return bin === '' ? undefined : { [name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name]: bin };
  const map = stringMap(bin);
  return Object.keys(map).length > 0 ? { ...map } : undefined;
}

function declaredFields(data: JsonObject, name: string, merged: Record<string, string>): DeclaredFields {
  const declared: DeclaredFields = {};
  const direct = stringMap(data.dependencies);
  const optional = stringMap(data.optionalDependencies);
  if (Object.keys(optional).length > 0) declared.optionalDependencies = { ...optional };
  const sameAsMerged = Object.keys(direct).length === Object.keys(merged).length && Object.entries(direct).every(([dep, spec]) => merged[dep] === spec);
  if (!sameAsMerged) declared.dependencies = { ...direct };
  const bin = normaliseBin(data.bin, name);
  if (bin) declared.bin = bin;
  const os = stringList(data.os);
  if (os) declared.os = os;
  const cpu = stringList(data.cpu);
  if (cpu) declared.cpu = cpu;
  return declared;
}

function signaturesOf(dist: JsonObject): RegistrySignature[] {
  const list = own<unknown>(dist, 'signatures');
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => (isJsonObject(entry) && typeof entry.keyid === 'string' && typeof entry.sig === 'string' ? [{ keyid: entry.keyid, sig: entry.sig }] : []));
}

/**
 * The npm accounts the registry lists as the version's maintainers
 * (`[{ name, email }]`, written by the registry on publish; npm account names
 * have no spaces). A list that has strings, display names (`Adrian Heine`)
 * or `web`/`url` keys is the package.json's own `maintainers` field as its
 * author wrote it (some mirrors serve only that): people, not accounts, so
 * not kept (null, as when the registry gives none).
 */
function maintainerNames(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const names: string[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry) || typeof entry.name !== 'string' || /\s/.test(entry.name) || entry.name === '' || Object.hasOwn(entry, 'web') || Object.hasOwn(entry, 'url')) return null;
    names.push(entry.name);
  }
  return [...new Set(names)].sort();
}

function compactVersion(data: JsonObject, name: string, published: string | null, full: boolean, maintainerSet: (names: string[] | null) => number | null): CompactVersion {
  const scripts = isJsonObject(data.scripts) ? installTimeScripts(stringMap(data.scripts)) : null;
  const engines = stringMap(data.engines);
  const dist = isJsonObject(data.dist) ? data.dist : {};
  const attestations = own<unknown>(dist, 'attestations');
  const gypfile = typeof data.gypfile === 'boolean' ? data.gypfile : full ? false : null;
  const dependencies = dependencySpecs(data);
  const npmUser = own<unknown>(data, '_npmUser');
  return {
    scripts: scripts ?? (full ? Object.create(null) : null),
    hasInstallScript: data.hasInstallScript === true || (scripts !== null && INSTALL_SCRIPTS.some((name) => Object.hasOwn(scripts, name))),
    engines: Object.keys(engines).length > 0 ? { ...engines } : null,
    gypfile,
    deprecated: typeof data.deprecated === 'string' && data.deprecated !== '' ? data.deprecated : null,
    published,
    provenance: isJsonObject(attestations) && own(attestations, 'provenance') !== undefined && own(attestations, 'provenance') !== null,
    integrity: typeof dist.integrity === 'string' && dist.integrity !== '' ? dist.integrity : shasumIntegrity(dist.shasum),
    dependencies,
    bundled: bundledNames(data),
    tarball: typeof dist.tarball === 'string' ? dist.tarball : null,
    publisher: isJsonObject(npmUser) && typeof npmUser.name === 'string' ? npmUser.name : null,
    maintainers: maintainerSet(maintainerNames(own(data, 'maintainers'))),
    signatures: signaturesOf(dist),
    declared: declaredFields(data, name, dependencies),
    // Abbreviated metadata may leave the licence out: only a full document's silence means none.
    ...(full || hasLicenseField(data) ? { license: declaredLicense(data) } : {}),
  };
}

/**
 * The compact form of a parsed packument. Lenient about fields (a missing
 * `engines` is no engines), strict only about the shape that makes it a
 * packument at all: an object whose `versions` is an object, named as asked.
 */
export function compactPackument(data: unknown, name: string, registry: string, full: boolean): CompactPackument {
  if (!isJsonObject(data)) throw new PackumentShapeError(`the packument of ${name} is not a JSON object`);
  const versions = own<unknown>(data, 'versions');
  if (!isJsonObject(versions)) throw new PackumentShapeError(`the packument of ${name} has no "versions" object`);
  const declared = own<unknown>(data, 'name');
  if (typeof declared === 'string' && declared !== name) throw new PackumentShapeError(`asked for the packument of ${name}, got one named ${JSON.stringify(declared)}`);
  const time = isJsonObject(data.time) ? data.time : {};
  const compact: Record<string, CompactVersion> = Object.create(null);
  const maintainerSets: string[][] = [];
  const setIndex = new Map<string, number>();
  const maintainerSet = (names: string[] | null): number | null => {
    if (names === null) return null;
    const key = names.join('\n');
    let index = setIndex.get(key);
    if (index === undefined) {
      index = maintainerSets.push(names) - 1;
      setIndex.set(key, index);
    }
    return index;
  };
  for (const [version, manifest] of Object.entries(versions)) {
    if (!isJsonObject(manifest)) continue;
    const published = own<unknown>(time, version);
    compact[version] = compactVersion(manifest, name, typeof published === 'string' ? published : null, full, maintainerSet);
  }
  const modified = own<unknown>(time, 'modified') ?? own<unknown>(data, 'modified');
  return {
    name,
    registry,
    full,
    distTags: stringMap(own(data, 'dist-tags')),
    modified: typeof modified === 'string' ? modified : null,
    maintainerSets,
    versions: compact,
  };
}
