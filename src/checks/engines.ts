// engines: which Node.js versions the project says it supports and runs on,
// judged against the Node.js release schedule as of the audit date, and the
// dependencies whose own engines.node leave part of that range out.
//
// Sources, each read as data (never executed): package.json engines.node,
// devEngines.runtime and volta.node, .nvmrc, .node-version, the node-version
// (or node-version-file) of actions/setup-node steps in .github/workflows, and
// `FROM node:<tag>` in the project's Dockerfile. Ranges are parsed once per
// distinct string into sets of release versions (half-open intervals), so
// "admits a line", "excludes part of the range" and "disagrees" are exact set
// operations. The schedule and the release list come from the node-releases
// package, never from the network or hand-written dates.

import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import semver from 'semver';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { packageRef, type DepNode } from '../model.js';
import { isJsonObject, own } from '../util/json.js';
import { defineCheck, type CheckContext } from './types.js';

export const DEPENDENCY_RANGES = ['declared', 'maintained'] as const;

export interface EnginesOptions {
  /** A maintained line that reaches end-of-life within this many days is reported (`eol-soon`). */
  eolSoonDays: number;
  /**
   * What part of the project's range dependencies are judged on: all of it as
   * declared (as npm engine-strict and ls-engines do), or only its maintained
   * lines (what is end-of-life is then left to `end-of-life`).
   */
  dependencyRange: (typeof DEPENDENCY_RANGES)[number];
}

const DEFAULT_EOL_SOON_DAYS = 180;

// --- sets of release versions ------------------------------------------------

/** A release version [major, minor, patch]; prereleases are never judged. */
type Version = readonly [number, number, number];
/** Release versions v with lo <= v < hi (hi null: no upper bound). */
interface Interval {
  lo: Version;
  hi: Version | null;
}
/** Sorted, disjoint, non-adjacent intervals. */
type VersionSet = readonly Interval[];

const ZERO: Version = [0, 0, 0];

function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Upper bounds: null is +infinity. */
function compareHi(a: Version | null, b: Version | null): number {
  if (a === null) return b === null ? 0 : 1;
  return b === null ? -1 : compareVersions(a, b);
}

function nextPatch(v: Version): Version {
  return [v[0], v[1], v[2] + 1];
}

function normalise(intervals: Interval[]): VersionSet {
  const sorted = intervals.filter((i) => i.hi === null || compareVersions(i.lo, i.hi) < 0).sort((a, b) => compareVersions(a.lo, b.lo));
  const out: Interval[] = [];
  for (const interval of sorted) {
    const last = out[out.length - 1];
    if (last && (last.hi === null || compareVersions(interval.lo, last.hi) <= 0)) {
      if (compareHi(interval.hi, last.hi) > 0) out[out.length - 1] = { lo: last.lo, hi: interval.hi };
    } else {
      out.push(interval);
    }
  }
  return out;
}

/**
 * The release versions a parsed semver range admits. For a release version,
 * `>=X.Y.Z-pre` is `>=X.Y.Z`, `<X.Y.Z-pre` is `<X.Y.Z`, and so on, so every
 * comparator set is one interval.
 */
function setFromRange(range: semver.Range): VersionSet {
  const intervals: Interval[] = [];
  for (const comparators of range.set) {
    let lo: Version = ZERO;
    let hi: Version | null = null;
    let empty = false;
    for (const comparator of comparators) {
      if (comparator.value === '') continue; // ANY
      const { major, minor, patch, prerelease } = comparator.semver;
      const v: Version = [major, minor, patch];
      const pre = prerelease.length > 0;
      const raiseLo = (bound: Version): void => void (compareVersions(bound, lo) > 0 && (lo = bound));
      const lowerHi = (bound: Version): void => void (compareHi(bound, hi) < 0 && (hi = bound));
      switch (comparator.operator) {
        case '>=':
          raiseLo(v);
          break;
        case '>':
          raiseLo(pre ? v : nextPatch(v));
          break;
        case '<':
          lowerHi(v);
          break;
        case '<=':
          lowerHi(pre ? v : nextPatch(v));
          break;
        default:
          if (pre) empty = true;
          raiseLo(v);
          lowerHi(nextPatch(v));
      }
    }
    if (!empty) intervals.push({ lo, hi });
  }
  return normalise(intervals);
}

function intersect(a: VersionSet, b: VersionSet): VersionSet {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const lo = compareVersions(x.lo, y.lo) >= 0 ? x.lo : y.lo;
      const hi = compareHi(x.hi, y.hi) <= 0 ? x.hi : y.hi;
      out.push({ lo, hi });
    }
  }
  return normalise(out);
}

