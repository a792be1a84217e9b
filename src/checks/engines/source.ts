// One Node.js version source of the project (engines.node, .nvmrc, a
// setup-node step…): what its value admits, what it runs as of the audit
// date, and how findings name it.

import semver from 'semver';
import type { AsOf } from './schedule.js';
import { formatVersion, intersect, nextPatch, parseRange, parseVersion, type VersionSet } from './version-set.js';

export type SourceName = 'engines.node' | 'devEngines.runtime' | 'volta.node' | '.nvmrc' | '.node-version' | 'github-actions' | 'Dockerfile';

export interface Source {
  source: SourceName;
  /** File relative to the project. */
  file: string;
  /** As written (after substituting a matrix value, an env value or a Dockerfile ARG). */
  value: string;
  /** The semver range depguard reads from the value (an alias becomes its line, `22.x`). */
  range: string;
  /** engines.node and devEngines.runtime declare a supported range; the others pick the Node.js that runs. */
  declares: boolean;
  /** What the value admits. */
  set: VersionSet;
  /** For a runtime: the release it runs as of the audit date (the newest that fits, `22.22.x`), or null when none is out. */
  resolved: string | null;
  /** The versions it may run as of the audit date (a declared range: what it admits). */
  runs: VersionSet;
  /** What is judged against the schedule: a range as declared; for a runtime, the line of the release it runs. */
  judged: VersionSet;
  /** Where in the file: line, job, step, expression. */
  where: Record<string, string | number>;
}

export function sourceEvidence(source: Source): Record<string, unknown> {
  return {
    source: source.source,
    file: source.file,
    value: source.value,
    range: source.range,
    ...(source.declares ? {} : { resolved: source.resolved }),
    ...source.where,
  };
}

/** A declared range (engines.node, devEngines.runtime). */
export function declaredSource(source: SourceName, file: string, value: string, where: Record<string, string | number> = {}): Source | null {
  const set = parseRange(value);
  if (!set) return null;
  return { source, file, value, range: value.trim(), declares: true, set, runs: set, resolved: null, judged: set, where };
}

/**
 * A runtime pick (.nvmrc, .node-version, volta.node, setup-node, Docker):
 * an exact version, a partial version or range (the newest release that fits,
 * as nvm, setup-node and Docker tags do), or an alias resolved by the schedule.
 */
export function runtimeSource(asOf: AsOf, source: SourceName, file: string, value: string, where: Record<string, string | number> = {}): Source | null {
  const text = value.trim();
  const line = asOf.alias(text);
  if (line === null) return null;
  if (line) return floating(asOf, { source, file, value, range: `${line.label}.x`, set: line.set, where });
  const exact = parseVersion(text.replace(/^v/i, ''));
  if (exact && semver.valid(text)) {
    const runs: VersionSet = [{ lo: exact, hi: nextPatch(exact) }];
    return { source, file, value, range: formatVersion(exact), declares: false, set: runs, runs, resolved: formatVersion(exact), judged: asOf.lineSet(exact).set, where };
  }
  const set = text === '' ? null : parseRange(text);
  return set && floating(asOf, { source, file, value, range: text, set, where });
}

/**
 * A spec that takes the newest release that fits. node-releases lists minor
 * releases (22.22.0, not 22.22.2), so what runs is known to the minor: `22.22.x`.
 */
function floating(asOf: AsOf, base: Pick<Source, 'source' | 'file' | 'value' | 'range' | 'set' | 'where'>): Source {
  const latest = asOf.latestRelease(base.set);
  if (!latest) return { ...base, declares: false, runs: base.set, resolved: null, judged: base.set };
  const runs = intersect(base.set, [{ lo: [latest[0], latest[1], 0], hi: [latest[0], latest[1] + 1, 0] }]);
  return { ...base, declares: false, runs, resolved: `${latest[0]}.${latest[1]}.x`, judged: asOf.lineSet(latest).set };
}

/** Where a source is, for messages: `engines.node in package.json`, `.nvmrc`, `setup-node in .github/workflows/ci.yml (job test, line 12)`. */
export function sourceData(source: Source): Record<string, string> {
  const at = [source.where.job !== undefined ? `job ${source.where.job}` : '', source.where.line !== undefined ? `line ${source.where.line}` : ''].filter(Boolean).join(', ');
  const name = source.source === 'github-actions' ? 'setup-node' : source.source;
  const where = name === source.file ? source.file : `${name} in ${source.file}`;
  return { where: at ? `${where} (${at})` : where, value: source.value };
}

/**
 * A setup-node step that reads .nvmrc, .node-version or package.json runs what
 * that file says, which is judged as its own source: judging the step again
 * would repeat each finding. It still counts as a line CI tests.
 */
export function mirrorsSource(source: Source): boolean {
  return source.where.versionFile === '.nvmrc' || source.where.versionFile === '.node-version' || source.where.versionFile === 'package.json';
}
