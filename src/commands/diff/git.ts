// Read-only git plumbing for the base side of a diff: which repository and
// subfolder the project is in, which commit a ref names, the files of that
// commit and their contents. Only commands that never write to the work tree
// or the index (rev-parse, ls-tree, cat-file), no shell, no hooks, no
// filters, no pager, no prompts.

import { spawn } from 'node:child_process';

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

const GIT_ENV: Record<string, string> = {
  // No lock files, no credential or terminal prompts, literal paths, stable messages.
  GIT_OPTIONAL_LOCKS: '0',
  GIT_TERMINAL_PROMPT: '0',
  GIT_LITERAL_PATHSPECS: '1',
  GIT_PAGER: 'cat',
  LC_ALL: 'C',
};

/** Runs git with arguments (never through a shell) and returns its stdout; a non-zero exit is a GitError. */
export function git(cwd: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    let child;
    try {
      child = spawn('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      reject(new GitError(`could not run git: ${(error as Error).message}`, '', null));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(new GitError(error.code === 'ENOENT' ? 'git is not installed (or not on PATH)' : `could not run git: ${error.message}`, '', null));
    });
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) resolvePromise(Buffer.concat(out));
      else reject(new GitError(stderr.split('\n')[0] || `git ${args[0]} exited with ${code}`, stderr, code));
    });
    child.stdin.on('error', () => {
      // git may exit before reading all of stdin; its exit code tells what happened.
    });
    child.stdin.end(input ?? '');
  });
}

export interface RepositoryPlace {
  /** The work tree's top folder. */
  root: string;
  /** The project's folder relative to it, with a trailing slash ('' at the top). */
  prefix: string;
}

export async function repositoryOf(folder: string): Promise<RepositoryPlace> {
  const lines = (await git(folder, ['rev-parse', '--show-toplevel', '--show-prefix'])).toString('utf8').split('\n');
  return { root: lines[0] ?? folder, prefix: lines[1] ?? '' };
}

/** The full commit id a ref names, or null when it names none. */
export async function resolveCommit(root: string, ref: string): Promise<string | null> {
  try {
    const out = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    return out.toString('utf8').trim() || null;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return null;
    throw error;
  }
}

export interface TreeFile {
  /** Path from the repository's top. */
  path: string;
  mode: string;
  object: string;
}

/** Regular files (not symlinks, not submodules) of a commit under a folder of the repository. */
export async function listFiles(root: string, commit: string, prefix: string): Promise<TreeFile[]> {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
  if (prefix !== '') args.push('--', prefix);
  const out = (await git(root, args)).toString('utf8');
  const files: TreeFile[] = [];
  for (const record of out.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, object] = record.slice(0, tab).split(' ');
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || !object) continue;
    files.push({ path: record.slice(tab + 1), mode, object });
  }
  return files;
}

/** Contents of blobs by object id, in one `git cat-file --batch`. */
export async function readBlobs(root: string, objects: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(objects)];
  const blobs = new Map<string, Buffer>();
  if (unique.length === 0) return blobs;
  const out = await git(root, ['cat-file', '--batch'], `${unique.join('\n')}\n`);
  let offset = 0;
  while (offset < out.length) {
    const newline = out.indexOf(0x0a, offset);
    if (newline < 0) break;
    const header = out.subarray(offset, newline).toString('utf8').split(' ');
    if (header[1] === 'missing' || header.length < 3) throw new GitError(`git cat-file: object ${header[0]} is missing`, '', null);
    const size = Number(header[2]);
    const start = newline + 1;
    blobs.set(header[0]!, out.subarray(start, start + size));
    offset = start + size + 1; // the content is followed by a newline
  }
  return blobs;
}
