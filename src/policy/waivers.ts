// Waivers: reviewed exceptions. Each needs a reason and an expiry date; an
// expired waiver stops applying and is reported, an unused one is reported as
// info so the list can be pruned.

import semver from 'semver';
import type { Waiver } from './waiver-model.js';
import type { Finding, WaiverRef } from '../model.js';

/** `name` or `name@range`; the first character may be the `@` of a scope. */
export function parsePackageSelector(selector: string): { name: string; range: string | null } {
  const at = selector.indexOf('@', 1);
  if (at < 0) return { name: selector, range: null };
  return { name: selector.slice(0, at), range: selector.slice(at + 1) || null };
}

function pathPattern(pattern: string): RegExp {
  // audit-ci style: package names joined by '>', '*' for any run of names.
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

function pathNames(path: string[]): string {
  return path.map((step) => step.slice(0, step.lastIndexOf('@') > 0 ? step.lastIndexOf('@') : step.length)).join('>');
}

export function waiverMatches(waiver: Waiver, finding: Finding): boolean {
  // A VEX statement speaks of vulnerabilities only: it never waives a rule or a whole check.
  const ids = waiver.vex ? [] : [finding.rule, finding.check];
  if (finding.advisory) ids.push(finding.advisory.id, ...finding.advisory.aliases);
  const names = [waiver.id, ...(waiver.aliases ?? [])].map((id) => id.toLowerCase());
  if (!ids.some((id) => names.includes(id.toLowerCase()))) return false;
  if (waiver.package) {
    if (!finding.package) return false;
    const { name, range } = parsePackageSelector(waiver.package);
    if (name !== finding.package.name) return false;
    if (range && !semver.satisfies(finding.package.version, range, { includePrerelease: true, loose: true })) return false;
  }
  if (waiver.path && !pathMatches(waiver.path, finding.paths)) return false;
  return true;
}

/**
 * The package a `path` pattern's chains must end at, when its last step is a
 * plain name (`*>debug`: debug); null when a `*` there could end it anywhere.
 * A chain ends at the finding's package, so no other package can match.
 */
export function pathTarget(pattern: string): string | null {
  const last = pattern.slice(pattern.lastIndexOf('>') + 1);
  return last.includes('*') ? null : last;
}

/** Whether a waiver's `path` pattern (names joined by '>', '*' for any run) matches one of a finding's dependency paths. */
export function pathMatches(pattern: string, paths: readonly string[][]): boolean {
  const expression = pathPattern(pattern);
  return paths.some((path) => expression.test(pathNames(path)));
}

export function waiverRef(waiver: Waiver): WaiverRef {
  const ref: WaiverRef = { id: waiver.id, reason: waiver.reason, expires: waiver.expires };
  if (waiver.package) ref.package = waiver.package;
  if (waiver.path) ref.path = waiver.path;
  if (waiver.vex) ref.vex = waiver.vex;
  return ref;
}

export function isExpired(waiver: Waiver, today: string): boolean {
  return waiver.expires < today;
}

/** Marks waived findings in place and returns the findings about the waivers themselves. */
export function applyWaivers(findings: Finding[], waivers: Waiver[], today: string, couldMatch: (waiver: Waiver) => boolean = () => true): Finding[] {
  const used = new Set<Waiver>();
  for (const finding of findings) {
    for (const waiver of waivers) {
      if (isExpired(waiver, today) || !waiverMatches(waiver, finding)) continue;
      finding.waived = waiverRef(waiver);
      used.add(waiver);
      break;
    }
  }
  const about: Finding[] = [];
  for (const waiver of waivers) {
    if (isExpired(waiver, today)) {
      about.push({
        check: 'waivers',
        rule: 'waivers/expired',
        severity: 'low',
        package: null,
        paths: [],
        message: `The waiver for ${waiver.id}${waiver.package ? ` on ${waiver.package}` : ''} expired on ${waiver.expires} and no longer applies; review it or renew it with a new date.`,
        evidence: { waiver: waiverRef(waiver), origin: waiver.origin },
      });
    } else if (!used.has(waiver) && couldMatch(waiver)) {
      // A waiver for a check that did not run (--only, --skip) is not unused.
      about.push({
        check: 'waivers',
        rule: 'waivers/unused',
        severity: 'info',
        package: null,
        paths: [],
        message: `The waiver for ${waiver.id}${waiver.package ? ` on ${waiver.package}` : ''} matches no finding; remove it from the config.`,
        evidence: { waiver: waiverRef(waiver), origin: waiver.origin },
      });
    }
  }
  return about;
}
