// depguard fix's engine: assess the project, build candidates for every
// package an advisory hits, verify each by re-resolving a copy, rank them
// (smallest edit first among those that fix as much: compareSuggestions),
// then join the best offered ones into one plan (combine.ts).

import semver from 'semver';
import { assess, type Assessment, type BundledHit } from './assess.js';
import type { Replacement } from './replacements.js';
import { combine, joinUnverified, type CombinedPlan } from './combine.js';
import { auditDeclaredOverrides, auditOverrides, conflictingOverrides, type OverrideFinding } from './overrides-audit.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DepNode } from '../model.js';
import { candidatesFor } from './plan.js';
import { FIX_KINDS, type Candidate, type PackageRemediation, type Suggestion } from './types.js';
import { outOfTime, report, verify, type VerifyContext } from './verify.js';
import pLimit from 'p-limit';

export interface RemediationPlan {
  packages: PackageRemediation[];
  /** Hit copies bundled inside another package's tarball: no plan reaches them (a new release of the bundler must). */
  bundled: BundledHit[];
  /** The packages' best offered suggestions joined without dead or harmful edits (combine.ts), verified together. */
  combined: CombinedPlan;
  /** Deprecated with their latest version, or denied as a whole: to be replaced, which no version move or override does. */
  replace: Replacement[];
  overrideFindings: OverrideFinding[];
  /** An override conflicts with a direct dependency: npm refuses the project as it is, so nothing was planned. */
  blocked: boolean;
  /** The time budget (--max-time) ran out: the plan holds only what was verified before it did. */
  partial?: { reason: 'max-time'; candidatesSkipped: number; combineSkipped: boolean };
}

/** Re-resolutions in flight at once: they overlap registry and disk waits; the machine has 2 cores. */
const VERIFY_CONCURRENCY = 2;

/** [major, minor, patch] distance of the move the candidate makes. */
function jump(candidate: Candidate): number[] {
  const from = candidate.parent?.from ?? candidate.from[0];
  const to = candidate.parent?.to ?? candidate.to;
  const a = semver.parse(from);
  const b = semver.parse(to);
  if (!a || !b) return [0, 0, 0];
  return [Math.abs(b.major - a.major), Math.abs(b.minor - a.minor), Math.abs(b.patch - a.patch)];
}

/**
 * How big an edit is, smallest first: a move within the declared ranges (a
 * lockfile refresh, `npm update <parent>`), a direct dependency bumped within
 * its major, a scoped override, an override everywhere, then anything that
 * crosses a major version.
 */
export function editRank(s: Candidate): number {
  if (s.major) return 4;
  if (!s.edits.dependency && !s.edits.dependencies && !s.edits.overrides) return 0;
  if (s.kind === 'parent-upgrade') return 1;
  return s.kind === 'scoped-override' ? 2 : 3;
}

function countOverrides(value: unknown): number {
  if (typeof value === 'string') return 1;
  return value && typeof value === 'object' ? Object.values(value).reduce((sum: number, inner) => sum + countOverrides(inner), 0) : 0;
}

/** Edits a suggestion makes: dependency specs, override entries, names updated. */
export function editCount(s: Pick<Candidate, 'edits'>): number {
  const { dependency, dependencies, overrides, update } = s.edits;
  return (dependency ? 1 : 0) + (dependencies?.length ?? 0) + countOverrides(overrides ?? {}) + (update?.length ?? 0);
}

/** Of the suggestion's own package's advisories, how many its verification removed. */
function ownFixed(s: Suggestion): number {
  return s.verification.fixed.filter((key) => key.startsWith(`${s.package} `)).length;
}

/**
 * Best first: offered (verified, introduces nothing) first; then the one that
 * removes more of the package's own advisories; among those, the smallest edit
 * (editRank: never an override when a direct bump within its major fixes the
 * same and introduces none), then fewer edits, then osv-scanner's score
 * (advisories fixed minus introduced per package changed), the smaller version
 * jump, and the kind's place in the preference order.
 */
export function compareSuggestions(a: Suggestion, b: Suggestion): number {
  if (a.offered !== b.offered) return a.offered ? -1 : 1;
  const own = ownFixed(b) - ownFixed(a);
  if (own !== 0) return own;
  const rank = editRank(a) - editRank(b);
  if (rank !== 0) return rank;
  const edits = editCount(a) - editCount(b);
  if (edits !== 0) return edits;
  if (a.score !== b.score) return b.score - a.score;
  const [ja, jb] = [jump(a), jump(b)];
  for (let i = 0; i < 3; i++) if (ja[i] !== jb[i]) return ja[i]! - jb[i]!;
  return FIX_KINDS.indexOf(a.kind) - FIX_KINDS.indexOf(b.kind);
}

/**
 * Why a project cannot be re-resolved in a temporary copy, or null. Git and
 * remote tarballs would be fetched from outside the registries (a git
 * dependency's manifest may even need its prepare script run); file and
 * directory folders, and links to anything but a workspace, are not in the
 * copy. Workspaces are: their package.json files go into every copy
 * (./workspaces.ts).
 */
