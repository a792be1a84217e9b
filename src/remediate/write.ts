// --write: merges the plan into package.json atomically, keeping its key
// order, its indentation and its trailing newline, and every existing
// override (a replaced value is returned so the command says so).
// --lockfile: re-resolves package-lock.json from the written package.json the
// way `npm install --package-lock-only` does (Arborist's buildIdealTree, no
// node_modules, no scripts).

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../util/atomic-write.js';
import { DepguardError } from '../errors.js';
import { forManager, mergeOverrides, type PackageManager, type Replaced } from './merge.js';
import type { RemediationPlan } from './remediate.js';
import type { OverrideValue } from './types.js';
import { resolveCopy, type VerifyContext } from './verify.js';

type Json = Record<string, unknown>;

/** The indentation package.json uses (npm keeps it the same way). */
export function detectIndent(text: string): string {
  return /^[{[]\r?\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
}

export interface WriteResult {
  /** The package.json fields changed. */
  fields: string[];
  replaced: Replaced[];
}

/** The package.json the plan asks for, with the given manager's override field. */
export function planManifest(manifest: Json, plan: RemediationPlan, manager: PackageManager): { manifest: Json; result: WriteResult } {
  const next: Json = { ...manifest };
  const fields: string[] = [];
  const replaced: Replaced[] = [];
  for (const dependency of plan.combined.dependencies) {
    const deps = (next[dependency.field] ?? {}) as Record<string, string>;
    if (deps[dependency.name] === dependency.spec) continue;
    next[dependency.field] = { ...deps, [dependency.name]: dependency.spec };
    fields.push(`${dependency.field}.${dependency.name}`);
  }
  if (Object.keys(plan.combined.overrides).length > 0) {
    const { field, value } = forManager(plan.combined.overrides as Record<string, OverrideValue>, manager);
    const [top, inner] = field.split('.') as [string, string | undefined];
    const holder = inner ? ((next[top] ?? {}) as Json) : next;
    const key = inner ?? top;
    const existing = holder[key];
    if (existing !== undefined && (typeof existing !== 'object' || existing === null || Array.isArray(existing))) {
      throw new DepguardError('EBAD_PACKAGE_JSON', `package.json: field "${field}" must be an object`, { file: 'package.json', field });
    }
    const merged = mergeOverrides((existing ?? {}) as Record<string, OverrideValue>, value);
    replaced.push(...merged.replaced);
    if (JSON.stringify(existing) !== JSON.stringify(merged.merged)) {
      if (inner) next[top] = { ...holder, [key]: merged.merged };
      else next[key] = merged.merged;
      fields.push(field);
    }
  }
  return { manifest: next, result: { fields, replaced } };
}

export async function writePlan(projectPath: string, plan: RemediationPlan, manager: PackageManager, lockfile: VerifyContext | null): Promise<WriteResult & { lockfile: string | null }> {
  const file = join(projectPath, 'package.json');
  const text = readFileSync(file, 'utf8');
  const { manifest, result } = planManifest(JSON.parse(text) as Json, plan, manager);
  if (result.fields.length > 0) {
    const newline = text.includes('\r\n') ? '\r\n' : '\n';
    const body = JSON.stringify(manifest, null, detectIndent(text)).replace(/\n/g, newline);
    writeAtomically(file, text.endsWith('\n') ? `${body}${newline}` : body);
  }
  if (!lockfile) return { ...result, lockfile: null };
  // The lockfile follows npm's own resolution: only npm's lockfile is refreshed.
  const name = existsSync(join(projectPath, 'npm-shrinkwrap.json')) ? 'npm-shrinkwrap.json' : 'package-lock.json';
  const dir = await resolveCopy(projectPath, manifest, plan.combined.update, lockfile);
  try {
    writeAtomically(join(projectPath, name), readFileSync(join(dir, name), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...result, lockfile: name };
}
