// release-age: a resolved version published less than N days before the
// audit (npm's `min-release-age` cooldown, default 3 days). Compromised
// versions are usually found and unpublished within days; a lockfile that
// picked one up in that window is how they spread.
//
// Cheap first: the abbreviated packument's `modified` is when the package
// last changed, so when that is older than the cooldown every version in it
// is too, and only packages modified within the window need the full
// packument (the only form with per-version publish times).

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { packageRef, type DepNode } from '../../model.js';
import type { SettingOrigin } from '../../enrich/npm-config.js';
import type { NodePackument } from '../../enrich/registry-packuments.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

const DEFAULT_DAYS = 3;
const DAY = 86_400_000;

/** "5 hours", "2.4 days": ages as a reviewer reads them. */
export function formatAge(ms: number): string {
  const hours = Math.max(0, ms) / 3_600_000;
  if (hours < 24) {
    const whole = Math.floor(hours);
    return whole === 1 ? '1 hour' : `${whole} hours`;
  }
  return `${(Math.floor((hours / 24) * 10) / 10).toFixed(1)} days`;
}

function cooldown(options: Options, npm: { days: number; origin: SettingOrigin } | null): { days: number; source: Record<string, unknown> } {
  if (options.days !== null) return { days: options.days, source: { from: 'depguard config', option: 'release-age.days' } };
  if (npm) return { days: npm.days, source: { from: 'npm config', key: 'min-release-age', where: npm.origin.where, ...(npm.origin.file ? { file: npm.origin.file } : {}) } };
  return { days: DEFAULT_DAYS, source: { from: 'default' } };
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Cooldown in days; null: npm's `min-release-age` when set, else 3. */
    days: { type: ['number', 'null'], minimum: 0 },
    /** Names or globs exempt, besides npm's `min-release-age-exclude`. */
    exclude: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
} as const satisfies JSONSchema;

const defaultOptions = { days: null, exclude: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'release-age',
    description: "Resolved versions published less than the release cooldown before the audit (npm's min-release-age, default 3 days).",
    rules: {
      'too-new': {
        description: 'A resolved version was published less than the cooldown (days) before the audit: too new for a compromised release to have been caught.',
        severity: 'high',
        message: '{name}@{version} was published {age} before the audit, within the {days}-day release cooldown: a compromised release is usually caught and removed within days',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    enrich: {
      packuments: {
        // Only a cooldown that is on asks anything, and never about an exempt name.
        select: (node, options, run) => {
          const opts = options as Partial<Options>;
          const { days } = cooldown({ days: opts.days ?? null, exclude: [] }, run.npmSettings?.minReleaseAge ?? null);
          return days > 0 && !matchesNamePattern(node.packageName, [...(opts.exclude ?? []), ...(run.npmSettings?.minReleaseAgeExclude ?? [])]);
        },
        // The full packument (per-version publish times) only of a package modified within the cooldown.
        full: (found, _node, options, run) => {
          const { days } = cooldown({ days: (options as Partial<Options>).days ?? null, exclude: [] }, run.npmSettings?.minReleaseAge ?? null);
          const modified = Date.parse(found.packument.modified ?? '');
          return (Number.isNaN(modified) || modified > run.now - days * DAY) && found.version.published === null;
        },
      },
    },
    enabledByDefault: false,
  },
  run(ctx) {
    const { days, source } = cooldown(ctx.options, ctx.npmSettings?.minReleaseAge ?? null);
    if (days <= 0) return;
    const cutoff = ctx.now - days * DAY;
    type Verdict = { node: DepNode; published: number | null } | null;
    // Reports in graph order (the enriched packuments' order), so output is stable.
    const judge = (node: DepNode, found: NodePackument): Verdict => {
      const modified = Date.parse(found.packument.modified ?? '');
      if (!Number.isNaN(modified) && modified <= cutoff) return null;
      const at = Date.parse(found.version.published ?? '');
      return Number.isNaN(at) ? { node, published: null } : at > cutoff ? { node, published: at } : null;
    };
    for (const verdict of [...ctx.enriched.packuments].map(([node, found]) => judge(node, found))) {
      if (!verdict) continue;
      const { node, published } = verdict;
      if (published === null) {
        ctx.diagnostic({
          level: 'warning',
          code: 'RELEASE_AGE_UNKNOWN',
          message: `the registry's packument of ${node.packageName} gives no publish time for ${node.version}: its release age was not judged`,
          package: packageRef(node),
        });
        continue;
      }
      const age = ctx.now - published;
      ctx.report({
        rule: 'too-new',
        node,
        data: { name: node.packageName, version: node.version, age: formatAge(age), days },
        evidence: { published: new Date(published).toISOString(), ageDays: Math.max(0, Math.floor((age / DAY) * 100) / 100), cooldownDays: days, cooldown: source },
      });
    }
  },
});
