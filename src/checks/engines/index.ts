// engines: which Node.js versions the project says it supports and runs on,
// judged against the Node.js release schedule as of the audit date, and the
// dependencies whose own engines.node leave part of that range out.
//
// The sources (package.json, version files, GitHub Actions workflows, the
// Dockerfile), the release schedule and the version-set arithmetic live in
// src/checks/engines/; this file holds the check's metadata, its options and the
// judging: against the schedule, between sources, and of dependencies.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { AsOf, loadSchedule, type NodeLine } from './schedule.js';
import { mirrorsSource, sourceData, sourceEvidence, type Source } from './source.js';
import { collectSources } from './sources.js';
import { describeInterval, intersect, intervalRange, normalise, overlaps, parseRange, subtract, type VersionSet } from './version-set.js';
import type { ManifestRequest } from '../../enrich/types.js';
import { packageRef, type DepGraph, type DepNode } from '../../model.js';
import { coreIndex, vulnerableRuntimeReports } from './vulnerable-runtime.js';
import { nameAtVersion } from '../../util/package-label.js';
import { defineCheck, type WithDefaults, type CheckContext } from '../types.js';

export const DEPENDENCY_RANGES = ['declared', 'maintained'] as const;

export type EnginesOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

const DEFAULT_EOL_SOON_DAYS = 180;

type Ctx = CheckContext<EnginesOptions>;

// --- judging sources against the schedule ------------------------------------

function lineEvidence(line: NodeLine): Record<string, unknown> {
  return { line: line.label, codename: line.codename, ...(line.lts ? { lts: line.lts } : {}), end: line.end };
}

function lineName(line: NodeLine): string {
  return line.codename ? `${line.label} (${line.codename})` : line.label;
}

function judgeSchedule(ctx: Ctx, asOf: AsOf, source: Source, eolSoonDays: number): void {
  if (mirrorsSource(source)) return;
  const admitted = asOf.schedule.lines.filter((line) => overlaps(source.judged, line.set));
  const evidence = sourceEvidence(source);
  const data = sourceData(source);

  const ended = admitted.filter((line) => asOf.ended(line));
  if (ended.length > 0) {
    ctx.report({
      rule: 'end-of-life',
      node: null,
      data: { ...data, lines: ended.map((line) => `${lineName(line)} since ${line.end}`).join(', ') },
      evidence: { ...evidence, lines: ended.map(lineEvidence) },
    });
  }

  const odd = admitted.filter((line) => line.lts === null && !asOf.ended(line));
  if (odd.length > 0) {
    ctx.report({
      rule: 'odd-line',
      node: null,
      data: { ...data, lines: odd.map((line) => `${line.label} (${asOf.started(line) ? 'supported' : 'to be supported'} only until ${line.end})`).join(', ') },
      evidence: { ...evidence, lines: odd.map(lineEvidence) },
    });
  }

  const maintained = admitted.filter((line) => asOf.maintained(line));
  // A runtime runs one line: when that line is end-of-life, end-of-life already says it all.
  if (maintained.length === 0 && (source.declares || ended.length === 0)) {
    ctx.report({
      rule: 'no-maintained-line',
      node: null,
      data: { ...data, today: asOf.today },
      evidence: { ...evidence, today: asOf.today, lines: admitted.map(lineEvidence) },
    });
  }

  const soon = maintained.filter((line) => asOf.daysUntil(line.end) <= eolSoonDays);
  if (soon.length > 0) {
    ctx.report({
      rule: 'eol-soon',
      node: null,
      data: { ...data, days: eolSoonDays, lines: soon.map((line) => `${lineName(line)} on ${line.end}, in ${asOf.daysUntil(line.end)} days`).join('; ') },
      evidence: { ...evidence, days: eolSoonDays, lines: soon.map((line) => ({ ...lineEvidence(line), daysLeft: asOf.daysUntil(line.end) })) },
    });
  }

  const unscheduled = source.declares ? intersect(source.judged, asOf.schedule.unscheduled) : [];
  if (unscheduled.length > 0) {
    const from = describeInterval(unscheduled[0]!);
    ctx.report({
      rule: 'open-ended',
      node: null,
      data: { ...data, from },
      evidence: { ...evidence, unscheduled: unscheduled.map(intervalRange) },
    });
  }
}

