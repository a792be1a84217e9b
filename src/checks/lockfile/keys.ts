// Lockfile keys are paths, and a pull request writes them. npm places each
// `packages` entry at `<project>/<key>`, so a key such as
// `node_modules/../../evil` names a folder outside the project, which
// Arborist loads at location `../evil`, where nothing under node_modules is
// looked at; `node_modules//left-pad` lands on the same folder as
// `node_modules/left-pad`. Every key is read here as npm writes them:
// `node_modules/<name>[/node_modules/<name>…]`, a package in a node_modules
// folder inside the project, or a folder the lockfile links to (a workspace,
// a `file:` dependency, and that folder's own node_modules), with no `.`/`..`
// segments past the leading `../` of a linked folder, no empty segments, no
// backslashes, not absolute. Anything else is an `unsafe-key` finding, and
// the entry is still checked like any other.

import { relative, resolve, sep } from 'node:path';
import type { DepGraph } from '../../model.js';
import type { Ctx } from './shared.js';

export type KeyProblemReason = 'backslash' | 'absolute' | 'empty-segment' | 'dot-segment' | 'parent-segment' | 'not-linked';

export interface KeyProblem {
  /** The key as written in the lockfile. */
  key: string;
  /** Where npm (Arborist) places it, relative to the project: the graph location of its node. */
  location: string;
  reason: KeyProblemReason;
}

export const KEY_PROBLEM_TEXT: Record<KeyProblemReason, string> = {
  backslash: 'it contains a backslash, which npm on Windows reads as a path separator',
  absolute: 'it is an absolute path',
  'empty-segment': 'it has an empty path segment, so it names the same folder as another key',
  'dot-segment': 'it has a `.` segment',
  'parent-segment': 'it has a `..` segment that leads out of node_modules',
  'not-linked': 'it is a folder outside node_modules (or outside the project) that no link in the lockfile points at',
};

/** The location Arborist gives the entry at `key`: the resolved path relative to the project, with `/`. */
export function keyLocation(projectPath: string, key: string): string {
  // Arborist reads backslashes as separators on every platform.
  return relative(projectPath, resolve(projectPath, key.replace(/\\/g, '/'))).split(sep).join('/');
}

/** Why a key is not one npm writes, or null when it is. `linkTargets` are the graph locations of folders links point at. */
export function keyProblem(key: string, location: string, linkTargets: ReadonlySet<string>): KeyProblemReason | null {
  if (key.includes('\\')) return 'backslash';
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'absolute';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '')) return 'empty-segment';
  if (segments.some((segment) => segment === '.')) return 'dot-segment';
  const leading = segments.findIndex((segment) => segment !== '..');
  if (segments.slice(leading).includes('..')) return 'parent-segment';
  if (leading === 0 && segments[0] === 'node_modules') return null;
  // A folder entry (workspace, file: target) or a package inside it: the folder must be a link target,
  // unless it is a package in a node_modules folder inside the project (checked like any other).
  const inner = location.indexOf('/node_modules/');
  if (leading === 0 && inner >= 0) return null;
  const folder = inner < 0 ? location : location.slice(0, inner);
  return linkTargets.has(folder) ? null : 'not-linked';
}

/** The keys (v2/v3 `packages` keys, or v1 locations) npm would not write, each with where it lands. The root key '' is fine. */
export function unsafeKeys(projectPath: string, keys: Iterable<string>, linkTargets: ReadonlySet<string>): KeyProblem[] {
  const problems: KeyProblem[] = [];
  for (const key of keys) {
    if (key === '') continue;
    const location = keyLocation(projectPath, key);
    const reason = keyProblem(key, location, linkTargets);
    if (reason) problems.push({ key, location, reason });
  }
  return problems;
}

/** Reports every key npm would not write; returns the graph locations of their entries (links and the root excluded), which are checked like node_modules entries. */
export function checkKeys(ctx: Ctx, graph: DepGraph, file: string): Set<string> {
  // Folders npm records outside node_modules: link targets (file: dependencies) and workspaces.
  const linkTargets = new Set([...graph.links.values(), ...graph.workspaces.map((workspace) => workspace.location)]);
  for (const node of graph.nodes.values()) if (node.isWorkspace) linkTargets.add(node.location);
  const flagged = new Set<string>();
  for (const problem of unsafeKeys(graph.projectPath, graph.lockfile?.entries ?? [], linkTargets)) {
    const node = graph.nodes.get(problem.location);
    ctx.report({
      rule: 'unsafe-key',
      node: node && node.location !== '' ? node : null,
      data: { file, key: JSON.stringify(problem.key), problem: KEY_PROBLEM_TEXT[problem.reason], location: problem.location === '' ? 'the project folder itself' : problem.location },
      evidence: { key: problem.key, location: problem.location, reason: problem.reason },
    });
    if (node && node.location !== '' && !linkTargets.has(node.location) && !graph.links.has(node.location)) flagged.add(node.location);
  }
  return flagged;
}
