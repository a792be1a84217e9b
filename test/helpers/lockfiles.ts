import type { LoadedLockfile } from '../../src/load/types.js';

/** The distinct name@version of a loaded lockfile's packages (root, workspaces and folders outside node_modules left out), sorted. */
export function distinct(loaded: LoadedLockfile): string[] {
  const pairs = new Set<string>();
  for (const node of loaded.nodes.values()) {
    if (node.location === '' || node.isWorkspace || !node.location.includes('node_modules/')) continue;
    pairs.add(`${node.packageName}@${node.version}`);
  }
  return [...pairs].sort();
}
