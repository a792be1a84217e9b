// Where the bench scripts are, the repository they time, and a PATH that
// finds the repository's own pinned tools (node, lockfile-lint…) first.

import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bench = dirname(dirname(fileURLToPath(import.meta.url)));
export const repo = dirname(bench);
/** Third-party data beside the clone (../shared/data), or where DEPGUARD_SHARED_DATA says (a git worktree). */
export const shared = process.env.DEPGUARD_SHARED_DATA ? resolve(process.env.DEPGUARD_SHARED_DATA) : join(dirname(repo), 'shared', 'data');
export const bin = join(repo, 'node_modules', '.bin');
/** PATH with the repository's node_modules/.bin first. */
export const PATH = `${bin}${delimiter}${process.env.PATH ?? ''}`;
