// engines/vulnerable-runtime: which release lines a Node.js version source
// admits (or runs) with versions affected by known Node.js core
// vulnerabilities, judged as is-my-node-vulnerable judges a version (it
// satisfies `vulnerable` and not `patched`), and the lowest release of each
// such line past every one of them.
//
// What is judged per source:
// - a declared range (engines.node, devEngines.runtime): every released
//   version it admits, so `>=20` is told that 20.0.0–20.20.1 carry CVEs and
//   20.20.2 is the floor to declare;
// - an exact pin (.nvmrc `20.11.0`, `node:20.11.0`): that version;
// - a floating pick (`20`, `lts/*`, `node:22-alpine`): the newest release
//   that fits, which is affected only when no release it admits fixes the
//   vulnerability.
// Lines past their end-of-life are left to `engines/end-of-life`
// (is-my-node-vulnerable calls every end-of-life version vulnerable).

import { defaultNodejsCoreDir, readCoreIndex, type CoreIndex, type CoreVulnerability } from '../../enrich/advisories/nodejs-core.js';
import type { AsOf, NodeLine } from './schedule.js';
import { sourceData, sourceEvidence, type Source } from './source.js';
import { compareVersions, contains, describeInterval, formatVersion, intersect, intervalRange, normalise, overlaps, parseRange, subtract, type Version, type VersionSet } from './version-set.js';
import type { Severity } from '../../model.js';
import type { CheckContext, Report } from '../types.js';

const SEVERITY: Record<string, Severity> = { critical: 'critical', high: 'high', medium: 'moderate', moderate: 'moderate', low: 'low' };
const RANK: Severity[] = ['info', 'low', 'moderate', 'high', 'critical'];

/** The working group's severity as depguard's; `unknown` counts as moderate. */
export function coreSeverity(severity: string): Severity {
  return SEVERITY[severity.toLowerCase()] ?? 'moderate';
}

/** Release versions that satisfy `vulnerable` and not `patched` (the index was read with both ranges valid). */
const affectedSets = new WeakMap<CoreVulnerability, VersionSet>();
function affected(vulnerability: CoreVulnerability): VersionSet {
  let set = affectedSets.get(vulnerability);
  if (!set) {
    set = subtract(parseRange(vulnerability.vulnerable) ?? [], parseRange(vulnerability.patched) ?? []);
    affectedSets.set(vulnerability, set);
  }
  return set;
}

export interface LineVerdict {
  line: NodeLine;
  /** The vulnerabilities that affect a version the source admits in this line. */
  vulnerabilities: CoreVulnerability[];
  /** The admitted versions that are affected. */
  affected: VersionSet;
  /** The lowest release of the line past every known vulnerability of the line; null when none is fixed yet. */
  fixedIn: Version | null;
}

/** What a source is judged on: every version it admits, the one it pins, or (floating) the newest that fits. */
function judgedVersions(source: Source, asOf: AsOf): { set: VersionSet; floating: boolean } {
  if (source.declares) return { set: intersect(source.set, asOf.universe()), floating: false };
  const exact = source.runs.length === 1 && source.resolved !== null && !source.resolved.endsWith('.x');
  return { set: exact ? source.runs : intersect(source.set, asOf.universe()), floating: !exact };
}

/** The lowest version of the line above every version any vulnerability of the line affects. */
function fixedIn(line: NodeLine, index: CoreIndex): Version | null {
  let floor: Version = line.set[0]!.lo;
  for (const vulnerability of index.vulnerabilities) {
    for (const interval of intersect(affected(vulnerability), line.set)) {
      if (interval.hi === null || !contains(line.set, interval.hi)) return null;
      if (compareVersions(interval.hi, floor) > 0) floor = interval.hi;
    }
  }
  return floor;
}

export function judgeSource(source: Source, asOf: AsOf, index: CoreIndex): LineVerdict[] {
  const { set, floating } = judgedVersions(source, asOf);
  const verdicts: LineVerdict[] = [];
  for (const line of asOf.schedule.lines) {
    if (asOf.ended(line) || !asOf.started(line)) continue;
    const admitted = intersect(set, line.set);
    if (admitted.length === 0) continue;
    const fixed = fixedIn(line, index);
    // A floating pick runs the newest release it admits: affected only when the fix is out of its reach.
    if (floating && fixed !== null && contains(admitted, fixed)) continue;
    const hits = index.vulnerabilities.filter((vulnerability) => overlaps(affected(vulnerability), admitted));
    if (hits.length === 0) continue;
    verdicts.push({ line, vulnerabilities: hits, affected: normalise(hits.flatMap((vulnerability) => intersect(affected(vulnerability), admitted))), fixedIn: fixed });
  }
  return verdicts;
}

function cveList(vulnerabilities: CoreVulnerability[]): string[] {
  return [...new Set(vulnerabilities.flatMap((vulnerability) => (vulnerability.cves.length > 0 ? vulnerability.cves : [vulnerability.id])))].sort();
}

const SHOWN = 6;

/** The findings of one source: one per release line with affected versions. */
export function vulnerableRuntimeReports(source: Source, asOf: AsOf, index: CoreIndex): Report[] {
  return judgeSource(source, asOf, index).map((verdict) => {
    const cves = cveList(verdict.vulnerabilities);
    const severity = verdict.vulnerabilities.map((vulnerability) => coreSeverity(vulnerability.severity)).reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a), 'low' as Severity);
    const label = verdict.line.label;
    const fixed = verdict.fixedIn ? formatVersion(verdict.fixedIn) : null;
    return {
      rule: 'vulnerable-runtime',
      node: null,
      severity,
      data: {
        ...sourceData(source),
        line: label,
        affected: verdict.affected.map(describeInterval).join(', '),
        count: cves.length,
        cves: cves.length > SHOWN ? `${cves.slice(0, SHOWN).join(', ')} and ${cves.length - SHOWN} more` : cves.join(', '),
        fix: fixed ? `the lowest ${label}.x release without them is ${fixed}` : `no ${label}.x release fixes them yet`,
      },
      evidence: {
        ...sourceEvidence(source),
        line: label,
        affected: verdict.affected.map(intervalRange),
        fixedIn: fixed,
        cves,
        vulnerabilities: verdict.vulnerabilities.map((vulnerability) => ({
          id: vulnerability.id,
          cves: vulnerability.cves,
          severity: vulnerability.severity,
          vulnerable: vulnerability.vulnerable,
          patched: vulnerability.patched,
          affectedEnvironments: vulnerability.affectedEnvironments,
          ...(vulnerability.ref ? { ref: vulnerability.ref } : {}),
        })),
      },
    };
  });
}

/**
 * The index `depguard db update` keeps under npm's cache. Absent (never
 * downloaded): the rule is silent, as documented, so that every run of the
 * recommended preset on a machine without it does not carry a warning; an
 * index that is there but unreadable is one diagnostic.
 */
export async function coreIndex(ctx: Pick<CheckContext<unknown>, 'cacheDir' | 'diagnostic'>): Promise<CoreIndex | null> {
  if (ctx.cacheDir === null) return null;
  try {
    return await readCoreIndex(defaultNodejsCoreDir(ctx.cacheDir));
  } catch (error) {
    ctx.diagnostic({ level: 'warning', code: 'NODE_VULNERABILITIES_UNREADABLE', message: `${(error as Error).message}, so engines/vulnerable-runtime judged nothing: run \`depguard db update nodejs\`` });
    return null;
  }
}
