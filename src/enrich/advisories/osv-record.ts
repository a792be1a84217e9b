// OSV records (the OSV API, osv.dev's per-ecosystem exports, a checkout of
// the GitHub advisory database) -> depguard's Advisory. Lenient about the
// record (missing fields are empty), exact about ranges: SEMVER and
// ECOSYSTEM events (introduced / fixed / last_affected) and explicit
// `versions` become one node-semver range per package; a range that cannot
// be converted skips that entry with a reason instead of guessing.

import semver from 'semver';
import type { Severity } from '../../model.js';
import { isJsonObject, own, type JsonObject } from '../../util/json.js';
import { cvss3BaseScore, severityOfScore } from './cvss.js';
import type { Advisory, AdvisoryOrigin, Cvss } from './types.js';

const LOOSE = { loose: true } as const;

export interface NormalisedRecord {
  /** One advisory per npm package the record affects (none for a withdrawn record or one without npm entries). */
  advisories: Advisory[];
  /** Why (part of) the record could not be used. */
  problems: string[];
}

interface RangeEvent {
  kind: 'introduced' | 'fixed' | 'last_affected';
  version: string;
}

/** `0` sorts before every version: OSV's "from the first release". */
function compareEvents(a: RangeEvent, b: RangeEvent): number {
  if (a.version === '0' || b.version === '0') return a.version === b.version ? 0 : a.version === '0' ? -1 : 1;
  return semver.compare(a.version, b.version, LOOSE);
}

/**
 * One OSV range's events as a node-semver range: each introduced..fixed
 * interval becomes `>=introduced <fixed` (`<=last_affected` when there is no
 * fix), an interval left open becomes `>=introduced`, and introduced `0`
 * drops the lower bound. Events are sorted by version first, as the OSV
 * schema says to evaluate them. `limit` events belong to GIT ranges and are
 * ignored. Returns null when a version is not semver.
 */
export function osvEventsToRange(events: unknown): string | null {
  if (!Array.isArray(events)) return null;
  const parsed: RangeEvent[] = [];
  for (const event of events) {
    if (!isJsonObject(event)) return null;
    for (const kind of ['introduced', 'fixed', 'last_affected'] as const) {
      const version = own<unknown>(event, kind);
      if (version === undefined) continue;
      if (typeof version !== 'string') return null;
      if (!(kind === 'introduced' && version === '0') && semver.valid(version, LOOSE) === null) return null;
      parsed.push({ kind, version: version === '0' ? '0' : semver.valid(version, LOOSE)! });
    }
  }
  parsed.sort(compareEvents);
  const intervals: string[] = [];
  let lower: string | null = null;
  for (const event of parsed) {
    if (event.kind === 'introduced') {
      lower ??= event.version;
      continue;
    }
    if (lower === null) continue; // a fix with nothing introduced before it
    const low = lower === '0' ? '' : `>=${lower} `;
    intervals.push(`${low}${event.kind === 'fixed' ? '<' : '<='}${event.version}`);
    lower = null;
  }
  if (lower !== null) intervals.push(lower === '0' ? '*' : `>=${lower}`);
  if (intervals.includes('*')) return '*';
  // Nothing introduced: OSV says nothing in this range is affected.
  return intervals.length === 0 ? '<0.0.0-0' : intervals.join(' || ');
}

const SEVERITY_WORDS: Record<string, Severity> = { low: 'low', moderate: 'moderate', medium: 'moderate', high: 'high', critical: 'critical' };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function cvssOf(record: JsonObject): Cvss | null {
  const entries = Array.isArray(record.severity) ? record.severity.filter(isJsonObject) : [];
  // v3 first: depguard can score it; v4 is kept as a vector only.
  const ranked = [...entries].sort((a, b) => (a.type === 'CVSS_V3' ? -1 : b.type === 'CVSS_V3' ? 1 : 0));
  for (const entry of ranked) {
    if (typeof entry.score !== 'string' || !/^CVSS_V[234]$/.test(String(entry.type))) continue;
    return { vector: entry.score, score: cvss3BaseScore(entry.score) };
  }
  return null;
}

function cweOf(record: JsonObject, affected: JsonObject[]): string[] {
  const found = new Set(strings(own<JsonObject>(isJsonObject(record.database_specific) ? record.database_specific : {}, 'cwe_ids')));
  for (const entry of affected) {
    const specific = isJsonObject(entry.database_specific) ? entry.database_specific : {};
    for (const cwe of Array.isArray(specific.cwes) ? specific.cwes : []) {
      if (isJsonObject(cwe) && typeof cwe.cweId === 'string') found.add(cwe.cweId);
    }
  }
  return [...found].sort();
}

function urlOf(record: JsonObject, id: string): string {
  if (/^GHSA-/.test(id)) return `https://github.com/advisories/${id}`;
  const references = Array.isArray(record.references) ? record.references.filter(isJsonObject) : [];
  const advisory = references.find((reference) => reference.type === 'ADVISORY' && typeof reference.url === 'string');
  return typeof advisory?.url === 'string' ? advisory.url : `https://osv.dev/vulnerability/${id}`;
}

