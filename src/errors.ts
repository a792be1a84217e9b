// Errors the user can fix. The CLI prints them as one clear message (file,
// field, what was expected) and a hint (what to do next) and exits 2; errors
// of other kinds are translated into these at the CLI edge
// (src/cli/errors.ts), and anything left is a bug, shown with its stack only
// under --debug.

/**
 * Every error code the CLI can print, with its remedy: the hint printed under
 * the message when the throw site knows no more precise one (as npm's
 * error-message maps codes to advice). Adding a code means adding its remedy.
 */
export const ERROR_HINTS = {
  ENOENT_PATH: 'pass the folder of an npm project, e.g. `depguard check .`',
  ENOT_PROJECT: 'pass the folder that holds package.json, not the file itself',
  ENO_PACKAGE_JSON: 'run depguard in the folder that holds package.json',
  EJSON_PARSE: 'fix the JSON at the place named (a trailing comma or a missing quote is the usual cause)',
  EBAD_PACKAGE_JSON: 'fix the field named in package.json (npm would refuse it too)',
  EBAD_LOCKFILE: 'regenerate it with `npm install --package-lock-only`',
  ENO_LOCKFILE: 'create one with `npm install --package-lock-only --ignore-scripts` and commit it',
  EAMBIGUOUS_LOCKFILE: 'choose one with `--lockfile <file>`, or declare the manager in package.json ("packageManager")',
  EUNSUPPORTED_LOCKFILE: 'create an npm lockfile with `npm install --package-lock-only --ignore-scripts`, or audit a checkout that has one',
  ELOAD_GRAPH: 'regenerate the lockfile with `npm install --package-lock-only --ignore-scripts`',
  EBAD_CONFIG: 'see "Config" in the README for the format',
  EUNKNOWN_POLICY: 'name a preset from policies/ (`recommended`, `strict`) in --policy or the config\'s "extends"',
  EBAD_ARGS: 'run `depguard --help` for the options',
  EREGISTRY: 'check the registry and the network (--verbose prints each request), or pass --allow-incomplete to audit without this data',
  EWRITE: 'check that the folder exists and is writable',
  EFILE: 'check the path named: a file where a file is expected, a folder where a folder is, readable by this user',
  EDIFF_BASE: 'pass a git ref this clone has (fetch it first) or a folder',
  EGITHUB: 'see the message above, and https://www.githubstatus.com when GitHub itself is failing',
  EADVISORIES: 'check the source and the network, pick another one with --advisory-source, or pass --advisories optional to audit without advisories',
  ETIMEOUT: 'a registry or advisory source that stalls is the usual cause (--verbose prints each request); raise --timeout for a very large project',
  EINCOMPLETE: 'pass --allow-incomplete to audit without what could not be analysed (a diagnostic names it)',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_HINTS;

export class DepguardError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  /** The throw site's hint when it knows a more precise remedy, else the code's (ERROR_HINTS). */
  readonly hint: string;

  constructor(code: ErrorCode, message: string, details: { file?: string; field?: string; hint?: string | undefined; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DepguardError';
    this.code = code;
    this.file = details.file;
    this.field = details.field;
    this.hint = details.hint ?? ERROR_HINTS[code];
  }
}

export function isDepguardError(error: unknown): error is DepguardError {
  return error instanceof DepguardError;
}