/** a minus b. */
function subtract(a: VersionSet, b: VersionSet): VersionSet {
  let rest: Interval[] = [...a];
  for (const y of b) {
    const next: Interval[] = [];
    for (const x of rest) {
      // Part of x below y.
      if (compareVersions(x.lo, y.lo) < 0) next.push({ lo: x.lo, hi: compareHi(x.hi, y.lo) <= 0 ? x.hi : y.lo });
      // Part of x above y.
      if (y.hi !== null && compareHi(x.hi, y.hi) > 0) next.push({ lo: compareVersions(x.lo, y.hi) >= 0 ? x.lo : y.hi, hi: x.hi });
    }
    rest = next;
  }
  return normalise(rest);
}

function contains(set: VersionSet, v: Version): boolean {
  return set.some((i) => compareVersions(i.lo, v) <= 0 && (i.hi === null || compareVersions(v, i.hi) < 0));
}

function overlaps(a: VersionSet, b: VersionSet): boolean {
  return intersect(a, b).length > 0;
}

function formatVersion(v: Version): string {
  return v.join('.');
}

/** `22.0.0–22.11.x`, `23.x`, `25.x–26.x`, `28.0.0 and later`: the release versions an interval holds, for people. */
function describeInterval({ lo, hi }: Interval): string {
  if (hi === null) return `${formatVersion(lo)} and later`;
  if (hi[2] > 0) {
    const last: Version = [hi[0], hi[1], hi[2] - 1];
    return compareVersions(lo, last) === 0 ? formatVersion(lo) : `${formatVersion(lo)}–${formatVersion(last)}`;
  }
  if (hi[1] > 0) {
    const last = `${hi[0]}.${hi[1] - 1}.x`;
    return lo[0] === hi[0] && lo[1] === hi[1] - 1 && lo[2] === 0 ? last : `${formatVersion(lo)}–${last}`;
  }
  const last = `${hi[0] - 1}.x`;
  if (lo[1] !== 0 || lo[2] !== 0) return `${formatVersion(lo)}–${last}`;
  return lo[0] === hi[0] - 1 ? last : `${lo[0]}.x–${last}`;
}

/** `>=22.0.0 <22.12.0`: the same interval as a semver range, for machines. */
function intervalRange({ lo, hi }: Interval): string {
  return hi === null ? `>=${formatVersion(lo)}` : `>=${formatVersion(lo)} <${formatVersion(hi)}`;
}

function parseVersion(text: string): Version | null {
  const parsed = semver.parse(text);
  return parsed && parsed.prerelease.length === 0 ? [parsed.major, parsed.minor, parsed.patch] : null;
}

/** Parsed ranges by their text: a 2,000-package graph has a few dozen distinct engines strings. */
const rangeCache = new Map<string, VersionSet | null>();

/** The release versions a range admits, as npm reads engines (strict semver), or null when it is not a range. */
function parseRange(text: string): VersionSet | null {
  let set = rangeCache.get(text);
  if (set === undefined) {
    try {
      set = setFromRange(new semver.Range(text));
    } catch {
      set = null;
    }
    rangeCache.set(text, set);
  }
  return set;
}

// --- the Node.js release schedule -------------------------------------------

interface NodeLine {
  /** `22`, or `0.10` for the 0.x lines. */
  label: string;
  set: VersionSet;
  start: string;
  /** When it entered (or enters) LTS; null for a line that never does. */
  lts: string | null;
  end: string;
  codename: string | null;
  /** Its releases with their dates, oldest first. */
  releases: Array<{ version: Version; date: string }>;
}

interface Schedule {
  /** Ordered by version. */
  lines: NodeLine[];
  /** Every release version from 0.x on, oldest first (also those of lines the schedule lacks). */
  releases: Array<{ version: Version; date: string }>;
  /** Versions of lines the schedule does not even plan: from (last scheduled major + 1).0.0 on. */
  unscheduled: VersionSet;
}

let scheduleCache: Schedule | undefined;

function loadSchedule(): Schedule {
  if (scheduleCache) return scheduleCache;
  const require = createRequire(import.meta.url);
  const rawSchedule = require('node-releases/data/release-schedule/release-schedule.json') as Record<string, Record<string, string>>;
  const rawReleases = require('node-releases/data/processed/envs.json') as Array<{ version: string; date: string }>;
  const releases = rawReleases
    .flatMap((release) => {
      const version = parseVersion(release.version);
      return version ? [{ version, date: release.date }] : [];
    })
    .sort((a, b) => compareVersions(a.version, b.version));
  const lines: NodeLine[] = [];
  for (const [key, entry] of Object.entries(rawSchedule)) {
    const match = /^v(\d+)(?:\.(\d+))?$/.exec(key);
    if (!match || !entry.start || !entry.end) continue;
    const major = Number(match[1]);
    const minor = match[2] === undefined ? null : Number(match[2]);
    const lo: Version = minor === null ? [major, 0, 0] : [major, minor, 0];
    const hi: Version = minor === null ? [major + 1, 0, 0] : [major, minor + 1, 0];
    const set: VersionSet = [{ lo, hi }];
    lines.push({
      label: minor === null ? String(major) : `${major}.${minor}`,
      set,
      start: entry.start,
      lts: entry.lts || null,
      end: entry.end,
      codename: entry.codename || null,
      releases: releases.filter((release) => contains(set, release.version)),
    });
  }
  lines.sort((a, b) => compareVersions(a.set[0]!.lo, b.set[0]!.lo));
  const lastMajor = Math.max(...lines.map((line) => line.set[0]!.lo[0]));
  scheduleCache = { lines, releases, unscheduled: [{ lo: [lastMajor + 1, 0, 0], hi: null }] };
  return scheduleCache;
}

