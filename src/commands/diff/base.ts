// The base side of a diff: another folder (a checkout of the target branch),
// or the project as it was at a git ref. A ref is read with git plumbing into
// a temporary folder (removed afterwards): the working tree, the index and
// HEAD are never touched, so `depguard diff` is safe in any checkout.

import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILES } from '../../checks/npm-config/read.js';
import { DepguardError } from '../../errors.js';
import { GitError, listFiles, readBlobs, repositoryOf, resolveCommit } from './git.js';

export interface BaseProject {
  /** The folder to audit: the folder given, or a temporary copy of the ref's files. */
  path: string;
  /** The ref as given, or null for a folder. */
  ref: string | null;
  commit: string | null;
  /** How to name the base in output: the ref, or the folder as given. */
  label: string;
  /** Removes the temporary folder, if one was made. */
  cleanup(): Promise<void>;
}

/**
 * The files of the project that depguard's loading and checks read, relative
 * to the project folder: every package.json outside node_modules
 * (workspaces, file: dependencies), the lockfiles (also other package
 * managers', so "not an npm project" reads the same on both sides), npm's
 * and depguard's config, every package manager's config file the npm-config
 * check reads (its CONFIG_FILES: .npmrc, pnpm-workspace.yaml, .yarnrc.yml,
 * bunfig.toml), the Node.js version files in any folder (a workflow's
 * node-version-file may name `.tool-versions` or `frontend/.nvmrc`), the
 * Dockerfile and the GitHub
 * Actions workflows (the engines check). A check that starts reading another
 * file adds it here, or its findings would look new on every diff.
 */
export const BASE_FILES: readonly RegExp[] = [
  /^(?:.*\/)?package\.json$/,
  /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?)$/,
  /^(?:depguard\.config\.json|\.depguardrc\.json)$/,
  new RegExp(`^(?:${CONFIG_FILES.map((file) => file.replace(/[.]/g, '\\.')).join('|')})$`),
  // In any folder: a workflow's node-version-file may name `frontend/.nvmrc`.
  /^(?:.*\/)?(?:\.nvmrc|\.node-version|\.tool-versions)$/,
  /^Dockerfile$/,
  /^\.github\/workflows\/[^/]+\.ya?ml$/,
];

export function isBaseFile(path: string): boolean {
  if (path.split('/').includes('node_modules')) return false;
  return BASE_FILES.some((pattern) => pattern.test(path));
}

function baseError(message: string, hint: string, cause?: unknown): DepguardError {
  return new DepguardError('EDIFF_BASE', message, { field: '--base', hint, ...(cause === undefined ? {} : { cause }) });
}

const FETCH_HINT =
  'fetch it first (`git fetch origin <branch>`); in GitHub Actions check out with `fetch-depth: 0`, or fetch the base commit: `git fetch --depth=1 origin ${{ github.event.pull_request.base.sha }}`';

/** Copies the project's files at `commit` into a new temporary folder. */
async function materialise(root: string, prefix: string, commit: string, ref: string): Promise<string> {
  const files = (await listFiles(root, commit, prefix)).map((file) => ({ ...file, relative: file.path.slice(prefix.length) })).filter((file) => isBaseFile(file.relative));
  if (!files.some((file) => file.relative === 'package.json')) {
    throw baseError(`--base ${ref}: ${prefix === '' ? 'package.json' : `${prefix}package.json`} does not exist at that commit, so there is nothing to compare with`, 'pass the ref of a commit where the project exists, or a folder with --base <dir>');
  }
  const blobs = await readBlobs(root, files.map((file) => file.object));
  const folder = await mkdtemp(join(tmpdir(), 'depguard-base-'));
  try {
    for (const file of files) {
      const target = resolve(folder, file.relative);
      // git never stores `..` segments, but a path is data: keep every write inside the folder.
      if (!target.startsWith(folder + sep)) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, blobs.get(file.object)!);
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return folder;
}

export async function loadBase(projectPath: string, base: string, cwd: string = process.cwd()): Promise<BaseProject> {
  if (base.trim() === '') throw baseError('--base is empty: expected a git ref (origin/main, a commit) or a folder', 'e.g. `depguard diff --base origin/main`');
  const asFolder = resolve(cwd, base);
  if (existsSync(asFolder) && statSync(asFolder).isDirectory()) {
    return { path: asFolder, ref: null, commit: null, label: relative(cwd, asFolder) || '.', cleanup: async () => {} };
  }
  // A ref that starts with "-" would be read as an option by git.
  if (base.startsWith('-') || /[\0\n\r]/.test(base)) throw baseError(`--base "${base}" is neither a folder nor a git ref`, 'name a branch, tag or commit, e.g. `--base origin/main`');
  let place;
  try {
    place = await repositoryOf(projectPath);
  } catch (error) {
    const reason = error instanceof GitError ? error.message : String(error);
    throw baseError(`--base ${base}: no folder of that name, and the project is not in a git repository to read it as a ref (${reason})`, 'pass a git ref inside a git checkout, or the folder of another checkout with --base <dir>', error);
  }
  let commit: string | null;
  try {
    commit = await resolveCommit(place.root, base);
  } catch (error) {
    throw baseError(`--base ${base}: git could not read it: ${error instanceof GitError ? error.message : String(error)}`, FETCH_HINT, error);
  }
  if (!commit) throw baseError(`--base ${base}: no folder of that name, and no commit of that name in the git repository at ${relative(cwd, place.root) || '.'}`, FETCH_HINT);
  let folder: string;
  try {
    folder = await materialise(place.root, place.prefix, commit, base);
  } catch (error) {
    if (error instanceof DepguardError) throw error;
    throw baseError(`--base ${base}: could not read the project's files at ${commit.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`, FETCH_HINT, error);
  }
  return { path: folder, ref: base, commit, label: base, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

