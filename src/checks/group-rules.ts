// Which rules report a single cause (RuleMeta.group): read by the grouping
// stage (src/policy/group.ts) and by finding identity (identity.ts).

import { CHECKS } from './index.js';
import type { RuleMeta } from './types.js';

/** `group` metadata by full rule id (`lockfile/foreign-host`). */
export type GroupRules = ReadonlyMap<string, NonNullable<RuleMeta['group']>>;

/** The `group` metadata of every registered rule. */
export function groupRules(): GroupRules {
  const rules = new Map<string, NonNullable<RuleMeta['group']>>();
  for (const check of CHECKS) for (const [rule, meta] of Object.entries(check.meta.rules)) if (meta.group) rules.set(`${check.meta.id}/${rule}`, meta.group);
  return rules;
}
