// One GET through npm-registry-fetch (npm's cache, auth, proxy, retries),
// told to --verbose, with one more attempt after a Retry-After once npm's own
// retries are spent; a failure leaves as a RegistryError.

import type { RegistryResponse } from 'npm-registry-fetch';
import { setTimeout as sleep } from 'node:timers/promises';
import { redactUrl, type FetchOptions } from './npm-config.js';
import { loadFetch } from './fetch.js';
import { classifyRequestError } from './registry-errors.js';
import type { RequestTracker } from './registry-progress.js';
import { retryAfterWait } from './registry-retry.js';

export interface RequestSettings {
  /** npm-registry-fetch's options for every request of the client. */
  fetchOptions: FetchOptions;
  offline: boolean;
  /** Longest Retry-After honoured, in ms. */
  maxRetryAfter: number;
  tracker: RequestTracker;
  now(): number;
}

export interface RequestOptions {
  accept: string;
  /** The document asked for, for messages ('packument', 'tarball', …). */
  what: string;
  integrity?: string | null;
  /** Past npm's cache (a cached copy lacks a version), even under --prefer-offline. */
  revalidate?: boolean;
}

export function header(response: RegistryResponse, name: string): string | null {
  return response.headers.get(name);
}

/** How to close the connection of a response whose body is abandoned. */
const aborts = new WeakMap<object, () => void>();
export function abortOf(response: object): () => void {
  return aborts.get(response) ?? (() => {});
}

export async function registryRequest(settings: RequestSettings, name: string, url: string, options: RequestOptions): Promise<RegistryResponse> {
  const fetchOptions: FetchOptions = { ...settings.fetchOptions, headers: { accept: options.accept }, integrity: options.integrity ?? null };
  if (options.revalidate && !settings.offline) Object.assign(fetchOptions, { preferOnline: true, preferOffline: false });
  for (let attempt = 0; ; attempt++) {
    const started = settings.now();
    // One signal per attempt: cutting a body off must close its socket (see body.ts).
    const controller = new AbortController();
    try {
      const response = await (await loadFetch())(url, { ...fetchOptions, signal: controller.signal });
      aborts.set(response, () => controller.abort());
      const attempts = Number(header(response, 'x-fetch-attempts'));
      settings.tracker.emit({
        method: 'GET',
        url: redactUrl(url),
        status: response.status,
        ms: settings.now() - started,
        cache: header(response, 'x-local-cache-status') ?? 'none',
        ...(attempts > 1 ? { attempts } : {}),
      });
      return response;
    } catch (error) {
      const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
      settings.tracker.emit({
        method: 'GET',
        url: redactUrl(url),
        status: typeof statusCode === 'number' ? statusCode : null,
        ms: settings.now() - started,
        cache: code === 'ENOTCACHED' ? 'miss' : 'none',
        error: typeof code === 'string' ? code : 'ERROR',
      });
      const wait = retryAfterWait(error, attempt, settings.maxRetryAfter);
      if (wait !== null) {
        await sleep(wait);
        continue;
      }
      throw classifyRequestError(error, name, url, options.what, settings.offline);
    }
  }
}
