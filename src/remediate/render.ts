// depguard fix's output: a table for terminals, markdown for pull requests,
// JSON for tools. Each suggestion says what it changes, which advisories its
// verification removed, what it introduced, whether it leaves a dependent's
// declared range and whether it crosses a major version.

import { stringify } from 'yaml';
import type { Spelling } from './files.js';
import type { FixManager, Verifier } from './manager.js';
import { forManager, scopedForBun } from './merge.js';
import { PNPM_WORKSPACE } from './pnpm.js';
import type { RemediationPlan } from './remediate.js';
import type { OverrideValue, Suggestion } from './types.js';

/** Who the plan is for and who verified it. */
export interface FixTarget {
  spelling: Spelling;
  /** The project's manager (its lockfile); npm when the plan is only spelled for another one. */
  project?: FixManager;
  verifier?: Verifier;
}

/** The manager's command that moves names within their declared ranges. */
export function updateCommand(target: FixTarget, names: string[]): string {
  const manager = target.project?.name ?? 'npm';
  const list = names.join(' ');
  if (manager === 'pnpm') return `pnpm update --depth Infinity ${list}`;
  if (manager === 'yarn') return target.project?.flavor === 'berry' ? `yarn up -R ${list}` : `yarn upgrade ${list}`;
  if (manager === 'bun') return `bun update ${list}`;
  return `npm update ${list}`;
}

/** One line naming the verifier, or saying that nothing was verified and why. */
export function verifierLine(target: FixTarget): string | null {
  const verifier = target.verifier;
  if (!verifier || verifier.by === 'arborist') {
    return target.spelling.manager !== 'npm' && (target.project?.name ?? 'npm') === 'npm' ? `Verified by npm's resolver (Arborist) on the npm lockfile; spelled for ${target.spelling.manager}, which this project's lockfile is not.` : null;
  }
  if (verifier.unavailable) return `UNVERIFIED: ${verifier.unavailable}. The suggestions below were not re-resolved by ${verifier.by}: each is a candidate, not a verified fix.`;
  return `Verified by ${verifier.by} ${verifier.version} (its own resolution, lockfile only, in a temporary copy), then re-audited.`;
}

export const FIX_FORMATS = ['table', 'json', 'markdown'] as const;
export type FixFormat = (typeof FIX_FORMATS)[number];

function change(s: Suggestion, target: FixTarget): string {
  if (s.kind === 'refresh') return `refresh the lockfile: ${s.package} ${s.from.join(', ')} → ${s.to} (${updateCommand(target, [s.package])})`;
  if (s.kind === 'parent-upgrade') {
    const { dependency, update } = s.edits;
    return dependency ? `${s.parent!.name} ${s.parent!.from} → ${s.parent!.to} ("${dependency.name}": "${dependency.spec}" in ${dependency.field})` : `${s.parent!.name} ${s.parent!.from} → ${s.parent!.to} (${updateCommand(target, update!)})`;
  }
  if (s.kind === 'scoped-override') {
    // bun reads top-level overrides only: the scope cannot be written, and what bun verified is the override everywhere.
    const bun = target.spelling.manager === 'bun' ? ` (bun reads top-level overrides only: written for every copy of ${s.package})` : '';
    return `override ${s.package} → ${s.to} under ${s.parents!.join(', ')}${bun}${s.edits.update ? ` (and ${updateCommand(target, s.edits.update)} for the direct dependency)` : ''}`;
  }
  return `override ${s.package} → ${s.to} everywhere`;
}