// --- agreement between sources -----------------------------------------------

/** Whether a runtime may run a version of the set as of the audit date. */
function runsWithin(source: Source, set: VersionSet): boolean {
  return overlaps(source.runs, set);
}

function judgeAgreement(ctx: Ctx, asOf: AsOf, sources: Source[]): void {
  const reference = sources.find((s) => s.source === 'engines.node') ?? sources.find((s) => s.source === 'devEngines.runtime');
  const runtimes = sources.filter((s) => !s.declares);
  const describeRuntime = (s: Source): string => `${sourceData(s).where} "${s.value}" runs ${s.resolved ?? s.range}`;

  if (reference) {
    for (const source of sources) {
      if (source === reference || mirrorsSource(source)) continue;
      if (source.declares) {
        const outside = subtract(intersect(source.set, asOf.universe()), reference.set);
        if (outside.length === 0) continue;
        const excluded = outside.map(describeInterval).join(', ');
        ctx.report({
          rule: 'sources-disagree',
          node: null,
          data: { detail: `${source.source} "${source.value}" admits ${excluded}, outside ${reference.source} "${reference.value}"` },
          evidence: { reason: 'outside-range', ...sourceEvidence(source), outside: outside.map(intervalRange), reference: sourceEvidence(reference) },
        });
      } else if (!runsWithin(source, reference.set)) {
        ctx.report({
          rule: 'sources-disagree',
          node: null,
          data: { detail: `${describeRuntime(source)}, outside ${reference.source} "${reference.value}"` },
          evidence: { reason: 'outside-range', ...sourceEvidence(source), reference: sourceEvidence(reference) },
        });
      }
    }
  }

  // Where the project is developed and deployed (.nvmrc, volta, Docker) should be one line.
  const pinned = runtimes.filter((s) => s.source !== 'github-actions');
  const lineOf = (s: Source): string => (s.runs.length > 0 ? asOf.lineSet(s.runs[0]!.lo).label : s.range);
  const pinnedLines = [...new Set(pinned.map(lineOf))];
  if (pinnedLines.length > 1) {
    ctx.report({
      rule: 'sources-disagree',
      node: null,
      data: { detail: `pins name different lines: ${[...new Set(pinned.map((s) => `${s.source} ${lineOf(s)}`))].join(', ')}` },
      evidence: { reason: 'different-lines', lines: pinnedLines, sources: pinned.map(sourceEvidence) },
    });
  }

  // CI should test every maintained LTS line engines.node claims.
  const engines = sources.find((s) => s.source === 'engines.node');
  const ci = runtimes.filter((s) => s.source === 'github-actions');
  if (engines && ci.length > 0) {
    const tested = new Set(ci.map(lineOf));
    const untested = asOf.maintainedLts().filter((line) => overlaps(engines.set, line.set) && !tested.has(line.label));
    if (untested.length > 0) {
      ctx.report({
        rule: 'sources-disagree',
        node: null,
        data: { detail: `engines.node "${engines.value}" admits the maintained LTS line${untested.length > 1 ? 's' : ''} ${untested.map((line) => line.label).join(', ')}, which no GitHub Actions workflow tests (tested: ${[...tested].sort(compareLabels).join(', ')})` },
        evidence: { reason: 'untested-line', lines: untested.map((line) => line.label), tested: [...tested].sort(compareLabels), reference: sourceEvidence(engines), workflows: [...new Set(ci.map((s) => s.file))] },
      });
    }
  }
}

