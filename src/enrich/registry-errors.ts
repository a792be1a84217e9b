// What a failed registry request means, as a RegistryError with a code the
// CLI and the diagnostics name. The fields of npm-registry-fetch's errors are
// read by fetch.ts (shared with the online advisory sources); this file words
// them for a package and a URL without credentials.

import { redactUrl } from './npm-config.js';
import { PackumentShapeError } from './packument.js';
import { classifyFetchError } from './fetch.js';

export type RegistryErrorCode =
  /** Network error, timeout, or 429/5xx after every retry. */
  | 'REGISTRY_UNREACHABLE'
  /** 404: no such package (or no such version in its packument). */
  | 'REGISTRY_NOT_FOUND'
  /** 401/403: the registry refused the credentials (or their absence). */
  | 'REGISTRY_AUTH'
  /** Not JSON, not a packument, another package's packument, an unexpected status. */
  | 'REGISTRY_BAD_RESPONSE'
  /** A packument larger than the limit once decompressed (a gzip bomb, a runaway body): cut off. */
  | 'REGISTRY_RESPONSE_TOO_LARGE'
  /** --offline and the cache does not hold it. */
  | 'REGISTRY_NOT_CACHED'
  /** The name or version cannot be looked up (not a valid npm package name). */
  | 'REGISTRY_BAD_NAME'
  /** The tarball is not valid gzip/tar, or was cut short. */
  | 'REGISTRY_TARBALL_CORRUPT'
  /** The tarball does not match the integrity the packument records. */
  | 'REGISTRY_TARBALL_INTEGRITY'
  /** The tarball exceeds the size or file-count limits. */
  | 'REGISTRY_TARBALL_TOO_LARGE'
  /** The packument's dist.tarball is on another host than the registry: not fetched. */
  | 'REGISTRY_TARBALL_FOREIGN_HOST';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** The package name concerned. */
  readonly packageName: string;
  /** The URL concerned, without credentials. */
  readonly url: string | null;
  readonly status: number | null;

  constructor(code: RegistryErrorCode, packageName: string, message: string, details: { url?: string | null; status?: number | null; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.packageName = packageName;
    this.url = details.url ?? null;
    this.status = details.status ?? null;
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}

/**
 * A failed request as a RegistryError naming the package, the URL (no
 * credentials) and what went wrong. `what` is the document asked for
 * ('packument', 'tarball', …); `offline` says why a cache miss was not asked
 * of the registry.
 */
export function classifyRequestError(error: unknown, name: string, url: string, what: string, offline: boolean): RegistryError {
  if (error instanceof RegistryError) return error;
  const shown = redactUrl(url);
  const details = { url: shown, cause: error };
  if (error instanceof PackumentShapeError) return new RegistryError('REGISTRY_BAD_RESPONSE', name, `${shown}: ${error.message}`, details);
  const failure = classifyFetchError(error);
  if (failure.kind === 'not-cached') {
    const why = offline ? 'offline mode (--offline, or npm\'s `offline` setting) forbids asking the registry' : 'the cache was required';
    return new RegistryError('REGISTRY_NOT_CACHED', name, `the ${what} of ${name} is not in the cache and ${why} (${shown})`, details);
  }
  if (failure.kind === 'status') {
    const statusCode = failure.status;
    const withStatus = { ...details, status: statusCode };
    if (statusCode === 404) return new RegistryError('REGISTRY_NOT_FOUND', name, `${shown} answered 404: the registry has no ${name}`, withStatus);
    if (statusCode === 401 || statusCode === 403) {
      return new RegistryError('REGISTRY_AUTH', name, `${shown} answered ${statusCode}: the registry refused access to ${name} (check the auth token for this registry in .npmrc)`, withStatus);
    }
    if (statusCode === 408 || statusCode === 420 || statusCode === 429 || statusCode >= 500) {
      return new RegistryError('REGISTRY_UNREACHABLE', name, `${shown} answered ${statusCode} after every retry`, withStatus);
    }
    return new RegistryError('REGISTRY_BAD_RESPONSE', name, `${shown} answered ${statusCode} for the ${what} of ${name}`, withStatus);
  }
  if (failure.kind === 'integrity') {
    return new RegistryError('REGISTRY_TARBALL_INTEGRITY', name, `the tarball of ${name} from ${shown} does not match the integrity its packument records`, details);
  }
  if (failure.kind === 'invalid-json') return new RegistryError('REGISTRY_BAD_RESPONSE', name, `${shown} sent a ${what} that is not valid JSON`, details);
  if (failure.kind === 'timeout') return new RegistryError('REGISTRY_UNREACHABLE', name, `${shown} timed out (npm config fetch-timeout)`, details);
  return new RegistryError('REGISTRY_UNREACHABLE', name, `could not fetch the ${what} of ${name} from ${shown}: ${failure.reason}`, details);
}