/** The schedule as seen on one day. */
class AsOf {
  readonly schedule: Schedule;
  readonly today: string;

  constructor(schedule: Schedule, today: string) {
    this.schedule = schedule;
    this.today = today;
  }

  started(line: NodeLine): boolean {
    return line.start <= this.today;
  }

  /** A line is end-of-life from its end date on. */
  ended(line: NodeLine): boolean {
    return line.end <= this.today;
  }

  maintained(line: NodeLine): boolean {
    return this.started(line) && !this.ended(line);
  }

  daysUntil(date: string): number {
    return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.today}T00:00:00Z`)) / 86_400_000);
  }

  /** LTS lines that have entered LTS by today, oldest first. */
  ltsLines(): NodeLine[] {
    return this.schedule.lines.filter((line) => line.lts !== null && line.lts <= this.today).sort((a, b) => (a.lts! < b.lts! ? -1 : 1));
  }

  /** Lines in active or maintenance LTS today: what a project without engines.node is judged against. */
  maintainedLts(): NodeLine[] {
    return this.ltsLines().filter((line) => !this.ended(line)).sort((a, b) => compareVersions(a.set[0]!.lo, b.set[0]!.lo));
  }

  /** The newest line released by today (`node`, `current`, `latest`). */
  current(): NodeLine | null {
    return this.schedule.lines.filter((line) => this.started(line)).at(-1) ?? null;
  }

  /** Every release version of the lines released by today: the versions a dependency can be judged on. */
  universe(): VersionSet {
    const current = this.current();
    return current ? [{ lo: ZERO, hi: [current.set[0]!.lo[0] + 1, 0, 0] }] : [];
  }

  latestRelease(set: VersionSet): Version | null {
    let latest: Version | null = null;
    for (const release of this.schedule.releases) {
      if (release.date <= this.today && contains(set, release.version)) latest = release.version;
    }
    return latest;
  }

  /** The schedule line holding a version, or a bare major (minor, for 0.x) line the schedule lacks. */
  lineSet(v: Version): { set: VersionSet; label: string } {
    const line = this.schedule.lines.find((candidate) => contains(candidate.set, v));
    if (line) return { set: line.set, label: line.label };
    return v[0] > 0 ? { set: [{ lo: [v[0], 0, 0], hi: [v[0] + 1, 0, 0] }], label: String(v[0]) } : { set: [{ lo: [0, v[1], 0], hi: [0, v[1] + 1, 0] }], label: `0.${v[1]}` };
  }

  /**
   * The line an alias names as of today: `node`/`current`/`latest`/`stable`,
   * `lts`/`lts/*`, `lts/-1`, `lts/<codename>` or a bare codename (`jod`, as in
   * Docker tags). Undefined when the text is no alias; null when it is one that
   * names no line as of today.
   */
  alias(text: string): NodeLine | null | undefined {
    const name = text.toLowerCase();
    if (['node', 'current', 'latest', 'stable'].includes(name)) return this.current();
    if (['lts', 'lts/*', 'lts-latest', 'lts/latest'].includes(name)) return this.ltsLines().at(-1) ?? null;
    const back = /^lts\/-(\d+)$/.exec(name);
    if (back) return this.ltsLines().at(-1 - Number(back[1])) ?? null;
    const codename = /^(?:lts\/)?([a-z]+)$/.exec(name);
    if (!codename) return undefined;
    const line = this.schedule.lines.find((candidate) => candidate.codename?.toLowerCase() === codename[1]);
    if (line) return line.lts !== null && line.lts <= this.today ? line : null;
    return name.startsWith('lts/') ? null : undefined;
  }
}

// --- sources -----------------------------------------------------------------

type SourceName = 'engines.node' | 'devEngines.runtime' | 'volta.node' | '.nvmrc' | '.node-version' | 'github-actions' | 'Dockerfile';

