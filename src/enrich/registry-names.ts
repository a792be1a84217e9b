// Package names and versions as the registry knows them: which names may be
// looked up, the packument URL of a name, and a version's key in a packument.

import semver from 'semver';

const NAME = /^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;

export function isValidPackageName(name: string): boolean {
  return name.length > 0 && name.length <= 214 && NAME.test(name);
}

/** The packument URL of a name on a registry: `<registry>@scope%2fname`. */
export function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.replace('/', '%2f')}`;
}

/**
 * The key of `version` in a packument's versions as npm finds it: the exact
 * key, else the version semver reads loosely (a lockfile may record
 * `v20190909.0.0`; the registry publishes it as `20190909.0.0`, which is the
 * version npm installs); null when neither is there.
 */
export function versionKey(versions: Readonly<Record<string, unknown>>, version: string): string | null {
  if (Object.hasOwn(versions, version)) return version;
  const clean = semver.clean(version, { loose: true });
  return clean !== null && Object.hasOwn(versions, clean) ? clean : null;
}
