// depguard fix's output: a table for terminals, markdown for pull requests,
// JSON for tools. Each suggestion says what it changes, which advisories its
// verification removed, what it introduced, whether it leaves a dependent's
// declared range and whether it crosses a major version.

import { forManager, type PackageManager } from './merge.js';
import type { RemediationPlan } from './remediate.js';
import type { OverrideValue, Suggestion } from './types.js';

export const FIX_FORMATS = ['table', 'json', 'markdown'] as const;
export type FixFormat = (typeof FIX_FORMATS)[number];

function change(s: Suggestion): string {
  if (s.kind === 'refresh') return `refresh the lockfile: ${s.package} ${s.from.join(', ')} → ${s.to} (npm update ${s.package})`;
  if (s.kind === 'parent-upgrade') {
    const { dependency, update } = s.edits;
    return dependency ? `${s.parent!.name} ${s.parent!.from} → ${s.parent!.to} ("${dependency.name}": "${dependency.spec}" in ${dependency.field})` : `${s.parent!.name} ${s.parent!.from} → ${s.parent!.to} (npm update ${update!.join(' ')})`;
  }
  if (s.kind === 'scoped-override') return `override ${s.package} → ${s.to} under ${s.parents!.join(', ')}${s.edits.update ? ` (and npm update ${s.edits.update.join(' ')} for the direct dependency)` : ''}`;
  return `override ${s.package} → ${s.to} everywhere`;
}

function notes(s: Suggestion): string {
  const out: string[] = [];
  if (s.verification.error) out.push(`not verified: ${s.verification.error}`);
  if (s.verification.introduced.length > 0) out.push(`introduces ${s.verification.introduced.join(', ')}`);
  if (s.verification.stillVulnerable.length > 0) out.push(`still vulnerable: ${s.verification.stillVulnerable.join(', ')}`);
  if (s.leavesRange) out.push('leaves a declared range');
  if (s.major) out.push('major version');
  return out.join('; ');
}

function advisoryIds(keys: string[]): string {
  return keys.join(', ') || '-';
}

function snippet(plan: RemediationPlan, manager: PackageManager): string | null {
  if (Object.keys(plan.combined.overrides).length === 0) return null;
  const { field, value } = forManager(plan.combined.overrides as Record<string, OverrideValue>, manager);
  const [top, inner] = field.split('.') as [string, string | undefined];
  return JSON.stringify(inner ? { [top]: { [inner]: value } } : { [top]: value }, null, 2);
}

/** The keys every depguard JSON document starts with (DESIGN.md's contract); fix adds its own after them. */
export interface DocumentHeader {
  schemaVersion: 1;
  tool: { name: string; version: string };
  project: { name: string | null; version: string | null; path: string };
}

export function renderJson(plan: RemediationPlan, manager: PackageManager, header: DocumentHeader, written?: unknown): string {
  const overrides = Object.keys(plan.combined.overrides).length > 0 ? forManager(plan.combined.overrides as Record<string, OverrideValue>, manager) : null;
  return `${JSON.stringify(
    {
      ...header,
      packageManager: manager,
      packages: plan.packages,
      bundled: plan.bundled,
      replace: plan.replace,
      plan: { overrides, dependencies: plan.combined.dependencies, update: plan.combined.update, verification: plan.combined.verification ?? null, ...(plan.combined.searched ? { searched: plan.combined.searched } : {}) },
      overrideFindings: plan.overrideFindings,
      blocked: plan.blocked,
      ...(plan.partial ? { partial: plan.partial } : {}),
      ...(written !== undefined ? { written } : {}),
    },
    null,
    2,
  )}\n`;
}