interface Source {
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

function sourceEvidence(source: Source): Record<string, unknown> {
  return {
    source: source.source,
    file: source.file,
    value: source.value,
    range: source.range,
    ...(source.declares ? {} : { resolved: source.resolved }),
    ...source.where,
  };
}

type Ctx = CheckContext<EnginesOptions>;

const MAX_FILE_BYTES = 1024 * 1024;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * A file of the project as text, or null when absent. A symlink that leads
 * outside the project is not followed (a pull request must not be able to make
 * the audit print /etc/passwd); a file over 1 MiB is skipped.
 */
async function readProjectFile(ctx: Ctx, file: string): Promise<string | null> {
  let target: string;
  let root: string;
  try {
    [target, root] = await Promise.all([realpath(join(ctx.graph.projectPath, file)), realpath(ctx.graph.projectPath)]);
  } catch {
    return null;
  }
  const inside = relative(root, target);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    ctx.diagnostic({ level: 'warning', code: 'ENGINES_SOURCE_SKIPPED', message: `${file} is a symbolic link to outside the project; it was not read`, file });
    return null;
  }
  try {
    const stats = await stat(target);
    if (!stats.isFile()) return null;
    if (stats.size > MAX_FILE_BYTES) {
      ctx.diagnostic({ level: 'warning', code: 'ENGINES_SOURCE_SKIPPED', message: `${file} is larger than 1 MiB; it was not read`, file });
      return null;
    }
    return await readFile(target, 'utf8');
  } catch {
    return null;
  }
}

function unreadable(ctx: Ctx, file: string, field: string, value: unknown, why = 'not a Node.js version, range or alias depguard can read'): void {
  const shown = typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
  ctx.diagnostic({ level: 'warning', code: 'UNREADABLE_NODE_VERSION', message: `${file}: ${field} is ${JSON.stringify(shown)}, ${why}; it was not judged`, file });
}

/** A declared range (engines.node, devEngines.runtime). */
function declaredSource(source: SourceName, file: string, value: string, where: Record<string, string | number> = {}): Source | null {
  const set = parseRange(value);
  if (!set) return null;
  return { source, file, value, range: value.trim(), declares: true, set, runs: set, resolved: null, judged: set, where };
}

/**
 * A runtime pick (.nvmrc, .node-version, volta.node, setup-node, Docker):
 * an exact version, a partial version or range (the newest release that fits,
 * as nvm, setup-node and Docker tags do), or an alias resolved by the schedule.
 */
function runtimeSource(asOf: AsOf, source: SourceName, file: string, value: string, where: Record<string, string | number> = {}): Source | null {
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

function fromManifest(ctx: Ctx, asOf: AsOf): { sources: Source[]; enginesNode: 'present' | 'absent' | 'unreadable' } {
  const manifest = ctx.graph.manifest;
  const sources: Source[] = [];
  let enginesNode: 'present' | 'absent' | 'unreadable' = 'absent';
  const engines = own(manifest, 'engines');
  if (isJsonObject(engines) && Object.hasOwn(engines, 'node')) {
    const value = engines.node;
    const source = typeof value === 'string' ? declaredSource('engines.node', 'package.json', value) : null;
    if (source) {
      sources.push(source);
      enginesNode = 'present';
    } else {
      unreadable(ctx, 'package.json', 'engines.node', value, 'not a semver range');
      enginesNode = 'unreadable';
    }
  }
  const devEngines = own(manifest, 'devEngines');
  const runtime = isJsonObject(devEngines) ? own(devEngines, 'runtime') : undefined;
  const runtimes = Array.isArray(runtime) ? runtime : runtime === undefined ? [] : [runtime];
  runtimes.forEach((entry, index) => {
    if (!isJsonObject(entry) || own(entry, 'name') !== 'node' || !Object.hasOwn(entry, 'version')) return;
    const version = entry.version;
    const field = Array.isArray(runtime) ? `devEngines.runtime[${index}].version` : 'devEngines.runtime.version';
    const source = typeof version === 'string' ? declaredSource('devEngines.runtime', 'package.json', version, typeof entry.onFail === 'string' ? { onFail: entry.onFail } : {}) : null;
    if (source) sources.push(source);
    else unreadable(ctx, 'package.json', field, version, 'not a semver range');
  });
  const volta = own(manifest, 'volta');
  const voltaNode = isJsonObject(volta) ? own(volta, 'node') : undefined;
  if (voltaNode !== undefined) {
    const source = typeof voltaNode === 'string' ? runtimeSource(asOf, 'volta.node', 'package.json', voltaNode) : null;
    if (source) sources.push(source);
    else unreadable(ctx, 'package.json', 'volta.node', voltaNode);
  }
  return { sources, enginesNode };
}

/** The version line of an .nvmrc / .node-version / .tool-versions file: first line that is not a comment. */
function versionFileValue(text: string, file: string): string | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (file.endsWith('.tool-versions')) {
      const match = /^(?:nodejs|node)\s+(\S+)/.exec(line);
      if (match) return match[1]!;
      continue;
    }
    return line;
  }
  return null;
}

