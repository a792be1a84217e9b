// The Node.js release schedule and release list, from the node-releases
// package (never from the network or hand-written dates), and the schedule as
// seen on the audit date: which lines are released, LTS, maintained or
// end-of-life, and what an alias such as `lts/*` names that day.

import { createRequire } from 'node:module';
import { compareVersions, contains, parseVersion, ZERO, type Version, type VersionSet } from './version-set.js';

export interface NodeLine {
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

export interface Schedule {
  /** Ordered by version. */
  lines: NodeLine[];
  /** Every release version from 0.x on, oldest first (also those of lines the schedule lacks). */
  releases: Array<{ version: Version; date: string }>;
  /** Versions of lines the schedule does not even plan: from (last scheduled major + 1).0.0 on. */
  unscheduled: VersionSet;
}

let scheduleCache: Schedule | undefined;

export function loadSchedule(): Schedule {
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
export class AsOf {
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
