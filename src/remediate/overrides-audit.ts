// Audits the overrides a package.json already has: one that forces a
// vulnerable version (high), one that conflicts with a direct dependency's
// spec (moderate: npm refuses to install with EOVERRIDE) and one that no
// longer changes the resolved tree (info: removing it resolves the same).

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Severity } from '../model.js';
import type { Assessment } from './assess.js';
import { DENIED_ID, DEPRECATED_ID } from './replacements.js';
import { flatten } from './merge.js';
import { resolveCopy, versionsByName, type VerifyContext } from './verify.js';
import { assess } from './assess.js';
import type { OverrideValue } from './types.js';
import type { PackageManager } from '../load/index.js';
import { declaredOverrides } from './manager-overrides.js';

export interface OverrideFinding {
  rule: 'overrides/vulnerable' | 'overrides/conflict' | 'overrides/unused';
  severity: Severity;
  /** The override's path in npm's nesting, e.g. ['mkdirp', 'minimist']. */
  path: string[];
  value: string;
  evidence: Record<string, unknown>;
}

type Overrides = { [name: string]: OverrideValue };

function without(overrides: Overrides, path: string[]): Overrides {
  const [head, ...rest] = path;
  const copy: Overrides = { ...overrides };
  if (head === undefined) return copy;
  const value = copy[head];
  if (rest.length === 0 || typeof value === 'string' || value === undefined) {
    if (rest.length === 0 && value !== undefined && typeof value !== 'string') copy[head] = without(value, ['.']);
    else delete copy[head];
  } else {
    copy[head] = without(value, rest);
  }
  return copy;
}

/** Overrides of a direct dependency that differ from its spec: npm refuses to install (EOVERRIDE), so nothing can be resolved until they go. */
export function conflictingOverrides(manifest: Record<string, unknown>): OverrideFinding[] {
  const overrides = manifest.overrides as Overrides | undefined;
  if (!overrides || typeof overrides !== 'object') return [];
  const direct = new Map<string, string>();
  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
    for (const [name, spec] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) if (!direct.has(name)) direct.set(name, spec);
  }
  return flatten(overrides)
    .filter(([path, value]) => path.length === 1 && direct.has(path[0]!) && !value.startsWith('$') && direct.get(path[0]!) !== value)
    .map(([path, value]) => ({ rule: 'overrides/conflict', severity: 'moderate', path, value, evidence: { directSpec: direct.get(path[0]!), hint: `use "$${path[0]}" to follow the direct dependency` } }));
}

function readManifest(projectPath: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Record<string, unknown>;
}

async function resolvedVersions(projectPath: string, manifest: Record<string, unknown>, ctx: VerifyContext): Promise<Map<string, string>> {
  const dir = await resolveCopy(projectPath, manifest, undefined, ctx);
  try {
    return versionsByName(await assess(dir, ctx.source, ctx.client, ctx.replacements, ctx.nodeVersion));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The advisories a forced `name@value` carries in the assessment (deprecated and denied versions are other checks' to report). */
function advisoriesOf(before: Assessment, name: string, value: string): string[] {
  return [...before.hits]
    .filter((hit) => hit.startsWith(`${name}@${value} `) && !hit.endsWith(` ${DEPRECATED_ID}`) && !hit.endsWith(` ${DENIED_ID}`))
    .map((hit) => hit.slice(hit.indexOf(' ') + 1))
    .sort();
}

/**
 * A pnpm, yarn or bun project's own overrides (pnpm `overrides`, yarn
 * `resolutions`, bun `overrides`): one that forces a version an advisory
 * hits is `overrides/vulnerable`, as for npm. Whether one is unused would take
 * a re-resolution by the manager per override: not judged.
 */
export function auditDeclaredOverrides(projectPath: string, before: Assessment, manager: PackageManager): OverrideFinding[] {
  return declaredOverrides(projectPath, manager).flatMap(({ path, name, value, where }): OverrideFinding[] => {
    const advisories = advisoriesOf(before, name, value);
    return advisories.length > 0 ? [{ rule: 'overrides/vulnerable', severity: 'high', path, value, evidence: { advisories, declaredIn: where } }] : [];
  });
}

export async function auditOverrides(projectPath: string, before: Assessment, ctx: VerifyContext): Promise<OverrideFinding[]> {
  const manifest = readManifest(projectPath);
  const overrides = manifest.overrides as Overrides | undefined;
  if (!overrides || typeof overrides !== 'object') return [];
  const findings: OverrideFinding[] = [];
  // The tree the overrides give today (the lockfile may predate them).
  let current: Map<string, string> | null = null;
  for (const [path, value] of flatten(overrides)) {
    const name = path[path.length - 1]!;
    // Advisories only: a deprecated or denied version an override pins is the deprecated and denied checks' to report.
    const advisories = advisoriesOf(before, name, value);
    if (advisories.length > 0) findings.push({ rule: 'overrides/vulnerable', severity: 'high', path, value, evidence: { advisories } });
    try {
      current ??= await resolvedVersions(projectPath, manifest, ctx);
      const after = await resolvedVersions(projectPath, { ...manifest, overrides: without(overrides, path) }, ctx);
      const same = [...new Set([...current.keys(), ...after.keys()])].every((key) => current!.get(key) === after.get(key));
      if (same) findings.push({ rule: 'overrides/unused', severity: 'info', path, value, evidence: { installed: current.get(name) ?? null } });
    } catch {
      // Resolving failed: whether it changes anything is unknown, so nothing is said.
    }
  }
  return findings;
}
