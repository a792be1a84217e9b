// Per-capability allowlists from the check's options: `name` allows every
// version of a package, `name@range` the versions a semver range admits
// (`@scope/name@^2`). Matched against the package's registry identity from
// the lockfile, never the name its own package.json claims.

import semver from 'semver';
import { DepguardError } from '../errors.js';
import type { DepNode } from '../model.js';
import type { Capability } from './types.js';

export interface AllowEntry {
  /** As written in the config. */
  spec: string;
  name: string;
  /** null: every version. */
  range: string | null;
}

export function parseAllowEntry(spec: string, field: string): AllowEntry {
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const range = at > 0 ? spec.slice(at + 1) : null;
  if (!/^(?:@[^/@\s]+\/)?[^/@\s]+$/.test(name) || (range !== null && semver.validRange(range) === null)) {
    throw new DepguardError('EBAD_CONFIG', `${field}: "${spec}" is not a package name or name@range (e.g. "axios", "undici@^6", "@scope/pkg@1.2.3")`, {
      field,
      hint: 'see docs/checks/capabilities.md for the allowlist format',
    });
  }
  return { spec, name, range };
}

export type Allowlists = Partial<Record<Capability, AllowEntry[]>>;

/** The entry that allows a capability for a package, or null. */
export function allowedBy(allowlists: Allowlists, capability: Capability, node: DepNode): AllowEntry | null {
  for (const entry of allowlists[capability] ?? []) {
    if (entry.name !== node.packageName) continue;
    if (entry.range === null || semver.satisfies(node.version, entry.range, { includePrerelease: true })) return entry;
  }
  return null;
}
