// `name` or `name@range` entries of a policy (`axios`, `undici@^6`,
// `@scope/pkg@1.2.3`), as the capabilities allowlists and the denied list
// take them. Matched against a package's registry identity from the
// lockfile, never the name its own package.json claims.

import semver from 'semver';
import { DepguardError } from '../errors.js';

export interface PackageRange {
  /** As written in the config. */
  spec: string;
  name: string;
  /** null: every version. */
  range: string | null;
}

/** Parses one entry; a malformed one is a config error naming the field. */
export function parsePackageRange(spec: string, field: string, hint: string): PackageRange {
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const range = at > 0 ? spec.slice(at + 1) : null;
  if (!/^(?:@[^/@\s]+\/)?[^/@\s]+$/.test(name) || (range !== null && semver.validRange(range) === null)) {
    throw new DepguardError('EBAD_CONFIG', `${field}: "${spec}" is not a package name or name@range (e.g. "axios", "undici@^6", "@scope/pkg@1.2.3")`, { field, hint });
  }
  return { spec, name, range };
}

/** The entry covers this version of its package (prereleases included: a denied or allowed range means every release in it). */
export function rangeAdmits(entry: PackageRange, version: string): boolean {
  return entry.range === null || semver.satisfies(version, entry.range, { includePrerelease: true });
}
