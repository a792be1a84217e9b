// deprecated: resolved versions the registry marks deprecated (`npm
// deprecate`), with the maintainer's message. A deprecated version often
// names its replacement or a known bug; a deprecated package (its latest
// version deprecated too) is abandoned and gets no security fixes.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { NodePackument } from '../../enrich/registry-packuments.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

/** The latest dist-tag's version when the packument holds it. */
function latestOf(found: NodePackument): { version: string; deprecated: string | null } | null {
  const latest = found.packument.distTags.latest;
  if (latest === undefined || !Object.hasOwn(found.packument.versions, latest)) return null;
  return { version: latest, deprecated: found.packument.versions[latest]!.deprecated };
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ignore: { type: 'array', items: { type: 'string', minLength: 1 } } },
} as const satisfies JSONSchema;

const defaultOptions = { ignore: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'deprecated',
    description: 'Resolved versions the registry marks deprecated, with the deprecation message.',
    rules: {
      version: {
        description: 'The resolved version is deprecated while the latest version is not (evidence.latest): upgrade.',
        severity: 'moderate',
        message: '{name}@{version} is deprecated: "{reason}"',
      },
      package: {
        description: 'The resolved version and the latest version are both deprecated: the package is abandoned and gets no fixes.',
        severity: 'moderate',
        message: '{name}@{version} is deprecated ("{reason}") and so is its latest version {latest}: the package is abandoned',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    // The abbreviated packument carries `deprecated`; ignored names are not even asked about.
    enrich: { packuments: { select: (node, options) => !matchesNamePattern(node.packageName, (options as Partial<Options>).ignore ?? []) } },
    enabledByDefault: false,
  },
  run(ctx) {
    for (const [node, entry] of ctx.enriched.packuments) {
      const reason = entry.version.deprecated;
      if (!reason) continue;
      const latest = latestOf(entry);
      const abandoned = latest !== null && latest.deprecated !== null;
      const evidence: Record<string, unknown> = { deprecated: reason };
      if (latest) evidence.latest = latest.version;
      if (latest?.deprecated) evidence.latestDeprecated = latest.deprecated;
      ctx.report({
        rule: abandoned ? 'package' : 'version',
        node,
        data: { name: node.packageName, version: node.version, reason, latest: latest?.version ?? '' },
        evidence,
      });
    }
  },
});
