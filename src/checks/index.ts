// The check registry. A test holds it equal to the files in this folder, the
// docs and the tests, so a check cannot be added without all four.
import advisories from './advisories.js';
import capabilities from './capabilities.js';
import denied from './denied.js';
import deprecated from './deprecated.js';
import engines from './engines.js';
import installScripts from './install-scripts.js';
import lockfile from './lockfile.js';
import npmConfig from './npm-config.js';
import pinning from './pinning.js';
import provenance from './provenance.js';
import releaseAge from './release-age.js';
import type { Check } from './types.js';

export const CHECKS: ReadonlyArray<Check<any>> = [advisories, capabilities, denied, deprecated, engines, installScripts, lockfile, npmConfig, pinning, provenance, releaseAge];

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
