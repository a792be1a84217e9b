// The advisory command-line flags, applied to a loaded policy: a policy
// change, so it lives with the policy (the advisories check only reads its
// options).

import type { Policy } from './load.js';

/** The command-line flags that override the check's options (--advisory-source, --audit-registry, --advisories). */
export interface AdvisoryFlags {
  source?: string;
  auditRegistry?: string;
  mode?: 'required' | 'optional';
}

/**
 * Applies the advisory flags to a loaded policy. Any of them also turns the
 * check on: asking for a source means asking for advisories.
 */
export function applyAdvisoryFlags(policy: Policy, flags: AdvisoryFlags | undefined): void {
  if (!flags || (flags.source === undefined && flags.auditRegistry === undefined && flags.mode === undefined)) return;
  const settings = policy.checks.get('advisories');
  if (!settings) return;
  settings.enabled = true;
  settings.options = {
    ...settings.options,
    ...(flags.source !== undefined ? { source: flags.source } : {}),
    ...(flags.auditRegistry !== undefined ? { auditRegistry: flags.auditRegistry } : {}),
    ...(flags.mode !== undefined ? { required: flags.mode === 'required' } : {}),
  };
}