function titleOf(record: JsonObject, id: string): string {
  if (typeof record.summary === 'string' && record.summary.trim() !== '') return record.summary.trim();
  if (typeof record.details === 'string') {
    const line = record.details.split('\n').map((text) => text.trim()).find((text) => text !== '' && !text.startsWith('---'));
    if (line) return line.length > 200 ? `${line.slice(0, 197)}...` : line;
  }
  return id;
}

export function isMaliciousId(id: string): boolean {
  return /^MAL-/i.test(id);
}

/** The severity of a record: GitHub's qualitative rating, else its CVSS v3 score, else critical for malware, else high (npm's default). */
function severityOf(record: JsonObject, cvss: Cvss | null, malicious: boolean): Severity {
  const specific = isJsonObject(record.database_specific) ? record.database_specific : {};
  const word = typeof specific.severity === 'string' ? SEVERITY_WORDS[specific.severity.toLowerCase()] : undefined;
  if (malicious) return 'critical';
  if (word) return word;
  if (cvss?.score != null) return severityOfScore(cvss.score);
  return 'high';
}

/** Normalises one parsed OSV record; `where` names it in problems (a file, a URL). */
export function normaliseOsvRecord(record: unknown, origin: AdvisoryOrigin, where: string): NormalisedRecord {
  if (!isJsonObject(record) || typeof record.id !== 'string' || record.id === '') return { advisories: [], problems: [`${where}: not an OSV record (no "id")`] };
  const id = record.id;
  if (typeof record.withdrawn === 'string' && record.withdrawn !== '') return { advisories: [], problems: [] };
  const affected = (Array.isArray(record.affected) ? record.affected : []).filter(isJsonObject);
  const aliases = [...new Set(strings(record.aliases))].filter((alias) => alias !== id);
  const cwe = cweOf(record, affected);
  const malicious = isMaliciousId(id) || aliases.some(isMaliciousId) || cwe.includes('CWE-506');
  const cvss = cvssOf(record);
  const severity = severityOf(record, cvss, malicious);
  const problems: string[] = [];
  // Several entries may name one package (one per release line): one advisory, ranges joined.
  const byPackage = new Map<string, { ranges: string[]; patched: string[] }>();
  for (const entry of affected) {
    const pkg = isJsonObject(entry.package) ? entry.package : {};
    if (pkg.ecosystem !== 'npm' || typeof pkg.name !== 'string' || pkg.name === '') continue;
    const target = byPackage.get(pkg.name) ?? { ranges: [], patched: [] };
    const ranges = (Array.isArray(entry.ranges) ? entry.ranges : []).filter(isJsonObject).filter((range) => range.type === 'SEMVER' || range.type === 'ECOSYSTEM');
    const versions = strings(entry.versions);
    let usable = true;
    const converted: string[] = [];
    for (const range of ranges) {
      const text = osvEventsToRange(range.events);
      if (text === null) {
        problems.push(`${where}: ${id}: a ${String(range.type)} range of ${pkg.name} is not made of semver versions`);
        usable = false;
        break;
      }
      converted.push(text);
      for (const event of Array.isArray(range.events) ? range.events.filter(isJsonObject) : []) {
        if (typeof event.fixed === 'string') target.patched.push(semver.valid(event.fixed, LOOSE) ?? event.fixed);
      }
    }
    if (!usable) continue;
    const joined = converted.filter((text) => text !== '<0.0.0-0');
    // Explicit versions count too (OSV: affected if in a range OR listed); keep only those the ranges miss.
    const extra = versions.filter((version) => semver.valid(version, LOOSE) !== null && !joined.some((range) => semver.satisfies(version, range, { includePrerelease: true, loose: true })));
    const parts = [...joined, ...extra.map((version) => semver.valid(version, LOOSE)!)];
    // An entry with neither ranges nor versions names the whole package.
    if (ranges.length === 0 && versions.length === 0) parts.push('*');
    if (parts.length === 0 && converted.length > 0) parts.push('<0.0.0-0');
    target.ranges.push(...parts);
    byPackage.set(pkg.name, target);
  }
  const advisories: Advisory[] = [];
  for (const [name, { ranges, patched }] of byPackage) {
    const real = ranges.filter((range) => range !== '<0.0.0-0');
    if (real.length === 0) continue;
    advisories.push({
      id,
      aliases,
      package: name,
      title: titleOf(record, id),
      url: urlOf(record, id),
      severity,
      cvss,
      cwe,
      range: real.includes('*') ? '*' : [...new Set(real)].join(' || '),
      patched: [...new Set(patched)].sort(semver.compareLoose),
      malicious,
      origin,
    });
  }
  return { advisories, problems };
}