async function fromVersionFile(ctx: Ctx, asOf: AsOf, file: '.nvmrc' | '.node-version'): Promise<Source | null> {
  const text = await readProjectFile(ctx, file);
  if (text === null) return null;
  const value = versionFileValue(text, file);
  if (value === null) {
    unreadable(ctx, file, 'the file', text.trim(), 'empty');
    return null;
  }
  const source = runtimeSource(asOf, file, file, value);
  if (!source) unreadable(ctx, file, 'the version', value);
  return source;
}

// --- GitHub Actions workflows ------------------------------------------------

type Scope = { vars: Map<string, Array<{ value: string; line: number }>>; env: Map<string, string> };

function deref(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function child(doc: Document, node: unknown, key: string): unknown {
  const value = deref(doc, node);
  return isMap(value) ? deref(doc, value.get(key, true)) : undefined;
}

/** A scalar's text as written: `22.10` stays `22.10`, not the number 22.1. */
function scalarText(text: string, node: unknown): string | null {
  if (!isScalar(node)) return null;
  if (typeof node.value === 'string') return node.value;
  if (node.range && node.type === 'PLAIN') return text.slice(node.range[0], node.range[1]);
  return node.value === null || node.value === undefined ? null : String(node.value);
}

function envOf(doc: Document, text: string, node: unknown, into: Map<string, string>): void {
  const env = child(doc, node, 'env');
  if (!isMap(env)) return;
  for (const pair of env.items) {
    const key = scalarText(text, deref(doc, pair.key));
    const value = scalarText(text, deref(doc, pair.value));
    if (key !== null && value !== null) into.set(key, value);
  }
}

const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * The values a setup-node input takes: matrix values (`${{ matrix.node }}`,
 * `${{ matrix['node-version'] }}`, from the list and from `include`) and env
 * values substituted; null when an expression cannot be resolved from the file.
 */
function expand(value: string, scope: Scope): Array<{ value: string; expression?: string; line?: number }> | null {
  const expressions = [...value.matchAll(EXPRESSION)];
  if (expressions.length === 0) return [{ value }];
  let results: Array<{ value: string; line?: number }> = [{ value }];
  for (const [whole, inner] of expressions) {
    const matrix = /^matrix(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])$/.exec(inner!);
    const env = /^env(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])$/.exec(inner!);
    let values: Array<{ value: string; line?: number }>;
    if (matrix) {
      const found = scope.vars.get(matrix[1] ?? matrix[2]!);
      if (!found || found.length === 0) return null;
      values = found;
    } else if (env) {
      const found = scope.env.get(env[1] ?? env[2]!);
      if (found === undefined) return null;
      values = [{ value: found }];
    } else {
      return null;
    }
    results = results.flatMap((partial) => values.map((v) => ({ value: partial.value.replace(whole, () => v.value), ...(v.line !== undefined ? { line: v.line } : partial.line !== undefined ? { line: partial.line } : {}) })));
    if (results.length > 100) return null;
  }
  if (results.some((result) => result.value.includes('${{'))) return null;
  return results.map((result) => ({ ...result, expression: value }));
}

function matrixVars(doc: Document, text: string, lines: LineCounter, job: unknown): Scope['vars'] | null {
  const vars: Scope['vars'] = new Map();
  const matrix = child(doc, child(doc, job, 'strategy'), 'matrix');
  if (matrix === undefined) return vars;
  if (!isMap(matrix)) return null; // `${{ fromJSON(...) }}`: computed at run time
  const add = (key: string, node: unknown): void => {
    const value = scalarText(text, node);
    if (value === null) return;
    const list = vars.get(key) ?? [];
    if (!list.some((entry) => entry.value === value)) list.push({ value, line: lines.linePos((node as YamlNode).range?.[0] ?? 0).line });
    vars.set(key, list);
  };
  for (const pair of matrix.items) {
    const key = scalarText(text, deref(doc, pair.key));
    if (key === null || key === 'exclude') continue;
    const value = deref(doc, pair.value);
    if (key === 'include') {
      if (!isSeq(value)) continue;
      for (const entry of value.items) {
        const map = deref(doc, entry);
        if (!isMap(map)) continue;
        for (const item of map.items) {
          const name = scalarText(text, deref(doc, item.key));
          if (name !== null) add(name, deref(doc, item.value));
        }
      }
    } else if (isSeq(value)) {
      for (const item of value.items) add(key, deref(doc, item));
    } else {
      add(key, value);
    }
  }
  return vars;
}

