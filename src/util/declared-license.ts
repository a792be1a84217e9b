// The licence a package.json declares, as one expression text. npm's current
// form is `license: "<SPDX expression>"`; older packages (busboy@1.6.0,
// xmlhttprequest-ssl@2.1.2) use `licenses: [{ type: "MIT", url }]` or
// `license: { type, url }`, which npm still accepts and the registry still
// serves. Several entries of a `licenses` array are alternatives offered
// by the author (dual licensing), so they are joined with OR.

import { isJsonObject, own } from './json.js';

function licenseName(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (isJsonObject(value)) {
    const type = own<unknown>(value, 'type') ?? own<unknown>(value, 'name');
    return typeof type === 'string' && type.trim() !== '' ? type.trim() : null;
  }
  return null;
}

function joined(entries: unknown[]): string | null {
  const names = [...new Set(entries.map(licenseName).filter((name): name is string => name !== null))];
  if (names.length === 0) return null;
  if (names.length === 1) return names[0]!;
  // Each alternative in parentheses, so that `MIT OR Apache-2.0 AND X` keeps its own precedence.
  return names.map((name) => (/\s(?:AND|OR|WITH)\s/i.test(name) ? `(${name})` : name)).join(' OR ');
}

/**
 * The declared licence of a manifest (package.json, a lockfile entry, a
 * packument version): `license` (string or `{ type }`), else `licenses`
 * (array of strings or `{ type }`); null when it declares none.
 */
export function declaredLicense(manifest: Record<string, unknown> | null | undefined): string | null {
  if (!manifest) return null;
  const license = own<unknown>(manifest, 'license');
  const fromLicense = Array.isArray(license) ? joined(license) : licenseName(license);
  if (fromLicense !== null) return fromLicense;
  const licenses = own<unknown>(manifest, 'licenses');
  if (Array.isArray(licenses)) return joined(licenses);
  return licenseName(licenses);
}

/** Whether the manifest has a licence field at all (`license` or `licenses`), even an unreadable one. */
export function hasLicenseField(manifest: Record<string, unknown>): boolean {
  return Object.hasOwn(manifest, 'license') || Object.hasOwn(manifest, 'licenses');
}