function notes(s: Suggestion): string {
  const out: string[] = [];
  if (s.verification.unverified) out.push(`UNVERIFIED: ${s.verification.unverified}`);
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

/** Where the plan's overrides go and how they are written there. */
function overridesFor(plan: RemediationPlan, spelling: Spelling): { file: string; field: string; value: Record<string, OverrideValue> } | null {
  if (Object.keys(plan.combined.overrides).length === 0) return null;
  const { field, value } = forManager(plan.combined.overrides as Record<string, OverrideValue>, spelling.manager, spelling.flavor);
  if (spelling.manager === 'pnpm' && spelling.overridesIn === PNPM_WORKSPACE) return { file: PNPM_WORKSPACE, field: 'overrides', value };
  return { file: 'package.json', field, value };
}

function snippet(plan: RemediationPlan, spelling: Spelling): { language: 'json' | 'yaml'; text: string } | null {
  const overrides = overridesFor(plan, spelling);
  if (!overrides) return null;
  if (overrides.file === PNPM_WORKSPACE) return { language: 'yaml', text: `# ${PNPM_WORKSPACE}\n${stringify({ overrides: overrides.value }).trimEnd()}` };
  const [top, inner] = overrides.field.split('.') as [string, string | undefined];
  return { language: 'json', text: JSON.stringify(inner ? { [top]: { [inner]: overrides.value } } : { [top]: overrides.value }, null, 2) };
}

/** The keys every depguard JSON document starts with (DESIGN.md's contract); fix adds its own after them. */
export interface DocumentHeader {
  schemaVersion: 1;
  tool: { name: string; version: string };
  project: { name: string | null; version: string | null; path: string };
}

export function renderJson(plan: RemediationPlan, target: FixTarget, header: DocumentHeader, written?: unknown): string {
  const where = overridesFor(plan, target.spelling);
  const widened = target.spelling.manager === 'bun' ? scopedForBun(plan.combined.overrides) : [];
  const overrides = where ? { field: where.field, value: where.value, ...(where.file !== 'package.json' ? { file: where.file } : {}), ...(widened.length > 0 ? { scopedWrittenGlobally: widened } : {}) } : null;
  const verifier = target.verifier;
  const unverified = plan.combined.unverified ?? verifier?.unavailable;
  return `${JSON.stringify(
    {
      ...header,
      packageManager: target.spelling.manager,
      lockfile: target.project?.lockfile ?? null,
      verifiedBy: verifier && !verifier.unavailable ? { manager: verifier.by === 'arborist' ? 'npm' : verifier.by, resolver: verifier.by, version: verifier.version } : null,
      packages: plan.packages,
      bundled: plan.bundled,
      replace: plan.replace,
      plan: {
        overrides,
        dependencies: plan.combined.dependencies,
        update: plan.combined.update,
        ...(plan.combined.update.length > 0 ? { updateCommand: updateCommand(target, plan.combined.update) } : {}),
        verification: plan.combined.verification ?? null,
        verified: unverified === undefined && plan.combined.verification !== undefined && !plan.combined.verification.error,
        ...(unverified !== undefined ? { unverified } : {}),
        ...(plan.combined.searched ? { searched: plan.combined.searched } : {}),
      },
      overrideFindings: plan.overrideFindings,
      blocked: plan.blocked,
      ...(plan.partial ? { partial: plan.partial } : {}),
      ...(written !== undefined ? { written } : {}),
    },
    null,
    2,
  )}\n`;
}

export function renderText(plan: RemediationPlan, target: FixTarget, markdown: boolean): string {
  const lines: string[] = [];
  const heading = (text: string) => lines.push(markdown ? `### ${text}` : text);
  const by = verifierLine(target);
  if (by) lines.push(markdown ? `> ${by}` : by, '');
  if (plan.partial) lines.push(`PARTIAL PLAN: the time budget (--max-time) ran out; ${plan.partial.candidatesSkipped} candidate(s) were not verified${plan.partial.combineSkipped ? ' and a joining phase was skipped' : ''}. Every suggestion below was verified.`, '');
  if (plan.blocked) lines.push('An override conflicts with a direct dependency (npm refuses to install with EOVERRIDE): fix it first, then plan again.', '');
  else if (plan.packages.length === 0 && plan.bundled.length === 0 && plan.replace.length === 0) lines.push('No package is hit by an advisory: nothing to fix.');
  for (const entry of plan.packages) {
    heading(`${entry.package}@${entry.versions.join(', ')}: ${entry.advisories.join(', ')}`);
    if (entry.suggestions.length === 0) lines.push(markdown ? '_no fix found_' : '  no fix found');
    if (markdown && entry.suggestions.length > 0) lines.push('', '| | kind | change | fixes | packages changed | notes |', '|---|---|---|---|---|---|');
    entry.suggestions.forEach((s, index) => {
      const mark = s.offered ? (index === 0 ? 'best' : 'ok') : s.verification.unverified ? 'unverified' : 'no';
      const cells = [mark, s.kind, change(s, target), advisoryIds(s.verification.fixed), String(s.verification.changed.length), notes(s)];
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
  const text = snippet(plan, target.spelling);
  const dependencies = plan.combined.dependencies.map((dep) => `"${dep.name}": "${dep.spec}" in ${dep.field}`);
  if (text || dependencies.length > 0 || plan.combined.update.length > 0) {
    heading(plan.combined.unverified ? 'UNVERIFIED plan (each package\'s best candidate joined; nothing was re-resolved)' : 'Plan (the best suggestions joined without dead or harmful edits)');
    if (text) lines.push(markdown ? `\n\`\`\`${text.language}\n${text.text}\n\`\`\`` : text.text);
    const widened = target.spelling.manager === 'bun' ? scopedForBun(plan.combined.overrides) : [];
    if (widened.length > 0) lines.push(`${markdown ? '- ' : ''}bun reads top-level overrides only: ${widened.join(', ')} ${widened.length === 1 ? 'is' : 'are'} written for every copy of the package, not only under that parent`);
    for (const dependency of dependencies) lines.push(`${markdown ? '- ' : ''}set ${dependency}`);
    if (plan.combined.update.length > 0) lines.push(`${markdown ? '- ' : ''}then: ${updateCommand(target, plan.combined.update)}`);
    const check = plan.combined.verification;
    if (plan.combined.unverified) lines.push(`${markdown ? '\n' : ''}NOT VERIFIED: ${plan.combined.unverified}`);
    else if (check) {
      const parts = [`fixes ${check.fixed.length} advisory hit(s)`, `${check.stillVulnerable.length} left`, `${check.introduced.length} introduced`];
      lines.push(`${markdown ? '\n' : ''}verified together: ${check.error ? `not verified: ${check.error}` : parts.join(', ')}${check.stillVulnerable.length > 0 ? ` (left: ${check.stillVulnerable.join(', ')})` : ''}`);
    }
    if (plan.combined.searched?.improved) lines.push(`found by trying ${plan.combined.searched.combinations} combination(s) of the verified suggestions beyond the phase order`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
