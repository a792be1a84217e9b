// denied: packages the project's policy forbids. A name denies every version
// (an abandoned or unwanted package: `request`), `name@range` the versions a
// range admits (a compromised release, `event-stream@3.3.6`; a licence change
// from some version on). Each entry may say why and what to use instead, and
// both travel in the finding. Matched against the registry identity from the
// lockfile, never the name a package's own package.json claims, so a
// renamed folder or an alias does not hide a denied package. depguard fix
// plans for a denied range the way it plans for an advisory.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { parsePackageRange, rangeAdmits, type PackageRange } from '../../util/package-range.js';
import { defineCheck, type WithDefaults } from '../types.js';

export interface DeniedEntry extends PackageRange {
  reason: string | null;
  /** The replacement the policy names, if any. */
  use: string | null;
}

/** An entry of the `packages` option, as the config writes it: a name or name@range, or an object that says why and what to use instead. */
export type DeniedOption = Options['packages'][number];

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

/** The options' entries, parsed; a malformed one is a config error naming its index. */
export function deniedEntries(packages: DeniedOption[]): DeniedEntry[] {
  return packages.map((option, index) => {
    const spec = typeof option === 'string' ? option : option.package;
    const field = `checks.denied.packages[${index}]${typeof option === 'string' ? '' : '.package'}`;
    const parsed = parsePackageRange(spec, field, 'see docs/checks/denied.md for the entry format');
    return { ...parsed, reason: typeof option === 'string' ? null : (option.reason ?? null), use: typeof option === 'string' ? null : (option.use ?? null) };
  });
}

/** The first entry that denies this version of the package, or null. */
export function deniedBy(entries: readonly DeniedEntry[], name: string, version: string): DeniedEntry | null {
  return entries.find((entry) => entry.name === name && rangeAdmits(entry, version)) ?? null;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    packages: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['package'],
            properties: { package: { type: 'string', minLength: 1 }, reason: { type: 'string', minLength: 1 }, use: { type: 'string', minLength: 1 } },
          },
        ],
      },
    },
  },
} as const satisfies JSONSchema;

const defaultOptions = { packages: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'denied',
    description: "Packages the project's policy denies, by name or name@range, with the policy's reason and replacement.",
    rules: {
      package: {
        description: 'An installed package (any copy: direct, transitive, bundled) matches an entry of the `packages` option. Evidence: `denied` (the entry), `reason`, `use`.',
        severity: 'high',
        message: '{name}@{version} is denied by the policy ("{entry}"): {reason}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: [],
  },
  run(ctx) {
    const entries = deniedEntries(ctx.options.packages);
    if (entries.length === 0) return;
    for (const node of ctx.graph.nodes.values()) {
      if (node.location === '' || node.isWorkspace) continue;
      const entry = deniedBy(entries, node.packageName, node.version);
      if (!entry) continue;
      const evidence: Record<string, unknown> = { denied: entry.spec };
      if (entry.reason) evidence.reason = entry.reason;
      if (entry.use) evidence.use = entry.use;
      ctx.report({
        rule: 'package',
        node,
        data: { name: node.packageName, version: node.version, entry: entry.spec, reason: entry.reason ?? (entry.use ? `use ${entry.use}` : 'listed in the denied check\'s packages') },
        evidence,
      });
    }
  },
});
