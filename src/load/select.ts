// Which lockfile describes the project. A project may carry lockfiles of
// several package managers (a migration half done, a stale copy); auditing
// the wrong one audits versions that are not deployed. The rule:
// 1. `--lockfile <file>` chooses;
// 2. else the manager package.json declares (`packageManager`, then
//    `devEngines.packageManager`) wins, and when its lockfile is absent the
//    project has no lockfile (lockfile/missing), whatever else lies there;
// 3. else the one manager whose lockfile is present; several → exit 2,
//    naming them.
// Within npm, npm-shrinkwrap.json wins over package-lock.json, as in npm;
// within bun, bun.lock over bun.lockb, as in bun.

import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { DepguardError } from '../errors.js';
import { isJsonObject, own, type JsonObject } from '../util/json.js';
import { PACKAGE_MANAGERS, type PackageManager } from './types.js';

/** Every lockfile name depguard knows, in each manager's own order of preference. */
export const LOCKFILES: ReadonlyArray<{ file: string; manager: PackageManager }> = [
  { file: 'npm-shrinkwrap.json', manager: 'npm' },
  { file: 'package-lock.json', manager: 'npm' },
  { file: 'pnpm-lock.yaml', manager: 'pnpm' },
  { file: 'yarn.lock', manager: 'yarn' },
  { file: 'bun.lock', manager: 'bun' },
  { file: 'bun.lockb', manager: 'bun' },
];

export interface DeclaredManager {
  manager: PackageManager;
  /** The field that declares it: `packageManager` or `devEngines.packageManager`. */
  field: string;
  /** The value as written, e.g. `pnpm@9.15.0+sha512…`. */
  value: string;
}

export type LockfileSelection =
  | { kind: 'lockfile'; file: string; manager: PackageManager; declared: DeclaredManager | null }
  | { kind: 'none'; declared: DeclaredManager | null };

function managerName(value: string): PackageManager | null {
  const name = value.trim().split('@')[0]!.toLowerCase();
  return (PACKAGE_MANAGERS as readonly string[]).includes(name) ? (name as PackageManager) : null;
}

/** The manager package.json declares, if it names one depguard reads. */
export function declaredManager(manifest: JsonObject): DeclaredManager | null {
  const packageManager = own(manifest, 'packageManager');
  if (typeof packageManager === 'string') {
    const manager = managerName(packageManager);
    if (manager) return { manager, field: 'packageManager', value: packageManager };
  }
  const devEngines = own(manifest, 'devEngines');
  const declared = isJsonObject(devEngines) ? own(devEngines, 'packageManager') : undefined;
  // devEngines.packageManager is one {name, version} or a list of them (the first is the one to use).
  for (const entry of Array.isArray(declared) ? declared : [declared]) {
    if (!isJsonObject(entry) || typeof entry.name !== 'string') continue;
    const manager = managerName(entry.name);
    const value = typeof entry.version === 'string' ? `${entry.name}@${entry.version}` : entry.name;
    if (manager) return { manager, field: 'devEngines.packageManager', value };
  }
  return null;
}

function present(projectPath: string): Array<{ file: string; manager: PackageManager }> {
  return LOCKFILES.filter(({ file }) => existsSync(join(projectPath, file)));
}

function binaryBunLockfile(file: string): DepguardError {
  return new DepguardError('EUNSUPPORTED_LOCKFILE', `${file} is bun's binary lockfile, which depguard cannot read: it reads bun.lock, the text lockfile`, {
    file,
    hint: 'write the text lockfile with `bun install --save-text-lockfile` (bun 1.1.39 and later; the default since bun 1.2), commit bun.lock and remove bun.lockb',
  });
}

/** The lockfile a `--lockfile` argument names, relative to the project. */
function requested(projectPath: string, value: string): { file: string; manager: PackageManager } {
  const path = isAbsolute(value) ? value : resolve(projectPath, value);
  const file = relative(projectPath, path).split('\\').join('/');
  const known = LOCKFILES.find((candidate) => candidate.file === basename(path));
  if (!known) {
    throw new DepguardError('EBAD_ARGS', `--lockfile ${value}: expected one of ${LOCKFILES.map((l) => l.file).join(', ')}`, { field: '--lockfile' });
  }
  if (file.startsWith('../') || file.includes('/')) {
    throw new DepguardError('EBAD_ARGS', `--lockfile ${value}: the lockfile must be in the project folder ${projectPath}`, { field: '--lockfile' });
  }
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new DepguardError('EBAD_ARGS', `--lockfile ${value}: no such file in ${projectPath}`, { field: '--lockfile', file });
  }
  return { file, manager: known.manager };
}

export function selectLockfile(projectPath: string, manifest: JsonObject, lockfileOption?: string): LockfileSelection {
  const declared = declaredManager(manifest);
  if (lockfileOption !== undefined && lockfileOption !== '') {
    const chosen = requested(projectPath, lockfileOption);
    if (chosen.file === 'bun.lockb') throw binaryBunLockfile(chosen.file);
    return { kind: 'lockfile', ...chosen, declared };
  }
  const found = present(projectPath);
  const pick = (manager: PackageManager): LockfileSelection => {
    const own = found.filter((candidate) => candidate.manager === manager);
    const first = own[0];
    if (!first) return { kind: 'none', declared };
    if (first.file === 'bun.lockb') throw binaryBunLockfile(first.file);
    return { kind: 'lockfile', file: first.file, manager, declared };
  };
  if (declared) return pick(declared.manager);
  const managers = [...new Set(found.map((candidate) => candidate.manager))];
  if (managers.length > 1) {
    const names = found.map((candidate) => candidate.file);
    throw new DepguardError('EAMBIGUOUS_LOCKFILE', `found lockfiles of ${managers.length} package managers (${names.join(', ')}) and package.json declares none: depguard cannot tell which one is installed`, {
      file: names[0]!,
      hint: `choose one with \`--lockfile ${names[0]}\`, or declare the manager in package.json ("packageManager": "${managers[0]}@<version>")`,
    });
  }
  return managers[0] ? pick(managers[0]) : { kind: 'none', declared };
}
