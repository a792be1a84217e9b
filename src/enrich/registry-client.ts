// Over 400 lines: one client whose request paths (packuments, manifests, tarballs) share its cache, limits, retries and counters; loading and error classification are in fetch.ts.
// depguard's one registry client. Packuments, manifests and tarballs come from
// the registries npm's configuration names (a package is fetched by NAME from
// the registry its scope maps to — never from a lockfile's `resolved` URL),
// through npm-registry-fetch with the user's npm options (auth, proxy, TLS,
// timeouts, retries) and npm's own cacache. A compact cache of the few fields
// the checks read sits in front of it, so warm runs neither re-read nor
// re-parse megabyte packuments. A failure is a RegistryError with a code; the
// caller turns it into a diagnostic on the package.

import type { RegistryResponse } from 'npm-registry-fetch';
import pLimit, { type LimitFunction } from 'p-limit';
import semver from 'semver';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl, registryFor, type FetchOptions, type RegistryConfig } from './npm-config.js';
import { CompactCache, COMPACT_FORMAT, type CompactRecord } from './compact-cache.js';
import { compactPackument, PackumentShapeError, type CompactPackument, type CompactVersion } from './packument.js';
import { DEFAULT_TARBALL_LIMITS, readTarball, TarballError, type TarballContents, type TarballLimits } from './tarball.js';
import { BodyError, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, limitResponsesOnTheWire, readBody } from './body.js';

import { classifyFetchError, cleanMessage, loadFetch } from './fetch.js';

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

/** online: cache, then the network when stale; prefer-offline: any cached copy first; offline: the cache only. */
export type RegistryMode = 'online' | 'prefer-offline' | 'offline';

export interface RequestEvent {
  method: 'GET';
  /** Without credentials or query string. */
  url: string;
  /** HTTP status; null when there was no response (network error, not cached) or the compact cache answered. */
  status: number | null;
  ms: number;
  /**
   * Who answered: 'compact' (depguard's compact cache, no HTTP), or npm's
   * cache status: 'hit' (fresh in cacache, no HTTP), 'stale' (cached copy used
   * without revalidating), 'revalidated' (304), 'updated', 'miss', 'skip'.
   */
  cache: string;
  /** Attempts made (retries + 1), when more than one. */
  attempts?: number;
  /** The error code when the request failed. */
  error?: string;
}

export interface RegistryProgress {
  /** Network or npm-cache requests finished. */
  done: number;
  /** Requests started so far (grows while checks ask for more). */
  total: number;
}

export interface RegistryClientOptions {
  registries: RegistryConfig;
  /** npm-registry-fetch options from npm's config (auth, proxy, ca, strictSSL, timeout, retry…). Holds secrets. */
  fetchOptions?: FetchOptions;
  /** npm's cache folder (config `cache`): cacache in `<cache>/_cacache`, compact packuments in `<cache>/_depguard`. */
  cache: string;
  mode?: RegistryMode;
  /** How long a compact packument is trusted without asking the registry, in ms (default one hour; 0: always revalidate). */
  maxAge?: number;
  /** Requests in flight at most (default 16). */
  concurrency?: number;
  /** Longest Retry-After (429/503) honoured with one more attempt once npm's own retries are spent, in ms (default 60 s). */
  maxRetryAfter?: number;
  tarballLimits?: Partial<TarballLimits>;
  /** Largest packument accepted, in bytes after decompression (default 128 MiB). */
  maxResponseBytes?: number;
  /**
   * Longest wait for response headers and for each chunk of a body, in ms
   * (default 30 s; npm's own fetch-timeout when that is shorter). A registry
   * that stalls ends in REGISTRY_UNREACHABLE, never a run that hangs.
   */
  idleTimeout?: number;
  /** One call per request (for --verbose). */
  onRequest?(event: RequestEvent): void;
  onProgress?(progress: RegistryProgress): void;
  /** The clock, for tests of --max-age. */
  now?(): number;
  /**
   * Ask for full packuments even when abbreviated ones are asked for: a check
   * that reads every package's full metadata (publisher) then costs no second
   * request per package, since a full packument answers both.
   */
  fullMetadata?: boolean;
}

