// --write: merges the plan into the project's files atomically, in its
// manager's syntax (files.ts): package.json keeps its key order, indentation
// and trailing newline, pnpm-workspace.yaml its comments; every existing
// override is kept (a replaced value is returned so the command says so).
// --lockfile: re-resolves package-lock.json from the written package.json the
// way `npm install --package-lock-only` does (Arborist's buildIdealTree, no
// node_modules, no scripts); for pnpm, yarn 2+ and bun, the lockfile the
// project's manager writes in a sanitised temporary copy (sandbox.ts, as for
// verification) replaces the project's: the manager never runs in the project.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../util/atomic-write.js';
import { editedFiles, editManifest, type Spelling } from './files.js';
import type { Replaced } from './merge.js';
import type { PackageManager } from '../load/index.js';
import type { RemediationPlan } from './remediate.js';
import { managerGraph } from './sandbox.js';
import { resolveCopy, type VerifyContext } from './verify.js';

export { detectIndent } from './files.js';

type Json = Record<string, unknown>;

export interface WriteResult {
  /** The fields changed: `dependencies.express`, `overrides`, `pnpm-workspace.yaml overrides`… */
  fields: string[];
  replaced: Replaced[];
}

/** The package.json the plan asks for, with the given manager's override field. */
export function planManifest(manifest: Json, plan: RemediationPlan, manager: PackageManager): { manifest: Json; result: WriteResult } {
  const { manifest: next, fields, replaced } = editManifest(manifest, plan.combined, manager);
  return { manifest: next, result: { fields, replaced } };
}

export async function writePlan(projectPath: string, plan: RemediationPlan, spelling: PackageManager | Spelling, lockfile: VerifyContext | null): Promise<WriteResult & { lockfile: string | null }> {
  const { files, fields, replaced } = editedFiles(projectPath, plan.combined, typeof spelling === 'string' ? { manager: spelling } : spelling);
  for (const [name, text] of Object.entries(files)) writeAtomically(join(projectPath, name), text);
  const result = { fields, replaced };
  if (!lockfile) return { ...result, lockfile: null };
  if (lockfile.pm) {
    const name = lockfile.pm.run.manager.lockfile!;
    const { dir } = await managerGraph(projectPath, {}, plan.combined.update, lockfile.pm.run, lockfile.deadline, lockfile.workspaces);
    try {
      writeAtomically(join(projectPath, name), readFileSync(join(dir, name), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { ...result, lockfile: name };
  }
  // npm's own resolution: Arborist's ideal tree of the written package.json.
  const name = existsSync(join(projectPath, 'npm-shrinkwrap.json')) ? 'npm-shrinkwrap.json' : 'package-lock.json';
  const manifest = JSON.parse(readFileSync(join(projectPath, 'package.json'), 'utf8')) as Json;
  const dir = await resolveCopy(projectPath, manifest, plan.combined.update, lockfile);
  try {
    writeAtomically(join(projectPath, name), readFileSync(join(dir, name), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...result, lockfile: name };
}