function compareLabels(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

// --- dependencies -------------------------------------------------------------

interface ProjectRange {
  /** engines.node, or the maintained LTS lines when the project declares none. */
  source: 'engines.node' | 'maintained-lts';
  range: string;
  /** Which part of it dependencies are judged on (the `dependencyRange` option). */
  judged: EnginesOptions['dependencyRange'];
  /** That part as versions: never lines unreleased on the audit date. */
  scope: VersionSet;
}

function projectRange(asOf: AsOf, engines: Source | undefined, dependencyRange: EnginesOptions['dependencyRange']): ProjectRange {
  if (!engines) {
    const lines = asOf.maintainedLts();
    return { source: 'maintained-lts', range: lines.map((line) => `${line.label}.x`).join(' || '), judged: 'maintained', scope: normalise(lines.flatMap((line) => line.set)) };
  }
  const released = intersect(engines.set, asOf.universe());
  if (dependencyRange === 'declared') return { source: 'engines.node', range: engines.value, judged: 'declared', scope: released };
  const maintained = normalise(asOf.schedule.lines.filter((line) => asOf.maintained(line)).flatMap((line) => line.set));
  return { source: 'engines.node', range: engines.value, judged: 'maintained', scope: intersect(released, maintained) };
}

/** A dependency whose engines.node leaves out part of the project's range. */
interface Exclusion {
  node: DepNode;
  range: string;
  from: 'lockfile' | 'manifest';
  excluded: VersionSet;
}

/** npm's v1 lockfiles, yarn.lock and bun.lock record no engines: each package's manifest is read instead. */
function enginesFromManifests(graph: DepGraph): boolean {
  const manager = graph.lockfile?.manager ?? 'npm';
  return (manager === 'npm' && graph.lockfile?.lockfileVersion === 1) || manager === 'yarn' || manager === 'bun';
}

/** The manifests the check reads (the enrich stage's request): a package without recorded engines, where the lockfile records none; only adding detail. */
function manifestRequest(node: DepNode, graph: DepGraph): ManifestRequest | null {
  return node.location !== '' && node.engines === null && enginesFromManifests(graph) ? { required: false } : null;
}

function judgeDependencies(ctx: Ctx, project: ProjectRange): Exclusion[] {
  const { graph } = ctx;
  const candidates = [...graph.nodes.values()].filter((node) => node.location !== '');
  const ranges = candidates.map((node): { range: string; from: 'lockfile' | 'manifest' } | null => {
    if (node.engines && Object.hasOwn(node.engines, 'node')) return { range: node.engines.node!, from: graph.loadedFrom === 'lockfile' ? 'lockfile' : 'manifest' };
    if (node.engines) return null;
    const manifest = ctx.enriched.manifests.get(node);
    const range = manifest?.engines && Object.hasOwn(manifest.engines, 'node') ? manifest.engines.node! : null;
    return range === null ? null : { range, from: 'manifest' };
  });
  const excludedBy = new Map<string, VersionSet | null>();
  const exclusions: Exclusion[] = [];
  candidates.forEach((node, index) => {
    const found = ranges[index];
    if (!found) return;
    let excluded = excludedBy.get(found.range);
    if (excluded === undefined) {
      const set = parseRange(found.range);
      excluded = set && subtract(project.scope, set);
      excludedBy.set(found.range, excluded);
    }
    if (excluded === null) {
      ctx.diagnostic({
        level: 'warning',
        code: 'UNREADABLE_ENGINES',
        message: `${nameAtVersion(node)}: engines.node is ${JSON.stringify(found.range)}, which is not a semver range (npm refuses it under engine-strict); it was not judged`,
        package: packageRef(node),
      });
      return;
    }
    if (excluded.length === 0) return;
    exclusions.push({ node, range: found.range, from: found.from, excluded });
  });
  return exclusions;
}

function excludedLines(asOf: AsOf, set: VersionSet): string[] {
  return asOf.schedule.lines.filter((line) => overlaps(set, line.set)).map((line) => line.label);
}

/**
 * One finding per dependency whose engines leave out part of the project's
 * declared range. A package reachable only through devDependencies is at most
 * low: it never runs where the project is installed by its users.
 */
function reportExclusions(ctx: Ctx, asOf: AsOf, project: ProjectRange, exclusions: Exclusion[]): void {
  for (const { node, range, from, excluded } of exclusions) {
    const found = { range, from };
    ctx.report({
      rule: 'dependency-excludes',
      node,
      ...(node.dev ? { maxSeverity: 'low' as const } : {}),
      data: { name: node.packageName, version: node.version, range: found.range, excluded: excluded.map(describeInterval).join(', '), project: project.range, projectSource: project.source === 'engines.node' ? 'engines.node' : 'the maintained LTS lines' },
      evidence: {
        engines: found.range,
        enginesFrom: found.from,
        project: { source: project.source, range: project.range, judged: project.judged },
        excludes: excluded.map(intervalRange),
        excluded: excluded.map(describeInterval),
        lines: excludedLines(asOf, excluded),
        ...(node.dev ? { devOnly: true } : {}),
      },
    });
  }
}

// --- the check ----------------------------------------------------------------

function readOptions(options: Partial<EnginesOptions> | undefined): EnginesOptions {
  return {
    eolSoonDays: typeof options?.eolSoonDays === 'number' ? options.eolSoonDays : DEFAULT_EOL_SOON_DAYS,
    dependencyRange: options?.dependencyRange === 'maintained' ? 'maintained' : 'declared',
    coreVulnerabilities: options?.coreVulnerabilities !== false,
  };
}

const SOURCE = '{where}: "{value}"';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** A maintained line that reaches end-of-life within this many days is reported (`eol-soon`). */
    eolSoonDays: { type: 'integer', minimum: 0, maximum: 3650, description: 'report maintained lines that reach end-of-life within this many days' },
    /**
     * What part of the project's range dependencies are judged on: all of it as
     * declared (as npm engine-strict and ls-engines do), or only its maintained
     * lines (what is end-of-life is then left to `end-of-life`).
     */
    dependencyRange: { enum: [...DEPENDENCY_RANGES], description: 'judge dependencies on the whole declared range, or on its maintained lines only' },
    /** Judge sources against the Node.js core vulnerability index that `depguard db update` keeps (`vulnerable-runtime`). */
    coreVulnerabilities: { type: 'boolean', description: 'judge the sources against the Node.js core vulnerability index kept by `depguard db update`' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { eolSoonDays: DEFAULT_EOL_SOON_DAYS, dependencyRange: 'declared', coreVulnerabilities: true } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<EnginesOptions>({
  meta: {
    id: 'engines',
    description: 'The Node.js versions the project declares (engines.node, devEngines) and runs on (.nvmrc, .node-version, volta, setup-node in CI, the Dockerfile) are maintained, agree with each other, and are admitted by every dependency.',
    rules: {
      missing: {
        description: 'package.json has no engines.node, so nothing tells npm, users or CI which Node.js versions the project supports.',
        severity: 'moderate',
        message: 'package.json has no engines.node, so nothing tells npm, users or CI which Node.js versions the project supports; dependencies were judged against the maintained LTS lines ({range}){excluding}',
      },
      'end-of-life': {
        description: 'A source admits (or runs) a Node.js line past its end-of-life date, which gets no security fixes.',
        severity: 'high',
        message: `${SOURCE} admits Node.js lines that are end-of-life and get no security fixes: {lines}`,
      },
      'odd-line': {
        description: 'A source admits (or runs) a Node.js line that never becomes LTS (an odd-numbered release line), supported for only a few months.',
        severity: 'moderate',
        message: `${SOURCE} admits Node.js lines that never become LTS: {lines}`,
      },
      'no-maintained-line': {
        description: 'A source admits (or runs) no Node.js line that is maintained on the audit date.',
        severity: 'high',
        message: `${SOURCE} admits no Node.js line that is maintained as of {today}`,
      },
      'eol-soon': {
        description: 'A maintained Node.js line a source admits (or runs) reaches end-of-life within `eolSoonDays` days.',
        severity: 'low',
        message: `${SOURCE} relies on Node.js lines that reach end-of-life within {days} days: {lines}`,
      },
      'open-ended': {
        description: 'A declared range (engines.node, devEngines.runtime) admits Node.js lines the release schedule does not even plan yet, which nobody has tested.',
        severity: 'low',
        message: `${SOURCE} has no upper bound below the lines Node.js has scheduled: it admits {from}, which nobody has tested`,
      },
      'sources-disagree': {
        description: 'The Node.js version sources disagree: a pin or CI version outside engines.node, pins on different lines, or a maintained LTS line engines.node admits that CI never tests.',
        severity: 'moderate',
        message: 'The project\'s Node.js version sources disagree: {detail}',
      },
      'vulnerable-runtime': {
        description: 'A source admits (or runs) Node.js versions affected by known Node.js core vulnerabilities (the security working group\'s index, kept by `depguard db update`), judged as is-my-node-vulnerable judges a version: one finding per release line, naming the CVEs and the lowest release of the line without them. Severity: the highest of the CVEs\'.',
        severity: 'high',
        message: `${SOURCE} admits Node.js {line}.x versions with {count} known core vulnerabilities ({affected}: {cves}); {fix}`,
      },
      'dependency-excludes': {
        description: 'A package\'s own engines.node leaves out part of the Node.js versions the project supports, so installs on those versions fail under engine-strict or the package may not work there.',
        severity: 'moderate',
        message: '{name}@{version} requires Node.js "{range}", which excludes {excluded} of {projectSource} "{project}"',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['local-manifests'],
    enrich: { manifests: { select: manifestRequest } },
  },

  async run(ctx) {
    const options = readOptions(ctx.options);
    const asOf = new AsOf(loadSchedule(), ctx.today);
    const { sources, enginesNode } = await collectSources(ctx, asOf);
    const engines = sources.find((source) => source.source === 'engines.node');
    const project = projectRange(asOf, engines, options.dependencyRange);
    for (const source of sources) judgeSchedule(ctx, asOf, source, options.eolSoonDays);
    const index = options.coreVulnerabilities ? await coreIndex(ctx) : null;
    if (index) for (const source of sources) if (!mirrorsSource(source)) for (const report of vulnerableRuntimeReports(source, asOf, index)) ctx.report(report);
    judgeAgreement(ctx, asOf, sources);
    const exclusions = judgeDependencies(ctx, project);
    if (enginesNode !== 'absent') {
      reportExclusions(ctx, asOf, project, exclusions);
      return;
    }
    // No engines.node: the project declared nothing a dependency could break, so what
    // dependencies leave out of the maintained LTS lines is one cause, told in this one finding.
    const packages = [...new Map(exclusions.map(({ node, range, excluded }) => [nameAtVersion(node), { package: nameAtVersion(node), engines: range, excluded: excluded.map(describeInterval), devOnly: node.dev }] as const)).values()].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
    const lines = [...new Set(exclusions.flatMap(({ excluded }) => excludedLines(asOf, excluded)))].sort((a, b) => Number(a) - Number(b));
    const names = packages.map((entry) => entry.package);
    const excluding = packages.length === 0 ? '' : `; ${packages.length} package${packages.length === 1 ? '' : 's'} leave${packages.length === 1 ? 's' : ''} out part of ${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}); declare engines.node to judge them against what the project supports`;
    ctx.report({
      rule: 'missing',
      node: null,
      data: { range: project.range, excluding },
      evidence: { file: 'package.json', field: 'engines.node', judgedAgainst: project.source, range: project.range, ...(packages.length > 0 ? { dependencyExcludes: { count: packages.length, lines, packages } } : {}) },
    });
  },
});
