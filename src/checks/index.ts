// The check registry. A test holds it equal to the check folders here, the
// docs and the tests, so a check cannot be added without all four touches
// (docs/CONTRIBUTING.md: folder, test, doc, this line).
import advisories from './advisories/index.js';
import capabilities from './capabilities/index.js';
import denied from './denied/index.js';
import deprecated from './deprecated/index.js';
import engines from './engines/index.js';
import installScripts from './install-scripts/index.js';
import license from './license/index.js';
import lockfile from './lockfile/index.js';
import manifestConfusion from './manifest-confusion/index.js';
import npmConfig from './npm-config/index.js';
import pinning from './pinning/index.js';
import provenance from './provenance/index.js';
import publisher from './publisher/index.js';
import releaseAge from './release-age/index.js';
import signatures from './signatures/index.js';
import typosquat from './typosquat/index.js';
import type { Check } from './types.js';

export const CHECKS: ReadonlyArray<Check<any>> = [advisories, capabilities, denied, deprecated, engines, installScripts, license, lockfile, manifestConfusion, npmConfig, pinning, provenance, publisher, releaseAge, signatures, typosquat];

export function findCheck(id: string): Check<any> | undefined {
  return CHECKS.find((check) => check.meta.id === id);
}

/** `<check>/<rule>` -> the check that owns the rule. */
export function findRule(ruleId: string): { check: Check<any>; rule: string } | undefined {
  const slash = ruleId.indexOf('/');
  if (slash < 0) return undefined;
  const check = findCheck(ruleId.slice(0, slash));
  const rule = ruleId.slice(slash + 1);
  return check && Object.hasOwn(check.meta.rules, rule) ? { check, rule } : undefined;
}
