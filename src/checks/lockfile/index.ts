// The lockfile check: is there a lockfile, does it still match package.json,
// and does every entry say where its tarball comes from in a way an attacker
// cannot quietly change (trusted host, https, an integrity hash, a pinned git
// commit, a registry URL naming the package that is installed)?
//
// Everything is computed from the graph: no network, no file reads. The
// per-package work is a few string tests against constants and a host set
// built once per run; only suspicious entries cost more (alias lookups).
//
// This file holds the rules and runs the parts, one file per concern beside it:
// sync.ts (package.json and workspaces; sync-<manager>.ts for what only one
// manager records), resolved.ts (hosts, protocols, tarball identity),
// integrity.ts, aliases.ts, keys.ts (unsafe lockfile keys), unreachable.ts.

import { LOCKFILES } from '../../load/select.js';
import { trustedHostSet } from '../../enrich/npm-config.js';
import { defineCheck } from '../types.js';
import { checkEdgeAliases } from './aliases.js';
import { checkIntegrity } from './integrity.js';
import { checkKeys } from './keys.js';
import { checkResolved } from './resolved.js';
import { defaultOptions, isUnderNodeModules, optionsSchema, type LockfileOptions } from './shared.js';
import { checkInSync } from './sync.js';
import { checkReachable } from './unreachable.js';

export type { LockfileOptions } from './shared.js';
export { classifyIntegrity } from './integrity.js';
export { normaliseAllowedHost, resolvedHost } from './resolved.js';

