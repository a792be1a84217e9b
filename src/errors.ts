// Errors the user can fix. The CLI prints them as one clear message (file,
// field, what was expected, what to do next) and exits 2; anything else is a
// bug and is shown with its stack only under --debug.

export type ErrorCode =
  | 'ENOENT_PATH'
  | 'ENOT_PROJECT'
  | 'ENO_PACKAGE_JSON'
  | 'EJSON_PARSE'
  | 'EBAD_PACKAGE_JSON'
  | 'EBAD_LOCKFILE'
  | 'ENO_LOCKFILE'
  | 'EUNSUPPORTED_LOCKFILE'
  | 'EAMBIGUOUS_LOCKFILE'
  | 'ELOAD_GRAPH'
  | 'EBAD_CONFIG'
  | 'EUNKNOWN_POLICY'
  | 'EBAD_ARGS'
  | 'EREGISTRY'
  | 'EWRITE'
  | 'EDIFF_BASE'
  | 'EGITHUB'
  | 'EADVISORIES';

export class DepguardError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: { file?: string; field?: string; hint?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DepguardError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
    this.hint = details.hint;
  }
}

export function isDepguardError(error: unknown): error is DepguardError {
  return error instanceof DepguardError;
}
