// The combined plan: the best verified suggestion of each package, joined so
// that no edit is dead or harmful. Suggestions are verified one by one on the
// project as it is, but together they interact: a parent upgrade chosen for
// one package often fixes others, and an override planned beside it would then
// pin what the upgrade already moved (express 4.17.1 → 4.21.x brings qs
// 6.13.0; the override `express > qs 6.7.3` planned on the old tree would
// force qs back down). So edits join in phases, each verified against the
// project as it is, and a phase only adds suggestions for packages still hit
// after the phases before it:
//   1. direct dependency edits (upgrades leaving the declared range), the
//      highest target per dependency;
//   2. raising them: a package still hit whose offered parent upgrade moves a
//      dependency the plan already edits raises that target (a bigger jump of
//      an edited dependency rather than a new override);
//   3. lockfile moves (refresh, upgrades within the declared range);
//   4. overrides, scoped only to the parents that still hold a hit copy.
// A phase whose verification fails or introduces an advisory is dropped.
//   5. beyond the phase order: a phase is all or nothing, so one edit that
//      does not go with the others (two direct bumps whose peers conflict)
//      takes the rest down with it. The offered suggestions of the packages
//      still hit are tried on top of the accepted plan, in combination:
//      every subset when there are few (EXHAUSTIVE), else a beam search
//      (BEAM wide, SEARCH_BUDGET re-resolutions at most); each combination is
//      verified, and one is kept when it leaves fewer hits and introduces
//      nothing, the fewer edits among equals.

import semver from 'semver';
import type { Assessment } from './assess.js';
import { mergeOverrides } from './merge.js';
import type { DependencyEdit, OverrideValue, PackageRemediation, Suggestion, Verification } from './types.js';
import { outOfTime, report, verifyWithTree, type VerifyContext } from './verify.js';

export interface CombinedPlan {
  overrides: Record<string, OverrideValue>;
  dependencies: DependencyEdit[];
  update: string[];
  /** The whole plan verified at once (absent when it changes nothing). */
  verification?: Verification;
  /** A phase was skipped because the time budget ran out (remediate() moves it to the plan's `partial`). */
  partial?: boolean;
  /** The search beyond the phases: combinations verified, and whether one improved the plan. */
  searched?: { combinations: number; improved: boolean };
  /** Nothing was re-resolved (the package manager is not available): why. The plan is each package's best candidate joined, unverified. */
  unverified?: string;
}

/** Suggestions tried in every combination when there are at most this many; a beam search beyond. */
const EXHAUSTIVE = 4;
const BEAM = 3;
/** Re-resolutions the search may spend (the memo answers repeats for free). */
const SEARCH_BUDGET = 24;

interface State {
  overrides: Record<string, OverrideValue>;
  /** Direct dependency name -> the suggestion whose edit (and target) the plan takes. */
  dependencies: Map<string, Suggestion>;
  update: string[];
}

const isDependencyEdit = (s: Suggestion): boolean => s.kind === 'parent-upgrade' && s.edits.dependency !== undefined;

function stillHit(after: Assessment, name: string): boolean {
  for (const hit of after.hits) if (hit.startsWith(`${name}@`)) return true;
  return false;
}

/** The higher-target of two parent upgrades of the same dependency. */
function higher(a: Suggestion | undefined, b: Suggestion): Suggestion {
  if (!a) return b;
  return semver.gt(b.parent!.to!, a.parent!.to!) ? b : a;
}

/** Keeps a scoped override's parents that still hold a hit copy of the package in `after` (all of them when none does: verification decides). */
function scopedToHits(overrides: Record<string, OverrideValue>, name: string, after: Assessment): Record<string, OverrideValue> {
  const holders = new Set<string>();
  for (const node of after.graph.nodes.values()) {
    if (node.packageName !== name || ![...after.hits].some((hit) => hit.startsWith(`${name}@${node.version} `))) continue;
    for (const { from } of after.view.edgesIn(node)) holders.add(from.packageName);
  }
  const kept = Object.fromEntries(Object.entries(overrides).filter(([parent, value]) => typeof value === 'string' || holders.has(parent)));
  return Object.keys(kept).length > 0 ? kept : overrides;
}

