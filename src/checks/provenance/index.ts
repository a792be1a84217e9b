// provenance: a resolved version without a registry provenance attestation
// (`dist.attestations.provenance`: the build was signed by a CI pipeline)
// while an earlier version of the same package had one. A package that
// publishes from CI and then ships a version without provenance may have
// been published from a stolen token, bypassing the pipeline.
//
// "Earlier" is by version order, not publish time: a maintainer who
// backports a fix to an old line by hand (1.9.1 published after 2.0.0 with
// provenance) is not flagged, while a new 2.0.1 without it is. The
// abbreviated packument carries `dist` in full, so no full packument is needed.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import semver from 'semver';
import type { NodePackument } from '../../enrich/registry-packuments.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

/** The versions before `version` that have provenance, in version order. */
export function earlierWithProvenance(found: NodePackument, version: string): string[] {
  if (!semver.valid(version)) return [];
  // Most packages never had provenance: look at versions only once one has it.
  const attested = Object.entries(found.packument.versions).filter(([, record]) => record.provenance);
  return attested
    .filter(([other]) => semver.valid(other) !== null && semver.lt(other, version))
    .map(([other]) => other)
    .sort(semver.compare);
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Report every resolved version without provenance, not only those whose package had it before. */
    requireAll: { type: 'boolean' },
    /** Names or globs not to report. */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const satisfies JSONSchema;

const defaultOptions = { requireAll: false, ignore: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'provenance',
    description: 'Resolved versions without a registry provenance attestation although an earlier version of the package had one (or, with requireAll, any version without one).',
    rules: {
      dropped: {
        description: 'The resolved version has no provenance attestation although an earlier version of the package had one: a publish that bypassed the usual CI pipeline.',
        severity: 'high',
        message: '{name}@{version} has no provenance attestation although {previous} had one: it may have been published outside the package\'s CI pipeline (a stolen token)',
      },
      missing: {
        description: 'With requireAll: the resolved version has no provenance attestation (its package never had one).',
        severity: 'moderate',
        message: '{name}@{version} has no provenance attestation: nothing ties it to a source commit and build',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    // The abbreviated packument's dist carries the attestations; ignored names are not even asked about.
    enrich: { packuments: { select: (node, options) => !matchesNamePattern(node.packageName, (options as Partial<Options>).ignore ?? []) } },
    enabledByDefault: false,
  },
  run(ctx) {
    for (const [node, entry] of ctx.enriched.packuments) {
      if (entry.version.provenance) continue;
      const earlier = earlierWithProvenance(entry, node.version);
      const data = { name: node.packageName, version: node.version, previous: `${node.packageName}@${earlier[earlier.length - 1] ?? ''}` };
      if (earlier.length > 0) {
        ctx.report({
          rule: 'dropped',
          node,
          data,
          evidence: { provenance: false, lastWithProvenance: earlier[earlier.length - 1], firstWithProvenance: earlier[0], versionsWithProvenance: earlier.length },
        });
      } else if (ctx.options.requireAll) {
        ctx.report({ rule: 'missing', node, data, evidence: { provenance: false } });
      }
    }
  },
});