export default defineCheck<LockfileOptions>({
  meta: {
    id: 'lockfile',
    description:
      'The lockfile exists, matches package.json, and pins every package to a trusted host over https with a strong integrity hash, a full git commit or a registry URL that names the package installed.',
    rules: {
      missing: {
        description: 'No lockfile (of the package manager package.json declares, if it declares one): installs are not reproducible.',
        severity: 'high',
        message: 'The project has no {expected}, so every install may resolve different packages and none of them is pinned by an integrity hash.',
      },
      'version-1': {
        description: 'The lockfile uses lockfileVersion 1 (npm 5 and 6).',
        severity: 'moderate',
        message: '{file} uses lockfileVersion 1, which records neither install scripts nor licenses; regenerate it with npm 7 or later (`npm install --package-lock-only`).',
      },
      'out-of-sync': {
        description: 'package.json declares a dependency the lockfile lacks or locks at a version that does not satisfy it, or the lockfile still records one package.json dropped.',
        severity: 'high',
        message: '{file} is out of sync with {manifest}: {name} ({field} {spec}) {problem}; run `{install}` and commit the lockfile.',
      },
      'insecure-protocol': {
        description: 'A resolved URL uses plain http:// or git://, so the download can be tampered with in transit.',
        severity: 'high',
        message: '{name}@{version} is fetched over {protocol}, which anyone on the network path can tamper with: {resolved}',
        group: { by: ['protocol'], message: '{count} package{s} fetched over {protocol}, which anyone on the network path can tamper with: {packages}' },
      },
      'foreign-host': {
        description: 'A resolved URL points at a host that is neither a configured registry nor an allowed host.',
        severity: 'high',
        message: '{name}@{version} is fetched from {host}, which is neither a configured registry nor in allowedHosts: {resolved}',
        group: { by: ['host'], message: '{count} package{s} fetched from {host}, which is neither a configured registry nor in allowedHosts: {packages}' },
      },
      'name-mismatch': {
        description: 'A registry tarball URL names a different package or version than the lockfile entry (lockfile injection).',
        severity: 'high',
        message: 'The lockfile entry for {name}@{version} resolves to {resolved}, which {problem}: a sign of lockfile injection.',
      },
      alias: {
        description: 'A declared npm alias: the installed name differs from the registry package (shown so aliases stay visible).',
        severity: 'info',
        message: '{name} is an npm alias for {realName}@{version}, declared as {spec}.',
      },
      'missing-integrity': {
        description: 'A registry or tarball package has no integrity hash, so a changed tarball would install unnoticed.',
        severity: 'high',
        message: '{name}@{version} has no integrity hash in {file}, so a changed tarball would be installed without notice.',
      },
      'weak-integrity': {
        description: 'The integrity hash uses only sha1 (or md5), which can be forged.',
        severity: 'moderate',
        message: '{name}@{version} is pinned only by a {algorithm} hash, which is too weak to rule out a forged tarball; refresh the lockfile to record sha512.',
        group: { by: ['algorithm'], message: '{count} package{s} pinned only by a {algorithm} hash, which is too weak to rule out a forged tarball (refresh the lockfile to record sha512): {packages}' },
      },
      'invalid-integrity': {
        description: 'The integrity value is not valid Subresource Integrity.',
        severity: 'high',
        message: '{name}@{version} has an integrity value that is not valid Subresource Integrity: {integrity}',
      },
      'git-unpinned': {
        description: 'A git dependency is not locked to a full commit hash.',
        severity: 'high',
        message: '{name} is a git dependency that is not locked to a full commit hash, so its content can change between installs: {resolved}',
      },
      'unsafe-key': {
        description: 'A lockfile key that is not a node_modules path inside the project (`..`, absolute, backslashes, empty segments) or a folder the lockfile links to: it can place a package outside node_modules or over another entry, out of reach of a review.',
        severity: 'high',
        message: '{file} has an entry at {key}: {problem}; npm places it at {location}. Regenerate the lockfile (`npm install --package-lock-only`) and review who wrote this key.',
      },
      unreachable: {
        description: 'A lockfile entry that no dependency path from the project reaches.',
        severity: 'low',
        message: '{name}@{version} at {location} is in {file} but nothing in the project depends on it; it can hide a package nobody reviews.',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: [],
  },

  run(ctx) {
    const { graph } = ctx;
    const lockfile = graph.lockfile;
    if (!lockfile) {
      const declared = graph.declaredManager ?? null;
      const expected = declared ? expectedLockfiles(declared.manager) : ['package-lock.json', 'npm-shrinkwrap.json'];
      const named = expected.join(' or ');
      ctx.report({
        rule: 'missing',
        node: null,
        data: { expected: declared ? `${named} (package.json declares ${declared.value} in ${declared.field})` : named },
        evidence: { loadedFrom: graph.loadedFrom, ...(declared ? { manager: declared.manager, expected: named, declaredBy: declared.field } : {}) },
      });
      return;
    }
    const file = lockfile.file;
    // lockfileVersion 1 is npm 5 and 6's format; other managers number their formats their own way.
    if ((lockfile.manager ?? 'npm') === 'npm' && lockfile.lockfileVersion === 1) {
      ctx.report({ rule: 'version-1', node: null, data: { file }, evidence: { file, lockfileVersion: 1 } });
    }

    // package.json against the lockfile, with each manager's own records (sync.ts SYNC_SEMANTICS).
    checkInSync(ctx, graph, file);
    // npm's and bun's aliases show through their registry URL (checkTarballIdentity); without one, and for pnpm, through the edges.
    checkEdgeAliases(ctx, graph, (lockfile.manager ?? 'npm') === 'npm' || lockfile.manager === 'bun');

    const flagged = checkKeys(ctx, graph, file);
    const trusted = trustedHostSet(ctx.registries, ctx.options.allowedHosts ?? []);
    for (const node of graph.nodes.values()) {
      // The root, workspaces and file: link targets are the user's own folders, never fetched;
      // an entry under an unsafe key is checked wherever it landed.
      if (node.isWorkspace || !(isUnderNodeModules(node.location) || flagged.has(node.location))) continue;
      checkResolved(ctx, graph, node, trusted);
      checkIntegrity(ctx, graph, node, file);
    }

    checkReachable(ctx, graph, file, flagged);
  },
});

/** The lockfiles a package manager writes, in its own order of preference. */
function expectedLockfiles(manager: string): string[] {
  return LOCKFILES.filter((candidate) => candidate.manager === manager && candidate.file !== 'bun.lockb').map((candidate) => candidate.file);
}
