// Candidate remediations for each package an advisory hits, in the issue's
// order of preference: refresh (the lockfile moves within every declared
// range), parent upgrade (a newer direct dependency pulls a fixed version),
// scoped override (`overrides: {parent: {name: version}}`) and global
// override (several parents). Targets stay on the version line the project
// uses: the lowest safe version above the installed one with the same major,
// so a 1.x user of a `<1.2.5 || >=2.0.0 <2.1.3` advisory goes to 1.2.5, not 2.x.

import semver from 'semver';
import { fixFor } from '../checks/advisories/fix.js';
import type { Vuln } from '../checks/advisories/match.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import type { DepNode } from '../model.js';
import { bundlerOf, type Assessment } from './assess.js';
import type { Candidate } from './types.js';

const LOOSE = { loose: true, includePrerelease: true } as const;
const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;

/** Published stable versions outside every advisory range of the package, ascending. */
export function safeVersions(vuln: Vuln): string[] {
  const published = vuln.packument ? Object.keys(vuln.packument.versions) : [];
  return published
    .filter((version) => semver.valid(version) !== null && semver.prerelease(version) === null && !semver.satisfies(version, vuln.range, LOOSE))
    .sort(semver.compare);
}

/** The lowest safe version above `installed`, on its major line when one exists there. */
export function lineTarget(safe: string[], installed: string): string | null {
  const above = safe.filter((version) => semver.gt(version, installed));
  return above.find((version) => semver.major(version) === semver.major(installed)) ?? above[0] ?? null;
}

/** The version `npm update <name>` moves to within `spec`: the latest dist-tag when it satisfies the spec, else the highest stable version that does. */
function updatePick(packument: { distTags: Record<string, string>; versions: Record<string, unknown> }, spec: string): string | null {
  const latest = packument.distTags.latest;
  if (latest !== undefined && Object.hasOwn(packument.versions, latest) && semver.satisfies(latest, spec, LOOSE)) return latest;
  const stable = Object.keys(packument.versions).filter((version) => semver.valid(version) && !semver.prerelease(version));
  return semver.maxSatisfying(stable, spec, LOOSE);
}

/** A spec for a new direct version in the style of the old one: `^`, `~` or exact. */
function specLike(old: string, version: string): string {
  const prefix = /^[\^~]/.exec(old.trim())?.[0] ?? (semver.valid(old.trim()) ? '' : '^');
  return `${prefix}${version}`;
}

function crossesMajor(from: string, to: string): boolean {
  return !semver.satisfies(to, `^${from}`, LOOSE);
}

function rootField(assessment: Assessment, name: string): string | null {
  const manifest = assessment.graph.manifest;
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest?.[field] as Record<string, string> | undefined;
    if (deps && Object.hasOwn(deps, name)) return field;
  }
  return null;
}

/** Nodes of the package that a published advisory (not only a metavulnerability) hits, except copies bundled in another package's tarball. */
function hitNodes(assessment: Assessment, vuln: Vuln): DepNode[] {
  return [...vuln.nodes].filter(
    (node) => !(node.inBundle && bundlerOf(assessment.graph, node)) && [...vuln.advisories].some((advisory) => advisory.type !== 'metavuln' && advisory.testVersion(node.version)),
  );
}

