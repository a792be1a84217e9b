// The lockfile loaders by package manager: the one registration point for
// a new format. npm's lockfiles are read by Arborist in load.ts itself; every
// other manager's loader turns its lockfile into the same DepGraph pieces
// (see types.ts), and the project loader picks the loader by the lockfile
// that selectLockfile() chose.

import { loadBunLockfile } from './bun/index.js';
import { loadPnpmLockfile } from './pnpm/index.js';
import { loadYarnLockfile } from './yarn/index.js';
import type { LockfileLoader, PackageManager } from './types.js';

export const LOCKFILE_LOADERS: Partial<Record<PackageManager, LockfileLoader>> = {
  pnpm: loadPnpmLockfile,
  bun: loadBunLockfile,
  yarn: loadYarnLockfile,
};

export { LOCKFILES, declaredManager, selectLockfile, type DeclaredManager, type LockfileSelection } from './select.js';
export type { LoadedLockfile, LockfileLoader, LockfileLoaderInput, PackageManager } from './types.js';
