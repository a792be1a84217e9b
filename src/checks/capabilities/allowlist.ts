// Per-capability allowlists from the check's options: `name` allows every
// version of a package, `name@range` the versions a semver range admits
// (`@scope/name@^2`), parsed and matched as util/package-range.ts does.

import type { DepNode } from '../../model.js';
import { parsePackageRange, rangeAdmits, type PackageRange } from '../../util/package-range.js';
import type { Capability } from './types.js';

export type AllowEntry = PackageRange;

export function parseAllowEntry(spec: string, field: string): AllowEntry {
  return parsePackageRange(spec, field, 'see docs/checks/capabilities.md for the allowlist format');
}

export type Allowlists = Partial<Record<Capability, AllowEntry[]>>;

/** The entry that allows a capability for a package, or null. */
export function allowedBy(allowlists: Allowlists, capability: Capability, node: DepNode): AllowEntry | null {
  for (const entry of allowlists[capability] ?? []) {
    if (entry.name === node.packageName && rangeAdmits(entry, node.version)) return entry;
  }
  return null;
}