async function fromWorkflows(ctx: Ctx, asOf: AsOf, manifestSources: Source[]): Promise<Source[]> {
  const folder = '.github/workflows';
  let names: string[];
  try {
    names = (await readdir(join(ctx.graph.projectPath, folder))).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch {
    return [];
  }
  const sources: Source[] = [];
  for (const name of names) {
    const file = `${folder}/${name}`;
    const text = await readProjectFile(ctx, file);
    if (text === null) continue;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) {
      ctx.diagnostic({ level: 'warning', code: 'UNREADABLE_WORKFLOW', message: `${file} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); its setup-node steps were not judged`, file });
      continue;
    }
    const workflowEnv = new Map<string, string>();
    envOf(doc, text, doc.contents, workflowEnv);
    const jobs = child(doc, doc.contents, 'jobs');
    if (!isMap(jobs)) continue;
    for (const jobPair of jobs.items) {
      const jobName = scalarText(text, deref(doc, jobPair.key)) ?? '';
      const job = deref(doc, jobPair.value);
      const steps = child(doc, job, 'steps');
      if (!isSeq(steps)) continue;
      const vars = matrixVars(doc, text, lines, job);
      const jobEnv = new Map(workflowEnv);
      envOf(doc, text, job, jobEnv);
      for (const stepNode of steps.items) {
        const step = deref(doc, stepNode);
        const uses = scalarText(text, child(doc, step, 'uses'));
        if (uses === null || !/^actions\/setup-node(@|$)/i.test(uses.trim())) continue;
        const env = new Map(jobEnv);
        envOf(doc, text, step, env);
        const withNode = child(doc, step, 'with');
        const versionNode = child(doc, withNode, 'node-version');
        const fileNode = child(doc, withNode, 'node-version-file');
        const stepLine = lines.linePos((step as YamlNode).range?.[0] ?? 0).line;
        const raw = scalarText(text, versionNode);
        const rawFile = scalarText(text, fileNode);
        if (raw !== null && raw.trim() !== '') {
          const line = lines.linePos((versionNode as YamlNode).range?.[0] ?? 0).line;
          const values = expand(raw, { vars: vars ?? new Map(), env });
          if (!values) {
            unreadable(ctx, file, `jobs.${jobName} node-version (line ${line})`, raw, 'an expression depguard cannot resolve from the file');
            continue;
          }
          for (const { value, expression, line: valueLine } of values) {
            const where = { job: jobName, line: valueLine ?? line, ...(expression !== undefined ? { expression } : {}) };
            const source = runtimeSource(asOf, 'github-actions', file, value, where);
            if (source) sources.push(source);
            else unreadable(ctx, file, `jobs.${jobName} node-version (line ${valueLine ?? line})`, value);
          }
        } else if (rawFile !== null && rawFile.trim() !== '') {
          const source = await fromVersionFileInput(ctx, asOf, file, rawFile.trim(), { job: jobName, line: stepLine }, manifestSources);
          if (source) sources.push(source);
        }
      }
    }
  }
  return sources;
}

/**
 * setup-node's node-version-file: .nvmrc, .node-version, .tool-versions, or
 * package.json (volta.node, then devEngines.runtime, then engines.node, as
 * setup-node reads it). The step runs what that file names.
 */
async function fromVersionFileInput(ctx: Ctx, asOf: AsOf, workflow: string, path: string, where: Record<string, string | number>, manifestSources: Source[]): Promise<Source | null> {
  const target = toPosix(path).replace(/^\.\//, '');
  if (target.split('/').includes('..') || target.startsWith('/')) {
    unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'outside the project');
    return null;
  }
  let value: string | null;
  if (target === 'package.json') {
    const pick = ['volta.node', 'devEngines.runtime', 'engines.node'].map((name) => manifestSources.find((s) => s.source === name)).find(Boolean);
    value = pick?.value ?? null;
  } else {
    const text = await readProjectFile(ctx, target);
    if (text === null) {
      unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'a file that does not exist in the project');
      return null;
    }
    value = versionFileValue(text, target);
  }
  if (value === null) {
    unreadable(ctx, workflow, `jobs.${where.job} node-version-file`, path, 'a file that names no Node.js version');
    return null;
  }
  const source = runtimeSource(asOf, 'github-actions', workflow, value, { ...where, versionFile: target });
  if (!source) unreadable(ctx, workflow, `jobs.${where.job} node-version-file (${target})`, value);
  return source;
}

// --- Dockerfile --------------------------------------------------------------

/** Tag suffixes of the official image that name a base OS, not a Node.js version. */
const DOCKER_VARIANT = /^(alpine[\d.]*|slim|bookworm|bullseye|buster|stretch|jessie|trixie|wheezy|windowsservercore[\w.]*|nanoserver[\w.]*)$/;

/** The Node.js version spec a tag of the official `node` image stands for: `22`, `22.22.0`, `lts`, `jod`, `latest`. */
function dockerTagSpec(asOf: AsOf, tag: string): string | null {
  const first = tag.toLowerCase().split('-')[0]!;
  if (/^\d+(\.\d+){0,2}$/.test(first)) return first;
  if (asOf.alias(first) !== undefined) return first;
  if (DOCKER_VARIANT.test(first)) return 'latest';
  return null;
}

