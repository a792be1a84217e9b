// The CLI edge's view of an error: every error that reaches it becomes a
// DepguardError with a code (and so a remedy from ERROR_HINTS), or is a bug.
// Errors of the stages' own kinds (registry, advisory source, git) and the
// operating system's file errors are known conditions, translated here so
// that none ends in "internal error".

import { GitError } from '../commands/diff/git.js';
import { AdvisorySourceError } from '../enrich/advisories/types.js';
import { RegistryError } from '../enrich/registry-client.js';
import { DepguardError } from '../errors.js';

/** File-system error codes (Node's `error.code`) that are the input's fault, not depguard's, worded for a person. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder where a file was expected',
  ENOTDIR: 'a part of the path is a file where a folder was expected',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links (a link loop?)',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files (raise `ulimit -n`)',
  ENFILE: 'too many open files on the system',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EIO: 'an input/output error from the device',
};

interface SystemError extends Error {
  code: string;
  path?: string;
  syscall?: string;
}

function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as SystemError).code === 'string' && Object.hasOwn(FILE_ERRORS, (error as SystemError).code);
}

/** The error as the CLI reports it: a DepguardError with a code, or null for a bug. */
export function toDepguardError(error: unknown): DepguardError | null {
  if (error instanceof DepguardError) return error;
  if (error instanceof RegistryError) {
    return new DepguardError('EREGISTRY', `${error.message}${error.url ? ` (${error.url})` : ''}`, { cause: error });
  }
  if (error instanceof AdvisorySourceError) {
    return new DepguardError('EADVISORIES', `advisory source ${error.source}: ${error.message}`, { hint: error.hint, cause: error });
  }
  if (error instanceof GitError) return new DepguardError('EDIFF_BASE', `git: ${error.message}`, { cause: error });
  if (isSystemError(error)) {
    const where = error.path ? `${error.path}: ` : '';
    const during = error.syscall ? ` (${error.syscall})` : '';
    return new DepguardError('EFILE', `${where}${FILE_ERRORS[error.code]} [${error.code}${during}]`, { ...(error.path ? { file: error.path } : {}), cause: error });
  }
  return null;
}
