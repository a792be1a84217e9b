// The contract between the project loader (src/load/load.ts), which finds
// the project, its package.json and the lockfile that applies, and the
// loader of one package manager's lockfile format (src/load/<manager>/),
// which turns that file into depguard's DepGraph pieces.

import type { DepNode, Diagnostic, LockfileInfo, WorkspaceInfo } from '../model.js';
import type { JsonObject } from '../util/json.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export const PACKAGE_MANAGERS: readonly PackageManager[] = ['npm', 'pnpm', 'yarn', 'bun'];

export interface LockfileLoaderInput {
  /** Absolute path of the project folder. */
  projectPath: string;
  /** The lockfile's path relative to the project, e.g. `pnpm-lock.yaml`. */
  file: string;
  /** The lockfile's text. */
  text: string;
  /** The root package.json, already validated. */
  manifest: JsonObject;
}

/** What a format loader hands back; the project loader adds the manifests and assembles the DepGraph. */
export interface LoadedLockfile {
  /** Every node by location, the root ('') included. */
  nodes: Map<string, DepNode>;
  workspaces: WorkspaceInfo[];
  /** Link locations (workspace and link: dependencies in node_modules) to their target's location. */
  links: Map<string, string>;
  lockfile: LockfileInfo;
  /** Keys that could not be read and other problems that left the rest loadable. */
  diagnostics: Diagnostic[];
}

export type LockfileLoader = (input: LockfileLoaderInput) => Promise<LoadedLockfile>;
