// publisher: the resolved version was published by an npm account that had
// published no earlier version of the package, or is the first version after
// the package's maintainer list changed. That is what a taken-over package
// looks like from the registry (event-stream 3.3.6: a new maintainer, added
// weeks before, published the version that carried flatmap-stream), and it
// is visible in the packument alone: `_npmUser` and `maintainers` of each
// version and `time`, the publish dates.
//
// "Earlier" is by publish time, not version order: what matters is who had
// published the package before this release came out. Needs the full
// packument (the abbreviated one carries neither field), so the check
// declares 'full-packuments' and every package costs one full request
// instead of an abbreviated one, never two.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { NodePackument } from '../../enrich/registry-packuments.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

interface Release {
  version: string;
  published: string;
  publisher: string | null;
  maintainers: string[] | null;
}

/** The package's releases with a publish time, oldest first. */
function releases(found: NodePackument): Release[] {
  const { packument } = found;
  return Object.entries(packument.versions)
    .flatMap(([version, record]) =>
      record.published === null
        ? []
        : [{ version, published: record.published, publisher: record.publisher, maintainers: record.maintainers === null ? null : (packument.maintainerSets[record.maintainers] ?? null) }],
    )
    .sort((a, b) => (a.published < b.published ? -1 : a.published > b.published ? 1 : 0));
}

export interface PublisherVerdict {
  release: Release;
  /** Publishers of earlier releases, newest first, with their last release before this one. */
  earlierPublishers: Array<{ name: string; lastVersion: string; lastPublished: string }>;
  /** The release just before, when the maintainer list changed between it and this one. */
  maintainersChanged: { previous: Release; added: string[]; removed: string[] } | null;
  newPublisher: boolean;
}

/** How the resolved version's publication compares with the releases before it; null when it cannot be judged. */
export function judgePublication(found: NodePackument, version: string): PublisherVerdict | null {
  const all = releases(found);
  const index = all.findIndex((release) => release.version === version);
  if (index <= 0) return null; // unknown publish time, or the first release: nothing to compare with
  const release = all[index]!;
  const earlier = all.slice(0, index);
  const last = new Map<string, Release>();
  for (const previous of earlier) if (previous.publisher !== null) last.set(previous.publisher, previous);
  const earlierPublishers = [...last.entries()]
    .map(([name, previous]) => ({ name, lastVersion: previous.version, lastPublished: previous.published }))
    .sort((a, b) => (a.lastPublished > b.lastPublished ? -1 : a.lastPublished < b.lastPublished ? 1 : 0));
  const newPublisher = release.publisher !== null && earlierPublishers.length > 0 && !last.has(release.publisher);
  const previous = earlier[earlier.length - 1]!;
  let maintainersChanged: PublisherVerdict['maintainersChanged'] = null;
  if (release.maintainers !== null && previous.maintainers !== null) {
    const before = new Set(previous.maintainers);
    const now = new Set(release.maintainers);
    const added = release.maintainers.filter((name) => !before.has(name));
    const removed = previous.maintainers.filter((name) => !now.has(name));
    if (added.length > 0 || removed.length > 0) maintainersChanged = { previous, added, removed };
  }
  return { release, earlierPublishers, maintainersChanged, newPublisher };
}

const day = (iso: string): string => iso.slice(0, 10);

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Names or globs not judged (nor looked up). */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'package names or globs not to judge (nor look up)' },
    /** Accounts whose publishes are never reported (a release bot, `GitHub Actions` for trusted publishing). */
    allowPublishers: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'npm accounts whose publishes are never reported' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { ignore: [], allowPublishers: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'publisher',
    description: 'Resolved versions published by an npm account that published no earlier version of the package, or right after its maintainer list changed: what a hijacked or handed-over package looks like in its packument.',
    rules: {
      'new-publisher': {
        description: 'The resolved version was published (`_npmUser`) by an account that published no earlier release of the package. Evidence: the publisher and date, and the earlier publishers with their last release and date.',
        severity: 'moderate',
        message: '{name}@{version} was published on {published} by {publisher}, who had published no earlier release of it (before: {previous})',
      },
      'maintainers-changed': {
        description: 'The resolved version is the first release after the package\'s maintainer list changed. Evidence: the maintainers added and removed, this release and the one before it with their dates and publishers.',
        severity: 'moderate',
        message: '{name}@{version} (published on {published} by {publisher}) is the first release after its maintainers changed ({change}) since {previousVersion} of {previousPublished}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry', 'full-packuments'],
    // Publishers and maintainers are in the full packument only; ignored names are not even asked about.
    enrich: { packuments: { full: true, select: (node, options) => !matchesNamePattern(node.packageName, (options as { ignore?: string[] }).ignore ?? []) } },
    enabledByDefault: false,
  },

  run(ctx) {
    const allowed = new Set(ctx.options.allowPublishers ?? []);
    const entries = [...ctx.enriched.packuments].map(([node, found]) => ({ node, found }));
    // A registry (or mirror) whose packuments carry neither `_npmUser` nor account maintainers gives nothing to judge: say so once.
    const withData = entries.filter(({ found }) => Object.values(found.packument.versions).some((record) => record.publisher !== null || record.maintainers !== null));
    if (entries.length > 0 && withData.length === 0) {
      const registries = [...new Set(entries.map(({ found }) => found.packument.registry))].sort();
      ctx.diagnostic({
        level: 'warning',
        code: 'PUBLISHER_NO_DATA',
        message: `the packuments from ${registries.join(', ')} name no publisher (_npmUser) and no maintainer accounts for any version: publisher judged none of ${entries.length} package${entries.length === 1 ? '' : 's'}`,
      });
    }
    for (const { node, found } of withData) {
      const verdict = judgePublication(found, node.version);
      if (!verdict || (verdict.release.publisher !== null && allowed.has(verdict.release.publisher))) continue;
      const { release } = verdict;
      const base = { name: node.packageName, version: node.version, published: day(release.published), publisher: release.publisher ?? 'an unknown account' };
      const publication = { publisher: release.publisher, published: release.published };
      if (verdict.newPublisher) {
        ctx.report({
          rule: 'new-publisher',
          node,
          data: { ...base, previous: verdict.earlierPublishers.map((p) => `${p.name}, last ${p.lastVersion} on ${day(p.lastPublished)}`).join('; ') },
          evidence: { ...publication, earlierPublishers: verdict.earlierPublishers },
        });
      }
      if (verdict.maintainersChanged) {
        const { previous, added, removed } = verdict.maintainersChanged;
        const change = [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ');
        ctx.report({
          rule: 'maintainers-changed',
          node,
          data: { ...base, change, previousVersion: previous.version, previousPublished: day(previous.published) },
          evidence: {
            ...publication,
            maintainers: release.maintainers,
            added,
            removed,
            previous: { version: previous.version, published: previous.published, publisher: previous.publisher, maintainers: previous.maintainers },
          },
        });
      }
    }
  },
});