/** `node`, `library/node`, `docker.io/library/node`, `<mirror>/library/node`: the official image. */
function isOfficialNodeImage(repository: string): boolean {
  const name = repository.toLowerCase();
  return name === 'node' || name === 'library/node' || name === 'docker.io/node' || name.endsWith('/library/node');
}

function substituteArgs(text: string, args: Map<string, string>): string | null {
  let unresolved = false;
  const result = text.replace(/\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const value = args.get((braced ?? bare)!);
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    unresolved = true;
    return '';
  });
  return unresolved ? null : result;
}

async function fromDockerfile(ctx: Ctx, asOf: AsOf): Promise<Source[]> {
  const file = 'Dockerfile';
  const text = await readProjectFile(ctx, file);
  if (text === null) return [];
  const sources: Source[] = [];
  const args = new Map<string, string>();
  let seenFrom = false;
  const rawLines = text.split(/\r?\n/);
  for (let index = 0; index < rawLines.length; index++) {
    const lineNumber = index + 1;
    let instruction = rawLines[index]!;
    while (/\\\s*$/.test(instruction) && index + 1 < rawLines.length) instruction = instruction.replace(/\\\s*$/, ' ') + rawLines[++index]!;
    const trimmed = instruction.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword, ...rest] = trimmed.split(/\s+/);
    if (/^arg$/i.test(keyword!)) {
      // Only ARGs declared before the first FROM can be used in FROM lines.
      if (seenFrom) continue;
      for (const declaration of rest) {
        const [name, ...value] = declaration.split('=');
        if (name && !args.has(name)) args.set(name, value.join('=').replace(/^["']|["']$/g, ''));
      }
      continue;
    }
    if (!/^from$/i.test(keyword!)) continue;
    seenFrom = true;
    const image = rest.find((word) => !word.startsWith('--'));
    if (!image) continue;
    const ref = substituteArgs(image, args);
    if (ref === null) {
      if (/node/i.test(image)) unreadable(ctx, file, `FROM (line ${lineNumber})`, image, 'a build argument with no default');
      continue;
    }
    const withoutDigest = ref.split('@')[0]!;
    const colon = withoutDigest.lastIndexOf(':');
    const hasTag = colon > withoutDigest.lastIndexOf('/');
    const repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    if (!isOfficialNodeImage(repository)) continue;
    const tag = hasTag ? withoutDigest.slice(colon + 1) : 'latest';
    const spec = dockerTagSpec(asOf, tag);
    // The range is what the tag names (`22-alpine` is `22`); the value is the image as written.
    const source = spec === null ? null : runtimeSource(asOf, 'Dockerfile', file, spec, { line: lineNumber, tag });
    if (source) sources.push({ ...source, value: ref });
    else unreadable(ctx, file, `FROM (line ${lineNumber})`, ref, spec === null ? 'a node image tag depguard cannot read' : 'a tag that names no Node.js release as of the audit date');
  }
  return sources;
}

// --- judging sources against the schedule ------------------------------------

function lineEvidence(line: NodeLine): Record<string, unknown> {
  return { line: line.label, codename: line.codename, ...(line.lts ? { lts: line.lts } : {}), end: line.end };
}

function lineName(line: NodeLine): string {
  return line.codename ? `${line.label} (${line.codename})` : line.label;
}

/** Where a source is, for messages: `engines.node in package.json`, `.nvmrc`, `setup-node in .github/workflows/ci.yml (job test, line 12)`. */
function sourceData(source: Source): Record<string, string> {
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
function mirrorsSource(source: Source): boolean {
  return source.where.versionFile === '.nvmrc' || source.where.versionFile === '.node-version' || source.where.versionFile === 'package.json';
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

async function judgeDependencies(ctx: Ctx, asOf: AsOf, project: ProjectRange): Promise<void> {
  const { graph } = ctx;
  // v1 lockfiles record no engines: read each package's manifest instead.
  const fromManifests = graph.lockfile?.lockfileVersion === 1 && ctx.manifests !== null;
  const candidates = [...graph.nodes.values()].filter((node) => node.location !== '');
  const ranges = await Promise.all(
    candidates.map(async (node): Promise<{ range: string; from: 'lockfile' | 'manifest' } | null> => {
      if (node.engines && Object.hasOwn(node.engines, 'node')) return { range: node.engines.node!, from: graph.loadedFrom === 'lockfile' ? 'lockfile' : 'manifest' };
      if (!fromManifests || node.engines) return null;
      const manifest = await ctx.manifests!.manifest(node, { required: false });
      const range = manifest?.engines && Object.hasOwn(manifest.engines, 'node') ? manifest.engines.node! : null;
      return range === null ? null : { range, from: 'manifest' };
    }),
  );
  const excludedBy = new Map<string, VersionSet | null>();
  const excludedLines = (set: VersionSet): string[] => asOf.schedule.lines.filter((line) => overlaps(set, line.set)).map((line) => line.label);
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
        message: `${label(node)}: engines.node is ${JSON.stringify(found.range)}, which is not a semver range (npm refuses it under engine-strict); it was not judged`,
        package: packageRef(node),
      });
      return;
    }
    if (excluded.length === 0) return;
    ctx.report({
      rule: 'dependency-excludes',
      node,
      data: { name: node.packageName, version: node.version, range: found.range, excluded: excluded.map(describeInterval).join(', '), project: project.range, projectSource: project.source === 'engines.node' ? 'engines.node' : 'the maintained LTS lines' },
      evidence: {
        engines: found.range,
        enginesFrom: found.from,
        project: { source: project.source, range: project.range, judged: project.judged },
        excludes: excluded.map(intervalRange),
        excluded: excluded.map(describeInterval),
        lines: excludedLines(excluded),
      },
    });
  });
}

