import { parse as parseJsonc } from 'jsonc-parser';
import { loadBunLockfile } from '../../src/load/bun/index.js';
import type { LoadedLockfile } from '../../src/load/types.js';
import { loadYarnLockfile } from '../../src/load/yarn/index.js';
import type { DepNode } from '../../src/model.js';

/** The distinct name@version of a loaded lockfile's packages (root, workspaces and folders outside node_modules left out), sorted. */
export function distinct(loaded: { nodes: Map<string, DepNode> }): string[] {
  const pairs = new Set<string>();
  for (const node of loaded.nodes.values()) {
    if (node.location === '' || node.isWorkspace || !node.location.includes('node_modules/')) continue;
    pairs.add(`${node.packageName}@${node.version}`);
  }
  return [...pairs].sort();
}

/** Loads bun.lock text; without a package.json, the root's is the one bun recorded (the lockfile's `workspaces[""]`). */
export async function loadBunText(text: string, manifest?: Record<string, unknown>, projectPath = '/nonexistent-project'): Promise<LoadedLockfile> {
  let recorded: Record<string, unknown> = {};
  try {
    recorded = (parseJsonc(text) as { workspaces?: Record<string, Record<string, unknown>> } | undefined)?.workspaces?.[''] ?? {};
  } catch {
    // not JSONC: the loader says so
  }
  return loadBunLockfile({ projectPath, file: 'bun.lock', text, manifest: manifest ?? { name: 'fixture', version: '1.0.0', ...recorded } });
}


/** Loads yarn.lock text, without a project folder. */
export async function loadYarnText(text: string, projectPath = '/nonexistent-project', manifest: Record<string, unknown> = { name: 'fixture', version: '1.0.0' }): Promise<LoadedLockfile> {
  return loadYarnLockfile({ projectPath, file: 'yarn.lock', text, manifest });
}