export type PackumentSource = 'registry' | 'cache';

export interface Packument extends CompactPackument {
  /** 'registry' when the registry answered during this run, 'cache' when a cache did. */
  source: PackumentSource;
}

export interface RegistryManifest extends CompactVersion {
  name: string;
  version: string;
  source: PackumentSource;
}

export interface PackumentRequest {
  /** Full metadata (scripts, gypfile, publish times) rather than the abbreviated document. */
  full?: boolean;
  /** Ask the registry even when the compact cache is fresh (a version it lacks was asked for). */
  refresh?: boolean;
}

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const DEFAULT_MAX_AGE = 60 * 60 * 1000;
export const DEFAULT_CONCURRENCY = 16;

// The Accept headers pacote sends, so that npm's cache entries (which vary on
// Accept) are shared with npm's own installs.
const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const FULL_ACCEPT = 'application/json';

const NAME = /^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*\/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$/;

export function isValidPackageName(name: string): boolean {
  return name.length > 0 && name.length <= 214 && NAME.test(name);
}

/** The packument URL of a name on a registry: `<registry>@scope%2fname`. */
export function packumentUrl(registry: string, name: string): string {
  return `${registry}${name.replace('/', '%2f')}`;
}

function header(response: RegistryResponse, name: string): string | null {
  return response.headers.get(name);
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host.toLowerCase() === y.host.toLowerCase();
  } catch {
    return false;
  }
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : null;
  return typeof value === 'string' ? value : null;
}

/** The fields of npm-registry-fetch's errors read here (the classifier reads the rest). */
interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  headers?: unknown;
}