export function renderText(plan: RemediationPlan, manager: PackageManager, markdown: boolean): string {
  const lines: string[] = [];
  const heading = (text: string) => lines.push(markdown ? `### ${text}` : text);
  if (plan.partial) lines.push(`PARTIAL PLAN: the time budget (--max-time) ran out; ${plan.partial.candidatesSkipped} candidate(s) were not verified${plan.partial.combineSkipped ? ' and a joining phase was skipped' : ''}. Every suggestion below was verified.`, '');
  if (plan.blocked) lines.push('An override conflicts with a direct dependency (npm refuses to install with EOVERRIDE): fix it first, then plan again.', '');
  else if (plan.packages.length === 0 && plan.bundled.length === 0 && plan.replace.length === 0) lines.push('No package is hit by an advisory: nothing to fix.');
  for (const entry of plan.packages) {
    heading(`${entry.package}@${entry.versions.join(', ')}: ${entry.advisories.join(', ')}`);
    if (entry.suggestions.length === 0) lines.push(markdown ? '_no fix found_' : '  no fix found');
    if (markdown && entry.suggestions.length > 0) lines.push('', '| | kind | change | fixes | packages changed | notes |', '|---|---|---|---|---|---|');
    entry.suggestions.forEach((s, index) => {
      const mark = s.offered ? (index === 0 ? 'best' : 'ok') : 'no';
      const cells = [mark, s.kind, change(s), advisoryIds(s.verification.fixed), String(s.verification.changed.length), notes(s)];
      lines.push(markdown ? `| ${cells.join(' | ')} |` : `  [${cells[0]}] ${cells[1]}: ${cells[2]}\n        fixes ${cells[3]}; ${cells[4]} package(s) changed${cells[5] ? `; ${cells[5]}` : ''}`);
    });
    lines.push('');
  }
  if (plan.bundled.length > 0) {
    heading('Bundled copies (no override reaches them: a new release of the bundling package must)');
    const byBundler = new Map<string, string[]>();
    for (const hit of plan.bundled) byBundler.set(hit.bundler, [...(byBundler.get(hit.bundler) ?? []), `${hit.package}@${hit.version} ${hit.advisory}`]);
    for (const [bundler, hits] of [...byBundler].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`${markdown ? '- ' : '  '}inside ${bundler}: ${[...new Set(hits)].sort().join(', ')}`);
    lines.push('');
  }
  if (plan.replace.length > 0) {
    heading('To replace (no version fixes these)');
    for (const entry of plan.replace) {
      const why = entry.why === 'abandoned' ? `deprecated, and so is the latest ${entry.latest}: "${entry.reason}"` : `denied by the policy${entry.reason ? `: ${entry.reason}` : ''}${entry.use ? `; use ${entry.use}` : ''}`;
      lines.push(`${markdown ? '- ' : '  '}${entry.package}@${entry.version}: ${why}`);
    }
    lines.push('');
  }
  if (plan.overrideFindings.length > 0) {
    heading('Existing overrides');
    for (const finding of plan.overrideFindings) lines.push(`${markdown ? '- ' : '  '}${finding.severity} ${finding.rule}: ${finding.path.join(' > ')} = ${finding.value} ${JSON.stringify(finding.evidence)}`);
    lines.push('');
  }
  const text = snippet(plan, manager);
  const dependencies = plan.combined.dependencies.map((dep) => `"${dep.name}": "${dep.spec}" in ${dep.field}`);
  if (text || dependencies.length > 0 || plan.combined.update.length > 0) {
    heading('Plan (the best suggestions joined without dead or harmful edits)');
    if (text) lines.push(markdown ? `\n\`\`\`json\n${text}\n\`\`\`` : text);
    for (const dependency of dependencies) lines.push(`${markdown ? '- ' : ''}set ${dependency}`);
    if (plan.combined.update.length > 0) lines.push(`${markdown ? '- ' : ''}then: npm update ${plan.combined.update.join(' ')}`);
    const check = plan.combined.verification;
    if (check) {
      const parts = [`fixes ${check.fixed.length} advisory hit(s)`, `${check.stillVulnerable.length} left`, `${check.introduced.length} introduced`];
      lines.push(`${markdown ? '\n' : ''}verified together: ${check.error ? `not verified: ${check.error}` : parts.join(', ')}${check.stillVulnerable.length > 0 ? ` (left: ${check.stillVulnerable.join(', ')})` : ''}`);
    }
    if (plan.combined.searched?.improved) lines.push(`found by trying ${plan.combined.searched.combinations} combination(s) of the verified suggestions beyond the phase order`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
