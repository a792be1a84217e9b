// depguard's one registry client. Packuments, manifests and tarballs come from
// the registries npm's configuration names (a package is fetched by NAME from
// the registry its scope maps to — never from a lockfile's `resolved` URL),
// through npm-registry-fetch with the user's npm options (auth, proxy, TLS,
// timeouts, retries) and npm's own cacache. A compact cache of the few fields
// the checks read sits in front of it, so warm runs neither re-read nor
// re-parse megabyte packuments. A failure is a RegistryError with a code; the
// caller turns it into a diagnostic on the package.
//
// This file is the client's public face and its packument path; the parts
// beside it can be tested alone: registry-request.ts (one GET, Retry-After in
// registry-retry.ts), registry-errors.ts (what a failure means),
// registry-cache.ts (when cached data answers), registry-tarball.ts,
// registry-progress.ts (--verbose events, progress, concurrency) and
// registry-names.ts.

import type { RegistryResponse } from 'npm-registry-fetch';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { redactUrl, registryFor, type FetchOptions, type RegistryConfig } from './npm-config.js';
import { CompactCache, COMPACT_FORMAT, type CompactRecord } from './compact-cache.js';
import { compactPackument, type CompactPackument } from './packument.js';
import { DEFAULT_TARBALL_LIMITS, type TarballContents, type TarballLimits } from './tarball.js';
import { BodyError, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, limitResponsesOnTheWire, readBody } from './body.js';
import { classifyRequestError, RegistryError } from './registry-errors.js';
import { isValidPackageName, packumentUrl, versionKey } from './registry-names.js';
import { RequestTracker, type RegistryProgress, type RequestEvent } from './registry-progress.js';
import { abortOf, header, registryRequest, type RequestOptions, type RequestSettings } from './registry-request.js';
import { isFresh, recordFor, responseCacheState, sameValidators } from './registry-cache.js';
import { fetchTarball } from './registry-tarball.js';
import type { Packument, PackumentRequest, RegistryManifest, RegistryMode } from './registry-types.js';

export { isRegistryError, RegistryError, type RegistryErrorCode } from './registry-errors.js';
export { isValidPackageName, packumentUrl, versionKey } from './registry-names.js';
export type { RegistryProgress, RequestEvent } from './registry-progress.js';
export { retryAfterMs } from './registry-retry.js';
export type { Packument, PackumentRequest, PackumentSource, RegistryManifest, RegistryMode } from './registry-types.js';

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


const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const DEFAULT_MAX_AGE = 60 * 60 * 1000;
export const DEFAULT_CONCURRENCY = 16;

// The Accept headers pacote sends, so that npm's cache entries (which vary on
// Accept) are shared with npm's own installs.
const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const FULL_ACCEPT = 'application/json';

export class RegistryClient {
  readonly registries: RegistryConfig;
  readonly mode: RegistryMode;
  readonly cacheDir: string;
  readonly #compact: CompactCache;
  readonly #maxAge: number;
  readonly #tarballLimits: TarballLimits;
  readonly #maxResponseBytes: number;
  readonly #idleTimeout: number;
  readonly #now: () => number;
  readonly #fullMetadata: boolean;
  readonly #tracker: RequestTracker;
  readonly #requests: RequestSettings;
  /** In-flight and finished packument loads of this run, by `full|corgi` + registry + name. */
  readonly #memo = new Map<string, Promise<Packument>>();
  readonly #refreshed = new Set<string>();

  constructor(options: RegistryClientOptions) {
    this.registries = options.registries;
    this.mode = options.mode ?? 'online';
    this.cacheDir = options.cache;
    this.#maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
    this.#tarballLimits = { ...DEFAULT_TARBALL_LIMITS, ...options.tarballLimits };
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    limitResponsesOnTheWire(Math.max(this.#maxResponseBytes, this.#tarballLimits.maxBytes));
    const configured = Number(options.fetchOptions?.timeout);
    this.#idleTimeout = Math.min(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT, Number.isFinite(configured) && configured > 0 ? configured : Infinity);
    this.#compact = new CompactCache(options.cache);
    this.#tracker = new RequestTracker({ concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, onRequest: options.onRequest, onProgress: options.onProgress });
    this.#now = options.now ?? Date.now;
    this.#fullMetadata = options.fullMetadata === true;
    const scoped: FetchOptions = {};
    for (const [scope, url] of Object.entries(options.registries.scopes)) scoped[`${scope}:registry`] = url;
    this.#requests = {
      fetchOptions: {
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
      },
      offline: this.mode === 'offline',
      maxRetryAfter: options.maxRetryAfter ?? 60_000,
      tracker: this.#tracker,
      now: () => this.#now(),
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
    const fetcher = { request: (packageName: string, url: string, options: RequestOptions) => this.#request(packageName, url, options), task: <T>(work: () => Promise<T>) => this.#task(work), limits: this.#tarballLimits, idleTimeout: this.#idleTimeout };
    return fetchTarball(fetcher, manifest, this.registryFor(name), request.integrity);
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
        throw classifyRequestError(error, what, url, what, this.mode === 'offline');
      }
    });
  }

  async #load(name: string, registry: string, full: boolean, refresh: boolean): Promise<Packument> {
    const started = this.#now();
    const record = await this.#compact.read(registry, name);
    const usable = recordFor(record, full);
    if (usable && !refresh && isFresh(usable, this.mode, this.#maxAge, this.#now())) {
      this.#tracker.emit({ method: 'GET', url: redactUrl(packumentUrl(registry, name)), status: null, ms: this.#now() - started, cache: 'compact' });
      return { ...usable.packument, source: 'cache' };
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
    const { source, bodyCached, checkedAt } = responseCacheState(header(response, 'x-local-cache-status'), header(response, 'x-local-cache-time'), this.#now());
    const etag = header(response, 'etag');
    const lastModified = header(response, 'last-modified');
    // Same validators as the compact record: the packument has not changed,
    // so neither re-read nor re-parse it.
    if (sameValidators(previous, asFull, etag, lastModified)) {
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
      throw classifyRequestError(error, name, url, 'packument', this.mode === 'offline');
    }
    await this.#compact.write({ format: COMPACT_FORMAT, checkedAt, etag, lastModified, packument: compact });
    return { ...compact, source };
  }

  #request(name: string, url: string, options: RequestOptions): Promise<RegistryResponse> {
    return registryRequest(this.#requests, name, url, options);
  }

  /** Runs network work under the concurrency limit, counting it for progress. */
  #task<T>(work: () => Promise<T>): Promise<T> {
    return this.#tracker.task(work);
  }
}