/** A failed request as a RegistryError naming the package, the URL (no credentials) and what went wrong (src/enrich/fetch.ts classifies). */
function classify(error: unknown, name: string, url: string, what: string, mode: RegistryMode): RegistryError {
  if (error instanceof RegistryError) return error;
  const shown = redactUrl(url);
  const details = { url: shown, cause: error };
  if (error instanceof PackumentShapeError) return new RegistryError('REGISTRY_BAD_RESPONSE', name, `${shown}: ${error.message}`, details);
  const failure = classifyFetchError(error);
  if (failure.kind === 'not-cached') {
    const why = mode === 'offline' ? 'offline mode (--offline, or npm\'s `offline` setting) forbids asking the registry' : 'the cache was required';
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

/** How to close the connection of a response whose body is abandoned. */
const aborts = new WeakMap<object, () => void>();
function abortOf(response: object): () => void {
  return aborts.get(response) ?? (() => {});
}

export class RegistryClient {
  readonly registries: RegistryConfig;
  readonly mode: RegistryMode;
  readonly cacheDir: string;
  readonly #fetchOptions: FetchOptions;
  readonly #compact: CompactCache;
  readonly #limit: LimitFunction;
  readonly #maxAge: number;
  readonly #maxRetryAfter: number;
  readonly #tarballLimits: TarballLimits;
  readonly #maxResponseBytes: number;
  readonly #idleTimeout: number;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #onProgress: ((progress: RegistryProgress) => void) | undefined;
  readonly #now: () => number;
  readonly #fullMetadata: boolean;
  /** In-flight and finished packument loads of this run, by `full|corgi` + registry + name. */
  readonly #memo = new Map<string, Promise<Packument>>();
  readonly #refreshed = new Set<string>();
  #started = 0;
  #done = 0;

  constructor(options: RegistryClientOptions) {
    this.registries = options.registries;
    this.mode = options.mode ?? 'online';
    this.cacheDir = options.cache;
    this.#maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
    this.#maxRetryAfter = options.maxRetryAfter ?? 60_000;
    this.#tarballLimits = { ...DEFAULT_TARBALL_LIMITS, ...options.tarballLimits };
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    limitResponsesOnTheWire(Math.max(this.#maxResponseBytes, this.#tarballLimits.maxBytes));
    const configured = Number(options.fetchOptions?.timeout);
    this.#idleTimeout = Math.min(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT, Number.isFinite(configured) && configured > 0 ? configured : Infinity);
    this.#compact = new CompactCache(options.cache);
    this.#limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
    this.#onRequest = options.onRequest;
    this.#onProgress = options.onProgress;
    this.#now = options.now ?? Date.now;
    this.#fullMetadata = options.fullMetadata === true;
    const scoped: FetchOptions = {};
    for (const [scope, url] of Object.entries(options.registries.scopes)) scoped[`${scope}:registry`] = url;
    this.#fetchOptions = {
      ...options.fetchOptions,
      ...scoped,
      registry: options.registries.registry,
      cache: join(options.cache, '_cacache'),
      userAgent: `depguard/${VERSION} node/${process.version}`,
      // npm-registry-fetch's timeout is the wait for response headers (npm's default: 5 minutes, per attempt).
      timeout: this.#idleTimeout,
      offline: this.mode === 'offline',
      preferOffline: this.mode === 'prefer-offline',
      preferOnline: this.mode === 'online' && this.#maxAge === 0,
    };
  }

  /** How long cached registry data is trusted without asking again, in ms (--max-age). */
  get maxAge(): number {
    return this.#maxAge;
  }

  /** The client's clock (tests set it). */
  now(): number {
    return this.#now();
  }

  /** The registry a package name is fetched from. */
  registryFor(name: string): string {
    return registryFor(this.registries, name);
  }

  /**
   * The compact packument of a package: from this run's memory, the compact
   * cache (within --max-age, or any age when offline / prefer-offline), else
   * npm-registry-fetch (npm's cache, then the registry). Abbreviated metadata
   * unless `full` is asked for; a full packument answers either request.
   */
  async packument(name: string, request: PackumentRequest = {}): Promise<Packument> {
    if (!isValidPackageName(name)) throw new RegistryError('REGISTRY_BAD_NAME', name, `${JSON.stringify(name)} is not a valid npm package name: not looked up`);
    const registry = this.registryFor(name);
    const full = request.full === true || this.#fullMetadata;
    const fullKey = `full|${registry}${name}`;
    const key = full ? fullKey : `corgi|${registry}${name}`;
    if (request.refresh && this.mode !== 'offline' && !this.#refreshed.has(key)) {
      this.#refreshed.add(key);
      const loading = this.#load(name, registry, full, true);
      this.#memo.set(key, loading);
      if (full) this.#memo.delete(`corgi|${registry}${name}`);
      return loading;
    }
    const known = this.#memo.get(key) ?? (full ? undefined : this.#memo.get(fullKey));
    if (known) return known;
    const loading = this.#load(name, registry, full, false);
    this.#memo.set(key, loading);
    return loading;
  }

  /**
   * One version's compact manifest. A version missing from a cached packument
   * means the cache is behind (a version published since): the packument is
   * asked for again once, whatever --max-age says.
   */
  async manifest(name: string, version: string, request: Omit<PackumentRequest, 'refresh'> = {}): Promise<RegistryManifest> {
    let packument = await this.packument(name, request);
    if (versionKey(packument.versions, version) === null && packument.source === 'cache' && this.mode !== 'offline') {
      packument = await this.packument(name, { ...request, refresh: true });
    }
    const key = versionKey(packument.versions, version);
    const found = key === null ? undefined : packument.versions[key];
    if (!found) {
      throw new RegistryError('REGISTRY_NOT_FOUND', name, `${name}@${version} is not in the packument from ${redactUrl(packument.registry)}${packument.source === 'cache' ? ' (cached copy)' : ''}`, {
        url: redactUrl(packumentUrl(packument.registry, name)),
      });
    }
    return { ...found, name, version, source: packument.source };
  }

  /**
   * A version's tarball, read into memory within the size and file-count
   * limits and checked against the packument's integrity. Fetched only from
   * the package's registry host; never extracted, never executed.
   */
  async tarball(name: string, version: string, request: { integrity?: string | null } = {}): Promise<TarballContents> {
    const manifest = await this.manifest(name, version);
    // The lockfile's integrity when given: what `npm ci` would verify. A registry serving other bytes is an attack signal.
    const expected = request.integrity ?? manifest.integrity;
    const against = request.integrity ? 'the lockfile records' : 'its packument records';
    const registry = this.registryFor(name);
    if (!manifest.tarball) throw new RegistryError('REGISTRY_BAD_RESPONSE', name, `the packument of ${name} gives no dist.tarball for ${version}`);
    if (!sameOrigin(manifest.tarball, registry)) {
      throw new RegistryError(
        'REGISTRY_TARBALL_FOREIGN_HOST',
        name,
        `the packument of ${name}@${version} points its tarball at ${redactUrl(manifest.tarball)}, not at the registry ${redactUrl(registry)}: not fetched`,
        { url: redactUrl(manifest.tarball) },
      );
    }
    const url = manifest.tarball;
    const limits = this.#tarballLimits;
    const bytes = await this.#task(async () => {
      const response = await this.#request(name, url, { accept: '*/*', integrity: expected, what: 'tarball' });
      const length = Number(header(response, 'content-length'));
      if (Number.isFinite(length) && length > limits.maxBytes) {
        abortOf(response)();
        (response.body as unknown as { destroy?(): void }).destroy?.();
        throw new RegistryError('REGISTRY_TARBALL_TOO_LARGE', name, `the tarball of ${name}@${version} is ${length} bytes, more than the limit of ${limits.maxBytes}`, { url: redactUrl(url) });
      }
      try {
        return await readBody(response.body, { maxBytes: limits.maxBytes, idleTimeout: this.#idleTimeout }, abortOf(response));
      } catch (error) {
        if (error instanceof BodyError) {
          if (error.code === 'EBODY_TOO_LARGE') {
            throw new RegistryError('REGISTRY_TARBALL_TOO_LARGE', name, `the tarball of ${name}@${version} is more than the limit of ${limits.maxBytes} bytes`, { url: redactUrl(url) });
          }
          throw new RegistryError('REGISTRY_UNREACHABLE', name, `the tarball of ${name}@${version} from ${redactUrl(url)} stopped arriving (${error.message})`, { url: redactUrl(url) });
        }
        const code = (error as ErrorLike).code;
        if (code === 'EINTEGRITY' || code === 'EBADSIZE') {
          throw new RegistryError('REGISTRY_TARBALL_INTEGRITY', name, `the tarball of ${name}@${version} from ${redactUrl(url)} does not match the integrity ${against}`, { url: redactUrl(url), cause: error });
        }
        throw new RegistryError('REGISTRY_TARBALL_CORRUPT', name, `the tarball of ${name}@${version} was cut short: ${cleanMessage(error)}`, { url: redactUrl(url), cause: error });
      }
    });
    let read: ReturnType<typeof readTarball>;
    try {
      read = readTarball(bytes, limits);
    } catch (error) {
      if (!(error instanceof TarballError)) throw error;
      const code = error.code === 'ETARBALL_TOO_LARGE' ? 'REGISTRY_TARBALL_TOO_LARGE' : 'REGISTRY_TARBALL_CORRUPT';
      throw new RegistryError(code, name, `the tarball of ${name}@${version}: ${error.message}`, { url: redactUrl(url), cause: error });
    }
    const byPath = new Map(read.entries.map((entry) => [entry.path, entry] as const));
    return {
      name,
      version,
      integrity: expected,
      bytes: bytes.length,
      unpackedBytes: read.unpackedBytes,
      entries: read.entries,
      file: (path) => byPath.get(path),
    };
  }

  /**
   * A JSON document of a registry that is not a packument (its signing keys,
   * `-/npm/v1/keys`), through npm-registry-fetch with the user's auth and
   * npm's cache, under the concurrency limit. Failures are RegistryErrors
   * (`status` 404 for a registry that has no such document).
   */
  async registryDocument(registry: string, path: string, what: string): Promise<unknown> {
    const url = new URL(path, registry).toString();
    return this.#task(async () => {
      const response = await this.#request(what, url, { accept: 'application/json', what });
      try {
        return (await response.json()) as unknown;
      } catch (error) {
        throw classify(error, what, url, what, this.mode);
      }
    });
  }

  async #load(name: string, registry: string, full: boolean, refresh: boolean): Promise<Packument> {
    const started = this.#now();
    const record = await this.#compact.read(registry, name);
    const usable = record !== null && (record.packument.full || !full) ? record : null;
    if (usable && !refresh) {
      const age = this.#now() - usable.checkedAt;
      // A record from the future (a clock set back) is not trusted.
      if (this.mode !== 'online' || (age >= 0 && age < this.#maxAge)) {
        this.#emit({ method: 'GET', url: redactUrl(packumentUrl(registry, name)), status: null, ms: this.#now() - started, cache: 'compact' });
        return { ...usable.packument, source: 'cache' };
      }
    }
    // Refresh the richer form held: a full record stays full.
    const wantFull = full || record?.packument.full === true;
    return this.#task(() => this.#fetchPackument(name, registry, wantFull, usable, refresh));
  }

  async #fetchPackument(name: string, registry: string, full: boolean, previous: CompactRecord | null, refresh: boolean): Promise<Packument> {
    const url = packumentUrl(registry, name);
    let response: RegistryResponse;
    let asFull = full;
    try {
      response = await this.#request(name, url, { accept: full ? FULL_ACCEPT : CORGI_ACCEPT, what: 'packument', revalidate: refresh });
    } catch (error) {
      // A registry that does not serve abbreviated metadata may 404 it (pacote does the same).
      if (full || !(error instanceof RegistryError && error.status === 404)) throw error;
      asFull = true;
      response = await this.#request(name, url, { accept: FULL_ACCEPT, what: 'packument', revalidate: refresh });
    }
    const cacheStatus = header(response, 'x-local-cache-status');
    const fromCache = cacheStatus === 'hit' || cacheStatus === 'stale';
    const bodyCached = fromCache || cacheStatus === 'revalidated';
    const cachedAt = Date.parse(header(response, 'x-local-cache-time') ?? '');
    const checkedAt = fromCache ? (Number.isNaN(cachedAt) ? 0 : Math.min(cachedAt, this.#now())) : this.#now();
    const etag = header(response, 'etag');
    const lastModified = header(response, 'last-modified');
    const source: PackumentSource = fromCache ? 'cache' : 'registry';
    // Same validators as the compact record: the packument has not changed,
    // so neither re-read nor re-parse it.
    if (previous && previous.packument.full === asFull && ((etag && etag === previous.etag) || (!etag && lastModified && lastModified === previous.lastModified))) {
      try {
        if (bodyCached) (response.body as unknown as { destroy?(): void }).destroy?.();
        else await readBody(response.body, { maxBytes: this.#maxResponseBytes, idleTimeout: this.#idleTimeout }, abortOf(response)); // let npm's cache finish storing it
      } catch {
        // The body is not needed.
      }
      const confirmed: CompactRecord = { ...previous, checkedAt };
      await this.#compact.write(confirmed);
      return { ...previous.packument, source };
    }
    let compact: CompactPackument;
    try {
      const body = await readBody(response.body, { maxBytes: this.#maxResponseBytes, idleTimeout: this.#idleTimeout }, abortOf(response));
      compact = compactPackument(JSON.parse(body.toString('utf8')), name, registry, asFull);
    } catch (error) {
      if (error instanceof BodyError) {
        const shown = redactUrl(url);
        if (error.code === 'EBODY_TOO_LARGE') {
          throw new RegistryError('REGISTRY_RESPONSE_TOO_LARGE', name, `${shown} sent a packument of ${name} of ${error.message} (decompressed): not read`, { url: shown });
        }
        throw new RegistryError('REGISTRY_UNREACHABLE', name, `${shown} stopped sending the packument of ${name} (${error.message})`, { url: shown });
      }
      throw classify(error, name, url, 'packument', this.mode);
    }
    await this.#compact.write({ format: COMPACT_FORMAT, checkedAt, etag, lastModified, packument: compact });
    return { ...compact, source };
  }

  /** One GET through npm-registry-fetch, with one more attempt after a Retry-After once npm's own retries are spent. */
  async #request(name: string, url: string, options: { accept: string; what: string; integrity?: string | null; revalidate?: boolean }): Promise<RegistryResponse> {
    const fetchOptions: FetchOptions = { ...this.#fetchOptions, headers: { accept: options.accept }, integrity: options.integrity ?? null };
    // Asking again because the cached copy lacks a version: past npm's cache, even under --prefer-offline.
    if (options.revalidate && this.mode !== 'offline') Object.assign(fetchOptions, { preferOnline: true, preferOffline: false });
    for (let attempt = 0; ; attempt++) {
      const started = this.#now();
      // One signal per attempt: cutting a body off must close its socket (see body.ts).
      const controller = new AbortController();
      try {
        const response = await (await loadFetch())(url, { ...fetchOptions, signal: controller.signal });
        aborts.set(response, () => controller.abort());
        const attempts = Number(header(response, 'x-fetch-attempts'));
        this.#emit({
          method: 'GET',
          url: redactUrl(url),
          status: response.status,
          ms: this.#now() - started,
          cache: header(response, 'x-local-cache-status') ?? 'none',
          ...(attempts > 1 ? { attempts } : {}),
        });
        return response;
      } catch (error) {
        const { statusCode, headers, code } = (error ?? {}) as ErrorLike;
        this.#emit({
          method: 'GET',
          url: redactUrl(url),
          status: typeof statusCode === 'number' ? statusCode : null,
          ms: this.#now() - started,
          cache: code === 'ENOTCACHED' ? 'miss' : 'none',
          error: typeof code === 'string' ? code : 'ERROR',
        });
        const wait = statusCode === 429 || statusCode === 503 ? retryAfterMs(headerValue(headers, 'retry-after')) : null;
        if (wait !== null && wait <= this.#maxRetryAfter && attempt < 1) {
          await sleep(wait);
          continue;
        }
        throw classify(error, name, url, options.what, this.mode);
      }
    }
  }

  /** Runs network work under the concurrency limit, counting it for progress. */
  async #task<T>(work: () => Promise<T>): Promise<T> {
    this.#started++;
    this.#progress();
    try {
      return await this.#limit(work);
    } finally {
      this.#done++;
      this.#progress();
    }
  }

  #progress(): void {
    this.#onProgress?.({ done: this.#done, total: this.#started });
  }

  #emit(event: RequestEvent): void {
    this.#onRequest?.(event);
  }
}

/**
 * The key of `version` in a packument's versions as npm finds it: the exact
 * key, else the version semver reads loosely (a lockfile may record
 * `v20190909.0.0`; the registry publishes it as `20190909.0.0`, which is the
 * version npm installs); null when neither is there.
 */
export function versionKey(versions: Readonly<Record<string, unknown>>, version: string): string | null {
  if (Object.hasOwn(versions, version)) return version;
  const clean = semver.clean(version, { loose: true });
  return clean !== null && Object.hasOwn(versions, clean) ? clean : null;
}
