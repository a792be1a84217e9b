// Sets of Node.js release versions, as sorted half-open intervals, so that
// "admits a line", "excludes part of the range" and "disagrees" are exact set
// operations whose result can be named in a finding (`18.0.0–18.16.x`,
// `>=18.0.0 <18.17.0`).
//
// Why not semver alone: semver parses a range into comparator sets (used
// below, via Range.set) and answers yes/no questions (intersects, subset,
// satisfies, minVersion), but it cannot compute an intersection or a
// difference as a value, which the findings need in order to say which
// versions are left out; and it lets prerelease comparators admit
// prereleases, while here only release versions are judged.

import semver from 'semver';

/** A release version [major, minor, patch]; prereleases are never judged. */
export type Version = readonly [number, number, number];
/** Release versions v with lo <= v < hi (hi null: no upper bound). */
export interface Interval {
  lo: Version;
  hi: Version | null;
}
/** Sorted, disjoint, non-adjacent intervals. */
export type VersionSet = readonly Interval[];

export const ZERO: Version = [0, 0, 0];

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Upper bounds: null is +infinity. */
function compareHi(a: Version | null, b: Version | null): number {
  if (a === null) return b === null ? 0 : 1;
  return b === null ? -1 : compareVersions(a, b);
}

export function nextPatch(v: Version): Version {
  return [v[0], v[1], v[2] + 1];
}

export function normalise(intervals: Interval[]): VersionSet {
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

export function intersect(a: VersionSet, b: VersionSet): VersionSet {
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
export function subtract(a: VersionSet, b: VersionSet): VersionSet {
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

export function contains(set: VersionSet, v: Version): boolean {
  return set.some((i) => compareVersions(i.lo, v) <= 0 && (i.hi === null || compareVersions(v, i.hi) < 0));
}

export function overlaps(a: VersionSet, b: VersionSet): boolean {
  return intersect(a, b).length > 0;
}

export function formatVersion(v: Version): string {
  return v.join('.');
}

/** `22.0.0–22.11.x`, `23.x`, `25.x–26.x`, `28.0.0 and later`: the release versions an interval holds, for people. */
export function describeInterval({ lo, hi }: Interval): string {
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
export function intervalRange({ lo, hi }: Interval): string {
  return hi === null ? `>=${formatVersion(lo)}` : `>=${formatVersion(lo)} <${formatVersion(hi)}`;
}

export function parseVersion(text: string): Version | null {
  const parsed = semver.parse(text);
  return parsed && parsed.prerelease.length === 0 ? [parsed.major, parsed.minor, parsed.patch] : null;
}

/** Parsed ranges by their text: a 2,000-package graph has a few dozen distinct engines strings. */
const rangeCache = new Map<string, VersionSet | null>();

/** The release versions a range admits, as npm reads engines (strict semver), or null when it is not a range. */
export function parseRange(text: string): VersionSet | null {
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
