// The project files a plan changes, as text, in the project's manager's own
// syntax: package.json (direct dependency specs, npm `overrides`, pnpm
// `pnpm.overrides`, yarn `resolutions`, bun `overrides`) and, for pnpm,
// pnpm-workspace.yaml `overrides`. One function for both uses, so that what a
// manager verifies in its temporary copy is byte for byte what --write puts
// in the project.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DepguardError } from '../errors.js';
import { forManager, mergeOverrides, type Replaced } from './merge.js';
import { PNPM_WORKSPACE, withWorkspaceOverrides } from './pnpm.js';
import type { DependencyEdit, OverrideValue } from './types.js';
import type { PackageManager } from '../load/index.js';

type Json = Record<string, unknown>;

/** How a plan is spelled: the manager, and for pnpm the file its overrides go to. */
export interface Spelling {
  manager: PackageManager;
  /** pnpm: package.json (`pnpm.overrides`) or pnpm-workspace.yaml (`overrides`). */
  overridesIn?: 'package.json' | typeof PNPM_WORKSPACE;
  /** yarn: classic spells an override of every copy `**\/name`, berry `name`. */
  flavor?: 'classic' | 'berry';
}

export interface PlanEdits {
  overrides: Record<string, OverrideValue>;
  dependencies: DependencyEdit[];
}

export interface EditedFiles {
  /** New text by file name (relative to the project); only files that change. */
  files: Record<string, string>;
  /** What changed: `dependencies.express`, `pnpm.overrides`, `pnpm-workspace.yaml overrides`… */
  fields: string[];
  replaced: Replaced[];
}

/** The indentation package.json uses (npm keeps it the same way). */
export function detectIndent(text: string): string {
  return /^[{[]\r?\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
}

/** package.json with the edits: direct specs replaced in place, overrides merged into the manager's field (when `withOverrides`). */
export function editManifest(manifest: Json, edits: PlanEdits, manager: PackageManager, withOverrides = true, flavor?: 'classic' | 'berry'): { manifest: Json; fields: string[]; replaced: Replaced[] } {
  const next: Json = { ...manifest };
  const fields: string[] = [];
  const replaced: Replaced[] = [];
  for (const dependency of edits.dependencies) {
    const deps = (next[dependency.field] ?? {}) as Record<string, string>;
    if (deps[dependency.name] === dependency.spec) continue;
    next[dependency.field] = { ...deps, [dependency.name]: dependency.spec };
    fields.push(`${dependency.field}.${dependency.name}`);
  }
  if (withOverrides && Object.keys(edits.overrides).length > 0) {
    const { field, value } = forManager(edits.overrides, manager, flavor);
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
  return { manifest: next, fields, replaced };
}

/** package.json text in the file's own indentation, line endings and final newline. */
export function manifestText(original: string, manifest: Json): string {
  const newline = original.includes('\r\n') ? '\r\n' : '\n';
  const body = JSON.stringify(manifest, null, detectIndent(original)).replace(/\n/g, newline);
  return original.endsWith('\n') ? `${body}${newline}` : body;
}

/** The files the edits change in the project at projectPath, spelled for its manager. */
export function editedFiles(projectPath: string, edits: PlanEdits, spelling: Spelling): EditedFiles {
  const original = readFileSync(join(projectPath, 'package.json'), 'utf8');
  const toWorkspace = spelling.manager === 'pnpm' && spelling.overridesIn === PNPM_WORKSPACE;
  const { manifest, fields, replaced } = editManifest(JSON.parse(original) as Json, edits, spelling.manager, !toWorkspace, spelling.flavor);
  const files: Record<string, string> = {};
  if (fields.length > 0) files['package.json'] = manifestText(original, manifest);
  if (toWorkspace && Object.keys(edits.overrides).length > 0) {
    const path = join(projectPath, PNPM_WORKSPACE);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    let result: ReturnType<typeof withWorkspaceOverrides>;
    try {
      result = withWorkspaceOverrides(text, forManager(edits.overrides, 'pnpm').value as Record<string, string>);
    } catch (error) {
      throw new DepguardError('EBAD_CONFIG', `${PNPM_WORKSPACE}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { file: PNPM_WORKSPACE, field: 'overrides' });
    }
    replaced.push(...result.replaced);
    if (result.changed) {
      files[PNPM_WORKSPACE] = result.text;
      fields.push(`${PNPM_WORKSPACE} overrides`);
    }
  }
  return { files, fields, replaced };
}