function label(node: DepNode): string {
  return `${node.packageName}@${node.version}`;
}

// --- the check ----------------------------------------------------------------

function readOptions(options: Partial<EnginesOptions> | undefined): EnginesOptions {
  return {
    eolSoonDays: typeof options?.eolSoonDays === 'number' ? options.eolSoonDays : DEFAULT_EOL_SOON_DAYS,
    dependencyRange: options?.dependencyRange === 'maintained' ? 'maintained' : 'declared',
  };
}

/** Every Node.js version source of the project, in a fixed order. */
async function collectSources(ctx: Ctx, asOf: AsOf): Promise<{ sources: Source[]; enginesNode: 'present' | 'absent' | 'unreadable' }> {
  const manifest = fromManifest(ctx, asOf);
  const nvmrc = await fromVersionFile(ctx, asOf, '.nvmrc');
  const nodeVersion = await fromVersionFile(ctx, asOf, '.node-version');
  const workflows = await fromWorkflows(ctx, asOf, manifest.sources);
  const docker = await fromDockerfile(ctx, asOf);
  const sources = [...manifest.sources, ...(nvmrc ? [nvmrc] : []), ...(nodeVersion ? [nodeVersion] : []), ...workflows, ...docker];
  return { sources, enginesNode: manifest.enginesNode };
}

const SOURCE = '{where}: "{value}"';

export default defineCheck<EnginesOptions>({
  meta: {
    id: 'engines',
    description: 'The Node.js versions the project declares (engines.node, devEngines) and runs on (.nvmrc, .node-version, volta, setup-node in CI, the Dockerfile) are maintained, agree with each other, and are admitted by every dependency.',
    rules: {
      missing: {
        description: 'package.json has no engines.node, so nothing tells npm, users or CI which Node.js versions the project supports.',
        severity: 'moderate',
        message: 'package.json has no engines.node, so nothing tells npm, users or CI which Node.js versions the project supports; dependencies were judged against the maintained LTS lines ({range})',
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
      'dependency-excludes': {
        description: 'A package\'s own engines.node leaves out part of the Node.js versions the project supports, so installs on those versions fail under engine-strict or the package may not work there.',
        severity: 'moderate',
        message: '{name}@{version} requires Node.js "{range}", which excludes {excluded} of {projectSource} "{project}"',
      },
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eolSoonDays: { type: 'integer', minimum: 0, maximum: 3650, description: 'report maintained lines that reach end-of-life within this many days' },
        dependencyRange: { enum: [...DEPENDENCY_RANGES], description: 'judge dependencies on the whole declared range, or on its maintained lines only' },
      },
    },
    defaultOptions: { eolSoonDays: DEFAULT_EOL_SOON_DAYS, dependencyRange: 'declared' },
    needs: ['manifests'],
  },

  async run(ctx) {
    const options = readOptions(ctx.options);
    const asOf = new AsOf(loadSchedule(), ctx.today);
    const { sources, enginesNode } = await collectSources(ctx, asOf);
    const engines = sources.find((source) => source.source === 'engines.node');
    const project = projectRange(asOf, engines, options.dependencyRange);
    if (enginesNode === 'absent') {
      ctx.report({ rule: 'missing', node: null, data: { range: project.range }, evidence: { file: 'package.json', field: 'engines.node', judgedAgainst: project.source, range: project.range } });
    }
    for (const source of sources) judgeSchedule(ctx, asOf, source, options.eolSoonDays);
    judgeAgreement(ctx, asOf, sources);
    await judgeDependencies(ctx, asOf, project);
  },
});

/** For tests: the set arithmetic and the schedule, without a graph. */
export const internals = { parseRange, subtract, intersect, describeInterval, intervalRange, AsOf, loadSchedule };
