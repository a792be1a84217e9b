// Whether a vulnerable node can be fixed, and how: the input the override
// suggester needs. "Safe" means outside every advisory range npm holds for
// the package (npm's `avoid`). For each dependent's edge, npm-pick-manifest
// (what `npm audit fix` uses) picks the version the edge would get with the
// vulnerable ones avoided; a fix is in range when every dependent's declared
// range admits one safe version, so a lockfile refresh (`npm update`)
// suffices; otherwise the override target is the smallest safe upgrade.

import npa from 'npm-package-arg';
import semver from 'semver';
import { createRequire } from 'node:module';
import type { CalcPackument } from './calculator.js';
import type { GraphView, NpmFixAvailable, Vuln } from './match.js';
import type { DepNode } from '../../model.js';

const require = createRequire(import.meta.url);
type PickManifest = (packument: CalcPackument, wanted: string, options: Record<string, unknown>) => { version: string; _outsideDependencyRange?: boolean; _isSemVerMajor?: boolean };
const pickManifest = require('npm-pick-manifest') as PickManifest;

const AVOID = { includePrerelease: true, loose: true } as const;

export interface DependentFix {
  /** The dependent's location ('' for the project root). */
  location: string;
  /** `name@version` of the dependent (the root's package name). */
  dependent: string;
  spec: string;
  /** What the edge would get with the vulnerable versions avoided; null when nothing safe can be had through it. */
  version: string | null;
  /** That version satisfies the declared spec. */
  inRange: boolean;
}

export interface Fix {
  /** Some published version is outside every advisory range of the package. */
  available: boolean;
  /** Every dependent's declared range admits one safe version: refreshing the lockfile fixes it. */
  inRange: boolean;
  /** The version to move to: the highest safe one every dependent accepts when in range, else the smallest safe upgrade (an override target); null when none. */
  version: string | null;
  /** `version` is outside `^installed`. */
  isSemVerMajor: boolean;
  dependents: DependentFix[];
  /** npm audit's `fixAvailable` for the package, as `npm audit --json` prints it. */
  npm: NpmFixAvailable;
}

function registrySpec(spec: string): string | null {
  try {
    const parsed = npa(spec) as unknown as { registry?: boolean; subSpec?: { rawSpec: string } };
    if (!parsed.registry) return null;
    return parsed.subSpec ? parsed.subSpec.rawSpec : spec;
  } catch {
    return null;
  }
}

function label(node: DepNode): string {
  return node.version ? `${node.packageName}@${node.version}` : node.packageName;
}

/** The published versions outside every advisory range of a package, ascending; computed once per package. */
const safeVersions = new WeakMap<Vuln, { avoid: string; safe: string[] }>();
function safeOf(vuln: Vuln): string[] {
  const avoid = vuln.range;
  const known = safeVersions.get(vuln);
  if (known && known.avoid === avoid) return known.safe;
  const published = vuln.packument ? Object.keys(vuln.packument.versions).filter((version) => semver.valid(version, { loose: true }) !== null) : [];
  const safe = published.filter((version) => !semver.satisfies(version, avoid, AVOID)).sort((a, b) => semver.compare(a, b, { loose: true }));
  safeVersions.set(vuln, { avoid, safe });
  return safe;
}

/** How the given node of a vulnerable package can be fixed. */
export function fixFor(vuln: Vuln, node: DepNode, view: GraphView): Fix {
  const packument = vuln.packument;
  const avoid = vuln.range;
  const safe = safeOf(vuln);
  const dependents: DependentFix[] = [];
  const wanted: string[] = [];
  let allRegistry = true;
  for (const { from, spec } of view.edgesIn(node)) {
    const range = registrySpec(spec);
    const entry: DependentFix = { location: from.location, dependent: label(from), spec, version: null, inRange: false };
    if (range === null || !packument || safe.length === 0) {
      allRegistry &&= range !== null;
      dependents.push(entry);
      continue;
    }
    wanted.push(range);
    try {
      const picked = pickManifest(packument, range, { before: null, avoid, avoidStrict: true, ...(view.nodeVersion ? { nodeVersion: view.nodeVersion } : {}) });
      entry.version = picked.version;
      entry.inRange = picked._outsideDependencyRange !== true;
    } catch {
      // Nothing safe is published: entry stays without a version.
    }
    dependents.push(entry);
  }
  dependents.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
  const stable = safe.filter((version) => semver.prerelease(version, { loose: true }) === null);
  const candidates = stable.length > 0 ? stable : safe;
  let inRange = false;
  let version: string | null = null;
  if (allRegistry && dependents.length > 0 && dependents.every((entry) => entry.inRange)) {
    const common = [...candidates].reverse().find((candidate) => wanted.every((range) => semver.satisfies(candidate, range, { loose: true })));
    if (common) {
      inRange = true;
      version = common;
    }
  }
  if (!inRange) {
    const installed = semver.valid(node.version, { loose: true });
    version = (installed ? candidates.find((candidate) => semver.gt(candidate, installed, { loose: true })) : undefined) ?? candidates[candidates.length - 1] ?? null;
  }
  const installed = semver.valid(node.version, { loose: true });
  return {
    available: safe.length > 0,
    inRange,
    version,
    isSemVerMajor: version !== null && installed !== null && !semver.satisfies(version, `^${installed}`, { loose: true, includePrerelease: true }),
    dependents,
    npm: vuln.fixAvailable,
  };
}
