// The Node.js version the project runs on, for picking package versions
// (advisories' fixAvailable and fix, `depguard fix`'s verification): npm's
// version picker (npm-pick-manifest, through pacote) prefers versions whose
// engines admit one Node.js version, and depguard must answer for the
// project's Node.js, never for the one that runs depguard.
//
// Which version: the newest release, as of the audit date, that the project
// admits, i.e. what `npm install` on the newest Node.js the project supports
// would see. The range comes from the declared sources (engines.node,
// devEngines.runtime: every one of them must admit it), else from what the
// runtime sources run (.nvmrc, .node-version, volta, setup-node, Dockerfile),
// else the maintained LTS lines (what the engines check judges a project
// without engines.node against). npm-pick-manifest treats the version as a
// preference, not a filter: a package whose every version excludes it is
// still picked, as npm does; a dependency that excludes the project's older
// lines is the engines check's `engines/dependency-excludes` finding.
//
// node-releases lists minor releases (22.22.0), so the version is the first
// patch of the newest released minor that the range admits (`^22.22.2` on a
// schedule listing 22.22.0 gives 22.22.2).

import type { DepGraph } from '../../model.js';
import { AsOf, loadSchedule } from './schedule.js';
import { collectSources } from './sources.js';
import { formatVersion, intersect, normalise, type VersionSet } from './version-set.js';

export interface ProjectNode {
  /** A concrete Node.js version, for npm-pick-manifest's and Arborist's `nodeVersion`. */
  version: string;
  /** Where the range came from: `engines.node`, `devEngines.runtime`, `.nvmrc`…, or `maintained-lts`. */
  from: string;
  /** The range it was picked from, as the sources wrote it (joined with ` and ` / ` || `). */
  range: string;
}

function pick(asOf: AsOf, set: VersionSet): string | null {
  const admitted = intersect(set, asOf.universe());
  const latest = asOf.latestRelease(admitted);
  if (!latest) return null;
  const minor = intersect(admitted, [{ lo: [latest[0], latest[1], 0], hi: [latest[0], latest[1] + 1, 0] }]);
  return formatVersion(minor[0]?.lo ?? latest);
}

/** The Node.js version to pick package versions for, from the project's own files (read as data; problems are ignored here, the engines check reports them). */
export async function projectNode(graph: DepGraph, today: string): Promise<ProjectNode> {
  const asOf = new AsOf(loadSchedule(), today);
  const { sources } = await collectSources({ graph, diagnostic: () => undefined }, asOf);
  const declared = sources.filter((source) => source.declares);
  if (declared.length > 0) {
    const set = declared.slice(1).reduce<VersionSet>((acc, source) => intersect(acc, source.set), declared[0]!.set);
    const version = pick(asOf, set);
    if (version) return { version, from: declared.map((source) => source.source).join(', '), range: declared.map((source) => source.range).join(' and ') };
  }
  const runtime = sources.filter((source) => !source.declares);
  if (runtime.length > 0) {
    const version = pick(asOf, normalise(runtime.flatMap((source) => [...source.runs])));
    if (version) return { version, from: [...new Set(runtime.map((source) => source.source))].join(', '), range: runtime.map((source) => source.range).join(' || ') };
  }
  const lines = asOf.maintainedLts();
  const version = pick(asOf, normalise(lines.flatMap((line) => [...line.set]))) ?? formatVersion(asOf.schedule.releases.at(-1)!.version);
  return { version, from: 'maintained-lts', range: lines.map((line) => `${line.label}.x`).join(' || ') };
}
