// typosquat: a dependency whose name is one keystroke from a high-impact
// package (one edit, two letters swapped, another separator, another scope)
// and is not itself high-impact: `crossenv` for `cross-env`, `lodahs` for
// `lodash`. Names are judged as the registry knows them (the lockfile's
// identity, so an alias `"lodash": "npm:1odash@1.0.0"` is judged as 1odash).
//
// `check` judges direct dependencies (what someone typed); `diff` judges
// every package a change adds (see src/diff/run.ts), since a squatted name
// can arrive as a transitive dependency of an innocent-looking new one.
// No network: the list of high-impact packages is the npm-high-impact dataset.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DepGraph, DepNode } from '../../model.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';
import { highImpact, MIN_EDIT_LENGTH, type LookalikeKind } from './lookalike.js';

export const TYPOSQUAT_SCOPES = ['direct', 'all'] as const;

export type TyposquatOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

/** `npm-high-impact@<version>`, for evidence (the package exports no package.json: read beside its entry point). */
const DATASET = (() => {
  const entry = createRequire(import.meta.url).resolve('npm-high-impact');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string };
  return `npm-high-impact@${version}`;
})();

const HOW: Record<LookalikeKind, string> = {
  edit: 'one letter away from',
  transposition: 'two swapped letters away from',
  separator: 'a separator away from',
  scope: 'the same name under another scope as',
};

function isDirect(graph: DepGraph, node: DepNode): boolean {
  return node.dependents.some((location) => location === '' || graph.nodes.get(location)?.isWorkspace === true);
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Names or globs never reported (a real package that happens to be one letter from a popular one). */
    allow: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'names or globs (@myorg/*) never reported' },
    /** Which packages are judged: direct dependencies (the default for `check`) or every package (`diff` judges what it adds). */
    dependencies: { enum: [...TYPOSQUAT_SCOPES], description: 'judge direct dependencies only, or every package' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { allow: [], dependencies: 'direct' } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<TyposquatOptions>({
  meta: {
    id: 'typosquat',
    description: 'Dependencies whose name is one keystroke (an edit, a swap, a separator, a scope) from a high-impact npm package, without being one: the name a typo or a lookalike attack installs.',
    rules: {
      lookalike: {
        description: `The package's name is one edit, one transposition, one separator change (-, _, ., none) or a scope swap from a high-impact package (the npm-high-impact dataset) and is not itself high-impact. Names under ${MIN_EDIT_LENGTH} characters are judged by separators and scopes only.`,
        severity: 'high',
        message: '{name}@{version} is {how} {intended}, a high-impact package: a typo or a lookalike of it?',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: [],
  },

  run(ctx) {
    const { graph } = ctx;
    const allow = ctx.options.allow ?? [];
    const all = ctx.options.dependencies === 'all';
    // A private scope the user's npm config maps to its own registry is theirs, not a lookalike of a public one.
    const ownScopes = new Set(Object.keys(ctx.registries.scopes));
    const dataset = highImpact();
    const judged = new Map<string, ReturnType<typeof dataset.lookalike>>();
    for (const node of graph.nodes.values()) {
      // Lookalike names are a registry phenomenon: git, file and workspace packages are named by the project itself.
      if (node.location === '' || node.isWorkspace || node.source !== 'registry') continue;
      if (!all && !isDirect(graph, node)) continue;
      const name = node.packageName;
      if (matchesNamePattern(name, allow)) continue;
      let found = judged.get(name);
      if (found === undefined) {
        found = dataset.lookalike(name);
        judged.set(name, found);
      }
      if (!found) continue;
      if (found.kind === 'scope' && name.startsWith('@') && ownScopes.has(name.slice(0, name.indexOf('/')))) continue;
      ctx.report({
        rule: 'lookalike',
        node,
        data: { name, version: node.version, how: HOW[found.kind], intended: found.intended },
        evidence: { intended: found.intended, kind: found.kind, direct: isDirect(graph, node), dataset: DATASET },
      });
    }
  },
});