export function unresolvable(graph: Assessment['graph']): string | null {
  const workspaces = new Set(graph.workspaces.map((workspace) => workspace.location));
  const isWorkspace = (node: DepNode) => node.isWorkspace || workspaces.has(node.location) || (node.linkTarget !== null && workspaces.has(node.linkTarget));
  const outside = [...graph.nodes.values()].filter((node) => ['git', 'remote', 'file', 'directory', 'link', 'workspace'].includes(node.source) && !isWorkspace(node));
  if (outside.length === 0) return null;
  const names = [...new Set(outside.map((node) => `${node.packageName} (${node.source})`))].sort();
  return `not re-resolved: the project has dependencies from outside the registries (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`;
}

export async function remediate(projectPath: string, ctx: VerifyContext, options: { auditOverrides?: boolean } = {}): Promise<RemediationPlan> {
  // EOVERRIDE (an override of a direct dependency that differs from its spec) is npm's rule: other managers accept such overrides.
  const conflicts = ctx.pm ? [] : conflictingOverrides(JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>);
  if (conflicts.length > 0) return { packages: [], bundled: [], replace: [], combined: { overrides: {}, dependencies: [], update: [] }, overrideFindings: conflicts, blocked: true };
  report(ctx, { phase: 'assess' });
  const before: Assessment = await assess(projectPath, ctx.source, ctx.client, ctx.replacements, ctx.nodeVersion, ctx.lockfile);
  // Every copy re-resolved from here on picks versions for the project's Node.js (its .nvmrc, Dockerfile… are not copied).
  ctx.nodeVersion ??= before.nodeVersion;
  // …and holds the project's workspaces, so that their dependencies are re-resolved too.
  ctx.workspaces ??= before.graph.workspaces.map((workspace) => workspace.location);
  const refusal = unresolvable(before.graph);
  const vulns = [...before.vulns.values()].filter((vuln) => [...before.hits].some((hit) => hit.startsWith(`${vuln.name}@`))).sort((a, b) => (a.name < b.name ? -1 : 1));
  const limit = pLimit(VERIFY_CONCURRENCY);
  let skipped = 0;
  const packages: PackageRemediation[] = await Promise.all(
    vulns.map(async (vuln, index) => {
      const candidates = await candidatesFor(before, vuln, ctx.client);
      const hits = [...before.hits].filter((hit) => hit.startsWith(`${vuln.name}@`));
      const verified = await Promise.all(
        candidates.map((candidate) =>
          limit(async (): Promise<Suggestion | null> => {
            if (!refusal && outOfTime(ctx)) {
              skipped++;
              return null;
            }
            report(ctx, { phase: 'verify', package: vuln.name, index: index + 1, total: vulns.length });
            const verification = refusal ? { fixed: [], stillVulnerable: [], introduced: [], changed: [], error: refusal } : await verify(projectPath, before, candidate, ctx);
            const fixed = verification.fixed.length;
            const introduced = verification.introduced.length;
            const score = (fixed - introduced) / Math.max(1, verification.changed.length);
            const verified = !verification.error && !verification.unverified;
            const offered = verified && introduced === 0 && verification.fixed.some((key) => key.startsWith(`${vuln.name} `));
            return { ...candidate, verification, verified, score, offered };
          }),
        ),
      );
      const suggestions = verified.filter((suggestion): suggestion is Suggestion => suggestion !== null).sort(compareSuggestions);
      return {
        package: vuln.name,
        versions: [...new Set(hits.map((hit) => hit.slice(vuln.name.length + 1, hit.indexOf(' '))))].sort(),
        advisories: [...new Set(hits.map((hit) => hit.slice(hit.indexOf(' ') + 1)))].sort(),
        suggestions,
      };
    }),
  );
  const unverified = ctx.pm?.run.verifier.unavailable;
  // Nothing can be re-resolved: the best candidate of each package, joined as the phases would, labelled unverified (combine.ts).
  const combined = refusal ? { overrides: {}, dependencies: [], update: [] } : unverified ? joinUnverified(packages, unverified) : await combine(projectPath, before, packages, ctx);
  report(ctx, { phase: 'overrides' });
  // A pnpm, yarn or bun project's own overrides are judged for the versions they force (not for being unused: that would take a manager run each).
  const overrideFindings = options.auditOverrides === false ? [] : ctx.pm ? auditDeclaredOverrides(projectPath, before, ctx.pm.spelling.manager) : refusal ? [] : await auditOverrides(projectPath, before, ctx);
  report(ctx, { phase: 'done' });
  const combineSkipped = combined.partial === true;
  delete combined.partial;
  return {
    packages,
    bundled: before.bundled,
    replace: before.replace,
    combined,
    overrideFindings,
    blocked: false,
    ...(skipped > 0 || combineSkipped ? { partial: { reason: 'max-time' as const, candidatesSkipped: skipped, combineSkipped } } : {}),
  };
}