function edits(state: State) {
  return {
    overrides: state.overrides,
    dependencies: [...state.dependencies.values()].map((s) => s.edits.dependency!),
    update: state.update,
  };
}

function empty(state: State): boolean {
  return Object.keys(state.overrides).length === 0 && state.dependencies.size === 0 && state.update.length === 0;
}

export async function combine(projectPath: string, before: Assessment, packages: PackageRemediation[], ctx: VerifyContext): Promise<CombinedPlan> {
  const offered = (entry: PackageRemediation) => entry.suggestions.filter((s) => s.offered);
  let state: State = { overrides: {}, dependencies: new Map(), update: [] };
  let after = before;
  let verification: Verification | undefined;

  /** Verifies `next`; keeps it when it resolves and introduces nothing the accepted state did not. */
  let partial = false;
  const attempt = async (next: State, phase: string): Promise<void> => {
    if (outOfTime(ctx)) {
      partial = true;
      return;
    }
    report(ctx, { phase: 'combine', package: phase });
    const result = await verifyWithTree(projectPath, before, { package: '', edits: edits(next) }, ctx);
    const accepted = new Set(verification?.introduced ?? []);
    if (result.verification.error || !result.after || result.verification.introduced.some((key) => !accepted.has(key))) return;
    state = next;
    after = result.after;
    verification = result.verification;
  };
  const copy = (): State => ({ overrides: { ...state.overrides }, dependencies: new Map(state.dependencies), update: [...state.update] });

  // 1. Direct dependency edits of every package's best suggestion.
  const phase1 = copy();
  for (const entry of packages) {
    const best = offered(entry)[0];
    if (best && isDependencyEdit(best)) phase1.dependencies.set(best.parent!.name, higher(phase1.dependencies.get(best.parent!.name), best));
  }
  if (phase1.dependencies.size > 0) await attempt(phase1, 'direct dependency edits');

  // 2. Raise an edited dependency for packages it still leaves hit.
  const phase2 = copy();
  let raised = false;
  for (const entry of packages.filter((e) => stillHit(after, e.package))) {
    for (const s of offered(entry).filter((x) => isDependencyEdit(x) && phase2.dependencies.has(x.parent!.name))) {
      const current = phase2.dependencies.get(s.parent!.name)!;
      if (higher(current, s) !== current) {
        phase2.dependencies.set(s.parent!.name, s);
        raised = true;
      }
    }
  }
  if (raised) await attempt(phase2, 'raised dependency edits');

  // 3 and 4. For the packages still hit, their best suggestion that is not a dependency edit: lockfile moves first, then overrides.
  const rest = (): Array<[PackageRemediation, Suggestion]> =>
    packages.filter((entry) => stillHit(after, entry.package)).flatMap((entry) => {
      const choice = offered(entry).find((s) => !isDependencyEdit(s));
      return choice ? [[entry, choice] as [PackageRemediation, Suggestion]] : [];
    });
  const phase3 = copy();
  for (const [, s] of rest()) if (!s.edits.overrides) for (const name of s.edits.update ?? []) if (!phase3.update.includes(name)) phase3.update.push(name);
  if (phase3.update.length > state.update.length) await attempt(phase3, 'lockfile moves');

  const phase4 = copy();
  let overridden = false;
  for (const [entry, s] of rest()) {
    if (!s.edits.overrides) continue;
    const scoped = s.kind === 'scoped-override' ? scopedToHits(s.edits.overrides, entry.package, after) : s.edits.overrides;
    phase4.overrides = mergeOverrides(phase4.overrides, scoped).merged;
    // A scoped override beside a direct dependency on the package moves the root's copy within its range too.
    for (const name of s.edits.update ?? []) if (!phase4.update.includes(name)) phase4.update.push(name);
    overridden = true;
  }
  if (overridden) await attempt(phase4, 'overrides');

  // 5. Combinations beyond the phase order, each verified.
  const pool = packages.filter((entry) => stillHit(after, entry.package)).flatMap((entry) => offered(entry).map((s) => [entry, s] as [PackageRemediation, Suggestion]));
  let searched: CombinedPlan['searched'];
  if (pool.length > 0) {
    const base = { state, after, verification };
    const add = (from: State, at: Assessment, [entry, s]: [PackageRemediation, Suggestion]): State => {
      const next: State = { overrides: { ...from.overrides }, dependencies: new Map(from.dependencies), update: [...from.update] };
      if (isDependencyEdit(s)) next.dependencies.set(s.parent!.name, higher(next.dependencies.get(s.parent!.name), s));
      if (s.edits.overrides) next.overrides = mergeOverrides(next.overrides, s.kind === 'scoped-override' ? scopedToHits(s.edits.overrides, entry.package, at) : s.edits.overrides).merged;
      for (const name of s.edits.update ?? []) if (!next.update.includes(name)) next.update.push(name);
      return next;
    };
    const accepted = new Set(verification?.introduced ?? []);
    const size = (candidate: State) => Object.keys(candidate.overrides).length + candidate.dependencies.size + candidate.update.length;
    let best = { state, after, verification, hits: after.hits.size, edits: size(state) };
    let combinations = 0;
    const tryState = async (next: State): Promise<{ state: State; after: Assessment; verification: Verification } | null> => {
      if (outOfTime(ctx) || combinations >= SEARCH_BUDGET) {
        if (outOfTime(ctx)) partial = true;
        return null;
      }
      combinations++;
      report(ctx, { phase: 'combine', package: `combination ${combinations}` });
      const result = await verifyWithTree(projectPath, before, { package: '', edits: edits(next) }, ctx);
      if (result.verification.error || !result.after || result.verification.introduced.some((key) => !accepted.has(key))) return null;
      const found = { state: next, after: result.after, verification: result.verification };
      const edited = size(next);
      if (result.after.hits.size < best.hits || (result.after.hits.size === best.hits && edited < best.edits && best.state !== base.state)) best = { ...found, hits: result.after.hits.size, edits: edited };
      return found;
    };
    if (pool.length <= EXHAUSTIVE) {
      // Every non-empty subset, smaller ones first.
      const subsets = Array.from({ length: 2 ** pool.length - 1 }, (_, index) => pool.filter((_, bit) => ((index + 1) >> bit) & 1)).sort((a, b) => a.length - b.length);
      for (const subset of subsets) await tryState(subset.reduce((acc, item) => add(acc, base.after, item), base.state));
    } else {
      // Beam: extend the best few states by one suggestion at a time.
      let beam = [{ state: base.state, after: base.after, used: new Set<number>() }];
      for (let depth = 0; depth < pool.length && beam.length > 0 && combinations < SEARCH_BUDGET && !outOfTime(ctx); depth++) {
        const next: Array<{ state: State; after: Assessment; used: Set<number>; hits: number }> = [];
        for (const node of beam) {
          for (let index = 0; index < pool.length; index++) {
            if (node.used.has(index)) continue;
            const found = await tryState(add(node.state, node.after, pool[index]!));
            if (found) next.push({ state: found.state, after: found.after, used: new Set([...node.used, index]), hits: found.after.hits.size });
          }
        }
        next.sort((a, b) => a.hits - b.hits || size(a.state) - size(b.state));
        beam = next.slice(0, BEAM);
      }
    }
    const improved = best.state !== base.state;
    if (improved) {
      state = best.state;
      after = best.after;
      verification = best.verification;
    }
    searched = { combinations, improved };
  }

  return { ...edits(state), ...(empty(state) || !verification ? {} : { verification }), ...(partial ? { partial } : {}), ...(searched ? { searched } : {}) };
}

/**
 * The plan when nothing can be re-resolved (the project's package manager is
 * not installed): each package's first-ranked candidate, joined (the highest
 * target per direct dependency, overrides merged), never verified.
 */
export function joinUnverified(packages: PackageRemediation[], reason: string): CombinedPlan {
  const state: State = { overrides: {}, dependencies: new Map(), update: [] };
  const best = packages.flatMap((entry) => (entry.suggestions[0] ? [entry.suggestions[0]] : []));
  for (const s of best.filter(isDependencyEdit)) state.dependencies.set(s.parent!.name, higher(state.dependencies.get(s.parent!.name), s));
  for (const s of best.filter((x) => !isDependencyEdit(x))) {
    if (s.edits.overrides) state.overrides = mergeOverrides(state.overrides, s.edits.overrides).merged;
    for (const name of s.edits.update ?? []) if (!state.update.includes(name)) state.update.push(name);
  }
  return { ...edits(state), unverified: reason };
}