async function parentUpgrades(assessment: Assessment, vuln: Vuln, nodes: DepNode[], safe: string[], client: RegistryClient): Promise<Candidate[]> {
  const { view } = assessment;
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    for (const { from } of view.edgesIn(node)) {
      // The vulnerable package itself is the direct dependency: upgrade it.
      const direct = from.location === '' ? node : view.isDirect(from) ? from : null;
      if (!direct || seen.has(direct.packageName)) continue;
      seen.add(direct.packageName);
      const field = rootField(assessment, direct.name);
      const rootSpec = assessment.graph.root.edgesOut.find((edge) => edge.name === direct.name)?.spec;
      if (!field || rootSpec === undefined) continue;
      const packument = await client.packument(direct.packageName).catch(() => null);
      let target: string | null = null;
      if (direct === node) {
        target = lineTarget(safe, node.version);
      } else {
        if (!packument) continue;
        const newer = Object.keys(packument.versions).filter((version) => semver.valid(version) && !semver.prerelease(version) && semver.gt(version, direct.version)).sort(semver.compare);
        // The lowest newer parent whose range for the package admits a safe version, same major first.
        const fixes = newer.filter((version) => {
          const spec = packument.versions[version]!.dependencies?.[vuln.name];
          return spec === undefined || !vuln.testSpec(spec);
        });
        target = fixes.find((version) => semver.major(version) === semver.major(direct.version)) ?? fixes[0] ?? null;
      }
      if (!target) continue;
      const within = semver.satisfies(target, rootSpec, LOOSE);
      // Within the declared range the edit is `npm update <parent>`, which moves to what npm picks for the spec (latest when it fits), not to the lowest fixing version.
      if (within && packument) target = updatePick(packument, rootSpec) ?? target;
      const spec = direct === node || !packument ? undefined : packument.versions[target]?.dependencies?.[vuln.name];
      const pulled = direct === node ? target : spec === undefined ? '' : (semver.maxSatisfying(safe, spec) ?? '');
      candidates.push({
        kind: 'parent-upgrade',
        package: vuln.name,
        from: [...new Set(nodes.map((n) => n.version))].sort(semver.compare),
        to: pulled,
        parent: { name: direct.packageName, from: direct.version, to: target },
        edits: within ? { update: [direct.name] } : { dependency: { field, name: direct.name, spec: specLike(rootSpec, target) } },
        leavesRange: !within,
        major: crossesMajor(direct.version, target),
      });
    }
  }
  return candidates;
}

/** Every candidate for one vulnerable package, in the order of preference. */
export async function candidatesFor(assessment: Assessment, vuln: Vuln, client: RegistryClient): Promise<Candidate[]> {
  const nodes = hitNodes(assessment, vuln);
  if (nodes.length === 0) return [];
  const { view } = assessment;
  const safe = safeVersions(vuln);
  const from = [...new Set(nodes.map((node) => node.version))].sort(semver.compare);
  const candidates: Candidate[] = [];
  const fixes = nodes.map((node) => fixFor(vuln, node, view));
  if (fixes.every((fix) => fix.inRange && fix.version)) {
    candidates.push({ kind: 'refresh', package: vuln.name, from, to: fixes[0]!.version!, edits: { update: [vuln.name] }, leavesRange: false, major: false });
  }
  // A vulnerable direct dependency upgraded within its range is the refresh already: the same edit, kept once.
  const same = (a: Candidate, b: Candidate) => JSON.stringify(a.edits) === JSON.stringify(b.edits);
  candidates.push(...(await parentUpgrades(assessment, vuln, nodes, safe, client)).filter((upgrade) => !candidates.some((earlier) => same(earlier, upgrade))));
  const lowest = from[0]!;
  const target = lineTarget(safe, lowest);
  if (target) {
    const dependents = nodes.flatMap((node) => view.edgesIn(node));
    const leavesRange = dependents.some(({ spec }) => semver.validRange(spec) !== null && !semver.satisfies(target, spec, LOOSE));
    const parents = [...new Set(dependents.filter(({ from: dependent }) => dependent.location !== '').map(({ from: dependent }) => dependent.packageName))].sort();
    const viaRoot = dependents.some(({ from: dependent }) => dependent.location === '');
    const major = from.some((version) => crossesMajor(version, target));
    // npm refuses a top-level override of a direct dependency whose spec differs (the parent upgrade covers that), but a
    // scoped one is fine: the root's own copy then moves within its declared range (`npm update <name>`) when that range admits the target.
    const rootSpec = assessment.graph.root.edgesOut.find((edge) => edge.name === vuln.name)?.spec;
    const rootFollows = viaRoot && rootSpec !== undefined && semver.validRange(rootSpec) !== null && semver.satisfies(target, rootSpec, LOOSE);
    if (parents.length > 0 && (!viaRoot || rootFollows)) {
      const scoped = Object.fromEntries(parents.map((parent) => [parent, { [vuln.name]: target }]));
      candidates.push({ kind: 'scoped-override', package: vuln.name, from, to: target, parents, edits: viaRoot ? { overrides: scoped, update: [vuln.name] } : { overrides: scoped }, leavesRange, major });
      if (parents.length > 1 && !viaRoot) candidates.push({ kind: 'global-override', package: vuln.name, from, to: target, parents, edits: { overrides: { [vuln.name]: target } }, leavesRange, major });
    }
  }
  return candidates;
}
